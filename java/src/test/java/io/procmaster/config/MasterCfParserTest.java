package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** master.cf syntax and validation: docs/postfix-master.md §1.1–§1.2 and docs/postfix-master.md §9 scenarios 28, 29, 30, 32. */
class MasterCfParserTest {

    private static final MasterConfig NO_SERVICES_FILE = config(Map.of(MasterConfig.SERVICES_FILE, ""));

    static MasterConfig config(Map<String, String> values) {
        try {
            return MasterConfig.of(values);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    static ServiceTable parse(String content) throws ConfigException {
        return new MasterCfParser(NO_SERVICES_FILE).parse("master.cf", content);
    }

    static ConfigException parseError(String content) {
        return catchThrowableOfType(() -> parse(content), ConfigException.class);
    }

    static ServiceSpec only(String content) throws ConfigException {
        ServiceTable t = parse(content);
        assertThat(t.services()).hasSize(1);
        return t.services().get(0);
    }

    // --- docs/postfix-master.md §9 scenario 28: every error names file, line, field and value -------------------------------

    @Test
    void scenario28_errorNamesFileLineFieldAndValue() {
        ConfigException e = parseError("# comment\n\nfoo unix yes - n - - cmd\n");
        assertThat(e).hasMessage("master.cf: line 3: field \"private\": bad value: \"yes\": expected \"y\" or \"n\"");
        ConfigError err = e.errors().get(0);
        assertThat(err.file()).isEqualTo("master.cf");
        assertThat(err.line()).isEqualTo(3);
        assertThat(err.name()).isEqualTo("private");
        assertThat(err.value()).isEqualTo("yes");
    }

    @Test
    void scenario28_inetServiceCannotBePrivateEvenByDefault() {
        assertThat(parseError("smtp inet - - n - - smtpd"))
                .hasMessage("master.cf: line 1: field \"private\": bad value: \"-\": inet service cannot be private");
        assertThat(parseError("smtp inet y - n - - smtpd"))
                .hasMessageContaining("field \"private\": bad value: \"y\": inet service cannot be private");
    }

    @Test
    void scenario28_negativeMaxprocIsRejected() {
        assertThat(parseError("foo unix - - n - -5 cmd"))
                .hasMessageStartingWith("master.cf: line 1: field \"max_proc\": bad value: \"-5\"");
    }

    @Test
    void scenario28_unknownTransportTypeIsRejected() {
        assertThat(parseError("foo tcp - - n - - cmd"))
                .hasMessageStartingWith("master.cf: line 1: field \"transport type\": bad value: \"tcp\"")
                .hasMessageContaining("bad transport type: tcp");
    }

    @Test
    void scenario28_transportTypeIsCaseSensitive() {
        assertThat(parseError("foo UNIX - - n - - cmd")).hasMessageContaining("bad transport type: UNIX");
    }

    @Test
    void scenario28_missingCommandIsRejected() {
        assertThat(parseError("foo unix - - n - -")).hasMessage("master.cf: line 1: missing \"command\" field");
    }

    @Test
    void scenario28_commandHasNoDefault() {
        assertThat(parseError("foo unix - - n - - -"))
                .hasMessage("master.cf: line 1: field \"command\": bad value: \"-\": field has no default value");
    }

    @Test
    void scenario28_typeHasNoDefault() {
        assertThat(parseError("foo - - - n - - cmd"))
                .hasMessage("master.cf: line 1: field \"transport type\": bad value: \"-\": field has no default value");
    }

    @Test
    void missingFieldsBeforeTheCommandAreNamed() {
        assertThat(parseError("foo")).hasMessage("master.cf: line 1: missing \"transport type\" field");
        assertThat(parseError("foo unix")).hasMessage("master.cf: line 1: missing \"private\" field");
        assertThat(parseError("foo unix -")).hasMessage("master.cf: line 1: missing \"unprivileged\" field");
        assertThat(parseError("foo unix - -")).hasMessage("master.cf: line 1: missing \"chroot\" field");
        assertThat(parseError("foo unix - - n")).hasMessage("master.cf: line 1: missing \"wakeup_time\" field");
        assertThat(parseError("foo unix - - n -")).hasMessage("master.cf: line 1: missing \"max_proc\" field");
    }

    @Test
    void allErrorsOfAFileAreCollectedAndTheMessageShowsTheFirstAndTheCount() {
        ConfigException e = parseError(String.join("\n",
                "ok    unix - - n - - cmd",
                "foo   unix Y - n - - cmd",
                "bar   tcp  - - n - - cmd",
                "baz   unix - - n - x cmd",
                ""));
        assertThat(e.errors()).extracting(ConfigError::line).containsExactly(2, 3, 4);
        assertThat(e).hasMessage("master.cf: line 2: field \"private\": bad value: \"Y\": expected \"y\" or \"n\""
                + " (and 2 more errors)");
        assertThat(e.report().lines()).hasSize(3);
    }

    @Test
    void severalBadFieldsOnOneLineAreAllReported() {
        ConfigException e = parseError("foo unix 1 yes Y -1 abc cmd");
        assertThat(e.errors()).extracting(ConfigError::name)
                .containsExactly("private", "unprivileged", "chroot", "wakeup_time", "max_proc");
        assertThat(e.errors()).extracting(ConfigError::value).containsExactly("1", "yes", "Y", "-1", "abc");
    }

    @Test
    void badFieldsAreReportedEvenWhenTheCommandIsMissing() {
        ConfigException e = parseError("foo unix - - n - -5");
        assertThat(e.errors()).extracting(ConfigError::message).containsExactly(
                "master.cf: line 1: field \"max_proc\": bad value: \"-5\": must be 0 (unlimited) or more",
                "master.cf: line 1: missing \"command\" field");
    }

    @Test
    void errorLineIsTheFirstPhysicalLineOfTheLogicalLine() {
        ConfigException e = parseError("# header\nfoo unix - - n -\n    -5\n  cmd\n");
        assertThat(e.errors()).hasSize(1);
        assertThat(e).hasMessageStartingWith("master.cf: line 2: field \"max_proc\": bad value: \"-5\"");
    }

    @Test
    void anUnreadableFileIsOneErrorNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("master.cf");
        ConfigException e = catchThrowableOfType(
                () -> new MasterCfParser(NO_SERVICES_FILE).parse(missing), ConfigException.class);
        assertThat(e).hasMessageStartingWith(missing + ": cannot read");
    }

    @Test
    void aFileOnDiskIsParsedAndNamedAsGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("master.cf");
        Files.writeString(file, "foo unix - - n - - cmd\nbar unix - - q - - cmd\n");
        ConfigException e = catchThrowableOfType(
                () -> new MasterCfParser(NO_SERVICES_FILE).parse(file), ConfigException.class);
        assertThat(e).hasMessageStartingWith(file + ": line 2: field \"chroot\": bad value: \"q\"");
    }

