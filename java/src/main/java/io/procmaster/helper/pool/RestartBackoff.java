package io.procmaster.helper.pool;

/**
 * Capped exponential delay before the next helper start after deaths: initial × 2^(n−1), at most max,
 * where n counts deaths (and start failures) since the last successful reply. A success resets it.
 *
 * <p>Interface: {@link #onDeath(long)} moves the gate; {@link #nextStartAllowed()} is the earliest
 * time a start may happen. Failure modes: none.
 */
final class RestartBackoff {
    private final long initialNanos;
    private final long maxNanos;
    private int consecutive;
    private long nextAllowed;
    private boolean gated;

    RestartBackoff(long initialNanos, long maxNanos) {
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
    }

    void onDeath(long now) {
        consecutive++;
        long delay = initialNanos;
        for (int i = 1; i < consecutive && delay < maxNanos; i++) delay = delay * 2;
        delay = Math.min(delay, maxNanos);
        nextAllowed = now + delay;
        gated = true;
    }

    void onSuccess() {
        consecutive = 0;
    }

    boolean mayStart(long now) {
        return !gated || now - nextAllowed >= 0;
    }

    long nextStartAllowed() {
        return nextAllowed;
    }

    int consecutiveDeaths() {
        return consecutive;
    }
}
