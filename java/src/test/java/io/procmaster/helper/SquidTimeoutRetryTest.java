package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 12, finding 4: {@code on_timeout=retry} as Squid 5.7's helper.cc applies it. Only a
 * request that was sent is retried (checkForTimedOutRequests walks a helper's in-flight requests); a
 * BH retry and a timeout retry share one budget ({@code r->request.retries} against MAX_RETRIES,
 * helper.cc helperReturnBuffer and checkForTimedOutRequests); a retried request goes through
 * submitRequest, i.e. to a free helper or to the tail of the queue (Enqueue). docs/helpers.md "Timeouts".
 */
class SquidTimeoutRetryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void aRequestThatTimesOutInTheQueueIsNotCountedAsRetried() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(1).concurrency(4).requestTimeout(TIMEOUT)
                .onTimeout(TimeoutAction.RETRY).build()).start();
        List<CompletableFuture<HelperReply>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) sent.add(f.submit("sent" + i)); // the helper's 4 channels
        CompletableFuture<HelperReply> queued = f.submit("queued"); // never sent
        f.advance(TIMEOUT);
        assertThat(PoolFixture.failure(queued)).isInstanceOf(HelperException.Timeout.class)
                .hasMessageContaining("waiting in the queue").hasMessageNotContaining("retries");
        assertThat(f.stats().retries()).as("only the 4 sent requests were retried").isEqualTo(4);
        f.advance(TIMEOUT.multipliedBy(3)); // the retried ones hang again, twice: then they fail
        assertThat(sent).allMatch(CompletableFuture::isCompletedExceptionally);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void bhRetriesAndTimeoutRetriesShareSquidsOneBudget() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(1).concurrency(4).requestTimeout(TIMEOUT)
                .onTimeout(TimeoutAction.RETRY).bhRetries(2).build());
        f.launcher.onStart = h -> h.responder = line -> h.lines.size() <= 2 ? FakeHelper.idOf(line) + "BH busy" : null;
        f.start();
        CompletableFuture<HelperReply> r = f.submit("lookup"); // BH, BH (2 retries), then it hangs
        f.run();
        assertThat(f.launcher.helper(0).lines).hasSize(3);
        f.advance(TIMEOUT);
        assertThat(PoolFixture.failure(r)).as("no retry left after two BH retries").isInstanceOf(HelperException.Timeout.class);
        assertThat(f.launcher.started.stream().mapToLong(h -> h.lines.size()).sum()).as("first send + Squid's 2 retries")
                .isEqualTo(3);
        assertThat(f.stats().retries()).isEqualTo(2);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void aRetriedRequestGoesToTheTailOfTheQueueAsSquidsSubmitRequest() {
        // a BH retry (helperReturnBuffer) and a timeout retry both re-enter submitRequest: Enqueue appends
        PoolFixture f = new PoolFixture(PoolFixture.config().children(1).startup(1).concurrency(0).build()).start();
        FakeHelper h = f.launcher.helper(0);
        CompletableFuture<HelperReply> first = f.submit("first");
        CompletableFuture<HelperReply> second = f.submit("second");
        h.reply("BH flaky"); // "first" is retried behind "second"
        f.run();
        assertThat(h.lines).containsExactly("first", "second");
        h.reply("OK a");
        f.run();
        assertThat(second.join().text()).isEqualTo("a");
        assertThat(h.lines).containsExactly("first", "second", "first");
        h.reply("OK b");
        f.run();
        assertThat(first.join().text()).isEqualTo("b");
        f.assertEveryRequestCompletedExactlyOnce();
    }
}
