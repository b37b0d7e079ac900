package io.procmaster.testing;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * The tests' one bounded poll: ask a probe again and again, with a pause between, until its
 * answer satisfies a condition or a deadline passes. For what the test cannot be told about
 * (a log file growing, a child appearing in /proc, a status reaching a state); where a fake clock
 * or a future can say it, tests use that instead and need no poll.
 *
 * <p>Interface: {@link #poll} returns the first satisfying answer or, at the deadline, the last
 * answer as it is, so the caller's assertion can show it; {@link #until} throws an
 * {@link AssertionError} naming what was awaited and the last answer. The probe runs at least once
 * and may throw (the exception ends the wait and reaches the test). The deadline is on the
 * monotonic clock. Failure modes: an interrupt ends the wait with {@link InterruptedException}.
 */
public final class Await {
    /** The default pause between two probes. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(25);

    private Await() {
    }

    /** A probe that may throw what the test's own I/O throws ({@code E}, inferred from the lambda). */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        T get() throws E;
    }

    /** The first answer of {@code probe} that satisfies {@code done}, or its last answer after {@code timeout}. */
    public static <T, E extends Exception> T poll(Duration timeout, Duration interval, Probe<T, E> probe,
            Predicate<? super T> done) throws E, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = probe.get();
        while (!done.test(value) && System.nanoTime() - deadline < 0) {
            Thread.sleep(Math.max(1, interval.toMillis()));
            value = probe.get();
        }
        return value;
    }

    /** As {@link #poll}, with {@link #DEFAULT_INTERVAL}. */
    public static <T, E extends Exception> T poll(Duration timeout, Probe<T, E> probe, Predicate<? super T> done)
            throws E, InterruptedException {
        return poll(timeout, DEFAULT_INTERVAL, probe, done);
    }

    /** The first answer that satisfies {@code done}; an AssertionError naming {@code what} if none does in time. */
    public static <T, E extends Exception> T until(String what, Duration timeout, Duration interval,
            Probe<T, E> probe, Predicate<? super T> done) throws E, InterruptedException {
        T value = poll(timeout, interval, probe, done);
        if (!done.test(value)) {
            throw new AssertionError("not within " + timeout + ": " + what + "; last seen: " + value);
        }
        return value;
    }

    /** As {@link #until(String, Duration, Duration, Probe, Predicate)}, with {@link #DEFAULT_INTERVAL}. */
    public static <T, E extends Exception> T until(String what, Duration timeout, Probe<T, E> probe,
            Predicate<? super T> done) throws E, InterruptedException {
        return until(what, timeout, DEFAULT_INTERVAL, probe, done);
    }
}
