package io.procmaster.helper.squid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.helper.HelperKind;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.OverloadPolicy;
import io.procmaster.helper.PersistentOverloadAction;
import io.procmaster.helper.TimeoutAction;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One test per row of the table "squid.conf → procmaster" in docs/helpers.md: each directive and
 * option lands where the table says, with Squid's default where the line says nothing (Squid
 * 5.7's src/cf.data.pre and the parsers the table cites).
 */
class SquidConfDirectivesTest {
    private static final String CAT = "/bin/cat";

    private static SquidConf parse(String... lines) throws SquidConfException {
        return SquidConf.parse(String.join("\n", lines) + "\n", "squid.conf");
    }

    private static List<String> notes(SquidConf c) {
        return c.warnings().stream().filter(w -> !w.squidLogs()).map(SquidConfWarning::toString).toList();
    }

    @Test
    void authParamChildrenOptionsMapOntoTheBuilder() throws Exception {
        SquidConf c = parse("auth_param basic program " + CAT + " -x 'a b'",
                "auth_param basic children 5 startup=1 idle=1 concurrency=0 queue-size=40 on-persistent-overload=ERR");
        SquidHelper h = c.helper("basic").orElseThrow();
        HelperPoolConfig p = h.config();
        assertThat(h.kind()).isEqualTo(HelperKind.BASIC_AUTH);
        assertThat(h.directive()).isEqualTo("auth_param basic program");
        assertThat(h.source()).isEqualTo(new SourceLine("squid.conf", 1, "auth_param basic program " + CAT + " -x 'a b'"));
        assertThat(h.spec().program()).isEqualTo(CAT);
        assertThat(h.spec().argv()).containsExactly("(cat)", "-x", "a b");
        assertThat(p.kind()).isEqualTo(HelperKind.BASIC_AUTH);
        assertThat(List.of(p.children(), p.startup(), p.idle(), p.concurrency(), p.queueLimit())).containsExactly(5, 1, 1, 0, 40);
        assertThat(p.overloadPolicy()).isEqualTo(OverloadPolicy.QUEUE);
        assertThat(p.persistentOverloadAfter()).isEqualTo(Duration.ofMinutes(3));
        assertThat(p.onPersistentOverload()).isEqualTo(PersistentOverloadAction.ERR);
        assertThat(p.requestTimeout()).isEqualTo(Duration.ZERO);
        assertThat(p.stateful()).isFalse();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void authParamDefaultsAreSquids() throws Exception {
        HelperPoolConfig p = parse("auth_param digest program " + CAT, "auth_param digest realm r").helper("digest").orElseThrow().config();
        assertThat(List.of(p.children(), p.startup(), p.idle(), p.concurrency(), p.queueLimit())).containsExactly(20, 0, 1, 0, 40);
        assertThat(p.kind()).isEqualTo(HelperKind.DIGEST_AUTH);
        assertThat(p.onPersistentOverload()).isEqualTo(PersistentOverloadAction.DIE);
        assertThat(p.requestTimeout()).isEqualTo(Duration.ZERO);
    }

    @Test
    void ntlmAndNegotiateAreStatefulWithTheirReservationTimeout() throws Exception {
        SquidConf c = parse("auth_param ntlm program " + CAT, "auth_param ntlm children 3 concurrency=2 reservation-timeout=30",
                "auth_param negotiate program " + CAT);
        HelperPoolConfig ntlm = c.helper("ntlm").orElseThrow().config();
        assertThat(ntlm.kind()).isEqualTo(HelperKind.NTLM_AUTH);
        assertThat(ntlm.stateful()).isTrue();
        assertThat(ntlm.concurrency()).isZero();
        assertThat(ntlm.reservationTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(notes(c)).containsExactly("squid.conf:2: auth_param ntlm children: \"concurrency=2\": ignored: Squid's ntlm helpers are stateful and take one request at a time");
        HelperPoolConfig negotiate = c.helper("negotiate").orElseThrow().config();
        assertThat(negotiate.kind()).isEqualTo(HelperKind.NEGOTIATE_AUTH);
        assertThat(negotiate.stateful()).isTrue();
        assertThat(negotiate.reservationTimeout()).isEqualTo(Duration.ofSeconds(64));
    }

    @Test
    void authSettingsAreRecordedForTheCallerAndUnknownOnesReportedAsSquidDoes() throws Exception {
        SquidConf c = parse("auth_param basic program " + CAT, "auth_param basic realm My Proxy", "auth_param basic credentialsttl 2 hours",
                "auth_param basic casesensitive enable", "auth_param basic key_extras \"%>a %lp\"", "auth_param basic keep_alive off extra",
                "auth_param basic bogus 1", "auth_param digest program " + CAT);
        SquidHelper basic = c.helper("basic").orElseThrow();
        assertThat(basic.settings()).containsEntry("realm", "My Proxy").containsEntry("credentialsttl", "7200")
                .containsEntry("casesensitive", "on").containsEntry("key_extras", "%>a %lp").containsEntry("keep_alive", "off")
                .containsEntry("utf8", "off");
        assertThat(c.warnings()).extracting(SquidConfWarning::toString).containsExactly(
                "squid.conf:4: auth_param basic casesensitive: \"enable\": WARNING: 'enable' is deprecated. Please update to use 'on'.",
                "squid.conf:6: auth_param basic keep_alive: \"extra\": ignored: Squid reads nothing after the value",
                "squid.conf:7: auth_param basic bogus: \"bogus\": Unrecognised basic auth scheme parameter 'bogus'",
                "squid.conf:8: auth_param digest realm: \"\": no realm: Squid does not use the digest scheme without one and starts none of its helpers");
        assertThat(c.helper("digest")).isEmpty();
    }

    @Test
    void authProgramMustExistAsSquidRequires() {
        assertThatThrownBy(() -> parse("", "auth_param basic program /nonexistent/helper -v"))
                .isInstanceOf(SquidConfException.class)
                .hasMessage("squid.conf:2: auth_param basic program: \"/nonexistent/helper\": Authentication helper program /nonexistent/helper: (2) No such file or directory");
    }

    @Test
    void externalAclTypeOptionsFormatAndProgram() throws Exception {
        SquidConf c = parse("external_acl_type grp ttl=60 negative_ttl=5 children-max=2 children-startup=5 children-idle=0 concurrency=2"
                + " queue-size=9 cache=100 grace=10 protocol=2.5 ipv6 %SRC %LOGIN /usr/lib/squid/ext_unix_group_acl -p \"a b\"");
        SquidHelper h = c.helper("grp").orElseThrow();
        HelperPoolConfig p = h.config();
        assertThat(h.kind()).isEqualTo(HelperKind.EXTERNAL_ACL);
        assertThat(List.of(p.children(), p.startup(), p.idle(), p.concurrency(), p.queueLimit())).containsExactly(2, 2, 1, 2, 9);
        assertThat(p.overloadPolicy()).isEqualTo(OverloadPolicy.BYPASS);
        assertThat(p.requestTimeout()).isEqualTo(Duration.ZERO);
        assertThat(h.format()).containsExactly("%SRC", "%LOGIN", "%DATA");
        assertThat(h.spec().program()).isEqualTo("/usr/lib/squid/ext_unix_group_acl");
        assertThat(h.spec().argv()).containsExactly("(ext_unix_group_acl)", "-p", "a b");
        assertThat(h.settings()).containsEntry("ttl", "60").containsEntry("negative_ttl", "5").containsEntry("cache", "100")
                .containsEntry("grace", "10").containsEntry("quote", "shell");
        assertThat(notes(c)).containsExactly(
                "squid.conf:1: external_acl_type: \"ipv6\": not applicable: procmaster talks to its helpers over pipes or socketpairs, not over a localhost TCP connection",
                "squid.conf:1: external_acl_type: \"children-startup=5\": capped to children-max=2, as Squid caps it (silently)",
                "squid.conf:1: external_acl_type: \"children-idle=0\": raised to 1, as Squid raises it (silently)");
    }

    @Test
    void externalAclTypeDefaultsAndDeprecatedChildren() throws Exception {
        SquidConf c = parse("external_acl_type a %SRC %DATA " + CAT, "external_acl_type b children=3 %>{User-Agent} " + CAT);
        SquidHelper a = c.helper("a").orElseThrow();
        assertThat(List.of(a.config().children(), a.config().startup(), a.config().idle(), a.config().queueLimit())).containsExactly(5, 0, 1, 10);
        assertThat(a.format()).containsExactly("%SRC", "%DATA");
        assertThat(a.settings()).containsEntry("ttl", "3600").containsEntry("negative_ttl", "3600").containsEntry("quote", "url");
        SquidHelper b = c.helper("b").orElseThrow();
        assertThat(b.config().children()).isEqualTo(3);
        assertThat(b.format()).containsExactly("%>ha{User-Agent}", "%DATA");
        assertThat(c.warnings()).filteredOn(SquidConfWarning::squidLogs).extracting(SquidConfWarning::message).containsExactly(
                "WARNING: external_acl_type option children=N has been deprecated in favor of children-max=N and children-startup=N",
                "WARNING: external_acl_type format %>{...} is deprecated. Use %>ha{User-Agent}");
    }

    @Test
    void externalAclTypeRefusesWhatNoPoolCanRun() {
        assertThatThrownBy(() -> parse("external_acl_type x children-max=0 %SRC " + CAT)).isInstanceOf(SquidConfException.class)
                .hasMessageStartingWith("squid.conf:1: external_acl_type: \"children-max=0\": a pool needs at least one child");
        assertThatThrownBy(() -> parse("external_acl_type x on-persistent-overload=ERR %SRC " + CAT)).isInstanceOf(SquidConfException.class)
                .hasMessageContaining("\"on-persistent-overload=ERR\": There must be at least one format token");
    }

    @Test
    void urlRewriteProgramChildrenTimeoutAndBypass() throws Exception {
        SquidConf c = parse("url_rewrite_program /usr/lib/squid/url_fake_rewrite -d",
                "url_rewrite_children 3 startup=1 idle=2 concurrency=4 on-persistent-overload=ERR",
                "url_rewrite_timeout 30 seconds on_timeout=use_configured_response response=\"OK url=http://x/\"",
                "url_rewrite_extras \"%>a %un\"", "url_rewrite_access allow all", "url_rewrite_host_header off");
        SquidHelper h = c.helper("url_rewrite").orElseThrow();
        HelperPoolConfig p = h.config();
        assertThat(h.kind()).isEqualTo(HelperKind.URL_REWRITE);
        assertThat(List.of(p.children(), p.startup(), p.idle(), p.concurrency(), p.queueLimit())).containsExactly(3, 1, 2, 4, 6);
        assertThat(p.overloadPolicy()).isEqualTo(OverloadPolicy.QUEUE);
        assertThat(p.onPersistentOverload()).isEqualTo(PersistentOverloadAction.ERR);
        assertThat(p.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.onTimeout()).isEqualTo(TimeoutAction.USE_CONFIGURED_RESPONSE);
        assertThat(p.timeoutResponse()).isEqualTo("OK url=http://x/");
        assertThat(h.settings()).containsEntry("url_rewrite_extras", "%>a %un").containsEntry("url_rewrite_access", "allow all")
                .containsEntry("url_rewrite_host_header", "off");
        assertThat(c.warnings()).isEmpty();

        HelperPoolConfig bypassed = parse("url_rewrite_program " + CAT, "url_rewrite_bypass on").helper("url_rewrite").orElseThrow().config();
        assertThat(bypassed.overloadPolicy()).isEqualTo(OverloadPolicy.BYPASS);
        assertThat(bypassed.queueLimit()).isZero();
        assertThat(bypassed.requestTimeout()).isEqualTo(Duration.ZERO); // no url_rewrite_timeout: Squid waits forever
        assertThat(parse("url_rewrite_program " + CAT, "url_rewrite_children 20 queue-size=7", "url_rewrite_bypass on")
                .helper("url_rewrite").orElseThrow().config().queueLimit()).isEqualTo(7);
    }

    @ParameterizedTest
    @CsvSource({
        "'30 seconds on_timeout=bypass', 30, BYPASS, false",
        "'30 seconds', 30, BYPASS, false",
        "'1.5 minutes on_timeout=retry', 90, RETRY, false",
        "'2 hours on_timeout=FAIL', 7200, FAIL, false",
        "'20 on_timeout=fail', 20, FAIL, true"
    })
    void urlRewriteTimeoutReadsSquidsTimesAndActions(String value, long seconds, TimeoutAction action, boolean unitWarning) throws Exception {
        SquidConf c = parse("url_rewrite_program " + CAT, "url_rewrite_children 20 concurrency=1", "url_rewrite_timeout " + value);
        HelperPoolConfig p = c.helper("url_rewrite").orElseThrow().config();
        assertThat(p.requestTimeout()).isEqualTo(Duration.ofSeconds(seconds));
        assertThat(p.onTimeout()).isEqualTo(action);
        assertThat(c.warnings()).extracting(SquidConfWarning::message)
                .isEqualTo(unitWarning ? List.of("WARNING: missing time unit, using deprecated default 'second'") : List.of());
    }

    @Test
    void urlRewriteTimeoutIsNotAppliedToClassicHelpersAsSquidTimesOutOnlyConcurrentOnes() throws Exception {
        // helper.cc: "if (hlp->timeout && hlp->childs.concurrency)"; the default url_rewrite_children has concurrency=0
        SquidConf c = parse("url_rewrite_program " + CAT, "url_rewrite_timeout 5 seconds on_timeout=bypass");
        HelperPoolConfig p = c.helper("url_rewrite").orElseThrow().config();
        assertThat(p.concurrency()).isZero();
        assertThat(p.requestTimeout()).isEqualTo(Duration.ZERO);
        assertThat(c.warnings()).hasSize(1);
        SquidConfWarning w = c.warnings().get(0);
        assertThat(w.line()).isEqualTo(2);
        assertThat(w.value()).startsWith("5 seconds");
        assertThat(w.message()).contains("not applied").contains("concurrent");
    }

    @Test
    void aliasesAndTheObsoleteUrlRewriteConcurrency() throws Exception {
        SquidConf c = parse("redirect_program " + CAT, "redirect_children 4", "redirector_bypass on", "url_rewrite_concurrency 3",
                "storeurl_rewrite_program " + CAT, "storeurl_rewrite_children 2", "storeurl_rewrite_bypass off");
        HelperPoolConfig rw = c.helper("url_rewrite").orElseThrow().config();
        assertThat(List.of(rw.children(), rw.concurrency(), rw.queueLimit())).containsExactly(4, 3, 0);
        assertThat(rw.overloadPolicy()).isEqualTo(OverloadPolicy.BYPASS);
        HelperPoolConfig sid = c.helper("store_id").orElseThrow().config();
        assertThat(List.of(sid.children(), sid.queueLimit())).containsExactly(2, 4);
        assertThat(sid.overloadPolicy()).isEqualTo(OverloadPolicy.QUEUE);
        assertThat(c.warnings()).extracting(SquidConfWarning::message).containsExactly(
                "ERROR: Directive 'url_rewrite_concurrency' is obsolete.",
                "url_rewrite_concurrency : Remove this line. Set the 'concurrency=' option of url_rewrite_children instead.",
                "WARNING: url_rewrite_concurrency upgrade overriding url_rewrite_children settings.");
    }

    @Test
    void storeIdBypassIsOnByDefaultAsInSquid() throws Exception {
        SquidConf c = parse("store_id_program /usr/lib/squid/storeid_file_rewrite /etc/db", "store_id_children 7 idle=9", "store_id_extras \"%>a\"");
        SquidHelper h = c.helper("store_id").orElseThrow();
        assertThat(h.kind()).isEqualTo(HelperKind.STORE_ID);
        assertThat(List.of(h.config().children(), h.config().idle(), h.config().queueLimit())).containsExactly(7, 7, 0);
        assertThat(h.config().overloadPolicy()).isEqualTo(OverloadPolicy.BYPASS);
        assertThat(h.settings()).containsEntry("store_id_extras", "%>a");
        assertThat(c.warnings()).extracting(SquidConfWarning::message).containsExactly("WARNING OVERRIDE: Capping idle=9 to the defined maximum (7)");
        HelperPoolConfig off = parse("store_id_program " + CAT, "store_id_bypass off").helper("store_id").orElseThrow().config();
        assertThat(off.overloadPolicy()).isEqualTo(OverloadPolicy.QUEUE);
        assertThat(off.queueLimit()).isEqualTo(40);
    }

    @Test
    void certificateHelpersEndMessagesWithSohAndKeepTheirDefaultsLineByLine() throws Exception {
        SquidConf c = parse("sslcrtvalidator_program ttl=30 cache=10 /usr/lib/squid/security_fake_certverify -d",
                "sslcrtvalidator_children 4", "sslcrtd_program /usr/lib/squid/security_file_certgen -s /var/db -M 4MB");
        SquidHelper v = c.helper("sslcrtvalidator").orElseThrow();
        assertThat(v.kind()).isEqualTo(HelperKind.SSL_CERT_VALIDATOR);
        assertThat(v.config().endOfMessage()).isEqualTo((byte) 1);
        // The line sets the number only: startup=5 and concurrency=1 stay from Squid's default, startup capped to 4.
        assertThat(List.of(v.config().children(), v.config().startup(), v.config().idle(), v.config().concurrency())).containsExactly(4, 4, 1, 1);
        assertThat(v.settings()).containsEntry("ttl", "30").containsEntry("cache", "10");
        assertThat(v.spec().argv()).containsExactly("(security_fake_certverify)", "-d");
        SquidHelper g = c.helper("sslcrtd").orElseThrow();
        assertThat(g.kind()).isEqualTo(HelperKind.SSL_CERT_GENERATOR);
        assertThat(g.config().endOfMessage()).isEqualTo((byte) 1);
        assertThat(List.of(g.config().children(), g.config().startup(), g.config().idle(), g.config().concurrency())).containsExactly(32, 5, 1, 0);
        assertThat(g.spec().argv()).containsExactly("(security_file_certgen)", "-s", "/var/db", "-M", "4MB");
        assertThat(c.warnings()).extracting(SquidConfWarning::message).containsExactly("WARNING OVERRIDE: Capping startup=5 to the defined maximum (4)");
    }

    @Test
    void repeatedWordlistProgramsAppendAsSquidsDoAndChildrenWithoutProgramAreNoted() throws Exception {
        SquidConf c = parse("url_rewrite_program " + CAT, "url_rewrite_program /bin/true", "store_id_children 3");
        assertThat(c.helper("url_rewrite").orElseThrow().spec().argv()).containsExactly("(cat)", "/bin/true");
        assertThat(c.helper("store_id")).isEmpty();
        assertThat(notes(c)).containsExactly(
                "squid.conf:2: url_rewrite_program: \"/bin/true\": appended to the program line of squid.conf:1 as arguments, as Squid appends a repeated url_rewrite_program; the program stays /bin/cat",
                "squid.conf:3: store_id_children: \"3\": no store_id_program line: no helper");
    }

    @Test
    void otherDirectivesAreKeptAsideUnread() throws Exception {
        SquidConf c = parse("http_port 3128", "acl all src all", "url_rewrite_program " + CAT);
        assertThat(c.otherLines()).extracting(SourceLine::text).containsExactly("http_port 3128", "acl all src all");
        assertThat(c.helpers()).extracting(SquidHelper::name).containsExactly("url_rewrite");
    }
}
