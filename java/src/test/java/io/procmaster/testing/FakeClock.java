package io.procmaster.testing;

import io.procmaster.time.Clock;
import java.time.Duration;

/**
 * FakeClock - a hand-driven {@link Clock} for deterministic tests.
 *
 * <p>Interface: starts at a given reading (0 by default); {@link #advance(Duration)} and
 * {@link #advanceMillis(long)} move it forward. A test fixture: main code never names it; the
 * policy's, the helper pool's and the master loop's tests drive the same {@link TimerQueue} with it.
 *
 * <p>It never moves by itself, so a test that forgets to advance it sees no timer fire: that is the
 * point. Pair it with {@link TimerQueue#runDue()} to fire what became due.
 *
 * <p>Failure modes: moving backwards is refused with {@link IllegalArgumentException}; a monotonic
 * clock cannot do that and a test that tries has a bug. Readings are safe from any thread (a test
 * may advance it while a loop thread reads it); advancing is for one thread at a time.
 */
public final class FakeClock implements Clock {

    private volatile long now;

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
