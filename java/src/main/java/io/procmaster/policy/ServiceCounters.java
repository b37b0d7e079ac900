package io.procmaster.policy;

/**
 * ServiceCounters - monotonically increasing event counts for one service.
 *
 * <p>Every ignored or suspicious input is counted here as well as logged, so that "never silent"
 * holds even when the log level hides the line. Copied into {@link ServiceStatus} snapshots.
 * Package-private mutation, loop thread only. Failure modes: none (longs do not overflow in practice).
 */
public final class ServiceCounters {
    long spawns;
    long spawnFailures;
    long exits;
    long abnormalExits;
    long badStartups;
    long throttles;
    long rateLimitThrottles;
    long forgedRecords;
    long malformedRecords;
    long unknownPidRecords;
    long generationMismatches;
    long unknownStatusValues;
    long redundantRecords;
    long statusReadErrors;
    long wakeupsSent;
    long wakeupsSkipped;
    long wakeupFailures;
    long busyWarnings;
    long staleReadiness;
    long stressStarts;
    long killsAfterDrain;
}
