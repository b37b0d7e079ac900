package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool on a fake clock, a fake launcher and a direct executor, plus the exactly-once bookkeeping:
 * every future submitted through the fixture counts its completions.
 */
final class PoolFixture {
    final FakeClock clock = new FakeClock(1_000_000_000L); // non-zero origin: nothing may assume 0
    final FakeLauncher launcher = new FakeLauncher();
    final HelperPool pool;
    final List<CompletableFuture<?>> futures = new ArrayList<>();
    final List<AtomicInteger> completions = new ArrayList<>();

    PoolFixture(HelperPoolConfig config) {
        pool = new HelperPool(config, launcher, clock, Runnable::run);
    }

    static HelperPoolConfig.Builder config() {
        return HelperPoolConfig.builder("test").restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    PoolFixture start() {
        pool.start();
        launcher.run();
        return this;
    }

    CompletableFuture<HelperReply> submit(String text) {
        return track(pool.submit(text));
    }

    CompletableFuture<HelperReply> submit(HelperReservation r, String text) {
        return track(pool.submit(r, text));
    }

    CompletableFuture<HelperReservation> reserve() {
        return track(pool.reserve());
    }

    <T> CompletableFuture<T> track(CompletableFuture<T> f) {
        AtomicInteger n = new AtomicInteger();
        f.whenComplete((v, e) -> n.incrementAndGet());
        futures.add(f);
        completions.add(n);
        return f;
    }

    /** Delivers helper events. */
    void run() {
        launcher.run();
    }

    /** Moves the clock like the loop would: stopping at every deadline on the way. */
    void advance(Duration d) {
        long target = clock.nanoTime() + d.toNanos();
        while (true) {
            launcher.run();
            var next = pool.nextDeadline();
            if (next.isEmpty() || next.getAsLong() - target > 0) break;
            clock.advance(Duration.ofNanos(Math.max(0, next.getAsLong() - clock.nanoTime())));
            pool.onTick();
        }
        clock.advance(Duration.ofNanos(target - clock.nanoTime()));
        pool.onTick();
        launcher.run();
    }

    HelperPoolStats stats() {
        return pool.stats();
    }

    /** The key invariant: every future completed, each exactly once, and the pool agrees. */
    void assertEveryRequestCompletedExactlyOnce() {
        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i)).as("future #%d", i).isDone();
            assertThat(completions.get(i).get()).as("completions of future #%d", i).isEqualTo(1);
        }
        HelperPoolStats s = stats();
        assertThat(s.duplicateCompletions()).isZero();
        assertThat(s.completedOk() + s.failed()).isEqualTo(futures.size());
    }

    static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
