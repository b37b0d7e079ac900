package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.Master;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.TestBin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator surface over the control socket: status, a refused reload, stop. */
class ControlCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ProcmasterCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void brokenReloadKeepsTheOldServicesAndExitsNonZeroWithFileAndLine(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path masterCf = dir.resolve("master.cf");
        Files.writeString(masterCf, "127.0.0.1:" + port + " inet n - n - 4 pm-echo\n");
        Path socket = dir.resolve("control.sock");
        List<String> overrides = List.of("daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "queue_directory=" + dir, "services_file=");
        try (Master master = Master.start(masterCf, null, overrides);
             ControlServer control = new ControlServer(socket, master, () -> master.stop())) {
            assertThat(MasterFixture.echo(port, "before", 5000)).isEqualTo("before");

            Files.writeString(masterCf, "127.0.0.1:" + port + " inet n - n - 4 pm-echo\nbroken inet x\n");
            Run reload = cli("reload", "--socket", socket.toString());
            assertThat(reload.code()).isEqualTo(1);
            assertThat(reload.err()).contains(masterCf + ": line 2:");

            assertThat(MasterFixture.echo(port, "after", 5000)).isEqualTo("after");
            Run status = cli("status", "--socket", socket.toString());
            assertThat(status.code()).isZero();
            assertThat(status.out()).contains("[127.0.0.1]:" + port + "/inet");

            Run stop = cli("stop", "--socket", socket.toString());
            assertThat(stop.code()).isZero();
            master.stopped().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void scenario27_statusWithoutARunningMasterFailsClearly(@TempDir Path dir) {
        Run status = cli("status", "--socket", dir.resolve("none.sock").toString());
        assertThat(status.code()).isEqualTo(1);
        assertThat(status.err()).contains("no master answers on " + dir.resolve("none.sock"));
    }

    @Test
    void checkPrintsTheTableOrTheErrors(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.cf"), "foo unix n - n - 3 pm-echo -o max_use=5\n");
        Run ok = cli("check", good.toString(), "-o", "daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "-o", "services_file=");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("foo").contains("pm-echo -o max_use=5");
        Path bad = Files.writeString(dir.resolve("bad.cf"), "foo unix n - n - many pm-echo\n");
        Run err = cli("check", bad.toString(), "-o", "services_file=");
        assertThat(err.code()).isEqualTo(1);
        assertThat(err.err()).contains(bad + ": line 1:").contains("many");
    }
}
