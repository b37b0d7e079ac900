package io.procmaster.config;

import static io.procmaster.config.MasterCfParserTest.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builder API and the derived attributes of docs/postfix-master.md §1.3. */
class ServiceSpecBuilderTest {

    private static final MasterConfig CFG = config(Map.of(MasterConfig.SERVICES_FILE, ""));

    private static ServiceSpec parsed(String line) throws ConfigException {
        return parsed(CFG, line);
    }

    private static ServiceSpec parsed(MasterConfig cfg, String line) throws ConfigException {
        return new MasterCfParser(cfg).parse("master.cf", line).services().get(0);
    }

    // --- builder ≡ parser ------------------------------------------------------------------------

    @Test
    void builderAndParserYieldEqualSpecsForAnInetService() throws Exception {
        ServiceSpec fromBuilder = ServiceSpec.builder("submission", ServiceType.INET)
                .privateService(false).chroot(false).command("smtpd")
                .option("syslog_name", "postfix/submission").option("smtpd_tls_security_level", "encrypt")
                .build(CFG);
        ServiceSpec fromParser = parsed("submission inet n - n - - smtpd -o syslog_name=postfix/submission "
                + "-o smtpd_tls_security_level=encrypt");
        assertThat(fromBuilder).isEqualTo(fromParser).hasSameHashCodeAs(fromParser);
    }

    @Test
    void builderAndParserYieldEqualSpecsForEveryAttribute() throws Exception {
        ServiceSpec fromBuilder = ServiceSpec.builder("tlsmgr", ServiceType.UNIX)
                .privateService(true).unprivileged(false).chroot(true).wakeup(1000, true).maxProc(1)
                .command("tlsmgr").args("-v", "a b").minIdle(1).build(CFG);
        ServiceSpec fromParser = parsed("tlsmgr unix y n y 1000? 1 tlsmgr -v {a b} -o procmaster_min_idle=1");
        assertThat(fromBuilder).isEqualTo(fromParser);
    }

    @Test
    void builderDefaultsEqualParserDashes() throws Exception {
        assertThat(ServiceSpec.builder("foo", ServiceType.UNIX).command("cmd").build(CFG))
                .isEqualTo(parsed("foo unix - - - - - cmd"));
        assertThat(ServiceSpec.builder("smtp", ServiceType.INET).command("smtpd").build(CFG))
                .isEqualTo(parsed("smtp inet n - - - - smtpd"))
                .extracting(ServiceSpec::isPrivate).isEqualTo(false);
    }

    @Test
    void builderValidatesLikeTheParserAndReportsAllErrors() {
        ConfigException e = catchThrowableOfType(() -> ServiceSpec.builder("smtp", ServiceType.INET)
                .privateService(true).wakeup(-1).maxProc(-2).build(CFG), ConfigException.class);
        assertThat(e.errors()).extracting(ConfigError::message).containsExactly(
                "field \"private\": bad value: \"y\": inet service cannot be private",
                "field \"wakeup_time\": bad value: \"-1\": must be 0 or more",
                "field \"max_proc\": bad value: \"-2\": must be 0 (unlimited) or more",
                "missing \"command\" field");
    }

    @Test
    void builderRejectsWakeupOnUnixDgram() {
        ConfigException e = catchThrowableOfType(() -> ServiceSpec.builder("postlog", ServiceType.UNIX_DGRAM)
                .wakeup(60).command("postlogd").build(CFG), ConfigException.class);
        assertThat(e).hasMessageContaining("field \"wakeup_time\"").hasMessageContaining("cannot receive wakeup");
    }

    @Test
    void builderRejectsBadNamesAndCommands() {
        assertThat(catchThrowableOfType(() -> ServiceSpec.builder("a b", ServiceType.UNIX).command("x").build(CFG),
                ConfigException.class)).hasMessageContaining("field \"service\": bad value: \"a b\"");
        assertThat(catchThrowableOfType(() -> ServiceSpec.builder("a", ServiceType.UNIX).command("").build(CFG),
                ConfigException.class)).hasMessageContaining("field \"command\": bad value: \"\"");
        assertThat(catchThrowableOfType(() -> ServiceSpec.builder("a", ServiceType.UNIX).command("x").minIdle(-1)
                .build(CFG), ConfigException.class)).hasMessageContaining("must be 0 or more");
    }

