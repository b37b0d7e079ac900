package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Request timeouts without a timer per request (RequestTimeouts' lanes, docs/helpers.md
 * "Timeouts"): requests answered out of order never time out, every unanswered one times out once,
 * at its own deadline, in submission order; and a pool whose requests were all answered or timed
 * out holds no timer.
 */
class HelperPoolTimeoutLanesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static PoolFixture pool() {
        return new PoolFixture(PoolFixture.config().children(1).concurrency(8).requestTimeout(TIMEOUT)
                .onTimeout(TimeoutAction.FAIL).build()).start();
    }

    /** The wire id the helper saw on the request line for {@code text}. */
    private static String idOf(FakeHelper h, String text) {
        for (String line : h.lines) if (line.endsWith(" " + text)) return line.substring(0, line.indexOf(' '));
        throw new AssertionError("no request line for " + text + " in " + h.lines);
    }

    @Test
    void onlyUnansweredRequestsTimeOut_eachOnceAtItsOwnDeadline() {
        PoolFixture f = pool();
        List<CompletableFuture<HelperReply>> r = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            if (i > 0) f.advance(Duration.ofMillis(500));
            r.add(f.submit("q" + i)); // deadlines 5, 5.5, ..., 7.5 s after the first submit
        }
        FakeHelper h = f.launcher.helper(0);
        h.reply(idOf(h, "q3") + " OK"); // out of order, and the head of the deadlines first
        h.reply(idOf(h, "q0") + " OK");
        f.run();
        assertThat(r.get(0).join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(r.get(3).join().status()).isEqualTo(HelperReply.Status.OK);

        assertThat(f.stats().timeouts()).isZero();
        f.advance(Duration.ofSeconds(3)); // 5.5 s: q1 (due at 5.5 s) times out, q2 (6 s) not yet
        assertThat(f.stats().timeouts()).isEqualTo(1);
        assertThat(PoolFixture.failure(r.get(1))).isInstanceOf(HelperException.Timeout.class);
        assertThat(r.get(2)).isNotDone();

        h.reply(idOf(h, "q4") + " OK");
        f.run();
        f.advance(Duration.ofMillis(499));
        assertThat(r.get(2)).isNotDone();
        f.advance(Duration.ofMillis(1)); // exactly q2's deadline
        assertThat(PoolFixture.failure(r.get(2))).isInstanceOf(HelperException.Timeout.class);
        assertThat(r.get(5)).isNotDone();
        f.advance(Duration.ofSeconds(10));
        assertThat(PoolFixture.failure(r.get(5))).isInstanceOf(HelperException.Timeout.class);
        assertThat(r.get(4).join().status()).isEqualTo(HelperReply.Status.OK);

        assertThat(f.stats().timeouts()).isEqualTo(3); // q1, q2, q5
        f.assertEveryRequestCompletedExactlyOnce();
        assertThat(f.pool.nextDeadline()).as("timers left once nothing is in flight").isEmpty();
    }

    @Test
    void aPoolWhoseRequestsWereAllAnsweredHoldsNoTimer() {
        PoolFixture f = pool();
        CompletableFuture<HelperReply> a = f.submit("a");
        CompletableFuture<HelperReply> b = f.submit("b");
        assertThat(f.pool.nextDeadline()).isPresent();
        FakeHelper h = f.launcher.helper(0);
        h.reply(idOf(h, "b") + " OK");
        h.reply(idOf(h, "a") + " OK");
        f.run();
        assertThat(a.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(b.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(f.pool.nextDeadline()).isEmpty();
        f.advance(TIMEOUT.multipliedBy(2));
        assertThat(f.stats().timeouts()).isZero();
        f.assertEveryRequestCompletedExactlyOnce();
    }
}
