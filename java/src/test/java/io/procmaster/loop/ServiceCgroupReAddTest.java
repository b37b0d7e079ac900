package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.os.Cgroup2;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.Await;
import io.procmaster.testing.Cgroup2Sandbox;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.ProcSelf;
import io.procmaster.time.Clock;
import io.procmaster.time.TimerQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ServiceCgroupReAddTest - a service whose cgroup is still ending (its processes killed, not yet
 * gone) is added again, as a reload that removes a service and the next that brings it back may:
 * the cgroup is taken back, and once it ends for good no descriptor of the first ending is left
 * (its cgroup.events watch). On the loop thread, as the master runs it; skipped without a
 * writable cgroup2 subtree ({@link Cgroup2Sandbox}).
 */
class ServiceCgroupReAddTest {

    @Test
    @Tag("cgroup2")
    void aCgroupReAddedWhileEndingLeavesNoDescriptorOnceItEnds(@TempDir Path queue) throws Exception {
        try (Cgroup2Sandbox box = Cgroup2Sandbox.create()) {
            MasterConfig config = MasterFixture.config(queue, "service_cgroups=yes", "cgroup_directory=" + box.dir);
            ServiceSpec spec = MasterFixture.table(config, "leaver unix - n n - 1 pm-echo\n").services().get(0);
            String id = ServiceViews.id(spec);
            Path dir = box.dir.resolve(ServiceCgroups.name(id));
            EventLoop loop = new EventLoop("cgroup-readd-test", Clock.system());
            loop.start();
            Process sleeper = null;
            try {
                ServiceCgroups cgroups = on(loop, () -> {
                    ServiceCgroups c = ServiceCgroups.open(box.dir, config, new TimerQueue(Clock.system()), loop);
                    c.add(id, spec);
                    return c;
                });
                // A process that takes a while to exit (128 MiB to unmap), so the cgroup is still
                // populated when end() has killed it: a sleep(1) is gone before end() looks.
                sleeper = new ProcessBuilder("sh", "-c",
                        "x=$(head -c 134217728 /dev/zero | tr '\\0' a); echo ready; read y; echo ${#x}").start();
                assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(sleeper.getInputStream())).readLine())
                        .isEqualTo("ready");
                Cgroup2.write(dir, "cgroup.procs", String.valueOf(sleeper.pid()));
                var before = ProcSelf.descriptors();
                boolean wasEnding = on(loop, () -> {
                    cgroups.end(id); // killed; the kernel has not let it go yet, so this cgroup is ending
                    boolean populated = Cgroup2.populated(dir);
                    cgroups.add(id, spec); // back before the sweep removed it
                    return populated;
                });
                Assumptions.assumeTrue(wasEnding, "the killed process left its cgroup before end() returned: "
                        + "the case (a cgroup re-added while ending) did not arise on this run");
                assertThat(sleeper.waitFor(20, TimeUnit.SECONDS)).as("the sleeper killed by cgroup.kill").isTrue();
                on(loop, () -> {
                    cgroups.end(id);
                    return null;
                });
                Await.until("the cgroup removed", Duration.ofSeconds(20), () -> Files.isDirectory(dir), d -> !d);
                assertThat(on(loop, () -> ProcSelf.openedSince(before))).as("descriptors left open").isEmpty();
            } finally {
                if (sleeper != null) {
                    sleeper.destroyForcibly();
                }
                loop.close();
                Files.deleteIfExists(dir);
            }
        }
    }

    private static <T> T on(EventLoop loop, Callable<T> body) throws Exception {
        return LoopCommands.call(loop, body).get(20, TimeUnit.SECONDS);
    }
}
