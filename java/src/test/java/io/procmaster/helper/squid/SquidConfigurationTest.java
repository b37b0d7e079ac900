package io.procmaster.helper.squid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.helper.HelperKind;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.testing.Await;
import io.procmaster.testing.SquidHelpers;
import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 item 9, "Configuration": a pool written as squid.conf writes it. {@code children 5
 * startup=9 idle=0}, which the builder refuses, is corrected as Squid corrects it, with Squid's
 * {@code WARNING OVERRIDE} texts, and the pool runs; the parser's warnings and refusals are
 * compared with Debian's real Squid 5.7 ({@code squid -k parse}, see {@link SquidKParse}) for the
 * same lines; Squid's own basic_ncsa_auth runs from a squid.conf line. The rows of the table
 * "squid.conf → procmaster" (docs/helpers.md) are tested in {@link SquidConfDirectivesTest} and
 * {@link SquidConfLinesTest}.
 */
class SquidConfigurationTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    @Test
    void item9_childrenStartupNineIdleZeroIsCorrectedWithSquidsWarningsAndRuns() throws Exception {
        // Today's builder refuses the same settings, by design (no silent capping in the API).
        assertThatThrownBy(() -> HelperPoolConfig.builder("basic", HelperKind.BASIC_AUTH).children(5).startup(9).idle(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startup must be within 0..5, got 9").hasMessageContaining("idle must be within 1..5, got 0");

        Path conf = write("squid.conf",
                "auth_param basic program " + TestBin.path("pm-helper"),
                "auth_param basic children 5 startup=9 idle=0");
        SquidConf parsed = SquidConf.parse(conf);

        SquidHelper basic = parsed.helper("basic").orElseThrow();
        assertThat(basic.kind()).isEqualTo(HelperKind.BASIC_AUTH);
        assertThat(basic.config().children()).isEqualTo(5);
        assertThat(basic.config().startup()).isEqualTo(5);
        assertThat(basic.config().idle()).isEqualTo(1);
        assertThat(basic.config().queueLimit()).isEqualTo(10);
        assertThat(parsed.warnings()).extracting(SquidConfWarning::message).containsExactly(
                "WARNING OVERRIDE: Using idle=0 for helpers causes request failures. Overriding to use idle=1 instead.",
                "WARNING OVERRIDE: Capping startup=9 to the defined maximum (5)");
        assertThat(parsed.warnings()).allSatisfy(w -> {
            assertThat(w.file()).isEqualTo(conf.toString());
            assertThat(w.line()).isEqualTo(2);
            assertThat(w.directive()).isEqualTo("auth_param basic children");
            assertThat(w.squidLogs()).isTrue();
        });
        assertThat(parsed.warnings()).extracting(SquidConfWarning::value).containsExactly("idle=0", "startup=9");

        try (HelperPools.Running r = HelperPools.startWithOwnLoop(basic.config(), basic.spec())) {
            Await.until("the five startup helpers running", Duration.ofSeconds(20),
                    () -> r.pool().statsAsync().get(10, TimeUnit.SECONDS).running(), n -> n == 5);
            HelperReply reply = r.pool().submit("alice secret").get(20, TimeUnit.SECONDS);
            assertThat(reply.status()).isEqualTo(HelperReply.Status.OK);
            assertThat(reply.text()).isEqualTo("alice secret");
        }
    }

    @Test
    void squidsOwnBasicNcsaAuthRunsFromAnAuthParamLine() throws Exception {
        Path helper = SquidHelpers.program("basic_ncsa_auth");
        Path passwd = write("passwd", "alice:$1$pmsalt$jU0TpEJgLtFaSOGVesyHf."); // openssl passwd -1 -salt pmsalt secret
        Path conf = write("squid.conf",
                "auth_param basic program " + helper + " " + passwd,
                "auth_param basic children 2 startup=1 idle=1");
        SquidHelper basic = SquidConf.parse(conf).helper("basic").orElseThrow();
        assertThat(basic.spec().argv()).containsExactly("(basic_ncsa_auth)", passwd.toString());
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(basic.config(), basic.spec())) {
            assertThat(r.pool().submit("alice secret").get(20, TimeUnit.SECONDS).status()).isEqualTo(HelperReply.Status.OK);
            assertThat(r.pool().submit("alice wrong").get(20, TimeUnit.SECONDS).status()).isEqualTo(HelperReply.Status.ERR);
        }
    }

    /** Lines Squid accepts, each with or without warnings of Squid's own; no two alike (Squid's output is grouped by line text). */
    private static List<String> acceptedLines() {
        String cat = "/bin/cat";
        return List.of(
                "auth_param basic program /usr/lib/squid/basic_ncsa_auth /etc/passwd",
                "auth_param basic children 5 startup=9 idle=0",
                "auth_param basic children 5 startup=1 idle=7 concurrency=0 queue-size=40 on-persistent-overload=ERR",
                "auth_param basic children 6 startup=1 idle=1 concurrency=0 queue-size=40 on-persistent-overload=die",
                "auth_param basic credentialsttl 2 hours",
                "auth_param basic casesensitive enable",
                "auth_param basic utf8 disable",
                "auth_param basic realm Squid proxy",
                "auth_param basic bogus 1",
                "auth_param digest program /usr/lib/squid/digest_file_auth /etc/passwd",
                "auth_param digest realm digest realm",
                "auth_param digest nonce_max_duration 30 minutes",
                "auth_param digest nonce_max_count 0x20",
                "auth_param ntlm program " + cat,
                "auth_param ntlm children 3 reservation-timeout=30",
                "auth_param ntlm keep_alive off",
                "auth_param negotiate program " + cat + " -u",
                "external_acl_type g ttl=60 children-max=2 children-startup=5 children-idle=0 concurrency=2 queue-size=9"
                        + " protocol=2.5 ipv4 %SRC %LOGIN /usr/lib/squid/ext_unix_group_acl -p",
                "external_acl_type h children=3 quote=url %SRC " + cat,
                "external_acl_type i protocol=3.0 quote=shell %<{Content-Type} %>{User-Agent} " + cat,
                "url_rewrite_program /usr/lib/squid/url_fake_rewrite -d",
                "url_rewrite_children 3 startup=0 idle=1 concurrency=4",
                "url_rewrite_timeout 1.5 minutes on_timeout=retry",
                "url_rewrite_timeout 20 on_timeout=bypass",
                "url_rewrite_timeout 30 seconds on_timeout=use_configured_response response=\"OK url=http://x/\"",
                "url_rewrite_bypass on",
                "url_rewrite_concurrency 2",
                "redirect_children 4 idle=5",
                "store_id_program /usr/lib/squid/storeid_file_rewrite /etc/passwd",
                "store_id_children 7 idle=9",
                "store_id_bypass off",
                "http_port 3128");
    }

    @Test
    void squidItselfPrintsTheSameWarningsForTheSameLines() throws Exception {
        SquidKParse.assumeInstalled();
        List<String> lines = acceptedLines();
        Path conf = write("squid.conf", lines.toArray(String[]::new));
        SquidKParse.Result squid = SquidKParse.run(conf);
        assertThat(squid.exitCode()).as(squid.output()).isZero();

        SquidConf parsed = SquidConf.parse(conf);
        Map<String, List<String>> ours = new LinkedHashMap<>();
        Map<String, List<String>> theirs = new LinkedHashMap<>();
        int squidWarnings = 0;
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.startsWith("http_port")) continue; // Squid's closing messages land on the last line
            int line = i + 1;
            List<String> mine = new ArrayList<>();
            for (SquidConfWarning w : parsed.warnings()) {
                if (w.line() == line && w.squidLogs()) mine.add(w.message());
            }
            ours.put(line + ": " + text, mine);
            List<String> squidSays = squid.messagesByLine().getOrDefault(text, List.of());
            theirs.put(line + ": " + text, squidSays);
            squidWarnings += squidSays.size();
        }
        assertThat(ours).as(squid.output()).isEqualTo(theirs);
        // The comparison covers Squid's corrections, deprecations and unknown parameters, not an empty output.
        assertThat(squidWarnings).isGreaterThanOrEqualTo(15);
        assertThat(squid.messagesByLine()).containsKey(lines.get(1));
    }

    @Test
    void squidReadsTheSameLogicalLinesThroughCommentsContinuationsMacrosConditionalsAndIncludes() throws Exception {
        SquidKParse.assumeInstalled();
        Path sub = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(sub.resolve("b.conf"), "acl from_b src 10.0.0.2\n");
        Files.writeString(sub.resolve("a.conf"), "  # comment\nacl from_a src 10.0.0.1\r\n\n");
        Path conf = write("squid.conf",
                "# a comment",
                "   http_port 3128   ",
                "url_rewrite_program /bin/cat ${service_name} \\",
                "     x${process_number}y \\",
                "# a comment inside a continued line",
                "     \"quoted words\" # inline",
                "if ${process_number} = 0",
                "url_rewrite_children 3 startup=1",
                "endif",
                "include " + sub + "/*.conf",
                "acl last src 10.0.0.3");
        SquidKParse.Result squid = SquidKParse.run(conf);
        assertThat(squid.exitCode()).as(squid.output()).isZero();
        List<String> squidLines = squid.messagesByLine().keySet().stream()
                .filter(l -> !l.startsWith("if ") && !l.equals("endif") && !l.startsWith("include ")).toList();
        assertThat(ConfReader.read(conf)).extracting(SourceLine::text).containsExactlyElementsOf(squidLines);
        assertThat(squidLines).hasSize(6).contains("url_rewrite_program /bin/cat squid x0y \"quoted words\" # inline");
    }

    @Test
    void squidKeepsTheTimeoutResponseOfAnEarlierLineAndSoDoesTheParser() throws Exception {
        SquidKParse.assumeInstalled();
        Path conf = write("timeouts.conf", "url_rewrite_timeout 30 seconds on_timeout=use_configured_response response=OK",
                "url_rewrite_timeout 1.5 minutes on_timeout=retry");
        SquidKParse.Result squid = SquidKParse.run(conf);
        assertThat(squid.output()).contains("Bungled " + conf + " line 2")
                .contains("'response=' option is valid only when used with the 'on_timeout=use_configured_response' option");
        assertThatThrownBy(() -> SquidConf.parse(conf)).isInstanceOfSatisfying(SquidConfException.class, e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.reason()).isEqualTo("'response=' option is valid only when used with the 'on_timeout=use_configured_response' option");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "url_rewrite_children 0",
        "url_rewrite_children abc",
        "url_rewrite_children",
        "url_rewrite_children 3 startup=-1",
        "url_rewrite_children 3 startup=x",
        "url_rewrite_children 3 foo=1",
        "url_rewrite_children 3 on-persistent-overload=err",
        "url_rewrite_timeout 30",
        "url_rewrite_timeout 30 seconds on_timeout=sometimes",
        "url_rewrite_timeout 30 seconds on_timeout=use_configured_response",
        "url_rewrite_timeout 30 seconds response=x",
        "url_rewrite_timeout 30 seconds colour=red",
        "url_rewrite_timeout 30 milliseconds",
        "url_rewrite_bypass maybe",
        "auth_param foo program /bin/cat",
        "auth_param basic",
        "auth_param basic credentialsttl 2",
        "auth_param basic credentialsttl 2 lightyears",
        "auth_param basic casesensitive maybe",
        "auth_param digest nonce_max_count 09",
        "url_rewrite_concurrency x",
        "auth_param digest realm",
        "external_acl_type x ttl=5",
        "external_acl_type x %SRC",
        "external_acl_type x on-persistent-overload=ERR %SRC /bin/cat",
        "external_acl_type"
    })
    void squidRefusesTheLinesTheParserRefuses(String text) throws Exception {
        SquidKParse.assumeInstalled();
        Path conf = write("bad.conf", text);
        SquidKParse.Result squid = SquidKParse.run(conf);
        assertThat(squid.exitCode()).as(squid.output()).isNotZero();
        assertThat(squid.output()).contains("Bungled " + conf + " line 1");

        assertThatThrownBy(() -> SquidConf.parse(conf)).isInstanceOfSatisfying(SquidConfException.class, e -> {
            assertThat(e.file()).isEqualTo(conf.toString());
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.getMessage()).startsWith(conf + ":1: ");
            // Where Squid says why, it says what the parser says.
            List<String> squidReasons = squid.messagesByLine().getOrDefault(text, List.of()).stream()
                    .filter(m -> !m.startsWith("FATAL: Bungled") && !m.startsWith("Not currently OK") && !m.startsWith("storeDirWriteCleanLogs")
                            && !m.startsWith("Squid Cache (Version") && !m.startsWith("exception location"))
                    .toList();
            if (!squidReasons.isEmpty()) assertThat(String.join("\n", squidReasons)).contains(e.reason());
        });
    }
}
