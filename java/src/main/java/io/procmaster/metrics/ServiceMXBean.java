package io.procmaster.metrics;

/**
 * ServiceMXBean - figures of one service of a master, as JMX
 * {@code io.procmaster:type=Service,master=<queue_directory>[,instance=N],service=<id>}
 * (docs/metrics.md lists each attribute). Registered while the service is in the configuration;
 * a reload that removes it unregisters it, one that adds a service registers it.
 *
 * <p>The figures are those of {@code io.procmaster.status.ServiceStatus} (the one model the
 * {@code status} command prints), from the master's latest snapshot (docs/metrics.md, "Threading").
 * Durations are milliseconds, {@code -1} when the service is not in that state. Counters only
 * increase over the life of the service (a reload keeps them).
 *
 * <p>Failure modes: none; a service no longer in the latest snapshot reports
 * {@link #isPresent()} false and its last figures.
 */
public interface ServiceMXBean {
    /** The service's id (name and type, as {@code procmaster status} prints it). */
    String getId();

    String getName();

    /** false once the latest snapshot no longer has this service (removed by a reload). */
    boolean isPresent();

    /** master.cf's maxproc (0: no limit). */
    int getProcessLimit();

    /** Child processes of the service, every generation. */
    int getProcessesTotal();

    /** Of those, idle and ready to accept a connection (master_avail). */
    int getProcessesAvailable();

    /** Children of an earlier status-channel epoch, still finishing after the service restarted. */
    int getOldGenerationProcesses();

    /** The master is watching the service's listeners for connections. */
    boolean isListening();

    /** Spawning is suspended after a failure (docs/postfix-master.md, throttle). */
    boolean isThrottled();

    /** Time left before the throttle ends, ms (-1 when not throttled). */
    long getThrottleRemainingMillis();

    /** Wall-clock time the throttle ends, ms since the epoch (-1 when not throttled). */
    long getThrottledUntilMillis();

    /** Consecutive throttles (the back-off level). */
    int getThrottleLevel();

    /** The service is in stress mode (all processes busy: children are told to exit sooner). */
    boolean isStress();

    /** Time left in stress mode, ms (-1 when not in stress). */
    long getStressRemainingMillis();

    /** Removed by a reload, its children still finishing. */
    boolean isDraining();

    boolean isWakeupPending();

    /** The service's status-channel epoch, bumped by every restart of the service (at a reload that changes it). */
    long getEpoch();

    long getSpawns();

    long getSpawnFailures();

    /** Children that exited, for any cause. */
    long getExits();

    /** Of those, exits with a non-zero status or by a signal. */
    long getAbnormalExits();

    /** Children that exited before they served once (they throttle the service). */
    long getBadStartups();

    /** Children killed with SIGKILL after service_drain_time. */
    long getKillsAfterDrain();

    long getThrottles();

    /** Throttles imposed by the spawn-rate window. */
    long getRateLimitThrottles();

    /** Status records whose sender was not a child of this service (dropped, logged). */
    long getForgedRecords();

    /** Status records of the wrong size or shape (dropped, logged). */
    long getMalformedRecords();

    long getUnknownPidRecords();

    long getGenerationMismatches();

    long getUnknownStatusValues();

    long getRedundantRecords();

    long getStatusReadErrors();

    long getWakeupsSent();

    long getWakeupsSkipped();

    long getWakeupFailures();

    /** Warnings that every process of the service was busy. */
    long getBusyWarnings();

    long getStaleReadiness();

    long getStressStarts();

    /** Age of the snapshot these figures come from, milliseconds. */
    long getSnapshotAgeMillis();

    /** Processes in the service's cgroup, grandchildren included (docs/cgroups.md); -1 without one. */
    long getCgroupProcesses();

    /** memory.current of the service's cgroup; -1 without one or without the memory controller. */
    long getCgroupMemoryBytes();

    /** Forks refused at the cgroup's pids.max; -1 without a cgroup. */
    long getCgroupPidsMaxEvents();

    /** Processes the OOM killer ended in the cgroup (memory.events oom_kill); -1 without a cgroup. */
    long getCgroupOomKills();
}
