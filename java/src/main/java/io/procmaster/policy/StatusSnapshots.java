package io.procmaster.policy;

import io.procmaster.status.ServiceStatus;

/**
 * StatusSnapshots - takes the read-only {@link ServiceStatus} of a service from its runtime state.
 *
 * <p>Interface: {@link #of(ServiceState, long)}, on the loop thread, as the policy. Times are given
 * as durations remaining from {@code now} (the policy's clock). Failure modes: none.
 */
final class StatusSnapshots {
    private StatusSnapshots() {
    }

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
                s.draining, s.condWake, s.epoch, counts(s.counters), null); // the loop adds the cgroup
    }

    private static ServiceStatus.Counts counts(ServiceCounters c) {
        return new ServiceStatus.Counts(c.spawns, c.spawnFailures, c.exits, c.abnormalExits, c.badStartups,
                c.throttles, c.rateLimitThrottles, c.forgedRecords, c.malformedRecords, c.unknownPidRecords,
                c.generationMismatches, c.unknownStatusValues, c.redundantRecords, c.statusReadErrors,
                c.wakeupsSent, c.wakeupsSkipped, c.wakeupFailures, c.busyWarnings, c.staleReadiness,
                c.stressStarts, c.killsAfterDrain);
    }
}
