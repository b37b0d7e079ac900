package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.TestBin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code procmaster check} prints the parser's warnings about parameters nothing reads, each once,
 * with file and line (docs/configuration.md, "Unknown parameters").
 */
class CheckWarningsTest {

    @Test
    void checkWarnsAboutMainCfAndMasterCfTyposWithFileAndLine(@TempDir Path dir) throws Exception {
        Path mainCf = dir.resolve("main.cf");
        Files.writeString(mainCf, String.join("\n", "# a comment", "myhostname = mail.example.com",
                "services_file =", "smtpd_banner = $myhostname ESMTP", "", "queue_directory = " + dir,
                "servce_throttle_time = 5s", ""));
        Path masterCf = dir.resolve("master.cf");
        Files.writeString(masterCf, String.join("\n", "# service", "echo unix - - n - 1 pm-echo",
                "  -o echo_timeout=5", "other unix - - n - 1 pm-echo -o smtpd_tls_securty_level=may", ""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // daemon_directory: check also verifies that each command exists (docs/cli.md, "check").
        int rc = ProcmasterCommand.execute(new PrintWriter(out), new PrintWriter(err), "check", masterCf.toString(),
                "--main", mainCf.toString(), "-o", "daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent());
        assertThat(rc).isZero();
        assertThat(err.toString().lines().filter(l -> l.startsWith("warning: ")).toList()).containsExactly(
                "warning: " + mainCf + ": line 7: unused parameter: servce_throttle_time=5s "
                        + "(did you mean service_throttle_time?)",
                "warning: " + masterCf + ": line 4: unused parameter: smtpd_tls_securty_level=may "
                        + "(did you mean smtpd_tls_security_level?)");
        assertThat(out.toString()).contains("echo", "other");
    }

}
