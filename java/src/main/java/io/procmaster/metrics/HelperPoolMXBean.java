package io.procmaster.metrics;

/**
 * HelperPoolMXBean - figures of one helper pool, as JMX
 * {@code io.procmaster:type=HelperPool,name=<pool name>[,instance=N]} (docs/metrics.md).
 *
 * <p>The counters are those of {@code io.procmaster.helper.HelperPoolStats} (docs/helpers.md names
 * each), from the pool's latest snapshot (docs/metrics.md, "Threading"); busy and idle are derived from the
 * snapshot's helpers. Counters only increase; service times are microseconds, from the pool's
 * histogram (bucket upper bounds, within 12.5%).
 *
 * <p>Failure modes: none; before the first snapshot every figure is 0; after the pool closed, the
 * last figures stay.
 */
public interface HelperPoolMXBean {
    String getName();

    /** The configuration generation (raised by each reconfigure). */
    int getGeneration();

    long getSubmitted();

    long getSent();

    long getReplies();

    long getCompletedOk();

    long getFailed();

    long getTimeouts();

    long getLateReplies();

    long getUnknownChannelReplies();

    long getUnsolicitedReplies();

    long getTooLongReplies();

    long getRetries();

    long getOverloadRejected();

    long getBypassed();

    long getBreakerRejected();

    /** Squid's "all helpers are busy" warnings logged under overload policy QUEUE (docs/helpers.md "Overload"). */
    long getOverloadWarnings();

    /** Helper processes started. */
    long getStarted();

    long getRestarts();

    long getStartFailures();

    long getDeaths();

    /** Requests waiting for a helper. */
    int getQueueLength();

    /** The longest the queue has been. */
    int getMaxQueueLength();

    /** Helper processes alive (any state). */
    int getRunning();

    /** Of those, READY and of the current generation. */
    int getActive();

    /** Helpers with a request in flight or a reservation. */
    int getBusyHelpers();

    /** READY helpers of the current generation with nothing in flight and no reservation. */
    int getIdleHelpers();

    boolean isBreakerOpen();

    long getServiceTimeMeanMicros();

    long getServiceTimeP50Micros();

    long getServiceTimeP90Micros();

    long getServiceTimeP99Micros();

    /** Must stay 0 (every request completes exactly once). */
    long getDuplicateCompletions();

    /** Age of the snapshot these figures come from, milliseconds. */
    long getSnapshotAgeMillis();
}
