package io.procmaster.policy;

import io.procmaster.time.SlidingWindow;
import java.time.Duration;

/**
 * SpawnRateLimiter - sliding-window count of one service's wasted starts (docs/postfix-master.md §10 W11).
 *
 * <p>Interface: {@link #wouldExceed(long)} answers "are there already {@code limit} wasted starts
 * in the last {@code window}?"; {@link #record(long)} notes one. What is wasted is decided by
 * {@link ServiceState#wastedStart}: a child that exited normally on its own without ever serving;
 * children retired by a reload or drain, or that took a connection, do not count. A limit of 0
 * disables it. The window is the one {@link SlidingWindow} the helper pool's crash-loop breaker
 * uses too; memory is bounded by the limit: only the last {@code limit} times are kept.
 *
 * <p>Why a window and not exit statuses: a daemon that exits 0 before serving never throttles under
 * the Postfix rules and fork-loops while a request is pending. Counting its wasted starts catches
 * it whatever the exit status.
 *
 * <p>Failure modes: none. Loop thread only.
 */
final class SpawnRateLimiter {

    private final SlidingWindow times = new SlidingWindow(0, 0);
    private int limit;

    SpawnRateLimiter(int limit, Duration window) {
        configure(limit, window);
    }

    void configure(int limit, Duration window) {
        this.limit = Math.max(0, limit);
        times.configure(this.limit, Math.max(0L, window.toNanos()));
    }

    boolean wouldExceed(long now) {
        return limit != 0 && times.count(now) >= limit;
    }

    void record(long now) {
        times.record(now);
    }
}
