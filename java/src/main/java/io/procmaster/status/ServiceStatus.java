package io.procmaster.status;

import java.time.Duration;

/**
 * ServiceStatus - a read-only snapshot of one service for the CLI {@code status} command.
 *
 * <p>Taken by the policy (policy/StatusSnapshots) on the loop thread and safe to hand to any other
 * thread afterwards (all fields are immutable). Times are given as durations remaining, because the
 * monotonic clock's absolute readings mean nothing outside the process; {@code throttledUntilNanos}
 * is kept for code on the same clock. Null means "not in that state".
 *
 * <p>Counters only increase over the life of the service (a reload keeps them).
 *
 * <p>Failure modes: none.
 */
public record ServiceStatus(
        String id,
        String name,
        int maxProc,
        int total,
        int avail,
        int oldEpochChildren,
        boolean listening,
        boolean throttled,
        Long throttledUntilNanos,
        Duration throttleRemaining,
        int throttleLevel,
        boolean stress,
        Duration stressRemaining,
        boolean draining,
        boolean conditionalWakeupPending,
        long epoch,
        Counts counts) {

    /** Event counts of the service (the policy's per-service counters, copied). */
    public record Counts(
            long spawns,
            long spawnFailures,
            long exits,
            long abnormalExits,
            long badStartups,
            long throttles,
            long rateLimitThrottles,
            long forgedRecords,
            long malformedRecords,
            long unknownPidRecords,
            long generationMismatches,
            long unknownStatusValues,
            long redundantRecords,
            long statusReadErrors,
            long wakeupsSent,
            long wakeupsSkipped,
            long wakeupFailures,
            long busyWarnings,
            long staleReadiness,
            long stressStarts,
            long killsAfterDrain) {
    }

    /** Children spawned ({@link Counts#spawns()}). */
    public long spawns() { return counts.spawns(); }
    /** Children that exited before serving once ({@link Counts#badStartups()}). */
    public long badStartups() { return counts.badStartups(); }
    /** Status records whose sender was not the child they named ({@link Counts#forgedRecords()}). */
    public long forgedRecords() { return counts.forgedRecords(); }
    /** Status records of the wrong size ({@link Counts#malformedRecords()}). */
    public long malformedRecords() { return counts.malformedRecords(); }
}
