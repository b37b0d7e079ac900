package io.procmaster.policy;

import java.time.Duration;

/**
 * ServiceStatus - a read-only snapshot of one service for the CLI {@code status} command.
 *
 * <p>Taken by {@link MasterPolicy#status(String)} on the loop thread and safe to hand to any other
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

    /** Event counts of the service; see {@link ServiceCounters}. */
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

        static Counts of(ServiceCounters c) {
            return new Counts(c.spawns, c.spawnFailures, c.exits, c.abnormalExits, c.badStartups, c.throttles,
                    c.rateLimitThrottles, c.forgedRecords, c.malformedRecords, c.unknownPidRecords,
                    c.generationMismatches, c.unknownStatusValues, c.redundantRecords, c.statusReadErrors,
                    c.wakeupsSent, c.wakeupsSkipped, c.wakeupFailures, c.busyWarnings, c.staleReadiness,
                    c.stressStarts, c.killsAfterDrain);
        }
    }

    public long spawns() { return counts.spawns(); }
    public long badStartups() { return counts.badStartups(); }
    public long forgedRecords() { return counts.forgedRecords(); }
    public long malformedRecords() { return counts.malformedRecords(); }

    static ServiceStatus of(ServiceState s, long now) {
        int old = 0;
        for (ChildRecord r : s.children.values()) {
            if (r.epoch() != s.epoch) {
                old++;
            }
        }
        boolean stress = s.inStress(now);
        return new ServiceStatus(
                s.id(), s.spec.name(), s.spec.maxProc(), s.total(), s.avail(), old,
                s.listening, s.throttled,
                s.throttled ? s.throttledUntil : null,
                s.throttled ? s.remaining(s.throttledUntil, now) : null,
                s.throttleBackoff.failures(),
                stress,
                stress ? s.remaining(s.stressExpire, now) : null,
                s.draining, s.condWake, s.epoch, Counts.of(s.counters));
    }
}
