package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.Master;
import io.procmaster.status.ReloadResult;
import io.procmaster.cli.ProcmasterCommand;
import io.procmaster.testing.TestBin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters nothing reads are warned about, as {@code postconf -n} does, with file, line and the
 * nearest known name (docs/configuration.md, "Unknown parameters"); Postfix's own are not.
 */
class UnusedParametersTest {

    private static ParameterSetting main(int line, String name, String value) {
        return new ParameterSetting("main.cf", line, name, value);
    }

    @Test
    void aMisspeltMainCfParameterIsNamedWithItsLineAndTheNearestKnownName() {
        assertThat(UnusedParameters.warnings(List.of(main(7, "servce_throttle_time", "5s")), List.of(), List.of()))
                .containsExactly("main.cf: line 7: unused parameter: servce_throttle_time=5s "
                        + "(did you mean service_throttle_time?)");
    }

    @Test
    void aNameFarFromEveryKnownOneGetsNoSuggestion() {
        assertThat(UnusedParameters.warnings(List.of(main(1, "completely_unrelated_zzz", "1")), List.of(), List.of()))
                .containsExactly("main.cf: line 1: unused parameter: completely_unrelated_zzz=1");
    }

    @Test
    void stockPostfixAndProcmasterParametersAreNotWarnedAbout() {
        List<ParameterSetting> settings = List.of(main(1, "myhostname", "mail.example.com"),
                main(2, "smtpd_tls_cert_file", "/etc/ssl/x.pem"), main(3, "smtpd_relay_restrictions", "permit"),
                main(4, "throttle_max_time", "160s"), main(5, "spawn_rate_limit", "10"),
                main(6, "procmaster_min_idle", "1"), main(7, "echo_timeout", "5"));
        assertThat(UnusedParameters.warnings(settings, List.of(), List.of())).isEmpty();
    }

    @Test
    void referencedRestrictionClassPerServiceAndDatabaseNamesAreUsed() {
        List<ParameterSetting> mainCf = List.of(main(1, "my_networks_list", "10.0.0.0/8"),
                main(2, "mynetworks", "$my_networks_list"), main(3, "smtpd_restriction_classes", "cls1, cls2"),
                main(4, "cls1", "permit"), main(5, "relay2_destination_concurrency_limit", "3"),
                main(6, "relay2_time_limit", "100s"), main(7, "alias_maps", "proxy:ldap:ldapsrc"),
                main(8, "ldapsrc_server_host", "ldap.example.com"), main(9, "relay2_no_such_suffix", "1"),
                main(10, "unreferenced", "x"));
        List<ParameterSetting> masterCf = List.of(new ParameterSetting("master.cf", 3, "smtpd_client_restrictions",
                "${mua_client}"));
        List<ParameterSetting> withMua = List.of(main(11, "mua_client", "permit"));
        assertThat(UnusedParameters.warnings(mainCf, masterCf, List.of("relay2"))).containsExactly(
                "main.cf: line 9: unused parameter: relay2_no_such_suffix=1",
                "main.cf: line 10: unused parameter: unreferenced=x");
        assertThat(UnusedParameters.warnings(withMua, masterCf, List.of())).isEmpty();
    }

    @Test
    void transposedLettersCountAsOneEdit() {
        assertThat(EditDistance.between("servcie", "service")).isEqualTo(1);
        assertThat(EditDistance.between("servce", "service")).isEqualTo(1);
        assertThat(EditDistance.between("abc", "abc")).isZero();
        assertThat(EditDistance.between("", "abc")).isEqualTo(3);
        assertThat(UnusedParameters.nearest("servcie_throttle_time")).isEqualTo("service_throttle_time");
        assertThat(UnusedParameters.nearest("ab")).isNull(); // too short for a guess
    }

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

    @Test
    void reloadReturnsTheWarnings(@TempDir Path dir) throws Exception {
        Path mainCf = dir.resolve("main.cf");
        Files.writeString(mainCf, "queue_directory = " + dir + "\nservices_file =\n"
                + "daemon_directory = " + Path.of(TestBin.path("pm-echo")).getParent() + "\n"
                + "servce_throttle_time = 5s\n");
        Path masterCf = dir.resolve("master.cf");
        Files.writeString(masterCf, "echo unix - - n - 1 pm-echo\n");
        try (Master master = Master.start(masterCf, mainCf, List.of())) {
            Files.writeString(masterCf, "# new\necho unix - - n - 1 pm-echo -o echo_timout=5\n");
            ReloadResult r = master.reload();
            assertThat(r.warnings()).containsExactly(
                    mainCf + ": line 4: unused parameter: servce_throttle_time=5s (did you mean service_throttle_time?)",
                    masterCf + ": line 2: unused parameter: echo_timout=5 (did you mean echo_timeout?)");
        }
    }
}
