package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.os.LoopDriver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Driving - what the tests of a pool on the caller's own loop ({@link HelperPools#startOnCallerLoop})
 * share: the {@code /bin/cat} helper, driving the loop until a condition holds, and a statistics
 * snapshot taken by driving.
 *
 * <p>Interface: {@link #cat}, {@link #drive}, {@link #stats}. Failure modes: {@link #drive} fails
 * (AssertionError) when the condition is not reached within its bound or the loop closed under it.
 */
final class Driving {
    /** How long a condition may take by default: generous, since the machine may be busy. */
    static final long PATIENCE_SECONDS = 20;

    private Driving() {
    }

    /** {@code /bin/cat} on the default stream channel: it echoes each request. */
    static HelperSpec cat() {
        return HelperSpec.builder("cat", "/bin/cat").channelType(HelperChannelType.STREAM).build();
    }

    /** Drives until {@code done}, for at most {@code seconds}; fails if it is not reached in time. */
    static void drive(LoopDriver driver, BooleanSupplier done, long seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("driven condition not reached in time").isNegative();
            assertThat(driver.runOnce(50)).as("loop closed under the test").isNotEqualTo(LoopDriver.CLOSED);
        }
    }

    /** {@link #drive} with {@link #PATIENCE_SECONDS}. */
    static void drive(LoopDriver driver, BooleanSupplier done) {
        drive(driver, done, PATIENCE_SECONDS);
    }

    /** The pool's statistics, driving the loop until the snapshot is taken. */
    static HelperPoolStats stats(HelperPools.Driven d) {
        CompletableFuture<HelperPoolStats> s = d.pool().statsAsync();
        drive(d.driver(), s::isDone);
        return s.join();
    }
}
