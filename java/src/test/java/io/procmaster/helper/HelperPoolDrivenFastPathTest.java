package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The synchronous fast path ({@link HelperPool#request}) on a pool whose loop the user drives
 * ({@link HelperPools#startOnCallerLoop}): a caller on another thread is answered while the owner
 * drives, and the owner itself, which is not the loop thread between two runOnce calls but is the
 * only thread that could complete a hand-back, is refused instead of waiting for itself forever.
 * Real {@code /bin/cat} helpers; every wait is bounded and awaits a condition.
 */
class HelperPoolDrivenFastPathTest {
    private static void driveUntilRunning(HelperPools.Driven d, int helpers) {
        Driving.drive(d.driver(), () -> {
            CompletableFuture<HelperPoolStats> s = d.pool().statsAsync();
            Driving.drive(d.driver(), s::isDone);
            return s.join().running() == helpers;
        });
    }

    @Test
    void requestsFromAnotherThreadAreAnsweredWhileTheOwnerDrives() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("driven-fast").children(2).startup(2)
                .requestTimeout(Duration.ofSeconds(30)).build();
        try (HelperPools.Driven d = HelperPools.startOnCallerLoop(config, Driving.cat())) {
            driveUntilRunning(d, 2);
            CompletableFuture<Integer> answered = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                try {
                    int ok = 0;
                    for (int i = 0; i < 200; i++) {
                        if (d.pool().request("q" + i).text().equals("q" + i)) ok++;
                    }
                    answered.complete(ok);
                } catch (Throwable t) {
                    answered.completeExceptionally(t);
                }
            }, "fast-caller");
            caller.start();
            Driving.drive(d.driver(), answered::isDone); // hand-backs, if any, are completed by this driving
            assertThat(answered.join()).as("every reply matches its request").isEqualTo(200);
            long[] fast = d.pool().fastPathCounts();
            assertThat(fast[0] + fast[1]).as("fast-path answers plus hand-backs").isLessThanOrEqualTo(200);
            assertThat(fast[0]).as("answered on the caller's thread, the loop asleep or busy elsewhere").isPositive();
            caller.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(caller.isAlive()).isFalse();
        }
    }

    @Test
    void requestOnTheOwnerBetweenTwoRunOnceCallsIsRefusedInsteadOfWaitingForItself() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("driven-owner").children(1).startup(1)
                .requestTimeout(Duration.ofSeconds(30)).build();
        HelperPools.Driven d = HelperPools.startOnCallerLoop(config, Driving.cat());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        AtomicBoolean ready = new AtomicBoolean();
        Thread owner = new Thread(() -> {
            try {
                driveUntilRunning(d, 1);
                ready.set(true);
                outcome.complete(d.pool().request("x")); // between two runOnce calls, on the owner
            } catch (Throwable t) {
                outcome.complete(t);
            }
        }, "driven-owner");
        owner.start();
        try {
            Object o = outcome.get(20, TimeUnit.SECONDS); // before the mend: a reply (or a wait for ever)
            assertThat(ready).isTrue();
            assertThat(o).isInstanceOf(IllegalStateException.class);
            assertThat(((Throwable) o).getMessage()).contains("drives");
        } finally {
            d.close(Duration.ZERO); // from the test thread: the owner is no longer inside runOnce
            owner.join(TimeUnit.SECONDS.toMillis(20));
        }
        assertThat(owner.isAlive()).isFalse();
    }
}
