package io.procmaster.helper.pool;

import java.util.ArrayDeque;

/**
 * Crash-loop breaker: K helper deaths (start failures included) within a sliding window open it.
 * While open, requests fail fast, except one probe at a time that may go to a restarted helper; the
 * first successful reply closes it again.
 *
 * <p>Interface: {@link #onDeath} returns true when this death opened the breaker;
 * {@link #onSuccess()} returns true when it closed it. Failure modes: none.
 */
final class CrashLoopBreaker {
    private final int deaths;
    private final long windowNanos;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private boolean open;

    CrashLoopBreaker(int deaths, long windowNanos) {
        this.deaths = deaths;
        this.windowNanos = windowNanos;
    }

    boolean onDeath(long now) {
        recent.addLast(now);
        while (!recent.isEmpty() && now - recent.peekFirst() > windowNanos) recent.pollFirst();
        if (!open && recent.size() >= deaths) {
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

    int deathsInWindow() {
        return recent.size();
    }
}
