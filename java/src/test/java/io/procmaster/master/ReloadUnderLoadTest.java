package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.Master;
import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 20 reloads, half of them changing the service's arguments, during 1 000 connections: no
 * connection is refused or lost, and the old generations' children finish and leave.
 */
class ReloadUnderLoadTest {

    @Test
    void reloadsDropNoConnection(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var fds = ProcSelf.descriptors();
        Path masterCf = dir.resolve("master.cf");
        String line = "127.0.0.1:" + port + " inet n - n - 10 pm-echo -o echo_max_lines=%d\n";
        Files.writeString(masterCf, String.format(line, 1000));
        List<String> overrides = List.of("daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "queue_directory=" + dir, "services_file=", "service_drain_time=2s");
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Master master = Master.start(masterCf, null, overrides)) {
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String msg = "msg-" + i;
                done.add(clients.submit(() -> {
                    try {
                        String got = MasterFixture.echo(port, msg, 10_000);
                        if (msg.equals(got)) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(msg + ": got " + got);
                        }
                    } catch (Exception e) {
                        failures.add(msg + ": " + e);
                    }
                }));
            }
            for (int r = 0; r < 20; r++) {
                TimeUnit.MILLISECONDS.sleep(150);
                if (r % 2 == 1) {
                    Files.writeString(masterCf, String.format(line, 1000 - r)); // new arguments
                }
                master.reload();
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            clients.shutdown();
            // Old generations leave: every child still running belongs to the current one.
            ServiceStatus s = null;
            for (int i = 0; i < 100; i++) {
                s = master.status().get(0);
                if (s.oldEpochChildren() == 0) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(s.oldEpochChildren()).as("children of old generations").isZero();
            assertThat(s.total()).isLessThanOrEqualTo(10);
            System.out.printf("reload under load: %d ok, %d spawns, %d failures%n", ok.get(), s.spawns(),
                    failures.size());
        }
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isEqualTo(1000);
        assertThat(ProcSelf.zombies()).isEmpty();
        assertThat(ProcSelf.openedSince(fds)).as("descriptors left open").isEmpty();
    }
}
