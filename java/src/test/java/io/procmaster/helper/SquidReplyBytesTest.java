package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static io.procmaster.helper.PoolFixture.failure;
import static io.procmaster.helper.SquidResultCodesTest.ask;
import static io.procmaster.helper.SquidResultCodesTest.md5Hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperReply.Code;
import io.procmaster.helper.HelperReply.Status;
import io.procmaster.testing.SquidHelpers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4: bytes end to end. A Latin-1 reply ({@code AF WORKGROUP\j\xF6rg}, what
 * ntlm_fake_auth writes for the UTF-16 user "jörg") reaches the caller with its bytes intact
 * ({@link HelperReply#userBytes()}, {@link HelperReply#raw()}) and its String view lossless (not
 * UTF-8: one char per byte); {@code OK} and {@code OK } differ in {@code raw()}; a byte request
 * ({@link HelperPool#submit(byte[])}) reaches the helper exactly, LF refused as for Strings.
 *
 * <p>Before (previous framer and parser): the user came back as {@code j\uFFFDrg}
 * (expected "WORKGROUP\jörg" but was "AF WORKGROUP\j\uFFFDrg").
 */
class SquidReplyBytesTest {
    private static final byte[] JOERG_LATIN1 = "WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.ISO_8859_1);

    @TempDir
    Path dir;

    @Test
    void item4_latin1UserReachesTheCallerIntact() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var r = f.submit("KK x");
        h.sendBytes("AF WORKGROUP\\j\u00f6rg\n".getBytes(StandardCharsets.ISO_8859_1));
        HelperReply reply = r.join();
        assertThat(reply.userBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(JOERG_LATIN1));
        assertThat(reply.user()).hasValue("WORKGROUP\\j\u00f6rg");
        assertThat(reply.text()).isEqualTo("WORKGROUP\\j\u00f6rg");
        assertThat(reply.raw()).isEqualTo("AF WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.ISO_8859_1));

        var ok = f.submit("a");
        h.reply("OK");
        var okSpace = f.submit("b");
        h.reply("OK ");
        assertThat(ok.join().raw()).containsExactly('O', 'K');
        assertThat(okSpace.join().raw()).containsExactly('O', 'K', ' ');
        assertThat(ok.join()).isNotEqualTo(okSpace.join());
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void stringViewsAreForDisplayTheBytesAreTheIdentity() {
        // Review 12 item 6: two users to Squid (UTF-8 and Latin-1 "jörg") read the same String; the
        // documented rule is that identity is the bytes, and everything that compares replies uses them.
        HelperReply utf8 = io.procmaster.helper.wire.HelperReplyParser.parse("AF WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.UTF_8), 0,
                "AF WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.UTF_8).length);
        byte[] l1 = "AF WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.ISO_8859_1);
        HelperReply latin1 = io.procmaster.helper.wire.HelperReplyParser.parse(l1, 0, l1.length);
        assertThat(utf8.user()).as("the String views merge them").isEqualTo(latin1.user());
        assertThat(utf8.userBytes().orElseThrow()).as("the bytes do not").isNotEqualTo(latin1.userBytes().orElseThrow())
                .isEqualTo("WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.UTF_8));
        assertThat(utf8.notes()).isNotEqualTo(latin1.notes());
        assertThat(utf8).isNotEqualTo(latin1);
        // A view gives its bytes back only with the charset that decoded it (which the String does not say).
        assertThat(utf8.user().orElseThrow().getBytes(StandardCharsets.ISO_8859_1)).isNotEqualTo(utf8.userBytes().orElseThrow());
        assertThat(utf8.user().orElseThrow().getBytes(StandardCharsets.UTF_8)).isEqualTo(utf8.userBytes().orElseThrow());
        assertThat(latin1.user().orElseThrow().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(JOERG_LATIN1);
    }

    @Test
    void item4_byteRequestsLeaveExactlyAsGiven() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(2).build()).start();
        FakeHelper h = f.launcher.helper(0);
        byte[] request = {'j', (byte) 0xF6, 'r', 'g', ' ', (byte) 0xFF, 0, '\r'};
        var r = f.track(f.pool.submit(request));
        request[0] = 'X'; // the pool took its own copy
        String id = FakeHelper.idOf(h.lines.get(0)); // "<channel id> "
        byte[] expected = concat(id.getBytes(StandardCharsets.US_ASCII), new byte[] {'j', (byte) 0xF6, 'r', 'g', ' ', (byte) 0xFF, 0, '\r', '\n'});
        assertThat(id).isNotEmpty();
        assertThat(h.received.toByteArray()).isEqualTo(expected);
        h.reply(id + "OK");
        assertThat(r.join().status()).isEqualTo(Status.OK);
        assertThat(failure(f.track(f.pool.submit(new byte[] {'a', '\n', 'b'})))).isInstanceOf(HelperException.InvalidRequest.class)
                .hasMessageContaining("line feed");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void item4_squidsNtlmFakeAuthLatin1UserThroughARealPool() throws Exception {
        String program = SquidHelpers.program("ntlm_fake_auth").toString();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("ntlm").children(1).startup(1).build(),
                HelperSpec.builder("ntlm_fake_auth", program).build())) {
            HelperReply reply = ask(r, NtlmTestMessages.authenticate("WORKGROUP", "j\u00f6rg"));
            assertThat(reply.raw()).isEqualTo("AF WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(reply.code()).isEqualTo(Code.AF);
            assertThat(reply.userBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(JOERG_LATIN1));
            assertThat(reply.user()).hasValue("WORKGROUP\\j\u00f6rg");
        }
    }

    @Test
    void item4_squidsBasicNcsaAuthWithALatin1UserAsBytes() throws Exception {
        Path passwd = dir.resolve("passwd");
        byte[] user = "j\u00f6rg".getBytes(StandardCharsets.ISO_8859_1);
        byte[] line = concat(user, (":" + md5Hex("s3") + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.write(passwd, line);
        String program = SquidHelpers.program("basic_ncsa_auth").toString();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("basic").children(1).startup(1).build(),
                HelperSpec.builder("basic_ncsa_auth", program).args(passwd.toString()).build())) {
            HelperReply asBytes = r.pool().submit(concat(user, " s3".getBytes(StandardCharsets.US_ASCII))).get(20, TimeUnit.SECONDS);
            assertThat(asBytes.status()).as("the Latin-1 user name reached the helper byte for byte").isEqualTo(Status.OK);
            assertThat(asBytes.raw()).containsExactly('O', 'K', ' ');
            HelperReply asString = ask(r, "j\u00f6rg s3");
            assertThat(asString.other()).as("a String request is UTF-8: another user name").isEqualTo("No such user");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