    // --- docs/postfix-master.md §9 scenario 29: duplicates ---------------------------------------------------------------------

    @Test
    void scenario29_duplicateServiceWarnsAndLastWins() throws Exception {
        ServiceTable t = parse("foo unix - - n - 1 first\nbar unix - - n - - bar\nfoo unix - - n - 2 second\n");
        assertThat(t.warnings()).containsExactly("master.cf: line 3: duplicate master.cf entry for service "
                + "\"foo\" (private/foo) -- using the last entry");
        assertThat(t.services()).extracting(ServiceSpec::command).containsExactly("second", "bar");
        assertThat(t.get(new ServiceKey("private/foo", ServiceType.UNIX)).orElseThrow().maxProc()).isEqualTo(2);
    }

    @Test
    void scenario29_sameNameWithDifferentTypeOrPrivacyIsNotADuplicate() throws Exception {
        ServiceTable t = parse("foo unix - - n - - a\nfoo fifo - - n - - b\nfoo unix n - n - - c\n");
        assertThat(t.warnings()).isEmpty();
        assertThat(t.services()).extracting(s -> s.key().toString())
                .containsExactly("private/foo/unix", "private/foo/fifo", "public/foo/unix");
    }

    @Test
    void scenario29_inetDuplicatesAreFoundThroughCanonicalNames() throws Exception {
        ServiceTable t = parse("smtp inet n - n - - smtpd\n25 inet n - n - - other\n");
        assertThat(t.warnings()).singleElement().asString()
                .contains("duplicate master.cf entry for service \"25\" (25) -- using the last entry");
        assertThat(t.services()).singleElement().extracting(ServiceSpec::command).isEqualTo("other");
    }

