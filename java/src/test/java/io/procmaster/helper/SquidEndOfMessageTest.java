package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.helper.wire.RequestFraming;
import io.procmaster.testing.SquidHelpers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 5, multi-line messages and the end-of-message byte (docs/helpers.md, "End of
 * message, bodies and request escaping"). Squid's certificate helpers exchange {@code code SP
 * length SP body} messages whose bodies hold PEM lines: Squid ends each request with LF (the helper
 * reads the body by its length, across lines) and reads each reply up to the byte 0x01, not LF
 * (Squid 5.7 {@code src/ssl/helper.cc} sets {@code eom} to 0x01 for both helpers;
 * {@code src/helper.cc} {@code helperHandleRead} splits replies on it and drops a CR before the end
 * only when the end is LF).
 *
 * <p>A mimic of {@code security_fake_certverify} (the same bytes in and out) drives a pool on the
 * fake launcher; the real Perl helper drives a real pool where Debian's squid and the Perl module it
 * needs are installed.
 */
class SquidEndOfMessageTest {
    private static final byte SOH = 0x01;

    /** A self-signed certificate for {@code example.com} (no key anywhere): the PEM lines of a body. */
    private static final String CERTIFICATE = """
            -----BEGIN CERTIFICATE-----
            MIIDDzCCAfegAwIBAgIUPE68EtbbXUm6LBkrWmnrm+cSDXEwDQYJKoZIhvcNAQEL
            BQAwFjEUMBIGA1UEAwwLZXhhbXBsZS5jb20wIBcNMjYxMjAyMDE0MzE1WhgPMjEy
            NjExMDgwMTQzMTVaMBYxFDASBgNVBAMMC2V4YW1wbGUuY29tMIIBIjANBgkqhkiG
            9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv2xjDH7WEjhRKMwZAzYZo+Hv23bAhfRrb97z
            Vzy3uydgAawTG2Yx5uwUHWI9twNS1aUMPX0a4rWjTu52+fyjjXETB1nJQ2+Es5dI
            Ri6V+9QM/Um8Rsncb7WzLT4zElQ5paAejAKx7d0plU7ib1nj1PNt+XeVkvYiYlPY
            wAGpmp7OtTRJ1Avc8Ow3dX/6rA86s5Gr3jWjiFJrrcCwiMgwsMJiTwcDhZHrUORT
            iSWCqtg1NtV8iQPdaMszM/zFNkiQ/zRvXKufu7slWPUXgh4H13PoGJYlPsChoPfo
            Y4hoSUiiI5k+XIZWlrCMoh6yQasiT8ZJJ69TBMOfiAy/Nptr6QIDAQABo1MwUTAd
            BgNVHQ4EFgQUwSi63x23P8cp76Q4wiP7vk9f1hkwHwYDVR0jBBgwFoAUwSi63x23
            P8cp76Q4wiP7vk9f1hkwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOC
            AQEAaji4QQM7t8Di3DZbnEIbJ2TzUN3/LV5nmVSRUs45MstwJRuC95TU+WGmGOIF
            /YL5FdGYgAIH+O+fdoIorXgYNp55sM2CjdlmlGBIR3QiACdFw0i2wxpI9ZYRourW
            7h+aGmPzIvBJGTYgYsMG0W4GWLM+oDalHKpLNmm3yqijXLa9CrVA50BW5x7CpjzQ
            LgZZNNMeNyQX/I2TxgoA32VNyL/KvZsVwFGwmlpQ4/Fyn6NyEZun7N8SpuL/LR07
            yKI/uwBtHsz+TR107uZludxzzbrvhOB6rwm3GvfkIIMSggqxzz5YUnuTh9vvp49b
            5t3dH8J9BUzu8b+vbZktlAAQzA==
            -----END CERTIFICATE-----""";

