package io.procmaster.metrics;

import io.procmaster.status.MasterStatus;
import io.procmaster.status.ServiceStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * MasterMetrics - the metrics of one running master: its {@link MasterMXBean} and one
 * {@link ServiceMXBean} per service, all read from one {@link SnapshotCache} of the master's
 * {@link MasterStatus}, and their JMX registration (docs/metrics.md).
 *
 * <p>Interface: {@code io.procmaster.Master} calls {@link #start} when it has started and
 * {@link #close} when it closes or has stopped; a user gets the object from {@code Master.metrics()}
 * and reads {@link #master()} and {@link #services()}, or follows the set of services with a
 * {@link Listener} (the Micrometer binder does). The set follows the master's configuration: each
 * new snapshot is compared with the last one, and a service that appeared is registered (and
 * announced), one that went is unregistered; {@code Master.reload} calls {@link #refresh} so that
 * happens at once.
 *
 * <p>Threading: getters run on the callers' threads (a JMX client's, a scrape's) and only read
 * snapshots (the class comment of {@link SnapshotCache} says why); the reconciliation of the
 * service set runs on the thread that saw the new snapshot, under this object's lock, never on the
 * loop thread; nothing waits for the loop while holding the lock (the loop thread takes it to
 * close the metrics once the master has stopped). Listeners are called under that lock.
 *
 * <p>Failure modes: a registration that fails is logged ({@link Jmx}) and the figures stay readable
 * here; after {@link #close} nothing is registered and the last figures stay.
 */
public final class MasterMetrics implements AutoCloseable {

    /** Told when a service appears in or leaves the master's configuration. Called under the metrics' lock. */
    public interface Listener {
        void serviceAdded(ServiceMXBean service);

        void serviceRemoved(ServiceMXBean service);
    }

    private final String masterKey;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final SnapshotCache<MasterStatus> cache;
    private final MasterView masterView = new MasterView();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, ServiceView> services = new LinkedHashMap<>(); // guarded by this
    private volatile Map<String, ServiceMXBean> published = Map.of();
    private volatile SnapshotCache.Taken<MasterStatus> reconciled;
    private final boolean registerJmx;
    private ObjectName masterName; // guarded by this
    private boolean closed; // guarded by this

    private MasterMetrics(String masterKey, SnapshotCache<MasterStatus> cache, boolean registerJmx) {
        this.masterKey = Objects.requireNonNull(masterKey, "masterKey");
        this.cache = cache;
        this.registerJmx = registerJmx;
    }

    /**
     * Metrics of a master that has started: {@code source} asks its loop for a snapshot (in
     * production {@code MasterLoop::masterStatus}). Takes the first snapshot (a bounded wait) and,
     * when {@code registerJmx}, registers the MXBeans. Called by {@code Master}; any thread but the
     * master's loop thread.
     */
    public static MasterMetrics start(String masterKey, Supplier<CompletableFuture<MasterStatus>> source, boolean registerJmx) {
        MasterMetrics m = new MasterMetrics(masterKey, new SnapshotCache<>(source), registerJmx);
        synchronized (m) {
            if (registerJmx) {
                m.masterName = Jmx.register(m.masterView, "type=Master,master=" + Jmx.value(masterKey));
            }
        }
        m.refresh();
        return m;
    }

    /** The master-wide figures. */
    public MasterMXBean master() {
        return masterView;
    }

    /** The services of the latest snapshot, by id, in master.cf order (a copy). */
    public Map<String, ServiceMXBean> services() {
        current();
        return published;
    }

    /** Adds a listener and tells it at once of every current service. */
    public void addListener(Listener listener) {
        current(); // outside the lock: it may wait for the loop, and the loop may want the lock (close)
        synchronized (this) {
            listeners.add(listener);
            services.values().forEach(listener::serviceAdded);
        }
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Takes a snapshot now (bounded wait) and brings the registered services in line with it. */
    public void refresh() {
        try {
            cache.refresh().get(SnapshotCache.DEFAULT_MAX_WAIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the last snapshot stays
        }
        SnapshotCache.Taken<MasterStatus> t = cache.latest();
        if (t != null) {
            reconcile(t);
        }
    }

    /** The Master MXBean's name, or null when not registered (opted out, closed, or it failed). */
    public synchronized ObjectName objectName() {
        return masterName;
    }

    /** The name a service's MXBean has, or null when it has none. */
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
            Jmx.unregister(v.name);
            v.name = null;
        }
        Jmx.unregister(masterName);
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
            Jmx.unregister(v.name);
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
                v.name = Jmx.register(v, serviceProperties(v.id));
            }
            listeners.forEach(l -> l.serviceAdded(v));
        }
    }

    /** The service's name properties: the master's keys (instance included), then the service. */
    private String serviceProperties(String serviceId) {
        String instance = masterName.getKeyProperty("instance");
        return "type=Service,master=" + Jmx.value(masterKey) + (instance == null ? "" : ",instance=" + instance)
                + ",service=" + Jmx.value(serviceId);
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
        @Override public long getUptimeMillis() { return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos); }
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
