package io.procmaster.policy;

/**
 * MasterCounters - master-wide snapshot: inputs that belong to no known service, plus totals.
 *
 * <p>{@code unknownPidExits}: reaped pids with no record (docs/postfix-master.md §3.5 case 1, docs/postfix-master.md §9 scenario 34; logged and
 * ignored, never a panic). {@code unknownServiceEvents}: events naming a service id the policy does
 * not know. {@code unexpectedSpawnReports}: spawns that returned a pid that is not positive or is
 * already recorded (handled as failed spawns). {@code badSpecValues}: sanitized configuration values. {@code duplicateSpecs}: specs
 * with a repeated id (the later one won).
 *
 * <p>Immutable. Failure modes: none.
 */
public record MasterCounters(
        long lastGeneration,
        int services,
        int children,
        boolean shuttingDown,
        long unknownPidExits,
        long unknownServiceEvents,
        long unexpectedSpawnReports,
        long badSpecValues,
        long duplicateSpecs) {
}
