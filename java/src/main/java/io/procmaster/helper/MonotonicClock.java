package io.procmaster.helper;

/**
 * Monotonic time source for the helper pool, in nanoseconds.
 *
 * <p>Interface: {@link #nanoTime()} only ever increases; its origin is arbitrary. Production uses
 * {@link #SYSTEM} ({@link System#nanoTime()}); tests inject a fake clock so every timeout, backoff and
 * breaker window is driven explicitly and no test sleeps.
 *
 * <p>Failure modes: none; an implementation that goes backwards makes timeouts fire late, never early.
 */
@FunctionalInterface
public interface MonotonicClock {
    /** The wall-clock-independent system clock. */
    MonotonicClock SYSTEM = System::nanoTime;

    long nanoTime();
}
