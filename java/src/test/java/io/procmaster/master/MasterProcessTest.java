package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios about the master process itself: run `procmaster run` in a JVM of its own. */
class MasterProcessTest {

    private record Running(Process process, Path logFile) {
        String log() throws java.io.IOException {
            return Files.readString(logFile);
        }
    }

    private static Running launch(Path dir, int port) throws Exception {
        Path masterCf = Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - 3 pm-echo\n");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "io.procmaster.cli.ProcmasterCommand", "run", masterCf.toString(),
                "-o", "daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "-o", "queue_directory=" + dir, "-o", "services_file=", "-o", "service_drain_time=2s");
        Path logFile = dir.resolve("master.log");
        pb.redirectErrorStream(true).redirectOutput(logFile.toFile());
        Running r = new Running(pb.start(), logFile);
        for (int i = 0; i < 300 && !r.log().contains("daemon started"); i++) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertThat(r.log()).contains("daemon started");
        return r;
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
        for (ProcessHandle k : kids) {
            assertThat(k.isAlive()).isFalse();
        }
        assertThat(m.log()).contains("terminating on signal 15").contains("master stopped");
    }
}
