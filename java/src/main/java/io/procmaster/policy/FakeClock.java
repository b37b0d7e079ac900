package io.procmaster.policy;

import java.time.Duration;

/**
 * FakeClock - a hand-driven {@link Clock} for deterministic tests.
 *
 * <p>Interface: starts at a given reading (0 by default); {@link #advance(Duration)} and
 * {@link #advanceMillis(long)} move it forward. It lives in main, not in test, so that the tests of
 * other modules (loop, helper pool) can drive the same {@link Timers} with it.
 *
 * <p>It never moves by itself, so a test that forgets to advance it sees no timer fire: that is the
 * point. Pair it with {@link Timers#runDue()} to fire what became due.
 *
 * <p>Failure modes: moving backwards is refused with {@link IllegalArgumentException}; a monotonic
 * clock cannot do that and a test that tries has a bug. Not thread-safe (neither is the policy).
 */
public final class FakeClock implements Clock {

    private long now;

    /** A clock reading 0 ns. */
    public FakeClock() {
        this(0L);
    }

    /** A clock reading {@code startNanos}. */
    public FakeClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves the clock forward by {@code d} (zero allowed). */
    public FakeClock advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + d);
        }
        now += d.toNanos();
        return this;
    }

    /** Moves the clock forward by {@code millis} milliseconds. */
    public FakeClock advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }

    /** Moves the clock forward by {@code seconds} seconds. */
    public FakeClock advanceSeconds(long seconds) {
        return advance(Duration.ofSeconds(seconds));
    }

    @Override
    public String toString() {
        return "FakeClock[" + now + "ns]";
    }
}
