package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.Await;
import io.procmaster.testing.Cgroup2Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 3: with service_cgroups, {@code procmaster status} in each form shows each service's
 * cgroup: its processes (pids.current, else the lines of cgroup.procs), memory where memory.current
 * exists, and the limit events (docs/cgroups.md "Reporting"). In a cgroup2 subtree of the test's own
 * ({@link Cgroup2Sandbox}); skipped with the reason where there is none.
 */
@Tag("cgroup2")
class StatusCgroupTest {
    @Test
    void everyFormShowsTheServicesCgroup(@TempDir Path dir) throws Exception {
        try (Cgroup2Sandbox box = Cgroup2Sandbox.create();
             LiveMaster m = LiveMaster.start(dir, "a unix - - n - 1 pm-echo -o procmaster_min_idle=1\n",
                     "service_cgroups=yes", "cgroup_directory=" + box.dir)) {
            ServiceStatus s = Await.until("the prespawned child in its cgroup", Duration.ofSeconds(20),
                    () -> m.master.status().get(0), st -> st.cgroup() != null && st.cgroup().processes() == 1);
            assertThat(Path.of(s.cgroup().path()).getParent()).isEqualTo(box.dir);

            CliRun text = m.cli("status");
            assertThat(text.code()).as(text.err()).isZero();
            assertThat(text.out()).contains("cgroup of service");
            assertThat(text.out().lines().filter(l -> l.startsWith("private/a/unix")).toList()).hasSize(2)
                    .last().asString().matches("private/a/unix\\s+1\\s+\\S+\\s+max/max/max\\s+0\\s+0\\s+0");

            CliRun json = m.cli("status", "--json");
            assertThat(json.code()).as(json.err()).isZero();
            JsonNode cg = new ObjectMapper().readTree(json.out()).get("services").get(0).get("cgroup");
            assertThat(cg.get("processes").asLong()).isEqualTo(1);
            assertThat(cg.get("path").asText()).isEqualTo(s.cgroup().path());
            assertThat(cg.get("pidsMax").asText()).isEqualTo("max");

            CliRun om = m.cli("status", "--format", "openmetrics");
            assertThat(om.code()).as(om.err()).isZero();
            assertThat(om.out()).contains("procmaster_service_cgroup_processes{service=\"private/a/unix\"} 1\n")
                    .contains("procmaster_service_cgroup_pids_max_events_total{service=\"private/a/unix\"} 0\n")
                    .contains("# TYPE procmaster_service_cgroup_oom_kills counter\n");
        }
    }
}
