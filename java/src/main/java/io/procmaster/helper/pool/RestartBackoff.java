package io.procmaster.helper.pool;

import io.procmaster.time.ExponentialBackoff;

/**
 * The gate before the next helper start after deaths: initial × 2^(n−1), at most max, where n counts
 * deaths (and start failures) since the last successful reply. A success resets it. The delays are
 * the one {@link ExponentialBackoff} the master's throttle uses too; this class adds the gate.
 *
 * <p>Interface: {@link #onDeath(long)} moves the gate; {@link #mayStart(long)} says whether a start
 * may happen now; {@link #nextStartAllowed()} is the earliest time one may. Failure modes: none.
 */
final class RestartBackoff {
    /** Enough doublings for any delay a long can hold: the cap, not the count, ends the growth. */
    private static final int MAX_DOUBLINGS = 62;

    private final long initialNanos;
    private final long maxNanos;
    private final ExponentialBackoff delays = new ExponentialBackoff(MAX_DOUBLINGS);
    private long nextAllowed;
    private boolean gated;

    RestartBackoff(long initialNanos, long maxNanos) {
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
    }

    void onDeath(long now) {
        nextAllowed = now + delays.onFailure(initialNanos, maxNanos);
        gated = true;
    }

    void onSuccess() {
        delays.reset();
    }

    boolean mayStart(long now) {
        return !gated || now - nextAllowed >= 0;
    }

    long nextStartAllowed() {
        return nextAllowed;
    }
}
