package io.procmaster.metrics;

import java.util.Map;
import javax.management.ObjectName;

/**
 * MasterMetrics - the metrics of one running master, as {@code Master.metrics()} hands them out:
 * its {@link MasterMXBean}, one {@link ServiceMXBean} per service, the names they have in the
 * platform MBeanServer, and a {@link Listener} for the set of services (the Micrometer binder
 * follows it) (docs/metrics.md).
 *
 * <p>Interface: read {@link #master()} and {@link #services()}; {@link #refresh()} brings the set
 * of services up to date now. The master creates the object when it starts and closes it when it
 * closes or has stopped; a user gets it from {@code Master.metrics()} and cannot make one (the
 * implementation is in a package module-info does not export).
 *
 * <p>Threading: any thread. The getters read the master's latest snapshot, refreshed on demand at
 * most once a second, with a bounded wait off the master's loop thread and none on it
 * (docs/metrics.md, "Threading"). Failure modes: none thrown; a master that does not answer leaves
 * the last figures in place; after the master closed, the last figures stay and no name is
 * registered.
 */
public interface MasterMetrics {

    /** Told when a service appears in or leaves the master's configuration. Called under the metrics' lock. */
    interface Listener {
        void serviceAdded(ServiceMXBean service);

        void serviceRemoved(ServiceMXBean service);
    }

    /** The master-wide figures. */
    MasterMXBean master();

    /** The services of the latest snapshot, by id, in master.cf order (a copy). */
    Map<String, ServiceMXBean> services();

    /** Adds a listener and tells it at once of every current service. */
    void addListener(Listener listener);

    void removeListener(Listener listener);

    /** Takes a snapshot now (bounded wait; none on the loop thread) and brings the registered services in line with it. */
    void refresh();

    /** The Master MXBean's name, or null when not registered (opted out, closed, or it failed). */
    ObjectName objectName();

    /** The name a service's MXBean has, or null when it has none. */
    ObjectName objectName(String serviceId);
}
