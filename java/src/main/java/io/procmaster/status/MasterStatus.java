package io.procmaster.status;

import java.util.List;

/**
 * MasterStatus - a read-only snapshot of the whole master: its master-wide counters and the
 * {@link ServiceStatus} of every service, taken in one command on the loop thread, so the two agree.
 *
 * <p>Built by the loop ({@code loop.MasterLoop#masterStatus}) from the policy's master counters and
 * service snapshots; read by the metrics ({@code io.procmaster.metrics}, docs/metrics.md). Fields:
 * {@code lastGeneration} the last {@code GENERATION} handed to a spawn attempt (docs/postfix-master.md
 * §3.3); {@code children} live children of all services; {@code shuttingDown} a stop has begun;
 * {@code unknownPidExits}, {@code unknownServiceEvents}, {@code unexpectedSpawnReports},
 * {@code badSpecValues}, {@code duplicateSpecs}: inputs that belong to no known service, each
 * logged and counted, never fatal. Counters only increase. {@code services} is in master.cf order.
 *
 * <p>Immutable (the list is copied). Failure modes: none.
 */
public record MasterStatus(
        long lastGeneration,
        int children,
        boolean shuttingDown,
        long unknownPidExits,
        long unknownServiceEvents,
        long unexpectedSpawnReports,
        long badSpecValues,
        long duplicateSpecs,
        List<ServiceStatus> services) {

    public MasterStatus {
        services = List.copyOf(services);
    }
}
