package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperReply.Code;
import io.procmaster.helper.HelperReply.Status;
import io.procmaster.testing.SquidHelpers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 2: result codes read as Squid 5.7 reads them (src/helper/Reply.cc, finalize): TT is a
 * challenge carrying note {@code token}, AF is Okay with note {@code user} (or {@code token} and
 * {@code user}), NA is Error with note {@code message}, an empty line is Error; the written code stays
 * visible. First with a fake helper writing the exact bytes Squid's helpers write, then with Squid's
 * own ntlm_fake_auth, url_fake_rewrite(.sh) and basic_ncsa_auth through a real pool.
 *
 * <p>Before (previous parser): TT, AF and NA came back UNKNOWN (the first assertion failed with
 * expected "TT" but was "UNKNOWN").
 */
class SquidResultCodesTest {
    @TempDir
    Path dir;

    @Test
    void item2_ttAfNaAreReadAsSquidReadsThem() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).bhRetries(0).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var tt = f.submit("YR");
        h.reply("TT TlRMTVNTUAACAAAA");
        var af = f.submit("KK a");
        h.reply("AF WORKGROUP\\alice");
        var negotiate = f.submit("KK b");
        h.reply("AF YIIBtoken alice@EXAMPLE.ORG");
        var na = f.submit("KK c");
        h.reply("NA invalid credentials, user=WORKGROUP\\bob");
        var empty = f.submit("http://x/");
        h.reply("");
        var ttNoToken = f.submit("YR");
        h.reply("TT ");

        assertThat(tt.join().status()).isEqualTo(Status.TT);
        assertThat(tt.join().token()).hasValue("TlRMTVNTUAACAAAA");
        assertThat(af.join().status()).isEqualTo(Status.OK);
        assertThat(af.join().code()).as("AF stays distinguishable from OK").isEqualTo(Code.AF);
        assertThat(af.join().user()).hasValue("WORKGROUP\\alice");
        assertThat(af.join().kv()).containsExactly(java.util.Map.entry("user", "WORKGROUP\\alice"));
        assertThat(negotiate.join().token()).hasValue("YIIBtoken");
        assertThat(negotiate.join().user()).hasValue("alice@EXAMPLE.ORG");
        assertThat(na.join().status()).isEqualTo(Status.ERR);
        assertThat(na.join().code()).isEqualTo(Code.NA);
        assertThat(na.join().message()).hasValue("invalid credentials, user=WORKGROUP\\bob");
        assertThat(na.join().user()).as("NA text is not parsed for notes").isEmpty();
        assertThat(empty.join().status()).as("the old URL-rewriter ERR").isEqualTo(Status.ERR);
        assertThat(empty.join().code()).isEqualTo(Code.NONE);
        assertThat(ttNoToken.join().status()).as("TT without its token is BH").isEqualTo(Status.BH);
        assertThat(ttNoToken.join().message()).hasValue("Missing 'token' data");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void item2_squidsNtlmFakeAuthThroughARealPool() throws Exception {
        String program = SquidHelpers.program("ntlm_fake_auth").toString();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("ntlm").children(1).startup(1).build(),
                HelperSpec.builder("ntlm_fake_auth", program).build())) {
            HelperReply challenge = ask(r, "YR");
            assertThat(challenge.status()).isEqualTo(Status.TT);
            assertThat(challenge.code()).isEqualTo(Code.TT);
            assertThat(NtlmTestMessages.messageType(challenge.token().orElseThrow())).as("an NTLMSSP challenge").isEqualTo(2);

            HelperReply ok = ask(r, NtlmTestMessages.authenticate("WORKGROUP", "Alice"));
            assertThat(ok.rawText()).isEqualTo("AF WORKGROUP\\alice"); // the helper lower-cases the user
            assertThat(ok.status()).isEqualTo(Status.OK);
            assertThat(ok.code()).isEqualTo(Code.AF);
            assertThat(ok.user()).hasValue("WORKGROUP\\alice");

            HelperReply refused = ask(r, NtlmTestMessages.authenticate("WORKGROUP", ""));
            assertThat(refused.rawText()).isEqualTo("NA invalid credentials, user=WORKGROUP\\");
            assertThat(refused.status()).isEqualTo(Status.ERR);
            assertThat(refused.code()).isEqualTo(Code.NA);
            assertThat(refused.message()).hasValue("invalid credentials, user=WORKGROUP\\");
            assertThat(refused.notes()).hasSize(1);
        }
    }

    @Test
    void item2_squidsUrlRewritersEmptyLineAndErr() throws Exception {
        for (String name : new String[] {"url_fake_rewrite.sh", "url_fake_rewrite"}) {
            String program = SquidHelpers.program(name).toString();
            try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("rewrite").children(1).startup(1).build(),
                    HelperSpec.builder(name, program).build())) {
                HelperReply reply = ask(r, "http://example.com/ 127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
                assertThat(reply.status()).as(name).isEqualTo(Status.ERR); // "" (the .sh) and "ERR": both "no change"
                assertThat(reply.code()).as(name).isEqualTo(name.endsWith(".sh") ? Code.NONE : Code.ERR);
            }
        }
    }

    @Test
    void item2_squidsBasicNcsaAuthOkAndErrWithItsDenyMessage() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "alice:" + md5Hex("secret") + "\n"); // basic_ncsa_auth accepts a plain MD5 hex digest
        String program = SquidHelpers.program("basic_ncsa_auth").toString();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("basic").children(1).startup(1).build(),
                HelperSpec.builder("basic_ncsa_auth", program).args(passwd.toString()).build())) {
            HelperReply ok = ask(r, "alice secret");
            assertThat(ok.status()).isEqualTo(Status.OK);
            assertThat(ok.raw()).as("the helper writes 'OK '").containsExactly('O', 'K', ' ');
            HelperReply wrong = ask(r, "alice wrong");
            assertThat(wrong.status()).isEqualTo(Status.ERR);
            assertThat(wrong.other()).as("what Squid shows as the deny message").isEqualTo("Wrong password");
            assertThat(ask(r, "bob x").other()).isEqualTo("No such user");
        }
    }

    static HelperReply ask(HelperPools.Running r, String request) throws Exception {
        return r.pool().submit(request).get(20, TimeUnit.SECONDS);
    }

    static String md5Hex(String password) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(password.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
