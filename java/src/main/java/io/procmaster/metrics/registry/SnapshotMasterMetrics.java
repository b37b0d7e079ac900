package io.procmaster.metrics.registry;

import io.procmaster.metrics.MasterMXBean;
import io.procmaster.metrics.MasterMetrics;
import io.procmaster.metrics.ServiceMXBean;
import io.procmaster.status.MasterStatus;
import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * SnapshotMasterMetrics - the {@link MasterMetrics} of one running master: its {@link MasterMXBean}
 * and one {@link ServiceMXBean} per service, all read from one {@link SnapshotCache} of the
 * master's {@link MasterStatus}, and their JMX registration (docs/metrics.md).
 *
 * <p>Interface: {@code io.procmaster.Master} calls {@link #start} when it has started and
 * {@link #close} when it closes or has stopped, and hands the object out as {@link MasterMetrics}
 * (this package is not exported, so a user can call neither). The set of services follows the
 * master's configuration: each new snapshot is compared with the last one, and a service that
 * appeared is registered (and announced), one that went is unregistered; {@code Master.reload} calls
 * {@link #refresh} so that happens at once.
 *
 * <p>Threading: getters run on the callers' threads (a JMX client's, a scrape's, or the loop's own,
 * in a callback of a future it completes) and only read snapshots (the class comment of
 * {@link SnapshotCache} says why; on the loop thread the snapshot is taken there, without waiting).
 * The reconciliation of the service set runs on the thread that saw the new snapshot, the loop
 * thread included, under this object's lock; nothing waits for the loop while holding the lock (the
 * loop thread takes it to close the metrics once the master has stopped). Listeners are called
 * under that lock.
 *
 * <p>Failure modes: a registration that fails is logged ({@link PlatformMBeans}) and the figures
 * stay readable here; after {@link #close} nothing is registered and the last figures stay.
 */
public final class SnapshotMasterMetrics implements MasterMetrics, AutoCloseable {

    private final String masterKey;
    /** The master's uptime: the one clock of {@code Master.uptime()} and of the Master MXBean. */
    private final Supplier<Duration> uptime;
    private final long startMillis;
    private final SnapshotCache<MasterStatus> cache;
    private final MasterView masterView = new MasterView();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, ServiceView> services = new LinkedHashMap<>(); // guarded by this
    private volatile Map<String, ServiceMXBean> published = Map.of();
    private volatile SnapshotCache.Taken<MasterStatus> reconciled;
    private final boolean registerJmx;
    private ObjectName masterName; // guarded by this
    private boolean closed; // guarded by this

    private SnapshotMasterMetrics(String masterKey, SnapshotCache<MasterStatus> cache, Supplier<Duration> uptime,
                                  boolean registerJmx) {
        this.masterKey = Objects.requireNonNull(masterKey, "masterKey");
        this.cache = cache;
        this.uptime = Objects.requireNonNull(uptime, "uptime");
        this.startMillis = System.currentTimeMillis() - uptime.get().toMillis();
        this.registerJmx = registerJmx;
    }

    /**
     * Metrics of a master that has started. Takes the first snapshot (a bounded wait) and, when
     * {@code registerJmx}, registers the MXBeans. Called by {@code Master}; any thread but the
     * master's loop thread.
     *
     * @param masterKey     the master's name (its queue directory)
     * @param source        asks the loop for a snapshot ({@code MasterLoop::masterStatus})
     * @param onLoopThread  whether the calling thread is the master's loop thread
     * @param takeOnLoop    the master's snapshot, taken on its loop thread (called there only)
     * @param uptime        how long the master has been running ({@code Master::uptime})
     * @param registerJmx   whether to register the MXBeans in the platform MBeanServer
     * @return the metrics
     */
    public static SnapshotMasterMetrics start(String masterKey, Supplier<CompletableFuture<MasterStatus>> source,
                                              BooleanSupplier onLoopThread, Supplier<MasterStatus> takeOnLoop,
                                              Supplier<Duration> uptime, boolean registerJmx) {
        SnapshotMasterMetrics m = new SnapshotMasterMetrics(masterKey,
                new SnapshotCache<>(source, onLoopThread, takeOnLoop), uptime, registerJmx);
        synchronized (m) {
            if (registerJmx) {
                m.masterName = PlatformMBeans.register(m.masterView, "type=Master,master=" + PlatformMBeans.value(masterKey));
            }
        }
        m.refresh();
        return m;
    }

    @Override
    public MasterMXBean master() {
        return masterView;
    }

    @Override
    public Map<String, ServiceMXBean> services() {
        current();
        return published;
    }

    @Override
    public void addListener(Listener listener) {
        current(); // outside the lock: it may wait for the loop, and the loop may want the lock (close)
        synchronized (this) {
            listeners.add(listener);
            services.values().forEach(listener::serviceAdded);
        }
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public void refresh() {
        SnapshotCache.Taken<MasterStatus> t = cache.takeNow();
        if (t != null) {
            reconcile(t);
        }
    }

    @Override
    public synchronized ObjectName objectName() {
        return masterName;
    }

    @Override
    public synchronized ObjectName objectName(String serviceId) {
        ServiceView v = services.get(serviceId);
        return v == null ? null : v.name;
    }

    /** Unregisters every MXBean and stops asking the loop for snapshots. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cache.close();
        for (ServiceView v : services.values()) {
            PlatformMBeans.unregister(v.name);
            v.name = null;
        }
        PlatformMBeans.unregister(masterName);
        masterName = null;
    }

    // ---- the snapshot and the service set

    SnapshotCache.Taken<MasterStatus> current() {
        SnapshotCache.Taken<MasterStatus> t = cache.get();
        if (t != null && t != reconciled) {
            reconcile(t);
        }
        return t;
    }

    private synchronized void reconcile(SnapshotCache.Taken<MasterStatus> t) {
        SnapshotCache.Taken<MasterStatus> last = reconciled;
        if (t == last || (last != null && last.nanos() > t.nanos())) {
            return;
        }
        Map<String, ServiceStatus> now = new LinkedHashMap<>();
        for (ServiceStatus s : t.value().services()) {
            now.put(s.id(), s);
        }
        List<ServiceView> gone = new ArrayList<>();
        for (ServiceView v : services.values()) {
            if (!now.containsKey(v.id)) {
                gone.add(v);
            }
        }
        for (ServiceView v : gone) {
            services.remove(v.id);
            v.present = false;
            PlatformMBeans.unregister(v.name);
            v.name = null;
            listeners.forEach(l -> l.serviceRemoved(v));
        }
        Map<String, ServiceView> ordered = new LinkedHashMap<>();
        List<ServiceView> added = new ArrayList<>();
        for (ServiceStatus s : now.values()) {
            ServiceView v = services.get(s.id());
            if (v == null) {
                v = new ServiceView(this, s.id());
                added.add(v);
            }
            v.update(s, t);
            ordered.put(s.id(), v);
        }
        services.clear();
        services.putAll(ordered);
        reconciled = t;
        published = Collections.unmodifiableMap(new LinkedHashMap<>(ordered));
        for (ServiceView v : added) {
            if (registerJmx && !closed && masterName != null) {
                v.name = PlatformMBeans.register(v, serviceProperties(v.id));
            }
            listeners.forEach(l -> l.serviceAdded(v));
        }
    }

    /** The service's name properties: the master's keys (instance included), then the service. */
    private String serviceProperties(String serviceId) {
        String instance = masterName.getKeyProperty("instance");
        return "type=Service,master=" + PlatformMBeans.value(masterKey) + (instance == null ? "" : ",instance=" + instance)
                + ",service=" + PlatformMBeans.value(serviceId);
    }

    static long ageMillis(SnapshotCache.Taken<?> t) {
        return t == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t.nanos());
    }

    /** The Master MXBean: every getter reads the current snapshot. */
    private final class MasterView implements MasterMXBean {
        private MasterStatus s() {
            SnapshotCache.Taken<MasterStatus> t = current();
            return t == null ? new MasterStatus(0, 0, false, 0, 0, 0, 0, 0, List.of()) : t.value();
        }

        @Override public String getMasterKey() { return masterKey; }
        @Override public long getStartTimeMillis() { return startMillis; }
        @Override public long getUptimeMillis() { return uptime.get().toMillis(); }
        @Override public long getLastGeneration() { return s().lastGeneration(); }
        @Override public int getServiceCount() { return s().services().size(); }
        @Override public List<String> getServiceIds() { return s().services().stream().map(ServiceStatus::id).toList(); }
        @Override public int getChildren() { return s().children(); }
        @Override public boolean isShuttingDown() { return s().shuttingDown(); }
        @Override public long getUnknownPidExits() { return s().unknownPidExits(); }
        @Override public long getUnknownServiceEvents() { return s().unknownServiceEvents(); }
        @Override public long getUnexpectedSpawnReports() { return s().unexpectedSpawnReports(); }
        @Override public long getBadSpecValues() { return s().badSpecValues(); }
        @Override public long getDuplicateSpecs() { return s().duplicateSpecs(); }
        @Override public long getSnapshotAgeMillis() { return ageMillis(current()); }
    }
}