    // --- docs/postfix-master.md §9 scenario 30: canonical names -----------------------------------------------------------------

    @Test
    void scenario30_canonicalNames() throws Exception {
        ServiceTable t = parse(String.join("\n",
                "smtp               inet n - n - - smtpd",
                "127.0.0.1:10025    inet n - n - - smtpd",
                "[::1]:submission   inet n - n - - smtpd",
                "[0:0:0:0:0:0:0:1]:24 inet n - n - - lmtp",
                "mail.example.com:465 inet n - n - - smtpd",
                "*:2525             inet n - n - - smtpd",
                "cleanup            unix n - n - 0 cleanup",
                "pickup             unix - - n 60 1 pickup",
                ""));
        assertThat(t.services()).extracting(ServiceSpec::canonicalName).containsExactly(
                "25", "[127.0.0.1]:10025", "[::1]:587", "[::1]:24", "[mail.example.com]:465", "2525",
                "public/cleanup", "private/pickup");
        assertThat(t.services()).extracting(ServiceSpec::name).startsWith("smtp", "127.0.0.1:10025");
    }

    @Test
    void scenario30_renamingSmtpTo25IsTheSameServiceOnReload() throws Exception {
        ServiceTable before = parse("smtp inet n - n - - smtpd\n");
        ServiceTable after = parse("25 inet n - n - - smtpd\n");
        // The same key is the same service to a reload; the argv differs, as it carries "-n <name>".
        assertThat(after.asMap().keySet()).isEqualTo(before.asMap().keySet());
        ServiceSpec old = before.services().get(0);
        ServiceSpec neu = after.services().get(0);
        assertThat(neu.name()).isNotEqualTo(old.name());
        assertThat(neu.childArgv(false, false, false)).isNotEqualTo(old.childArgv(false, false, false));
    }

    @Test
    void scenario30_portNamesComeFromKnownTcpPortsThenTheServicesFile(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("services");
        Files.writeString(services, "# test\nsmtp 2500/tcp mail\nimap 143/tcp imap2 # comment\nimap 143/udp\n");
        MasterConfig cfg = config(Map.of(MasterConfig.SERVICES_FILE, services.toString(),
                MasterConfig.KNOWN_TCP_PORTS, "smtp=25, foo=bar=7000"));
        ServiceTable t = new MasterCfParser(cfg).parse("master.cf",
                "smtp inet n - n - - a\nimap2 inet n - n - - b\nbar inet n - n - - c\n");
        assertThat(t.services()).extracting(ServiceSpec::canonicalName).containsExactly("25", "143", "7000");
    }

    @Test
    void scenario30_numericPortsNeedNoServicesFile() throws Exception {
        assertThat(only("10025 inet n - n - - smtpd").canonicalName()).isEqualTo("10025");
    }

    @Test
    void unknownPortNameIsAnError() {
        assertThat(parseError("nosuchport inet n - n - - smtpd"))
                .hasMessageStartingWith("master.cf: line 1: field \"service\": bad value: \"nosuchport\": "
                        + "unknown service port name");
    }

    @Test
    void badInetNamesAreErrors() {
        assertThat(parseError("[::1:25 inet n - n - - d")).hasMessageContaining("missing \"]\"");
        assertThat(parseError("::1:25 inet n - n - - d")).hasMessageContaining("must be written in brackets");
        assertThat(parseError("127.0.0.1: inet n - n - - d")).hasMessageContaining("missing port");
        assertThat(parseError("300.1.1.1:25 inet n - n - - d"))
                .hasMessageContaining("bad value: \"300.1.1.1:25\": bad hostname or network address");
        assertThat(parseError("bad_host!:25 inet n - n - - d")).hasMessageContaining("bad hostname or network address");
        assertThat(parseError("[1::2::3]:25 inet n - n - - d")).hasMessageContaining("bad hostname or network address");
        assertThat(parseError("1.2.3.4:70000 inet n - n - - d")).hasMessageContaining("port out of range");
    }

