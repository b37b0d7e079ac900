package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 item 8, "Timeouts": per-kind defaults as Squid 5.7's (cf.data.pre: no helper kind has a
 * timeout unless configured; {@code url_rewrite_timeout} defaults to none and, once set, to
 * {@code on_timeout=bypass}), and each {@code on_timeout} action as helper.cc's
 * checkForTimedOutRequests applies it (retry at most twice, MAX_RETRIES), for classic helpers (killed
 * on a timeout: their replies are positional) and with channel IDs. docs/helpers.md "Timeouts".
 */
class SquidTimeoutsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @ParameterizedTest
    @EnumSource(HelperKind.class)
    void noHelperKindHasATimeoutByDefault(HelperKind kind) {
        HelperPoolConfig c = HelperPoolConfig.builder("kind", kind).build();
        assertThat(c.requestTimeout()).isEqualTo(Duration.ZERO);
        // url_rewrite_timeout's on_timeout defaults to bypass; the other kinds have no on_timeout: a
        // timeout set on them fails the request as Squid's TimedOut result fails it.
        assertThat(c.onTimeout()).isEqualTo(kind == HelperKind.URL_REWRITE ? TimeoutAction.BYPASS : TimeoutAction.FAIL);
    }

    @Test
    void theGenericDefaultIsSquidsNoTimeoutAndTheOld60SecondsCanStillBeSet() {
        assertThat(HelperPoolConfig.builder("generic").build().requestTimeout()).isEqualTo(Duration.ZERO);
        assertThat(HelperPoolConfig.builder("old").requestTimeout(Duration.ofSeconds(60)).build().requestTimeout())
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aSlowHelperIsNeitherTimedOutNorKilledByDefault() {
        PoolFixture f = new PoolFixture(HelperPoolConfig.builder("auth", HelperKind.BASIC_AUTH).children(1).build()).start();
        CompletableFuture<HelperReply> r = f.submit("alice secret");
        f.advance(Duration.ofHours(1));
        assertThat(r).isNotDone();
        assertThat(f.launcher.helper(0).killed).isFalse();
        f.launcher.helper(0).reply("OK");
        f.run();
        assertThat(r.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(f.stats().timeouts()).isZero();
    }

    private static PoolFixture pool(int concurrency, TimeoutAction action, String response) {
        HelperPoolConfig.Builder b = PoolFixture.config().children(2).concurrency(concurrency).requestTimeout(TIMEOUT).onTimeout(action);
        if (response != null) b.timeoutResponse(response);
        return new PoolFixture(b.build()).start();
    }

    @ParameterizedTest(name = "concurrency={0}")
    @ValueSource(ints = {0, 4})
    void onTimeoutFailFailsTheRequest(int concurrency) {
        PoolFixture f = pool(concurrency, TimeoutAction.FAIL, null);
        CompletableFuture<HelperReply> r = f.submit("slow");
        f.advance(TIMEOUT);
        assertThat(PoolFixture.failure(r)).isInstanceOf(HelperException.Timeout.class);
        assertHelperKilledOnlyIfClassic(f, concurrency);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @ParameterizedTest(name = "concurrency={0}")
    @ValueSource(ints = {0, 4})
    void onTimeoutBypassAnswersBypassed(int concurrency) {
        PoolFixture f = pool(concurrency, TimeoutAction.BYPASS, null);
        CompletableFuture<HelperReply> r = f.submit("slow");
        f.advance(TIMEOUT);
        assertThat(r.join().status()).isEqualTo(HelperReply.Status.BYPASSED);
        assertThat(r.join().text()).contains("timed out");
        assertThat(f.stats().timeouts()).isEqualTo(1);
        assertHelperKilledOnlyIfClassic(f, concurrency);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @ParameterizedTest(name = "concurrency={0}")
    @ValueSource(ints = {0, 4})
    void onTimeoutUseConfiguredResponseAnswersTheResponseAsTheHelpersReply(int concurrency) {
        PoolFixture f = pool(concurrency, TimeoutAction.USE_CONFIGURED_RESPONSE, "OK rewrite-url=http://example.com/");
        CompletableFuture<HelperReply> r = f.submit("http://slow/");
        f.advance(TIMEOUT);
        HelperReply reply = r.join();
        assertThat(reply.status()).isEqualTo(HelperReply.Status.OK);
        assertThat(reply.kv()).containsEntry("rewrite-url", "http://example.com/");
        assertHelperKilledOnlyIfClassic(f, concurrency);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @ParameterizedTest(name = "concurrency={0}")
    @ValueSource(ints = {0, 4})
    void onTimeoutRetrySendsTheRequestAgainToAnotherHelper(int concurrency) {
        PoolFixture f = pool(concurrency, TimeoutAction.RETRY, null);
        CompletableFuture<HelperReply> r = f.submit("lookup");
        FakeHelper first = f.launcher.helper(0);
        f.launcher.onStart = h -> h.responder = concurrency == 0 ? FakeHelper.okClassic() : FakeHelper.okTagged();
        f.advance(TIMEOUT.plusSeconds(1)); // classic: the killed helper is replaced at once (a pool kill is no death)
        FakeHelper second = f.launcher.helper(1);
        assertThat(second).isNotSameAs(first);
        assertThat(second.lines).hasSize(1);
        assertThat(r.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(r.join().text()).isEqualTo("echo=lookup");
        if (concurrency > 0) { // the first helper's late answer is dropped: the request was answered once
            first.reply(FakeHelper.idOf(first.lastLine()) + "OK late");
            f.run();
            assertThat(f.stats().lateReplies()).isEqualTo(1);
        }
        assertHelperKilledOnlyIfClassic(f, concurrency);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @ParameterizedTest(name = "concurrency={0}")
    @ValueSource(ints = {0, 4})
    void onTimeoutRetryGivesUpAfterTwoRetriesAsSquidsMaxRetries(int concurrency) {
        PoolFixture f = pool(concurrency, TimeoutAction.RETRY, null); // every helper hangs
        CompletableFuture<HelperReply> r = f.submit("lookup");
        f.advance(TIMEOUT.multipliedBy(2)); // first send and first retry timed out
        assertThat(r).isNotDone();
        f.advance(TIMEOUT.multipliedBy(2));
        assertThat(PoolFixture.failure(r)).isInstanceOf(HelperException.Timeout.class).hasMessageContaining("2 retries");
        long sends = f.launcher.started.stream().mapToLong(h -> h.lines.size()).sum();
        assertThat(sends).as("the first send and Squid's 2 retries").isEqualTo(3);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    private static void assertHelperKilledOnlyIfClassic(PoolFixture f, int concurrency) {
        // A classic helper's next line would be taken for the next request's reply: it is killed
        // (docs/helpers.md "Deliberate differences" 14); with channel IDs the helper stays.
        assertThat(f.launcher.helper(0).killed).isEqualTo(concurrency == 0);
    }
}
