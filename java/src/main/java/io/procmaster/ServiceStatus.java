package io.procmaster;

import java.time.Duration;

/**
 * ServiceStatus - a read-only snapshot of one service, as {@link Master#status()} returns it.
 *
 * <p>The facade's own type, so that callers of {@link Master} name no type of the policy or the loop
 * (docs/DESIGN.md §2); {@link Master} copies it from the policy's snapshot, field for field. Times are
 * durations remaining, because the monotonic clock's absolute readings mean nothing outside the
 * process; {@code throttledUntilNanos} is that reading on {@link System#nanoTime()}'s clock, for code
 * in the same process. Null means "not in that state". Counters only increase over the life of the
 * service (a reload keeps them).
 *
 * <p>Immutable, safe to share between threads. Failure modes: none.
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

    /** Event counts of the service, each counted as well as logged (docs/postfix-master.md). */
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

    public long spawns() { return counts.spawns(); }
    public long badStartups() { return counts.badStartups(); }
    public long forgedRecords() { return counts.forgedRecords(); }
    public long malformedRecords() { return counts.malformedRecords(); }
}