    // --- docs/postfix-master.md §9 scenario 32: master_service_disable -----------------------------------------------------------

    @Test
    void scenario32_masterServiceDisableSkipsMatchingEntriesUnvalidated() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.MASTER_SERVICE_DISABLE, "inet, foo/UNIX",
                MasterConfig.SERVICES_FILE, ""));
        ServiceTable t = new MasterCfParser(cfg).parse("master.cf", String.join("\n",
                "smtp inet n - n - - smtpd",
                "broken inet yes yes yes x x -",
                "foo unix - - n - - foo",
                "bar unix - - n - - bar",
                ""));
        assertThat(t.services()).extracting(ServiceSpec::name).containsExactly("bar");
    }

    @Test
    void scenario32_revertingTheDisableListBringsServicesBackAsNew() throws Exception {
        String file = "smtp inet n - n - - smtpd\nbar unix - - n - - bar\n";
        ServiceTable disabled = new MasterCfParser(config(Map.of(MasterConfig.MASTER_SERVICE_DISABLE, "inet")))
                .parse("master.cf", file);
        ServiceTable enabled = parse(file);
        assertThat(disabled.services()).extracting(ServiceSpec::name).containsExactly("bar");
        assertThat(enabled.services()).extracting(ServiceSpec::name).containsExactly("smtp", "bar");
        assertThat(enabled.get(disabled.services().get(0).key())).contains(disabled.services().get(0));
    }

    // --- syntax -----------------------------------------------------------------------------------------

    @Test
    void commentsAndBlankLinesAreIgnored() throws Exception {
        ServiceTable t = parse("# a comment\n\n   \n\t# indented comment\nfoo unix - - n - - cmd\n#\n");
        assertThat(t.services()).extracting(ServiceSpec::name).containsExactly("foo");
    }

    @Test
    void leadingWhitespaceContinuesTheLogicalLine() throws Exception {
        ServiceSpec s = only("foo unix - - n - - cmd\n  -o a=1\n\t-o b=2\n");
        assertThat(s.args()).containsExactly("-o", "a=1", "-o", "b=2");
    }

    @Test
    void aCommentInsideAContinuedEntryDoesNotEndIt() throws Exception {
        ServiceSpec s = only("foo unix - - n - - cmd\n# explain b\n  -o b=2\n");
        assertThat(s.args()).containsExactly("-o", "b=2");
    }

    @Test
    void fieldsMayBeSeparatedByAnyWhitespaceRun() throws Exception {
        ServiceSpec s = only("foo\tunix  -\t\t-   n - - cmd\targ\r\n");
        assertThat(s.command()).isEqualTo("cmd");
        assertThat(s.args()).containsExactly("arg");
    }

    @Test
    void dashGivesTheDocumentedDefaults() throws Exception {
        ServiceSpec s = only("foo unix - - - - - cmd");
        assertThat(s.isPrivate()).isTrue();
        assertThat(s.isUnprivileged()).isTrue();
        assertThat(s.isChroot()).isFalse();
        assertThat(s.wakeupSeconds()).isZero();
        assertThat(s.isWakeupConditional()).isFalse();
        assertThat(s.maxProc()).isEqualTo(100);
        assertThat(s.args()).isEmpty();
    }

    @Test
    void maxprocDefaultComesFromDefaultProcessLimit() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.DEFAULT_PROCESS_LIMIT, "7"));
        ServiceSpec s = new MasterCfParser(cfg).parse("master.cf", "foo unix - - n - - cmd").services().get(0);
        assertThat(s.maxProc()).isEqualTo(7);
    }

    @Test
    void booleansAreExactlyLowerCaseYOrN() throws Exception {
        ServiceSpec s = only("foo unix n n y - - cmd");
        assertThat(s.isPrivate()).isFalse();
        assertThat(s.isUnprivileged()).isFalse();
        assertThat(s.isChroot()).isTrue();
        for (String bad : List.of("Y", "N", "yes", "no", "1", "0", "true")) {
            assertThat(parseError("foo unix - " + bad + " n - - cmd"))
                    .hasMessage("master.cf: line 1: field \"unprivileged\": bad value: \"" + bad
                            + "\": expected \"y\" or \"n\"");
        }
    }

    @Test
    void wakeupAcceptsSecondsAndATrailingQuestionMark() throws Exception {
        ServiceSpec plain = only("pickup unix n - n 60 1 pickup");
        assertThat(plain.wakeupSeconds()).isEqualTo(60);
        assertThat(plain.isWakeupConditional()).isFalse();
        ServiceSpec cond = only("flush unix n - n 1000? 0 flush");
        assertThat(cond.wakeupSeconds()).isEqualTo(1000);
        assertThat(cond.isWakeupConditional()).isTrue();
    }

    @Test
    void scenario22_zeroQuestionMarkMeansNoWakeupAtAll() throws Exception {
        ServiceSpec s = only("flush unix n - n 0? 0 flush");
        assertThat(s.wakeupSeconds()).isZero();
        assertThat(s.isWakeupConditional()).isFalse();
    }

    @Test
    void badWakeupValuesAreRejected() {
        for (String bad : List.of("-5", "abc", "?60", "60abc", "60??", "1.5", "9999999999")) {
            assertThat(parseError("foo unix - - n " + bad + " 1 cmd"))
                    .hasMessageStartingWith("master.cf: line 1: field \"wakeup_time\": bad value: \"" + bad + "\"");
        }
    }

    @Test
    void scenario24_wakeupOnUnixDgramIsRejectedUpFront() {
        assertThat(parseError("postlog unix-dgram n - n 60 1 postlogd"))
                .hasMessage("master.cf: line 1: field \"wakeup_time\": bad value: \"60\": "
                        + "a unix-dgram service cannot receive wakeup triggers; use 0");
    }

    @Test
    void unixDgramWithoutWakeupIsFine() throws Exception {
        assertThat(only("postlog unix-dgram n - n - 1 postlogd").type()).isEqualTo(ServiceType.UNIX_DGRAM);
    }

    @Test
    void maxprocZeroMeansUnlimited() throws Exception {
        ServiceSpec s = only("foo unix - - n - 0 cmd");
        assertThat(s.maxProc()).isZero();
        assertThat(s.isUnlimited()).isTrue();
    }

    @Test
    void badMaxprocValuesAreRejected() {
        for (String bad : List.of("-1", "abc", "10x", "+3", "9999999999")) {
            assertThat(parseError("foo unix - - n - " + bad + " cmd"))
                    .hasMessageStartingWith("master.cf: line 1: field \"max_proc\": bad value: \"" + bad + "\"");
        }
    }

    @Test
    void everyTransportTypeIsAccepted() throws Exception {
        ServiceTable t = parse("2525 inet n - n - - d\nb unix - - n - - d\nc fifo - - n - - d\n"
                + "e unix-dgram - - n - - d\nf pass - - n - - d\n");
        assertThat(t.services()).extracting(ServiceSpec::type).containsExactly(
                ServiceType.INET, ServiceType.UNIX, ServiceType.FIFO, ServiceType.UNIX_DGRAM, ServiceType.PASS);
    }

    @Test
    void optionArgumentsAreKeptInOrder() throws Exception {
        ServiceSpec s = only("submission inet n - n - - smtpd -o syslog_name=postfix/submission -v "
                + "-o smtpd_tls_security_level=encrypt");
        assertThat(s.args()).containsExactly("-o", "syslog_name=postfix/submission", "-v",
                "-o", "smtpd_tls_security_level=encrypt");
    }

    @Test
    void aDanglingOptionFlagIsAnError() {
        assertThat(parseError("foo unix - - n - - cmd -o"))
                .hasMessage("master.cf: line 1: field \"args\": bad value: \"-o\": -o needs a following name=value");
        assertThat(parseError("foo unix - - n - - cmd -o novalue"))
                .hasMessageContaining("field \"args\": bad value: \"-o novalue\"");
    }

    @Test
    void bracedArgumentsMayContainWhitespaceOrBeEmpty() throws Exception {
        ServiceSpec s = only("foo unix - - n - - cmd { -o smtpd_banner = $myhostname ESMTP } {} { x }");
        assertThat(s.args()).containsExactly("-o smtpd_banner = $myhostname ESMTP", "", "x");
    }

    @Test
    void nestedBracesAreBalanced() throws Exception {
        assertThat(only("foo unix - - n - - cmd {a {b} c}").args()).containsExactly("a {b} c");
    }

    @Test
    void bracedArgumentsMayBeContinued() throws Exception {
        assertThat(only("foo unix - - n - - cmd { a\n   b }").args()).containsExactly("a b");
    }

    @Test
    void unbalancedBracesAreAnError() {
        assertThat(parseError("foo unix - - n - - cmd { a b"))
                .hasMessage("master.cf: line 1: field \"args\": bad value: \"{ a b\": missing \"}\"");
        assertThat(parseError("foo unix - - n - - cmd {a}b"))
                .hasMessageContaining("bad value: \"{a}b\": text after \"}\"");
    }

    @Test
    void relativeCommandsResolveAgainstDaemonDirectory() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.DAEMON_DIRECTORY, "/opt/pm/libexec"));
        ServiceTable t = new MasterCfParser(cfg).parse("master.cf",
                "a unix - - n - - smtpd\nb unix - - n - - sub/dir/cmd\nc unix - - n - - /usr/bin/env\n");
        assertThat(t.services()).extracting(s -> s.executable().toString())
                .containsExactly("/opt/pm/libexec/smtpd", "/opt/pm/libexec/sub/dir/cmd", "/usr/bin/env");
        assertThat(t.services()).extracting(ServiceSpec::command).containsExactly("smtpd", "sub/dir/cmd", "/usr/bin/env");
    }

    @Test
    void pathServicesLiveUnderTheQueueDirectory() throws Exception {
        MasterConfig cfg = config(Map.of(MasterConfig.QUEUE_DIRECTORY, "/srv/q"));
        ServiceTable t = new MasterCfParser(cfg).parse("master.cf",
                "cleanup unix n - n - 0 cleanup\nqmgr fifo - - n 300 1 qmgr\n");
        assertThat(t.services()).extracting(s -> s.socketPath().orElseThrow().toString())
                .containsExactly("/srv/q/public/cleanup", "/srv/q/private/qmgr");
    }

    @Test
    void socketPathsTooLongForSunPathAreRejected() {
        String longName = "x".repeat(100);
        assertThat(parseError(longName + " unix - - n - - cmd"))
                .hasMessageContaining("field \"service\": bad value: \"" + longName + "\": unix-domain name too long");
    }

    @Test
    void minIdleIsReadFromItsMasterOnlyOptionAndNotPassedToTheChild() throws Exception {
        ServiceSpec s = only("foo unix - - n - 10 cmd -o procmaster_min_idle=3 -o other=1");
        assertThat(s.minIdle()).isEqualTo(3);
        assertThat(s.args()).containsExactly("-o", "other=1");
    }

    @Test
    void minIdleIsValidated() {
        assertThat(parseError("foo unix - - n - 10 cmd -o procmaster_min_idle=x"))
                .hasMessageContaining("field \"procmaster_min_idle\": bad value: \"x\"");
        assertThat(parseError("foo unix - - n - 2 cmd -o procmaster_min_idle=3"))
                .hasMessageContaining("field \"procmaster_min_idle\": bad value: \"3\": must not exceed max_proc (2)");
    }

    @Test
    void theOrderOfTheFileIsKept() throws Exception {
        ServiceTable t = parse("c unix - - n - - x\na unix - - n - - x\nb unix - - n - - x\n");
        assertThat(t.services()).extracting(ServiceSpec::name).containsExactly("c", "a", "b");
    }

    @Test
    void anEmptyFileGivesAnEmptyTable() throws Exception {
        assertThat(parse("# nothing\n\n").size()).isZero();
    }
}
