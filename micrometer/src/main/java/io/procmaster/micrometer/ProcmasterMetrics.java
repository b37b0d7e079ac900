package io.procmaster.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.procmaster.Master;
import io.procmaster.helper.HelperPool;
import io.procmaster.metrics.MasterMetrics;
import io.procmaster.metrics.ServiceMXBean;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * ProcmasterMetrics - a Micrometer {@link MeterBinder} for a {@link Master}'s services and for
 * helper pools: gauges and function counters tagged {@code master} and {@code service}, or
 * {@code pool} (docs/metrics.md, "Micrometer" lists every meter).
 *
 * <p>One model of the figures: every meter reads the same objects the JMX MXBeans are
 * ({@link Master#metrics()}, {@link HelperPool#metrics()}), which serve the loop's latest snapshot
 * (never the loop's state; at most about a second old, a bounded wait when older). Binding does not
 * need JMX: it works with {@code -Dprocmaster.jmx=false} too.
 *
 * <p>Interface: {@code new ProcmasterMetrics(master, pools, extraTags)} or {@link #of};
 * {@link #bindTo} for each registry; the services follow the master's configuration (a service a
 * reload adds gets its meters, one it removes loses them, in every bound registry); {@link #close}
 * removes every meter this binder added. Thread-safe. Register pools with distinct names, or tell
 * them apart with {@code extraTags} per binder: meters of one name and tags are one meter.
 *
 * <p>Failure modes: none of its own; a master that has closed keeps reporting its last figures.
 */
public final class ProcmasterMetrics implements MeterBinder, AutoCloseable {
    private final Master master;
    private final List<HelperPool> pools;
    private final Tags extraTags;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final MasterMetrics.Listener serviceListener = new MasterMetrics.Listener() {
        @Override
        public void serviceAdded(ServiceMXBean service) {
            for (MeterRegistry r : registries) {
                MasterMeters.bindService(r, service, masterTags());
            }
        }

        @Override
        public void serviceRemoved(ServiceMXBean service) {
            for (MeterRegistry r : registries) {
                remove(r, MasterMeters.ofService(masterTags(), service.getId()));
            }
        }
    };

    /**
     * @param master    the master whose services to bind, or null for pools only
     * @param pools     helper pools to bind (tag {@code pool}: the pool's name)
     * @param extraTags added to every meter
     */
    public ProcmasterMetrics(Master master, List<HelperPool> pools, Iterable<Tag> extraTags) {
        this.master = master;
        this.pools = List.copyOf(pools);
        this.extraTags = Tags.of(Objects.requireNonNull(extraTags, "extraTags"));
        if (master != null) {
            master.metrics().addListener(serviceListener);
        }
    }

    /** A binder for {@code master} and {@code pools}, without extra tags. */
    public static ProcmasterMetrics of(Master master, HelperPool... pools) {
        return new ProcmasterMetrics(master, List.of(pools), Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // First in the list, then the current services: one added in between is bound by the
        // listener or by the loop below (registering a meter twice returns the first one).
        registries.add(registry);
        if (master != null) {
            MasterMeters.bindMaster(registry, master.metrics().master(), masterTags());
            for (ServiceMXBean s : master.metrics().services().values()) {
                MasterMeters.bindService(registry, s, masterTags());
            }
        }
        for (HelperPool pool : pools) {
            HelperPoolMeters.bind(registry, pool.metrics(), extraTags);
        }
    }

    /** Removes every meter this binder added from every registry it was bound to; stops following the services. */
    @Override
    public void close() {
        if (master != null) {
            master.metrics().removeListener(serviceListener);
        }
        for (MeterRegistry r : registries) {
            if (master != null) {
                remove(r, MasterMeters.ofMaster(masterTags()));
            }
            for (HelperPool pool : pools) {
                remove(r, HelperPoolMeters.of(extraTags, pool.metrics().getName()));
            }
        }
        registries.clear();
    }

    private Tags masterTags() {
        return extraTags.and("master", master.metrics().master().getMasterKey());
    }

    private static void remove(MeterRegistry registry, Predicate<Meter.Id> which) {
        for (Meter m : registry.getMeters()) {
            if (which.test(m.getId())) {
                registry.remove(m);
            }
        }
    }
}
