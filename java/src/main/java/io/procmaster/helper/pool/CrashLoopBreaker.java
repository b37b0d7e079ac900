package io.procmaster.helper.pool;

import io.procmaster.time.SlidingWindow;

/**
 * Crash-loop breaker: K helper deaths (start failures included) within a sliding window open it.
 * While open, requests fail fast, except one probe at a time that may go to a restarted helper; the
 * first successful reply closes it again. The deaths are counted in the one {@link SlidingWindow}
 * the master's spawn-rate limit uses too, keeping the last K.
 *
 * <p>Interface: {@link #onDeath} returns true when this death opened the breaker;
 * {@link #onSuccess()} returns true when it closed it. Failure modes: none.
 */
final class CrashLoopBreaker {
    private final int deaths;
    private final SlidingWindow recent;
    private boolean open;

    CrashLoopBreaker(int deaths, long windowNanos) {
        this.deaths = deaths;
        // A death exactly one window old still counts here (SlidingWindow lets it go), hence + 1 ns.
        this.recent = new SlidingWindow(deaths, windowNanos == Long.MAX_VALUE ? windowNanos : windowNanos + 1);
    }

    boolean onDeath(long now) {
        recent.record(now);
        if (!open && recent.held() >= deaths) {
            open = true;
            return true;
        }
        return false;
    }

    boolean onSuccess() {
        if (!open) return false;
        open = false;
        recent.clear();
        return true;
    }

    boolean isOpen() {
        return open;
    }

    /** Deaths in the window at the last death, at most K: what opened the breaker. */
    int deathsInWindow() {
        return recent.held();
    }
}