    /** The body Squid's {@code CertValidationMsg::composeRequest} writes for one self-signed peer certificate. */
    private static final String BODY_WITH_ERROR = "host=example.com\n"
            + "proto_version=TLSv1.2\n"
            + "cipher=ECDHE-RSA-AES128-GCM-SHA256\n"
            + "cert_0=" + CERTIFICATE + "\n"
            + "error_name_0=X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT\n"
            + "error_cert_0=cert_0";

    /** The body the validator answers {@link #BODY_WITH_ERROR} with: the error echoed. */
    private static final String ECHOED_ERROR = "error_name_0=X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT\n"
            + "error_reason_0=Checked by Cert Validator\n"
            + "error_cert_0=cert_0\n";

    /** {@code code SP length SP body}, as Squid's {@code CrtdMessage::compose} (the pool appends the LF). */
    private static String message(String code, String body) {
        return code + " " + body.getBytes(StandardCharsets.UTF_8).length + " " + body;
    }

    @Test
    void certificateHelperKindsEndRepliesWithSquidsByteOthersWithLineFeed() {
        assertThat(HelperPoolConfig.builder("v", HelperKind.SSL_CERT_VALIDATOR).build().endOfMessage()).isEqualTo(SOH);
        assertThat(HelperPoolConfig.builder("g", HelperKind.SSL_CERT_GENERATOR).build().endOfMessage()).isEqualTo(SOH);
        assertThat(HelperPoolConfig.builder("b", HelperKind.BASIC_AUTH).build().endOfMessage()).isEqualTo((byte) '\n');
        assertThat(HelperPoolConfig.builder("x").build().endOfMessage()).isEqualTo((byte) '\n');
        HelperPoolConfig overridden = HelperPoolConfig.builder("v", HelperKind.SSL_CERT_VALIDATOR).endOfMessage((byte) '\n').build();
        assertThat(overridden.endOfMessage()).isEqualTo((byte) '\n');
        assertThat(overridden.toBuilder().build().endOfMessage()).isEqualTo((byte) '\n');
    }

