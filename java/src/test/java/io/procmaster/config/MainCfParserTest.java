package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** main.cf parsing, master parameters, defaults and command-line overrides (docs/postfix-master.md §1.5). */
class MainCfParserTest {

    private static MasterConfig parse(String content) throws ConfigException {
        return MainCfParser.parse("main.cf", content).config();
    }

    private static ConfigException parseError(String content) {
        return catchThrowableOfType(() -> parse(content), ConfigException.class);
    }

    @Test
    void defaultsMatchTheSpecAndTheDocumentedProcmasterValues() {
        MasterConfig c = MasterConfig.defaults();
        assertThat(c.defaultProcessLimit()).isEqualTo(100);
        assertThat(c.serviceThrottleTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.throttleMaxTime()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.spawnRateLimit()).isEqualTo(100);
        assertThat(c.serviceDrainTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.stressWindowTime()).isEqualTo(Duration.ofSeconds(1000));
        assertThat(c.busyWarningTime()).isEqualTo(Duration.ofSeconds(1000));
        assertThat(c.daemonDirectory()).isEqualTo(Path.of("/usr/libexec/procmaster"));
        assertThat(c.queueDirectory()).isEqualTo(Path.of("/var/spool/procmaster"));
        assertThat(c.controlSocket()).isEqualTo(Path.of("/var/spool/procmaster/procmaster.sock"));
        assertThat(c.allInterfaces()).isTrue();
        assertThat(c.interfaceHosts()).isEmpty();
        assertThat(c.knownTcpPorts()).containsExactly(Map.entry("lmtp", 24), Map.entry("smtp", 25),
                Map.entry("smtps", 465), Map.entry("submissions", 465), Map.entry("submission", 587));
        assertThat(c.masterServiceDisable()).isEmpty();
        assertThat(c.servicesFile()).contains(Path.of("/etc/services"));
    }

    @Test
    void nameEqualsValueLinesWithCommentsAndBlankLines() throws Exception {
        MasterConfig c = parse("# main.cf\n\ndefault_process_limit = 50\n   # indented comment\n"
                + "service_throttle_time=10s\nmyhostname = mail.example.com\n");
        assertThat(c.defaultProcessLimit()).isEqualTo(50);
        assertThat(c.serviceThrottleTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get("myhostname")).contains("mail.example.com");
        assertThat(c.explicitParameters()).containsOnlyKeys("default_process_limit", "service_throttle_time",
                "myhostname");
    }

    @Test
    void continuationLinesAreJoinedWithOneSpace() throws Exception {
        MasterConfig c = parse("inet_interfaces = 127.0.0.1,\n    ::1\nmaster_service_disable =\n\tinet\n");
        assertThat(c.interfaceHosts()).containsExactly("127.0.0.1", "::1");
        assertThat(c.get(MasterConfig.INET_INTERFACES)).contains("127.0.0.1, ::1");
        assertThat(c.masterServiceDisable()).isEqualTo("inet");
    }

    @Test
    void emptyValuesAreAllowed() throws Exception {
        assertThat(parse("services_file =\n").servicesFile()).isEmpty();
    }

    @Test
    void unknownParametersAreKeptVerbatim() throws Exception {
        assertThat(parse("smtpd_banner = $myhostname ESMTP").get("smtpd_banner")).contains("$myhostname ESMTP");
        assertThat(MasterConfig.defaults().get("no_such_parameter")).isEmpty();
    }

