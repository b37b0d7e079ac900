package io.procmaster.helper;

import java.time.Duration;

/** A clock that moves only when a test says so. */
final class FakeClock implements MonotonicClock {
    private long now = 1_000_000_000L; // arbitrary non-zero origin: nothing may assume 0

    @Override
    public long nanoTime() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }

    void set(long nanos) {
        if (nanos < now) throw new IllegalArgumentException("clock must not go back");
        now = nanos;
    }
}
