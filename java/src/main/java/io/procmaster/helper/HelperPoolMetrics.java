package io.procmaster.helper;

import io.procmaster.metrics.HelperPoolMXBean;
import io.procmaster.metrics.Jmx;
import io.procmaster.metrics.registry.PlatformMBeans;
import io.procmaster.metrics.registry.SnapshotCache;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.management.ObjectName;

/**
 * HelperPoolMetrics - the {@link HelperPoolMXBean} of one pool and its JMX registration
 * (docs/metrics.md): every getter reads the pool's latest {@link HelperPoolStats}, from a
 * {@link SnapshotCache} over {@link HelperPool#statsAsync()} (never the pool's state from another
 * thread: it belongs to the loop thread; the cache's class comment says why this model). On the
 * pool's loop thread (a callback of a future the pool completes) a getter takes
 * {@link HelperPool#stats()} there instead, without waiting for a command only that thread could
 * run. Busy and idle helpers are derived from the snapshot's helpers.
 *
 * <p>Interface: the pool creates it, {@link #register()}s it when it starts (on the loop thread,
 * where it also {@link #offer}s the first snapshot, so no reader waits for the first one) and
 * {@link #close()}s it when its shutdown completes or its loop closes. Any thread.
 *
 * <p>Failure modes: a failed registration is logged ({@link PlatformMBeans}); before any snapshot every figure
 * is 0; after close the last figures stay.
 */
final class HelperPoolMetrics implements HelperPoolMXBean {
    private final String name;
    private final SnapshotCache<HelperPoolStats> cache;
    private ObjectName objectName; // guarded by this
    private boolean closed; // guarded by this

    HelperPoolMetrics(HelperPool pool, BooleanSupplier onLoopThread) {
        this.name = pool.config().name();
        this.cache = new SnapshotCache<>(pool::statsAsync, onLoopThread, pool::stats);
    }

    /** Registers the MXBean when {@link Jmx#enabled()}; once. */
    synchronized void register() {
        if (!closed && objectName == null && Jmx.enabled()) {
            objectName = PlatformMBeans.register(this, "type=HelperPool,name=" + PlatformMBeans.value(name));
        }
    }

    /** A snapshot the loop thread took itself. */
    void offer(HelperPoolStats stats) {
        cache.offer(stats);
    }

    /** The registered name, or null (not registered, opted out, closed). */
    synchronized ObjectName objectName() {
        return objectName;
    }

    /** Unregisters and stops asking for snapshots. Idempotent. */
    synchronized void close() {
        closed = true;
        cache.close();
        PlatformMBeans.unregister(objectName);
        objectName = null;
    }

    private static final HelperPoolStats EMPTY = new HelperPoolStats("", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, List.of(), List.of(), 0);

    private HelperPoolStats s() {
        SnapshotCache.Taken<HelperPoolStats> t = cache.get();
        return t == null ? EMPTY : t.value();
    }

    /** Busy: holds a request in flight or a reservation (any state but EXITED). */
    static boolean busy(HelperStats h) {
        return h.state() != HelperState.EXITED && (h.pending() > 0 || h.reserved());
    }

    /** Idle: READY, of the pool's current generation, nothing in flight and no reservation. */
    static boolean idle(HelperStats h, int generation) {
        return h.state() == HelperState.READY && h.generation() == generation && h.pending() == 0 && !h.reserved();
    }

    @Override public String getName() { return name; }
    @Override public int getGeneration() { return s().generation(); }
    @Override public long getSubmitted() { return s().submitted(); }
    @Override public long getSent() { return s().sent(); }
    @Override public long getReplies() { return s().replies(); }
    @Override public long getCompletedOk() { return s().completedOk(); }
    @Override public long getFailed() { return s().failed(); }
    @Override public long getTimeouts() { return s().timeouts(); }
    @Override public long getLateReplies() { return s().lateReplies(); }
    @Override public long getUnknownChannelReplies() { return s().unknownChannelReplies(); }
    @Override public long getUnsolicitedReplies() { return s().unsolicitedReplies(); }
    @Override public long getTooLongReplies() { return s().tooLongReplies(); }
    @Override public long getRetries() { return s().retries(); }
    @Override public long getOverloadRejected() { return s().overloadRejected(); }
    @Override public long getBypassed() { return s().bypassed(); }
    @Override public long getBreakerRejected() { return s().breakerRejected(); }
    @Override public long getOverloadWarnings() { return s().overloadWarnings(); }
    @Override public long getStarted() { return s().started(); }
    @Override public long getRestarts() { return s().restarts(); }
    @Override public long getStartFailures() { return s().startFailures(); }
    @Override public long getDeaths() { return s().deaths(); }
    @Override public int getQueueLength() { return s().queueLength(); }
    @Override public int getMaxQueueLength() { return s().maxQueueLength(); }
    @Override public int getRunning() { return s().running(); }
    @Override public int getActive() { return s().active(); }
    @Override public int getBusyHelpers() { return (int) s().helpers().stream().filter(HelperPoolMetrics::busy).count(); }

    @Override
    public int getIdleHelpers() {
        HelperPoolStats s = s();
        return (int) s.helpers().stream().filter(h -> idle(h, s.generation())).count();
    }

    @Override public boolean isBreakerOpen() { return s().breakerOpen(); }
    @Override public long getServiceTimeMeanMicros() { return s().serviceTimeMeanMicros(); }
    @Override public long getServiceTimeP50Micros() { return s().serviceTimeP50Micros(); }
    @Override public long getServiceTimeP90Micros() { return s().serviceTimeP90Micros(); }
    @Override public long getServiceTimeP99Micros() { return s().serviceTimeP99Micros(); }
    @Override public long getDuplicateCompletions() { return s().duplicateCompletions(); }

    @Override
    public long getSnapshotAgeMillis() {
        SnapshotCache.Taken<HelperPoolStats> t = cache.get();
        return t == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t.nanos());
    }
}
