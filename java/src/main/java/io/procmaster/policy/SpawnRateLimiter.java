package io.procmaster.policy;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * SpawnRateLimiter - sliding-window count of one service's wasted starts (docs/postfix-master.md §10 W11).
 *
 * <p>Interface: {@link #wouldExceed(long)} answers "are there already {@code limit} wasted starts
 * in the last {@code window}?"; {@link #record(long)} notes one. What is wasted is decided by
 * {@link ServiceState#wastedStart}: a child that exited normally on its own without ever serving;
 * children retired by a reload or drain, or that took a connection, do not count. A limit of 0
 * disables it. Memory is bounded by the limit: only the last {@code limit} times are kept.
 *
 * <p>Why a window and not exit statuses: a daemon that exits 0 before serving never throttles under
 * the Postfix rules and fork-loops while a request is pending. Counting its wasted starts catches
 * it whatever the exit status.
 *
 * <p>Failure modes: none. Loop thread only.
 */
final class SpawnRateLimiter {

    private final ArrayDeque<Long> times = new ArrayDeque<>();
    private int limit;
    private long windowNanos;

    SpawnRateLimiter(int limit, Duration window) {
        configure(limit, window);
    }

    void configure(int limit, Duration window) {
        this.limit = Math.max(0, limit);
        this.windowNanos = window.toNanos();
        while (times.size() > this.limit) {
            times.pollFirst();
        }
    }

    boolean wouldExceed(long now) {
        if (limit == 0) {
            return false;
        }
        expire(now);
        return times.size() >= limit;
    }

    void record(long now) {
        if (limit == 0) {
            return;
        }
        expire(now);
        times.addLast(now);
        while (times.size() > limit) {
            times.pollFirst();
        }
    }

    private void expire(long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
            times.pollFirst();
        }
    }
}
