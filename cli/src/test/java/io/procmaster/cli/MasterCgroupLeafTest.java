package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.os.Cgroup2;
import io.procmaster.testing.Await;
import io.procmaster.testing.Cgroup2Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default {@code cgroup_directory} (docs/cgroups.md "Delegation"), as under systemd's
 * {@code Delegate=yes}: a {@code procmaster run} started in a cgroup of its own (the test's
 * {@link Cgroup2Sandbox}, which a shell joins before it execs the JVM) moves itself into the leaf
 * {@code master} and makes the services' cgroups beside it; on SIGTERM it removes them.
 */
@Tag("cgroup2")
class MasterCgroupLeafTest {
    @Test
    void aMasterInItsOwnCgroupMovesIntoTheLeafAndMakesTheServicesBesideIt(@TempDir Path dir) throws Exception {
        try (Cgroup2Sandbox box = Cgroup2Sandbox.create()) {
            Path masterCf = Files.writeString(dir.resolve("master.cf"),
                    "a unix - - n - 1 pm-echo -o procmaster_min_idle=1\n");
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"",
                    box.dir.toString()));
            cmd.addAll(ChildJvm.procmaster(ChildJvm.runArguments(masterCf, dir, "service_cgroups=yes")));
            Path logFile = dir.resolve("master.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            try {
                Path leaf = box.dir.resolve("master");
                Path service = box.dir.resolve("svc-private_2fa_2funix");
                // Generous: in CI this runs in an emulated guest (ci/kvm), where a JVM's start alone
                // took tens of seconds on a loaded host.
                List<Integer> child = Await.poll(Duration.ofSeconds(180),
                        () -> Files.isDirectory(service) ? Cgroup2.procs(service) : List.<Integer>of(),
                        l -> l.size() == 1 || !p.isAlive());
                assertThat(child).as("the service's child in its cgroup; the log:%n%s", Files.readString(logFile))
                        .hasSize(1);
                assertThat(Files.readString(logFile)).contains("moved the master into " + leaf);
                assertThat(Cgroup2.procs(leaf)).as("the master in its leaf").containsExactly((int) p.pid());
                assertThat(Cgroup2.procs(box.dir)).as("no process in the delegated directory itself").isEmpty();
                Await.until("the master fully up (its signal handlers set)", Duration.ofSeconds(120),
                        () -> Files.readString(logFile), t -> t.contains("daemon started") || !p.isAlive());
                p.destroy(); // SIGTERM: a clean stop
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                try (Stream<Path> s = Files.list(box.dir)) {
                    assertThat(s.filter(Files::isDirectory).toList())
                            .as("only the master's leaf is left; the log:%n%s", Files.readString(logFile))
                            .containsExactly(leaf);
                }
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
