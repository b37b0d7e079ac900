package io.procmaster;

import io.procmaster.loop.MasterLoop;

/**
 * PolicyViews - copies the loop's and the policy's answers into the facade's own types
 * ({@link ServiceStatus}, {@link ReloadResult}), so that {@link Master}'s signatures name no internal
 * type and the internals can change without breaking callers (docs/DESIGN.md §2).
 *
 * <p>Interface: {@link #status}, {@link #reload}. Stateless. Failure modes: none (a null argument
 * is a NullPointerException).
 */
final class PolicyViews {
    private PolicyViews() {
    }

    static ServiceStatus status(io.procmaster.policy.ServiceStatus s) {
        io.procmaster.policy.ServiceStatus.Counts c = s.counts();
        return new ServiceStatus(s.id(), s.name(), s.maxProc(), s.total(), s.avail(), s.oldEpochChildren(),
                s.listening(), s.throttled(), s.throttledUntilNanos(), s.throttleRemaining(), s.throttleLevel(),
                s.stress(), s.stressRemaining(), s.draining(), s.conditionalWakeupPending(), s.epoch(),
                new ServiceStatus.Counts(c.spawns(), c.spawnFailures(), c.exits(), c.abnormalExits(),
                        c.badStartups(), c.throttles(), c.rateLimitThrottles(), c.forgedRecords(),
                        c.malformedRecords(), c.unknownPidRecords(), c.generationMismatches(),
                        c.unknownStatusValues(), c.redundantRecords(), c.statusReadErrors(), c.wakeupsSent(),
                        c.wakeupsSkipped(), c.wakeupFailures(), c.busyWarnings(), c.staleReadiness(),
                        c.stressStarts(), c.killsAfterDrain()));
    }

    static ReloadResult reload(MasterLoop.ReloadResult r) {
        io.procmaster.policy.ReloadSummary s = r.summary();
        return new ReloadResult(new ReloadSummary(s.added(), s.restarted(), s.removing(), s.rejected()),
                r.warnings());
    }
}