    @Test
    void toBuilderRoundTrips() throws Exception {
        ServiceSpec s = parsed("pickup unix n - n 60 1 pickup -v -o procmaster_min_idle=1");
        assertThat(s.toBuilder().build(CFG)).isEqualTo(s);
        assertThat(s.toBuilder().maxProc(2).build(CFG).maxProc()).isEqualTo(2);
    }

    @Test
    void builtSpecsAreImmutable() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-v"));
        ServiceSpec s = ServiceSpec.builder("foo", ServiceType.UNIX).command("cmd").args(args).build(CFG);
        args.add("-x");
        assertThat(s.args()).containsExactly("-v");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.args().add("y"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // --- derived attributes -----------------------------------------------------------------------

    @Test
    void inetWithoutHostListensOnTheWildcardByDefault() throws Exception {
        ServiceSpec s = parsed("smtp inet n - n - - smtpd");
        assertThat(s.listenEndpoints()).containsExactly(InetEndpoint.wildcard(25));
        assertThat(s.socketPath()).isEmpty();
        assertThat(s.isLocalOnly()).isFalse();
    }

    @Test
    void inetWithHostListensOnThatAddress() throws Exception {
        assertThat(parsed("127.0.0.1:10025 inet n - n - - smtpd").listenEndpoints())
                .containsExactly(new InetEndpoint("127.0.0.1", 10025));
        assertThat(parsed("[2001:DB8:0:0::1]:25 inet n - n - - smtpd").listenEndpoints())
                .containsExactly(new InetEndpoint("2001:db8::1", 25));
        assertThat(parsed("[192.0.2.1]:25 inet n - n - - smtpd").canonicalName()).isEqualTo("[192.0.2.1]:25");
    }

    @Test
    void emptyOrStarHostMeansInetInterfaces() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.INET_INTERFACES, "192.0.2.1, 192.0.2.2"));
        assertThat(parsed(cfg, ":25 inet n - n - - smtpd").listenEndpoints())
                .containsExactly(new InetEndpoint("192.0.2.1", 25), new InetEndpoint("192.0.2.2", 25));
        assertThat(parsed(cfg, "*:25 inet n - n - - smtpd").canonicalName()).isEqualTo("25");
    }

    @Test
    void scenario31_multipleInterfacesGiveOneSocketEachAndCountAsLoopback() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.INET_INTERFACES, "127.0.0.1, ::1"));
        ServiceSpec s = parsed(cfg, "smtp inet n - n - 2 smtpd");
        assertThat(s.listenEndpoints()).containsExactly(new InetEndpoint("127.0.0.1", 25), new InetEndpoint("::1", 25));
        assertThat(s.listenSocketCount()).isEqualTo(2);
        assertThat(s.isLocalOnly()).isTrue();
        assertThat(s.isStressEligible()).isFalse();
        assertThat(s.childArgv(false, false, true)).containsSubsequence("-s", "2").doesNotContain("stress=yes", "stress=");
    }

    @Test
    void loopbackOnlyInterfaces() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.INET_INTERFACES, "loopback-only"));
        assertThat(parsed(cfg, "smtp inet n - n - - smtpd").listenEndpoints()).extracting(InetEndpoint::toString)
                .containsExactly("127.0.0.1:25", "[::1]:25");
    }

    @Test
    void emptyInetInterfacesIsFatalOnlyForHostlessInetServices() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.INET_INTERFACES, ""));
        assertThat(parsed(cfg, "127.0.0.1:25 inet n - n - - smtpd").canonicalName()).isEqualTo("[127.0.0.1]:25");
        assertThat(catchThrowableOfType(() -> parsed(cfg, "smtp inet n - n - - smtpd"), ConfigException.class))
                .hasMessageContaining("service definition requires valid host name or address, "
                        + "or non-empty inet_interfaces setting");
    }

    @Test
    void localOnlyFollowsTheSpec() throws Exception {
        assertThat(parsed("a unix - - n - - x").isLocalOnly()).isTrue();
        assertThat(parsed("a unix-dgram - - n - - x").isLocalOnly()).isTrue();
        assertThat(parsed("a fifo - - n - - x").isLocalOnly()).isTrue();
        assertThat(parsed("a pass - - n - - x").isLocalOnly()).isFalse();
        assertThat(parsed("127.0.0.1:10025 inet n - n - - x").isLocalOnly()).isTrue();
        assertThat(parsed("[::1]:10025 inet n - n - - x").isLocalOnly()).isTrue();
        assertThat(parsed("192.0.2.1:25 inet n - n - - x").isLocalOnly()).isFalse();
        assertThat(parsed("localhost:25 inet n - n - - x").isLocalOnly()).isFalse();
    }

    @Test
    void scenario12_stressEligibilityNeedsRemoteAndMaxprocAboveOne() throws Exception {
        assertThat(parsed("smtp inet n - n - 2 smtpd").isStressEligible()).isTrue();
        assertThat(parsed("smtp inet n - n - 1 smtpd").isStressEligible()).isFalse();
        assertThat(parsed("smtp inet n - n - 0 smtpd").isStressEligible()).isFalse();
        assertThat(parsed("127.0.0.1:10025 inet n - n - 2 smtpd").isStressEligible()).isFalse();
        assertThat(parsed("foo unix - - n - 2 x").isStressEligible()).isFalse();
        assertThat(parsed("foo pass - - n - 2 x").isStressEligible()).isTrue();
    }

    @Test
    void listenBacklogIsTheLargerOfMaxprocAndDefaultProcessLimit() throws Exception {
        assertThat(parsed("a unix - - n - 0 x").listenBacklog()).isEqualTo(100);
        assertThat(parsed("a unix - - n - 5 x").listenBacklog()).isEqualTo(100);
        assertThat(parsed("a unix - - n - 500 x").listenBacklog()).isEqualTo(500);
    }

    @Test
    void executableUsesTheDefaultDaemonDirectory() throws Exception {
        assertThat(parsed("a unix - - n - - smtpd").executable()).isEqualTo(Path.of("/usr/libexec/procmaster/smtpd"));
    }

    // --- docs/postfix-master.md §9 scenario 3 / 11 / 12: argument vector -----------------------------------------------------

    @Test
    void scenario3_childArgvFollowsTheSpecOrder() throws Exception {
        ServiceSpec s = parsed("submission inet n y y - 5 smtpd -o a=b");
        assertThat(s.childArgv(true, true, false)).containsExactly(
                "smtpd", "-n", "submission", "-t", "inet", "-d", "-v", "-u", "-c", "-o", "stress=", "-o", "a=b");
    }

    @Test
    void scenario3_childArgvFlagsForLimitsAndMatchingNames() throws Exception {
        assertThat(parsed("pickup unix n n n 60 1 pickup").childArgv(false, false, false))
                .containsExactly("pickup", "-l", "-t", "unix");
        assertThat(parsed("cleanup unix n - n - 0 cleanup").childArgv(false, false, false))
                .containsExactly("cleanup", "-z", "-t", "unix", "-u");
        assertThat(parsed("relay unix - - n - - sub/smtp").childArgv(false, false, false))
                .containsExactly("sub/smtp", "-n", "relay", "-t", "unix", "-u");
    }

    @Test
    void scenario11_stressArgumentOnlyForEligibleServices() throws Exception {
        assertThat(parsed("smtp inet n - n - 2 smtpd").childArgv(false, false, true))
                .containsSequence("-o", "stress=yes");
        assertThat(parsed("smtp inet n - n - 2 smtpd").childArgv(false, false, false))
                .containsSequence("-o", "stress=");
        assertThat(parsed("foo unix - - n - 2 x").childArgv(false, false, true)).doesNotContain("stress=yes");
    }

    @Test
    void userArgumentsComeLastSoTheyCanOverrideStress() throws Exception {
        List<String> argv = parsed("smtp inet n - n - 2 smtpd -o stress=").childArgv(false, false, true);
        assertThat(argv.subList(argv.size() - 4, argv.size())).containsExactly("-o", "stress=yes", "-o", "stress=");
    }
}
