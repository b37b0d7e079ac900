package io.procmaster.metrics;

import java.util.List;

/**
 * MasterMXBean - master-wide figures of one running master, as JMX
 * {@code io.procmaster:type=Master,master=<queue_directory>[,instance=N]} (docs/metrics.md).
 *
 * <p>Every getter reads the master's latest snapshot (docs/metrics.md, "Threading": at most about a second
 * old, the loop's state never read from another thread); counters only increase. Failure modes: none; after the
 * master closed, the last figures stay.
 */
public interface MasterMXBean {
    /** The master's key in the ObjectNames: its queue_directory, absolute. */
    String getMasterKey();

    /** Wall-clock time of the start, milliseconds since the epoch. */
    long getStartTimeMillis();

    /** Time since the start, milliseconds (monotonic). */
    long getUptimeMillis();

    /** The last GENERATION handed to a spawn attempt (docs/postfix-master.md §3.3; 0 before the first). */
    long getLastGeneration();

    /** Services in the current configuration (draining ones included until they are gone). */
    int getServiceCount();

    /** Their ids (master.cf order): the {@code service} key of the Service MXBeans, unquoted. */
    List<String> getServiceIds();

    /** Live children of all services. */
    int getChildren();

    boolean isShuttingDown();

    /** Reaped pids the master has no record of (logged and ignored). */
    long getUnknownPidExits();

    /** Events naming a service the policy does not know. */
    long getUnknownServiceEvents();

    /** Spawns that returned an impossible or duplicate pid (handled as failed spawns). */
    long getUnexpectedSpawnReports();

    /** Configuration values the policy sanitized. */
    long getBadSpecValues();

    /** Services given twice (the later entry won). */
    long getDuplicateSpecs();

    /** Age of the snapshot these figures come from, milliseconds. */
    long getSnapshotAgeMillis();
}