    @Test
    void validatorMimicTakesPemBodiesAndItsMultiLineRepliesEndAtTheByte() {
        PoolFixture f = new PoolFixture(validatorConfig(2).build());
        f.launcher.onStart = h -> h.responder = new ValidatorMimic(h);
        f.start();

        String withError = message("cert_validate", BODY_WITH_ERROR);
        String plain = message("cert_validate", "host=example.com");
        CompletableFuture<HelperReply> first = f.submit(withError);
        CompletableFuture<HelperReply> second = f.submit(plain);
        f.run();

        assertThat(f.launcher.started).hasSize(1);
        FakeHelper helper = f.launcher.helper(0);
        // What went out: "id SP message LF" twice, the PEM lines inside the first body unchanged.
        assertThat(String.join("\n", helper.lines) + "\n").isEqualTo("1 " + withError + "\n2 " + plain + "\n");

        HelperReply error = answered(first);
        assertThat(error.status()).isEqualTo(HelperReply.Status.ERR);
        // One reply, LFs inside, routed by its channel id; the body keeps its lines and its final LF.
        assertLengthFramedBody(error, ECHOED_ERROR);
        HelperReply ok = answered(second);
        assertThat(ok.status()).isEqualTo(HelperReply.Status.OK);
        assertLengthFramedBody(ok, "");
        assertThat(f.stats().unknownChannelReplies()).isZero();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void aReplySplitAnywhereAcrossReadsIsOneMessageUpToTheByte() {
        PoolFixture f = new PoolFixture(validatorConfig(2).build());
        f.start();
        CompletableFuture<HelperReply> a = f.submit(message("cert_validate", BODY_WITH_ERROR));
        CompletableFuture<HelperReply> b = f.submit(message("cert_validate", "host=example.org"));
        f.run();
        FakeHelper h = f.launcher.helper(0);
        // Both replies in one stream, the second first, cut into 3-byte reads: the 0x01 of one
        // read and the id of the next share a chunk, LFs fall anywhere.
        String stream = "2 OK 0 \u0001" + "1 ERR " + ECHOED_ERROR.length() + " " + ECHOED_ERROR + "\u0001";
        for (int i = 0; i < stream.length(); i += 3) h.send(stream.substring(i, Math.min(stream.length(), i + 3)));
        f.run();
        assertThat(answered(b).status()).isEqualTo(HelperReply.Status.OK);
        assertThat(answered(a).status()).isEqualTo(HelperReply.Status.ERR);
        assertLengthFramedBody(answered(a), ECHOED_ERROR);
        assertLengthFramedBody(answered(b), "");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void aValidatorWritingLineFeedAfterTheByteKeepsBeingRead() {
        // Review 12 items 3 and 17: "0x01 then LF" is a common habit; the LF starts the next message,
        // and Squid's strtol skips it. Any xisspace may also follow the id ("3\nOK ...").
        PoolFixture f = new PoolFixture(validatorConfig(4).build());
        f.start();
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) replies.add(f.submit(message("cert_validate", "host=example.com")));
        f.run();
        FakeHelper h = f.launcher.helper(0);
        h.send("1 OK 0 \u0001\n");
        h.send("2 OK 0 \u0001\n");
        h.send("3\nERR 4 a=b\n\u0001\n");
        f.run();
        assertThat(answered(replies.get(0)).status()).isEqualTo(HelperReply.Status.OK);
        assertThat(answered(replies.get(1)).status()).isEqualTo(HelperReply.Status.OK);
        HelperReply third = answered(replies.get(2));
        assertThat(third.status()).isEqualTo(HelperReply.Status.ERR);
        assertThat(third.other()).isEqualTo("4 a=b\n");
        assertThat(f.stats().unknownChannelReplies()).isZero();
        // A malformed message is still counted, never routed.
        CompletableFuture<HelperReply> fourth = f.submit(message("cert_validate", "host=example.com"));
        f.run();
        h.send("x4 OK 0 \u0001\n");
        f.run();
        assertThat(f.stats().unknownChannelReplies()).isEqualTo(1);
        assertThat(fourth).isNotDone();
        h.send("4 OK 0 \u0001");
        f.run();
        assertThat(answered(fourth).status()).isEqualTo(HelperReply.Status.OK);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void crBeforeTheByteIsKeptCrBeforeLineFeedIsDropped() {
        // Squid drops one CR before the end only when the end is LF (helperHandleRead).
        PoolFixture soh = answeringRaw(PoolFixture.config().endOfMessage(SOH).build(), "a\r\nb\r\u0001");
        CompletableFuture<HelperReply> kept = soh.submit("q");
        soh.run();
        assertThat(answered(kept).status()).isEqualTo(HelperReply.Status.UNKNOWN);
        assertThat(answered(kept).text()).isEqualTo("a\r\nb\r");

        PoolFixture lf = answeringRaw(PoolFixture.config().build(), "a\r\n");
        CompletableFuture<HelperReply> dropped = lf.submit("q");
        lf.run();
        assertThat(answered(dropped).text()).isEqualTo("a");
    }

    @Test
    void requestsThatWouldBreakTheFramingAreRefusedClearly() {
        PoolFixture f = new PoolFixture(validatorConfig(2).build());
        f.start();
        // The declared length must be the body's byte count: the helper reads that many bytes.
        Throwable shortLength = PoolFixture.failure(f.submit("cert_validate 5 host=example.com\nproto_version=TLSv1.2"));
        assertThat(shortLength).isInstanceOf(HelperException.InvalidRequest.class)
                .hasMessageContaining("declares 5").hasMessageContaining("has 38");
        Throwable noLength = PoolFixture.failure(f.submit("cert_validate host=example.com\ncipher=x"));
        assertThat(noLength).isInstanceOf(HelperException.InvalidRequest.class).hasMessageContaining("code SP length SP body");
        // The end-of-message byte inside a request: a helper echoing it would end its reply early.
        Throwable soh = PoolFixture.failure(f.submit(message("cert_validate", "host=a\u0001b")));
        assertThat(soh).isInstanceOf(HelperException.InvalidRequest.class).hasMessageContaining("0x01");
        // Line-feed helpers still refuse an LF: it would split the request in two.
        PoolFixture lf = new PoolFixture(PoolFixture.config().build());
        lf.start();
        assertThat(PoolFixture.failure(lf.submit("a\nb"))).isInstanceOf(HelperException.InvalidRequest.class)
                .hasMessageContaining("line feed");
        // A generic pool with another end byte takes LFs (it has no length framing to check).
        PoolFixture generic = answeringRaw(PoolFixture.config().endOfMessage(SOH).build(), "OK\u0001");
        CompletableFuture<HelperReply> multi = generic.submit("a\nb");
        generic.run();
        assertThat(answered(multi).status()).isEqualTo(HelperReply.Status.OK);
        assertThat(f.launcher.started).allSatisfy(h -> assertThat(h.lines).isEmpty());
    }

    @Test
    void requestsGivenAsBytesAreCheckedByTheSameRules() {
        byte[] latin1Body = {'c', 'o', 'd', 'e', ' ', '2', ' ', (byte) 0xF6, '\n'}; // a Latin-1 byte and an LF: 2 bytes
        assertThat(RequestFraming.invalidRequest(latin1Body, HelperKind.SSL_CERT_VALIDATOR, SOH)).isNull();
        assertThat(RequestFraming.invalidRequest(message("cert_validate", "ö\nx").getBytes(StandardCharsets.UTF_8),
                HelperKind.SSL_CERT_GENERATOR, SOH)).isNull();
        assertThat(RequestFraming.invalidRequest("code 3 ö\n".getBytes(StandardCharsets.UTF_8), HelperKind.SSL_CERT_VALIDATOR, SOH))
                .isNull();
        assertThat(RequestFraming.invalidRequest("code 2 ö\n".getBytes(StandardCharsets.UTF_8), HelperKind.SSL_CERT_VALIDATOR, SOH))
                .contains("declares 2 body bytes but has 3");
        assertThat(RequestFraming.invalidRequest(new byte[] {'a', SOH}, HelperKind.GENERIC, SOH)).contains("0x01");
        assertThat(RequestFraming.invalidRequest(new byte[] {'a', '\n'}, HelperKind.GENERIC, (byte) '\n')).contains("line feed");
        assertThat(RequestFraming.invalidRequest(new byte[] {'a', '\n'}, HelperKind.GENERIC, SOH)).isNull();
        assertThat(RequestFraming.invalidRequest("a\nb", HelperKind.GENERIC, SOH)).isNull();
    }

    @Test
    void realSecurityFakeCertverifyAnswersPemBodiesThroughARealPool() throws Exception {
        String program = SquidHelpers.program("security_fake_certverify").toString();
        assumeTrue(perlHasX509(), "security_fake_certverify needs Perl's Crypt::OpenSSL::X509"
                + " (Debian package libcrypt-openssl-x509-perl; ci/install-squid.sh)");
        HelperPoolConfig config = validatorConfig(4).children(1).startup(1).requestTimeout(Duration.ofSeconds(20)).build();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, HelperSpec.builder("crtvd", program).build())) {
            // The case: a one-line body; the reply "id OK 0 \x01" has no LF at all.
            HelperReply plain = r.pool().submit(message("cert_validate", "host=example.com")).get(60, TimeUnit.SECONDS);
            assertThat(plain.status()).isEqualTo(HelperReply.Status.OK);
            assertLengthFramedBody(plain, "");

            List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
            for (int i = 0; i < 3; i++) replies.add(r.pool().submit(message("cert_validate", BODY_WITH_ERROR)));
            for (CompletableFuture<HelperReply> f : replies) {
                HelperReply error = f.get(60, TimeUnit.SECONDS);
                assertThat(error.status()).isEqualTo(HelperReply.Status.ERR);
                assertLengthFramedBody(error, ECHOED_ERROR);
            }
            assertThat(r.pool().stats().unknownChannelReplies()).isZero();
        }
    }

