package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.TestBin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios about the master process itself: run `procmaster run` in a JVM of its own. */
class MasterProcessTest {

    private record Running(Process process, List<String> log, Thread reader) {
    }

    private static Running launch(Path dir, int port) throws Exception {
        Path masterCf = Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - 3 pm-echo\n");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "io.procmaster.cli.ProcmasterCommand", "run", masterCf.toString(),
                "-o", "daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "-o", "queue_directory=" + dir, "-o", "services_file=", "-o", "service_drain_time=2s");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.add(line);
                    if (line.contains("daemon started")) {
                        started.complete(null);
                    }
                }
            } catch (Exception ignored) {
                // the process went away
            }
            started.complete(null);
        });
        reader.setDaemon(true);
        reader.start();
        started.get(30, TimeUnit.SECONDS);
        return new Running(p, log, reader);
    }

    private static List<ProcessHandle> children(Process p) {
        return p.toHandle().children().toList();
    }

    @Test
    void scenario25_masterKilledWithSigkillItsChildrenLeave(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Running m = launch(dir, port);
        assertThat(MasterFixture.echo(port, "x", 5000)).isEqualTo("x");
        List<ProcessHandle> kids = children(m.process());
        assertThat(kids).isNotEmpty();
        m.process().destroyForcibly();
        m.process().waitFor(10, TimeUnit.SECONDS);
        // The children see EOF on fd 5 (every status channel closed with the master) and exit.
        for (ProcessHandle k : kids) {
            k.onExit().get(10, TimeUnit.SECONDS);
            assertThat(k.isAlive()).isFalse();
        }
    }

    @Test
    void scenario26_sigtermStopsChildrenAndTheMaster(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Running m = launch(dir, port);
        assertThat(MasterFixture.echo(port, "x", 5000)).isEqualTo("x");
        List<ProcessHandle> kids = children(m.process());
        assertThat(kids).isNotEmpty();
        m.process().destroy(); // SIGTERM
        assertThat(m.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(m.process().exitValue()).isZero();
        m.reader().join(10_000); // the whole log, to the end of the stream
        for (ProcessHandle k : kids) {
            assertThat(k.isAlive()).isFalse();
        }
        assertThat(String.join("\n", m.log())).contains("terminating on signal 15").contains("master stopped");
    }
}
