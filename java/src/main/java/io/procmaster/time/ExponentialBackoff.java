package io.procmaster.time;

/**
 * ExponentialBackoff - capped exponential delays after consecutive failures: the master's throttle
 * (a service's base throttle delay doubled per consecutive throttle, up to throttle_max_time,
 * docs/postfix-master.md §10 W11) and a helper pool's restart delay after helper deaths
 * (docs/helpers.md).
 *
 * <p>Interface: {@link #onFailure(long, long)} counts one failure and returns the delay before the
 * next try, {@code base × 2^k} with k the failures before this one (at most {@code maxDoublings}),
 * never above {@code cap}; {@link #reset()} forgets the failures (a success, or a long quiet
 * spell, as its user decides); {@link #failures()} is the count, which stops growing at
 * {@code maxDoublings}: from there on every delay is the same. Base and cap are passed
 * on every call because a reload may change them between failures; the count survives that.
 *
 * <p>Failure modes: none. Doubling stops at the cap, so it never overflows; a base of zero gives
 * zero; a base above the cap gives the cap (a user that wants the base to win, as the master does,
 * passes {@code max(base, cap)}). Not thread-safe: one loop thread owns it.
 */
public final class ExponentialBackoff {

    private final int maxDoublings;
    private int failures;

    /** @param maxDoublings how many times the delay may double (and where the count stops) */
    public ExponentialBackoff(int maxDoublings) {
        if (maxDoublings < 0) {
            throw new IllegalArgumentException("maxDoublings must not be negative: " + maxDoublings);
        }
        this.maxDoublings = maxDoublings;
    }

    /** Counts one failure; returns the delay in nanos before the next try. */
    public long onFailure(long baseNanos, long capNanos) {
        long delay = delayNanos(baseNanos, capNanos, failures);
        failures = Math.min(failures + 1, maxDoublings);
        return delay;
    }

    /** Forgets the failures: the next delay is the base again. */
    public void reset() {
        failures = 0;
    }

    /** Consecutive failures counted (capped, see the class comment). */
    public int failures() {
        return failures;
    }

    /** {@code base × 2^min(doublings, maxDoublings)}, capped at {@code cap}. */
    long delayNanos(long baseNanos, long capNanos, int doublings) {
        long delay = Math.max(0L, baseNanos);
        for (int i = Math.min(doublings, maxDoublings); i > 0 && delay < capNanos; i--) {
            delay = delay > capNanos / 2 ? capNanos : delay * 2;
        }
        return Math.min(delay, capNanos);
    }
}
