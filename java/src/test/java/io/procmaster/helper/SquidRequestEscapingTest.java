package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.helper.squid.SquidEscaping;
import io.procmaster.helper.squid.SquidQuoting;
import io.procmaster.helper.squid.SquidRequests;
import io.procmaster.helper.squid.SquidRequests.FormatValue;
import io.procmaster.testing.SquidHelpers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, "Squid's request-side conventions as helpers expect them" (docs/helpers.md, "End of
 * message, bodies and request escaping"): the requests {@link SquidRequests} builds from raw values,
 * byte for byte as Squid 5.7's code writes them (each expectation worked out from the rule it
 * cites), and Squid's own {@code basic_ncsa_auth} and {@code ext_file_userip_acl} answering OK to
 * them through real pools.
 */
class SquidRequestEscapingTest {
    private static final String USER = "jörg smith%";
    private static final String PASSWORD = "p%ss wörd 100%";

    @Test
    void urlEscapingIsRfc1738EscapeByteForByte() {
        // lib/rfc1738.c, flags UNSAFE|CTRLS: letters, digits and the rest of printable ASCII stay ...
        assertThat(SquidEscaping.url("azAZ09!$&()*+,-./:;=?@_")).isEqualTo("azAZ09!$&()*+,-./:;=?@_");
        // ... the unsafe set and % become %XX, upper-case hex ...
        assertThat(SquidEscaping.url("<>\"#{}|\\^~[]`'%")).isEqualTo("%3C%3E%22%23%7B%7D%7C%5C%5E%7E%5B%5D%60%27%25");
        // ... as do SP and every byte below it, DEL, and each byte of a non-ASCII character.
        assertThat(SquidEscaping.url(" \t\r\n\u0001\u007f")).isEqualTo("%20%09%0D%0A%01%7F");
        assertThat(SquidEscaping.url("ö€")).isEqualTo("%C3%B6%E2%82%AC");
        assertThat(SquidEscaping.url(new byte[] {'j', (byte) 0xF6, 'r', 'g'})).isEqualTo("j%F6rg");
        // rfc1738_escape_unescaped: the same, % kept.
        assertThat(SquidEscaping.urlKeepingPercent("a%20b c")).isEqualTo("a%20b%20c");
        assertThatThrownBy(() -> SquidEscaping.url("a\0b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL at index 1");
    }

    @Test
    void shellAndQuotesEscapingAreStrwordquoteAndLogQuotedString() {
        // src/tools.cc strwordquote: \" \\ \n \r, and double quotes around a value with a space (SP only).
        assertThat(SquidEscaping.shell("it's \"x\" a\\b\nc\r")).isEqualTo("\"it's \\\"x\\\" a\\\\b\\nc\\r\"");
        assertThat(SquidEscaping.shell("a\tb")).isEqualTo("a\tb");
        assertThat(SquidEscaping.shell("jörg")).isEqualTo("jörg");
        // src/format/Format.cc log_quoted_string: \" \\ \t \n \r, no surrounding quotes.
        assertThat(SquidEscaping.quotes("a \"b\\c\td\ne\rf")).isEqualTo("a \\\"b\\\\c\\td\\ne\\rf");
    }

    @Test
    void basicAuthIsEachCredentialRfc1738Escaped() {
        // src/auth/basic/UserRequest.cc: "%s %s\n" of rfc1738_escape(user), rfc1738_escape(password).
        assertThat(SquidRequests.basicAuth(USER, PASSWORD)).isEqualTo("j%C3%B6rg%20smith%25 p%25ss%20w%C3%B6rd%20100%25");
        assertThat(SquidRequests.basicAuth("a:b@c", "x;y/z")).isEqualTo("a:b@c x;y/z");
        assertThat(SquidRequests.request(HelperKind.BASIC_AUTH, USER, PASSWORD)).isEqualTo(SquidRequests.basicAuth(USER, PASSWORD));
        // Squid refuses a request that does not fit its 8192-byte buffer.
        assertThatThrownBy(() -> SquidRequests.basicAuth("%".repeat(2800), "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds 8192 bytes");
        assertThat(SquidRequests.basicAuth("%".repeat(2729), "x")).hasSize(8189);
    }

    @Test
    void digestAuthIsUserAndRealmQuotedUnescaped() {
        // src/auth/digest/UserRequest.cc: "\"%s\":\"%s\"\n", no escaping.
        assertThat(SquidRequests.digestAuth("jörg smith%", "Squid proxy")).isEqualTo("\"jörg smith%\":\"Squid proxy\"");
        assertThatThrownBy(() -> SquidRequests.digestAuth("a\"b", "r")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("digest user contains '\"' at index 1");
        assertThatThrownBy(() -> SquidRequests.digestAuth("a", "r\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line feed");
    }

    @Test
    void externalAclValuesAreQuotedEachFollowedBySpaceWithDashesAndTheAclArgumentsLast() {
        // src/external_acl.cc + src/format/Format.cc: each format value quoted (quote=url default), "-" if
        // empty, then SP; the implicit %DATA last: the acl's arguments quoted and joined by SP, "-" if none.
        assertThat(SquidRequests.externalAcl(SquidQuoting.URL, "127.0.0.1", USER)).isEqualTo("127.0.0.1 j%C3%B6rg%20smith%25 -");
        assertThat(SquidRequests.externalAcl(SquidQuoting.URL, "127.0.0.1", "")).isEqualTo("127.0.0.1 - -");
        assertThat(SquidRequests.externalAcl(SquidQuoting.URL, List.of(FormatValue.of("10.0.0.1"), FormatValue.of(null)),
                List.of("group one", "x%"))).isEqualTo("10.0.0.1 - group%20one x%25");
        // quote=shell (protocol=2.5): strwordquote for the values and the arguments.
        assertThat(SquidRequests.externalAcl(SquidQuoting.SHELL, List.of(FormatValue.of("a b"), FormatValue.of("c\"d")),
                List.of("g 1"))).isEqualTo("\"a b\" c\\\"d \"g 1\"");
        // Squid 5's per-code quoting: %'code raw, %"code log_quoted_string, %/code shell.
        assertThat(SquidRequests.externalAcl(SquidQuoting.URL, List.of(new FormatValue("a/b c", SquidQuoting.RAW),
                new FormatValue("q\"t", SquidQuoting.QUOTES), new FormatValue("s p", SquidQuoting.SHELL)), List.of()))
                .isEqualTo("a/b c q\\\"t \"s p\" -");
        assertThatThrownBy(() -> SquidRequests.externalAcl(SquidQuoting.RAW, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quote=url or quote=shell");
        assertThatThrownBy(() -> SquidRequests.externalAcl(SquidQuoting.URL, List.of(new FormatValue("a\nb", SquidQuoting.RAW)), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line feed");
    }

    @Test
    void rewriteAndStoreIdRequestsAreTheUrlAndSquidsDefaultExtras() {
        // src/redirect.cc: "%s%s%s\n" of URL, SP, extras; cf.data.pre's default extras
        // "%>a/%>A %un %>rm myip=%la myport=%lp" ("-" for what is missing; %>A falls back to the address).
        String extras = SquidRequests.defaultRewriteExtras("127.0.0.1", null, null, "GET", "127.0.0.1", 3128);
        assertThat(extras).isEqualTo("127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
        assertThat(SquidRequests.urlRewrite("http://example.com/a?b=c", extras))
                .isEqualTo("http://example.com/a?b=c 127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
        assertThat(SquidRequests.defaultRewriteExtras("10.1.2.3", "pc.example", "alice", null, null, null))
                .isEqualTo("10.1.2.3/pc.example alice - myip=- myport=-");
        assertThat(SquidRequests.request(HelperKind.STORE_ID, "http://example.com/")).isEqualTo("http://example.com/");
        assertThatThrownBy(() -> SquidRequests.urlRewrite("http://example.com/a b", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whitespace at index 20");
    }

    @Test
    void certificateMessagesCountTheirBodyInBytes() {
        // src/ssl/crtd_message.cc compose: code SP length SP body.
        assertThat(SquidRequests.certificateMessage("cert_validate", "host=example.com")).isEqualTo("cert_validate 16 host=example.com");
        assertThat(SquidRequests.request(HelperKind.SSL_CERT_GENERATOR, "new_certificate", "host=ö\nx")).isEqualTo("new_certificate 9 host=ö\nx");
        assertThatThrownBy(() -> SquidRequests.request(HelperKind.NTLM_AUTH, "YR")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no request convention");
    }

    @Test
    void realBasicNcsaAuthAcceptsTheEscapedCredentials(@TempDir Path dir) throws Exception {
        String program = SquidHelpers.program("basic_ncsa_auth").toString();
        String hash = apr1(PASSWORD);
        Path passwd = dir.resolve("passwd");
        Files.write(passwd, (USER + ":" + hash + "\n").getBytes(StandardCharsets.UTF_8));
        HelperPoolConfig config = HelperPoolConfig.builder("basic", HelperKind.BASIC_AUTH).children(1).startup(1)
                .requestTimeout(Duration.ofSeconds(30)).build();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, HelperSpec.builder("basic", program).args(passwd.toString()).build())) {
            HelperReply ok = r.pool().submit(SquidRequests.basicAuth(USER, PASSWORD)).get(60, TimeUnit.SECONDS);
            assertThat(ok.status()).as("reply %s", ok).isEqualTo(HelperReply.Status.OK);
            HelperReply wrong = r.pool().submit(SquidRequests.basicAuth(USER, "p%ss wörd 100")).get(60, TimeUnit.SECONDS);
            assertThat(wrong.status()).isEqualTo(HelperReply.Status.ERR);
            // Unescaped, the space would have split user from password where Squid's does not.
            HelperReply raw = r.pool().submit(USER + " " + PASSWORD).get(60, TimeUnit.SECONDS);
            assertThat(raw.status()).isEqualTo(HelperReply.Status.ERR);
        }
    }

    @Test
    void realExtFileUseripAclAcceptsTheQuotedFormatValues(@TempDir Path dir) throws Exception {
        String program = SquidHelpers.program("ext_file_userip_acl").toString();
        String user = "jörg%41";
        Path conf = dir.resolve("userip.conf");
        Files.write(conf, ("127.0.0.1 " + user + "\n").getBytes(StandardCharsets.UTF_8));
        HelperPoolConfig config = HelperPoolConfig.builder("userip", HelperKind.EXTERNAL_ACL).children(1).startup(1)
                .requestTimeout(Duration.ofSeconds(30)).build();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, HelperSpec.builder("userip", program).args("-f", conf.toString()).build())) {
            // external_acl_type userip %SRC %LOGIN /usr/lib/squid/ext_file_userip_acl -f ...
            String request = SquidRequests.externalAcl(SquidQuoting.URL, "127.0.0.1", user);
            assertThat(request).isEqualTo("127.0.0.1 j%C3%B6rg%2541 -");
            assertThat(r.pool().submit(request).get(60, TimeUnit.SECONDS).status()).isEqualTo(HelperReply.Status.OK);
            assertThat(r.pool().submit(SquidRequests.request(HelperKind.EXTERNAL_ACL, "127.0.0.1", "bob")).get(60, TimeUnit.SECONDS)
                    .status()).isEqualTo(HelperReply.Status.ERR);
            // Raw, the helper %-decodes "%41" into "A": no match.
            assertThat(r.pool().submit("127.0.0.1 " + user + " -").get(60, TimeUnit.SECONDS).status()).isEqualTo(HelperReply.Status.ERR);
        }
    }

    /** An htpasswd MD5 ($apr1$) hash of {@code password}'s UTF-8 bytes, by {@code openssl passwd}; skips without openssl. */
    private static String apr1(String password) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("openssl", "passwd", "-apr1", "-stdin").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "openssl is needed to write the test's htpasswd file: " + e.getMessage());
            throw e;
        }
        p.getOutputStream().write(password.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String hash = out.toString(StandardCharsets.US_ASCII).strip();
        assumeTrue(p.exitValue() == 0 && hash.startsWith("$apr1$"), "openssl passwd -apr1 failed: " + hash);
        return hash;
    }
}