    @Test
    void timeParametersTakeEverySuffixAndDefaultToSeconds() throws Exception {
        MasterConfig c = parse("service_throttle_time = 90\nthrottle_max_time = 1h\nservice_drain_time = 2m\n"
                + "stress_window_time = 1d\nbusy_warning_time = 1w\n");
        assertThat(c.serviceThrottleTime()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.throttleMaxTime()).isEqualTo(Duration.ofHours(1));
        assertThat(c.serviceDrainTime()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.stressWindowTime()).isEqualTo(Duration.ofDays(1));
        assertThat(c.busyWarningTime()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void throttleMaxTimeDefaultsToTenTimesTheThrottleTime() throws Exception {
        assertThat(parse("service_throttle_time = 5m").throttleMaxTime()).isEqualTo(Duration.ofMinutes(50));
    }

    @Test
    void throttleMaxTimeBelowTheThrottleTimeIsAnError() {
        assertThat(parseError("service_throttle_time = 60s\nthrottle_max_time = 30s\n"))
                .hasMessage("main.cf: line 2: parameter \"throttle_max_time\": bad value: \"30s\": "
                        + "must not be less than service_throttle_time (1m)");
    }

    @Test
    void laterSettingsWinWithAWarning() throws Exception {
        MainCfParser.Result r = MainCfParser.parse("main.cf", "default_process_limit = 5\ndefault_process_limit = 6\n");
        assertThat(r.config().defaultProcessLimit()).isEqualTo(6);
        assertThat(r.warnings()).containsExactly("main.cf: line 2: overriding earlier entry: default_process_limit=5");
    }

    @Test
    void badValuesNameFileLineParameterAndValueAndAreAllCollected() {
        ConfigException e = parseError(String.join("\n",
                "default_process_limit = 0",
                "spawn_rate_limit = many",
                "service_throttle_time = 10x",
                "daemon_directory = relative/dir",
                "inet_interfaces = 999.1.1.1",
                "known_tcp_ports = smtp",
                "service_drain_time = 0s",
                ""));
        assertThat(e.errors()).extracting(ConfigError::message).containsExactly(
                "main.cf: line 1: parameter \"default_process_limit\": bad value: \"0\": must be at least 1",
                "main.cf: line 2: parameter \"spawn_rate_limit\": bad value: \"many\": expected a decimal number",
                "main.cf: line 3: parameter \"service_throttle_time\": bad value: \"10x\": "
                        + "unknown time unit 'x' (use s, m, h, d or w)",
                "main.cf: line 4: parameter \"daemon_directory\": bad value: \"relative/dir\": must be an absolute path",
                "main.cf: line 5: parameter \"inet_interfaces\": bad value: \"999.1.1.1\": "
                        + "bad hostname or network address: 999.1.1.1",
                "main.cf: line 6: parameter \"known_tcp_ports\": bad value: \"smtp\": item \"smtp\" is not name=port",
                "main.cf: line 7: parameter \"service_drain_time\": bad value: \"0s\": must be at least 1s");
        assertThat(e).hasMessageEndingWith("(and 6 more errors)");
    }

    @Test
    void syntaxErrorsAreReported() {
        ConfigException e = parseError("just some words\nbad-name = 1\n= 2\n");
        assertThat(e.errors()).extracting(ConfigError::message).containsExactly(
                "main.cf: line 1: missing \"=\" after parameter name: \"just some words\"",
                "main.cf: line 2: bad parameter name: \"bad-name\"",
                "main.cf: line 3: bad parameter name: \"\"");
    }

    @Test
    void spawnRateLimitZeroMeansUnlimited() throws Exception {
        assertThat(parse("spawn_rate_limit = 0").spawnRateLimit()).isZero();
    }

    @Test
    void controlSocketIsRelativeToTheQueueDirectoryUnlessAbsolute() throws Exception {
        assertThat(parse("queue_directory = /q\ncontrol_socket = private/ctl").controlSocket())
                .isEqualTo(Path.of("/q/private/ctl"));
        assertThat(parse("control_socket = /run/pm.sock").controlSocket()).isEqualTo(Path.of("/run/pm.sock"));
    }

    @Test
    void overridesWinOverMainCf() throws Exception {
        MasterConfig c = parse("default_process_limit = 50\nservice_throttle_time = 10s\n")
                .withOverride("default_process_limit=7")
                .withOverrides(Map.of(MasterConfig.SPAWN_RATE_LIMIT, "3"));
        assertThat(c.defaultProcessLimit()).isEqualTo(7);
        assertThat(c.serviceThrottleTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.spawnRateLimit()).isEqualTo(3);
    }

    @Test
    void overrideWhitespaceIsIgnored() throws Exception {
        assertThat(MasterConfig.defaults().withOverride(" default_process_limit = 9 ").defaultProcessLimit())
                .isEqualTo(9);
    }

    @Test
    void badOverridesAreErrorsWithoutAFile() {
        assertThat(catchThrowableOfType(() -> MasterConfig.defaults().withOverride("novalue"), ConfigException.class))
                .hasMessage("bad override \"novalue\": expected name=value");
        assertThat(catchThrowableOfType(() -> MasterConfig.defaults().withOverride("default_process_limit=x"),
                ConfigException.class))
                .hasMessage("parameter \"default_process_limit\": bad value: \"x\": expected a decimal number");
    }

    @Test
    void configsAreImmutableValues() throws Exception {
        MasterConfig a = parse("default_process_limit = 5");
        MasterConfig b = a.withOverride("default_process_limit=6");
        assertThat(a.defaultProcessLimit()).isEqualTo(5);
        assertThat(b.defaultProcessLimit()).isEqualTo(6);
        assertThat(a).isEqualTo(parse("default_process_limit = 5")).isNotEqualTo(b);
    }

    @Test
    void aFileOnDiskIsReadAndAMissingOneIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("main.cf");
        Files.writeString(f, "default_process_limit = 3\n");
        assertThat(MainCfParser.parse(f).config().defaultProcessLimit()).isEqualTo(3);
        assertThat(catchThrowableOfType(() -> MainCfParser.parse(dir.resolve("nope.cf")), ConfigException.class))
                .hasMessageStartingWith(dir.resolve("nope.cf") + ": cannot read");
    }

    @Test
    void everyParameterConstantHasADefaultValue() {
        assertThat(MasterConfig.defaultValues()).containsKeys(MasterConfig.DEFAULT_PROCESS_LIMIT,
                MasterConfig.SERVICE_THROTTLE_TIME, MasterConfig.SPAWN_RATE_LIMIT, MasterConfig.SERVICE_DRAIN_TIME,
                MasterConfig.STRESS_WINDOW_TIME, MasterConfig.BUSY_WARNING_TIME, MasterConfig.DAEMON_DIRECTORY,
                MasterConfig.QUEUE_DIRECTORY, MasterConfig.CONTROL_SOCKET, MasterConfig.INET_INTERFACES,
                MasterConfig.KNOWN_TCP_PORTS, MasterConfig.MASTER_SERVICE_DISABLE, MasterConfig.SERVICES_FILE,
                MasterConfig.IMPORT_ENVIRONMENT, MasterConfig.MAIL_OWNER);
    }

    @Test
    void mailOwnerIsAUserOfTheSystemOrNothing() throws Exception {
        assertThat(MasterConfig.defaults().mailOwner()).isEmpty();
        assertThat(parse("mail_owner = nobody").mailOwner()).hasValueSatisfying(u -> assertThat(u.getName()).isEqualTo("nobody"));
        assertThat(parseError("mail_owner = root\n"))
                .hasMessage("main.cf: line 1: parameter \"mail_owner\": bad value: \"root\": must not be root (the daemons drop their privileges to it)");
        assertThat(parseError("mail_owner = 12345\n"))
                .hasMessage("main.cf: line 1: parameter \"mail_owner\": bad value: \"12345\": a user name is expected, not a number");
        assertThat(parseError("mail_owner = no-such-user-pm\n"))
                .hasMessage("main.cf: line 1: parameter \"mail_owner\": bad value: \"no-such-user-pm\": unknown user");
    }

    @Test
    void importEnvironmentDefaultsToTheVariablesADaemonMayRelyOn() {
        Map<String, String> parent = Map.of("PATH", "/bin", "HOME", "/root", "MAIL_CONFIG", "/etc/x", "DISPLAY", ":0");
        assertThat(MasterConfig.defaults().importEnvironment().resolve(parent))
                .containsOnly(Map.entry("PATH", "/bin"), Map.entry("MAIL_CONFIG", "/etc/x"));
    }

    @Test
    void aBadImportEnvironmentItemNamesItsLine() {
        assertThat(parseError("default_process_limit = 3\nimport_environment = TZ, =x\n"))
                .hasMessage("main.cf: line 2: parameter \"import_environment\": bad value: \"TZ, =x\": "
                        + "bad environment variable name in \"=x\"");
    }
}
