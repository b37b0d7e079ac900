package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static io.procmaster.helper.SquidResultCodesTest.ask;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperReply.Status;
import io.procmaster.testing.SquidHelpers;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 3: the rest of a BH line is its message, as Squid 5.7 keeps it (Reply.cc: after the
 * notes, BH and NA text "used to be a text message"). ntlm_fake_auth writes
 * {@code BH wrong packet type! user=}: Squid reads no {@code user} note (notes stop at "wrong") and the
 * message {@code wrong packet type! user=}. A helper's own {@code message=} note comes first.
 *
 * <p>Before (previous parser): {@code kv} held {@code user=""} ("not to contain key: user").
 */
class SquidBhTextTest {
    @Test
    void item3_bhTextIsTheMessage() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).bhRetries(0).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var wrongType = f.submit("KK x");
        h.reply("BH wrong packet type! user=");
        var noData = f.submit("KK ");
        h.reply("BH received KK with no data! user=");
        var both = f.submit("x");
        h.reply("BH message=\"out of memory\" while reading");
        HelperReply r = wrongType.join();
        assertThat(r.status()).isEqualTo(Status.BH);
        assertThat(r.kv()).doesNotContainKey("user").containsExactly(java.util.Map.entry("message", "wrong packet type! user="));
        assertThat(r.other()).as("nothing stays in other: it became the message").isEmpty();
        assertThat(noData.join().message()).hasValue("received KK with no data! user=");
        assertThat(both.join().notes()).extracting(HelperReply.Note::toString)
                .containsExactly("message=out of memory", "message=while reading");
        assertThat(both.join().message()).hasValue("out of memory");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void item3_squidsNtlmFakeAuthBhThroughARealPool() throws Exception {
        String program = SquidHelpers.program("ntlm_fake_auth").toString();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("ntlm").children(1).startup(1).bhRetries(0).build(),
                HelperSpec.builder("ntlm_fake_auth", program).build())) {
            HelperReply wrong = ask(r, NtlmTestMessages.wrongType());
            assertThat(wrong.rawText()).isEqualTo("BH wrong packet type! user=");
            assertThat(wrong.status()).isEqualTo(Status.BH);
            assertThat(wrong.message()).hasValue("wrong packet type! user=");
            assertThat(wrong.user()).isEmpty();
            HelperReply noData = ask(r, "KK x");
            assertThat(noData.rawText()).isEqualTo("BH received KK with no data! user=");
            assertThat(noData.message()).hasValue("received KK with no data! user=");
            assertThat(noData.user()).isEmpty();
        }
    }
}