    /**
     * Review 12 item 11: a certificate reply is {@code code SP length SP body}, and the length counts
     * the body's final LF; {@code text()} trims it, so the body is read from {@code other()} /
     * {@code otherBytes()}, exactly, and the length it declares is the byte count of what follows.
     */
    private static void assertLengthFramedBody(HelperReply r, String body) {
        byte[] expected = (body.getBytes(StandardCharsets.UTF_8).length + " " + body).getBytes(StandardCharsets.UTF_8);
        assertThat(r.otherBytes()).as("length SP body, byte for byte").isEqualTo(expected);
        assertThat(r.other()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        byte[] other = r.otherBytes();
        int sp = 0;
        while (other[sp] != ' ') sp++;
        int declared = Integer.parseInt(new String(other, 0, sp, StandardCharsets.US_ASCII));
        assertThat(other.length - sp - 1).as("the declared length is the body's byte count").isEqualTo(declared);
    }

    @Test
    void textTrimsABodysFinalLineFeedOtherKeepsIt() {
        // Why the assertions above read other(): text() is the legacy trimmed view.
        HelperReply r = io.procmaster.helper.wire.HelperReplyParser.parse("ERR 4 a=b\n");
        assertThat(r.text()).isEqualTo("4 a=b");
        assertLengthFramedBody(r, "a=b\n");
    }

    /** The reply a fixture request has by now (the fixture's loop ran): fails rather than waits if it has none. */
    /** A started pool whose helpers answer every request with {@code raw}, terminator included, as written. */
    private static PoolFixture answeringRaw(HelperPoolConfig config, String raw) {
        PoolFixture f = new PoolFixture(config);
        f.launcher.onStart = h -> h.responder = line -> {
            h.send(raw);
            return null;
        };
        return f.start();
    }

    private static HelperReply answered(CompletableFuture<HelperReply> f) {
        assertThat(f).as("request answered").isCompletedWithValueMatching(r -> true);
        return f.join();
    }

    private static HelperPoolConfig.Builder validatorConfig(int concurrency) {
        // startup 0 (Squid's default for the kind is 5): one helper, started on demand, so the tests read what it got.
        return HelperPoolConfig.builder("crtvd", HelperKind.SSL_CERT_VALIDATOR).startup(0).concurrency(concurrency)
                .restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    private static boolean perlHasX509() throws Exception {
        Process p = new ProcessBuilder("perl", "-MCrypt::OpenSSL::X509", "-e", "1").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /**
     * The request side of {@code security_fake_certverify}, byte for byte: the first line gives
     * {@code id code length} and the body's first line; further lines are read until the body has
     * its length; the errors found are echoed, {@code id ERR length body 0x01}, or {@code id OK 0 0x01}.
     */
    private static final class ValidatorMimic implements Function<String, String> {
        private final FakeHelper helper;
        private String id;
        private int length;
        private StringBuilder body;

        ValidatorMimic(FakeHelper helper) {
            this.helper = helper;
        }

        @Override
        public String apply(String line) {
            if (body == null) {
                String[] words = line.split(" ", 4);
                id = words[0];
                length = Integer.parseInt(words[2]);
                body = new StringBuilder(words.length > 3 ? words[3] : "").append('\n');
            } else {
                body.append(line).append('\n');
            }
            if (body.toString().getBytes(StandardCharsets.UTF_8).length < length) return null;
            StringBuilder errors = new StringBuilder();
            int n = 0;
            for (String l : body.toString().split("\n")) {
                if (!l.startsWith("error_name_")) continue;
                errors.append("error_name_").append(n).append('=').append(l.substring(l.indexOf('=') + 1)).append('\n')
                        .append("error_reason_").append(n).append("=Checked by Cert Validator\n")
                        .append("error_cert_").append(n).append("=cert_0\n");
                n++;
            }
            helper.send(id + (n > 0 ? " ERR " : " OK ") + errors.length() + " " + errors + "\u0001");
            body = null;
            return null;
        }
    }
}
