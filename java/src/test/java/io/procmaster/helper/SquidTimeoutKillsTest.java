package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 12, finding 1: a classic helper killed by the pool after a request timeout is
 * replaced, not counted as a crash. Its death must not feed the restart backoff or the crash-loop
 * breaker, otherwise five timeouts within the breaker's window turn {@code on_timeout=bypass} into a
 * pool that refuses every request ({@code HelperException.Unavailable}). docs/helpers.md "Timeouts".
 */
class SquidTimeoutKillsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void fiveClassicTimeoutsWithinTheBreakerWindowStillAnswerBypassed() {
        // the default breaker: 5 deaths within 30 s; 6 timeouts of 5 s each fall within 30 s
        PoolFixture f = new PoolFixture(PoolFixture.config().children(1).concurrency(0).requestTimeout(TIMEOUT)
                .onTimeout(TimeoutAction.BYPASS).build()).start();
        for (int i = 0; i < 6; i++) {
            CompletableFuture<HelperReply> r = f.submit("stalls" + i); // every helper hangs
            f.advance(TIMEOUT);
            assertThat(r).as("request %d", i).isCompleted();
            assertThat(r.join().status()).as("request %d", i).isEqualTo(HelperReply.Status.BYPASSED);
        }
        HelperPoolStats s = f.stats();
        assertThat(s.timeouts()).isEqualTo(6);
        assertThat(s.deaths()).as("the pool's own kills are not crashes").isZero();
        assertThat(s.breakerOpen()).isFalse();
        assertThat(s.breakerRejected()).isZero();
        assertThat(f.launcher.started).as("each killed helper was replaced").hasSize(7);
        assertThat(s.restarts()).isEqualTo(6);
        f.assertEveryRequestCompletedExactlyOnce();
    }
}
