package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Once close has begun, the loop runs no timer: a timer could spawn children while the loop ends. */
class EventLoopClosingTest {
    @Test
    void noDeadlineRunsOnceCloseHasBegun() throws Exception {
        AtomicBoolean closeBegun = new AtomicBoolean();
        AtomicInteger firedAfterClose = new AtomicInteger();
        CountDownLatch firedBefore = new CountDownLatch(1);
        long past = System.nanoTime();
        EventLoop loop = new EventLoop("test-closing");
        try {
            loop.addDeadlineSource(new EventLoop.DeadlineSource() {
                @Override
                public long nextDeadlineNanos() {
                    return past; // always due
                }

                @Override
                public void onDeadline() {
                    if (closeBegun.get()) {
                        firedAfterClose.incrementAndGet();
                    }
                    firedBefore.countDown();
                }
            });
            loop.start();
            assertThat(firedBefore.await(10, TimeUnit.SECONDS)).as("the timer runs while the loop runs").isTrue();
            CountDownLatch closed = new CountDownLatch(1);
            loop.execute(() -> {
                closeBegun.set(true);
                loop.close(); // from the loop thread: CLOSING set, returns at once
                closed.countDown();
            });
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            loop.close(); // waits for the loop thread to end
        }
        assertThat(firedAfterClose.get()).as("timers run after close began").isZero();
    }
}
