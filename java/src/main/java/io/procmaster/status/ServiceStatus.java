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
 *
 * @param id                       the service's identity, {@code <canonical name>/<type>} (such as {@code [127.0.0.1]:25/inet})
 * @param name                     field 1 of master.cf as written
 * @param maxProc                  the process limit; 0 means unlimited
 * @param total                    children running, of this and older generations
 * @param avail                    children waiting for a connection (AVAIL)
 * @param oldEpochChildren         children of an earlier epoch (spawned before the service was last restarted)
 * @param listening                whether the master watches the service's listeners (it does while no child is AVAIL and the limit is not reached)
 * @param throttled                whether the service is throttled (no spawns until the throttle ends)
 * @param throttledUntilNanos      the throttle's end on the master's monotonic clock, or null
 * @param throttleRemaining        how long the throttle still lasts, or null
 * @param throttleLevel            consecutive throttles (the exponential back-off step, docs/postfix-master.md §10 W11)
 * @param stress                   whether the service is in a stress period (docs/postfix-master.md §2.4)
 * @param stressRemaining          how long the stress period still lasts, or null
 * @param draining                 whether the service was removed and its children are leaving
 * @param conditionalWakeupPending whether a conditional wakeup ({@code 60?}) waits for the first spawn
 * @param epoch                    the service's status-channel epoch, raised by each restart (a reload that changes it, a stress start)
 * @param counts                   the service's event counts
 * @param cgroup                   the service's cgroup, read when the status was taken, or null when the
 *                                 service has none ({@code service_cgroups = no}, docs/cgroups.md)
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
        Counts counts,
        Cgroup cgroup) {

    /**
     * A service's cgroup as the kernel counts it (docs/cgroups.md "Reporting"). Null: the file is
     * absent (its controller is not enabled, as on a hybrid host).
     *
     * @param path          the cgroup's directory
     * @param memoryBytes   memory.current
     * @param processes     pids.current, else the lines of cgroup.procs (the service's processes, grandchildren included)
     * @param pidsMaxEvents pids.events {@code max}: forks refused at pids.max
     * @param memoryMaxEvents memory.events {@code max}: times memory.max was reached
     * @param oomKills      memory.events {@code oom_kill}: processes the OOM killer ended in the cgroup
     * @param memoryMax     memory.max as written ({@code max}: none)
     * @param pidsMax       pids.max as written
     * @param cpuMax        cpu.max as written
     */
    public record Cgroup(String path, Long memoryBytes, Long processes, long pidsMaxEvents, long memoryMaxEvents,
                         long oomKills, String memoryMax, String pidsMax, String cpuMax) {
    }

    /** This status with the service's cgroup figures. */
    public ServiceStatus withCgroup(Cgroup c) {
        return new ServiceStatus(id, name, maxProc, total, avail, oldEpochChildren, listening, throttled,
                throttledUntilNanos, throttleRemaining, throttleLevel, stress, stressRemaining, draining,
                conditionalWakeupPending, epoch, counts, c);
    }

    /**
     * Event counts of the service (the policy's per-service counters, copied); each only grows.
     *
     * @param spawns               children spawned
     * @param spawnFailures        spawns that failed (exec, fork); the service is throttled
     * @param exits                children that exited
     * @param abnormalExits        children that exited with a non-zero status or a signal
     * @param badStartups          children that exited before serving once (each throttles the service)
     * @param throttles            times the service was throttled
     * @param rateLimitThrottles   throttles by {@code spawn_rate_limit} (children exiting at once without serving)
     * @param forgedRecords        status records whose sender was not the child they named (never trusted)
     * @param malformedRecords     status records of the wrong size
     * @param unknownPidRecords    status records of a pid that is not a child of the service (normally one reaped already)
     * @param generationMismatches status records whose generation is not the child's
     * @param unknownStatusValues  status records with a value other than TAKEN or AVAIL
     * @param redundantRecords     status records repeating the child's current state
     * @param statusReadErrors     failed reads of the status channel
     * @param wakeupsSent          wakeup triggers sent
     * @param wakeupsSkipped       wakeups skipped because the service was throttled
     * @param wakeupFailures       wakeups that could not be sent (the type takes none, or the trigger failed)
     * @param busyWarnings         "has reached its process limit" warnings logged
     * @param staleReadiness       listener readiness ignored because the service no longer needed a spawn
     * @param stressStarts         stress periods started
     * @param killsAfterDrain      children killed with SIGKILL after {@code service_drain_time}
     */
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

    /** @return children spawned ({@link Counts#spawns()}) */
    public long spawns() { return counts.spawns(); }
    /** @return children that exited before serving once ({@link Counts#badStartups()}) */
    public long badStartups() { return counts.badStartups(); }
    /** @return status records whose sender was not the child they named ({@link Counts#forgedRecords()}) */
    public long forgedRecords() { return counts.forgedRecords(); }
    /** @return status records of the wrong size ({@link Counts#malformedRecords()}) */
    public long malformedRecords() { return counts.malformedRecords(); }
}
