package io.procmaster.time;

/**
 * Clock - the monotonic time source of the policy.
 *
 * <p>Interface: {@link #nanoTime()} returns nanoseconds on an arbitrary, monotonic origin, as
 * {@link System#nanoTime()} does. Only differences between two readings mean anything; compare them
 * with {@code a - b < 0}, never {@code a < b}, so that a wrapping origin does no harm.
 * {@link #system()} is the production clock; tests use a fake clock they advance by hand.
 *
 * <p>Why: the master's timers (throttle, stress window, busy warning, wakeup, drain deadline) run on
 * wall-clock seconds in Postfix, so a clock step moves them (docs/postfix-master.md §10 W13). Monotonic nanos do not.
 *
 * <p>Failure modes: none; an implementation must not throw.
 */
public interface Clock {

    /** Current reading in nanoseconds; monotonic, arbitrary origin. */
    long nanoTime();

    /** The production clock, backed by {@link System#nanoTime()}. */
    static Clock system() {
        return System::nanoTime;
    }
}
