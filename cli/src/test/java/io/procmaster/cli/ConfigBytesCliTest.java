package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.Master;
import io.procmaster.config.ConfigException;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.TestBin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defect 9 through the operator's commands: check, run and reload all name the file and line. */
class ConfigBytesCliTest {
    private static final byte[] NUL_SERVICE = "good unix n - n - 3 pm-echo\nb\0d unix n - n - 3 pm-echo\n"
            .getBytes(StandardCharsets.UTF_8);

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ProcmasterCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void defect9_checkAndRunReportANulInAServiceNameWithFileAndLine(@TempDir Path dir) throws Exception {
        Path cf = Files.write(dir.resolve("master.cf"), NUL_SERVICE);
        for (String command : List.of("check", "run")) {
            Run r = cli(command, cf.toString(), "-o", "queue_directory=" + dir, "-o", "services_file=");
            assertThat(r.code()).as(command).isEqualTo(1);
            assertThat(r.err()).as(command).contains(cf + ": line 2: field \"service\": bad value: \"b\\x00d\"")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void defect9_reloadReportsANulInAServiceNameWithFileAndLine(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path cf = dir.resolve("master.cf");
        Files.writeString(cf, "127.0.0.1:" + port + " inet n - n - 4 pm-echo\n");
        List<String> overrides = List.of("daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "queue_directory=" + dir, "services_file=");
        try (Master master = Master.start(cf, null, overrides)) {
            Files.write(cf, NUL_SERVICE);
            assertThatThrownBy(master::reload).isInstanceOfSatisfying(ConfigException.class, e ->
                    assertThat(e.report()).contains(cf + ": line 2: field \"service\": bad value: \"b\\x00d\""));
            assertThat(MasterFixture.echo(port, "still here", 5000)).isEqualTo("still here");
        }
    }
}
