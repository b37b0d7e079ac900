package io.procmaster.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.procmaster.metrics.MasterMXBean;
import io.procmaster.metrics.ServiceMXBean;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * MasterMeters - the meters of a master ({@code procmaster.master.*}, tag {@code master}) and of
 * each of its services ({@code procmaster.service.*}, tags {@code master} and {@code service}), each
 * a function of the {@link MasterMXBean} or {@link ServiceMXBean} it reads (docs/metrics.md lists
 * them with the attribute behind each).
 *
 * <p>Interface: {@link #bindMaster}, {@link #bindService}; {@link #ofMaster}/{@link #ofService}
 * select them again for removal. Failure modes: none. The meters hold the beans weakly (Micrometer's
 * rule): the master's metrics hold them strongly while the service is in the configuration.
 */
final class MasterMeters {
    private MasterMeters() {
    }

    static void bindMaster(MeterRegistry r, MasterMXBean m, Tags tags) {
        TimeGauge.builder("procmaster.master.uptime", m, TimeUnit.MILLISECONDS, MasterMXBean::getUptimeMillis)
                .tags(tags).description("time since the master started").strongReference(true).register(r);
        gauge(r, "procmaster.master.generation", m, MasterMXBean::getLastGeneration, tags,
                "the last GENERATION handed to a spawn attempt");
        gauge(r, "procmaster.master.services", m, MasterMXBean::getServiceCount, tags, "services in the configuration");
        gauge(r, "procmaster.master.children", m, MasterMXBean::getChildren, tags, "live children of all services");
        gauge(r, "procmaster.master.shutting.down", m, b -> b.isShuttingDown() ? 1 : 0, tags, "1 once a stop has begun");
        counter(r, "procmaster.master.unknown.pid.exits", m, MasterMXBean::getUnknownPidExits, tags, "reaped pids with no record");
        counter(r, "procmaster.master.unknown.service.events", m, MasterMXBean::getUnknownServiceEvents, tags,
                "events naming an unknown service");
        counter(r, "procmaster.master.unexpected.spawn.reports", m, MasterMXBean::getUnexpectedSpawnReports, tags,
                "spawns that returned an impossible pid");
    }

    static void bindService(MeterRegistry r, ServiceMXBean s, Tags masterTags) {
        Tags t = masterTags.and("service", s.getId());
        gauge(r, "procmaster.service.processes", s, ServiceMXBean::getProcessesTotal, t, "child processes, every generation");
        gauge(r, "procmaster.service.processes.available", s, ServiceMXBean::getProcessesAvailable, t,
                "processes idle and ready for a connection");
        gauge(r, "procmaster.service.processes.limit", s, ServiceMXBean::getProcessLimit, t, "maxproc (0: no limit)");
        gauge(r, "procmaster.service.processes.old.generation", s, ServiceMXBean::getOldGenerationProcesses, t,
                "children of an earlier status-channel epoch");
        gauge(r, "procmaster.service.listening", s, b -> b.isListening() ? 1 : 0, t, "1 while the listeners are watched");
        gauge(r, "procmaster.service.throttled", s, b -> b.isThrottled() ? 1 : 0, t, "1 while spawning is suspended");
        gauge(r, "procmaster.service.throttle.level", s, ServiceMXBean::getThrottleLevel, t, "consecutive throttles");
        TimeGauge.builder("procmaster.service.throttle.remaining", s, TimeUnit.MILLISECONDS,
                        b -> Math.max(0, b.getThrottleRemainingMillis()))
                .tags(t).description("time left before the throttle ends (0 when not throttled)").register(r);
        gauge(r, "procmaster.service.stress", s, b -> b.isStress() ? 1 : 0, t, "1 in stress mode");
        gauge(r, "procmaster.service.draining", s, b -> b.isDraining() ? 1 : 0, t, "1 while removed and draining");
        counter(r, "procmaster.service.spawns", s, ServiceMXBean::getSpawns, t, "children spawned");
        counter(r, "procmaster.service.spawn.failures", s, ServiceMXBean::getSpawnFailures, t, "spawns that failed");
        counter(r, "procmaster.service.exits", s, ServiceMXBean::getExits, t, "children that exited, any cause");
        counter(r, "procmaster.service.exits.abnormal", s, ServiceMXBean::getAbnormalExits, t,
                "exits with a non-zero status or by a signal");
        counter(r, "procmaster.service.bad.startups", s, ServiceMXBean::getBadStartups, t, "children that died before serving");
        counter(r, "procmaster.service.kills.after.drain", s, ServiceMXBean::getKillsAfterDrain, t,
                "children killed after service_drain_time");
        counter(r, "procmaster.service.throttles", s, ServiceMXBean::getThrottles, t, "throttles");
        counter(r, "procmaster.service.throttles.rate.limit", s, ServiceMXBean::getRateLimitThrottles, t,
                "throttles by the spawn-rate window");
        counter(r, "procmaster.service.records.forged", s, ServiceMXBean::getForgedRecords, t,
                "status records from a process not of this service");
        counter(r, "procmaster.service.records.malformed", s, ServiceMXBean::getMalformedRecords, t,
                "status records of the wrong size or shape");
        counter(r, "procmaster.service.records.unknown.pid", s, ServiceMXBean::getUnknownPidRecords, t,
                "status records naming no known child");
        counter(r, "procmaster.service.records.generation.mismatch", s, ServiceMXBean::getGenerationMismatches, t,
                "status records of a stale generation");
        counter(r, "procmaster.service.wakeups", s, ServiceMXBean::getWakeupsSent, t, "wakeups sent");
        counter(r, "procmaster.service.wakeups.failed", s, ServiceMXBean::getWakeupFailures, t, "wakeups that failed");
        counter(r, "procmaster.service.busy.warnings", s, ServiceMXBean::getBusyWarnings, t, "all-processes-busy warnings");
        counter(r, "procmaster.service.stress.starts", s, ServiceMXBean::getStressStarts, t, "times stress mode began");
    }

    /** The master's own meters and those of all its services. */
    static Predicate<Meter.Id> ofMaster(Tags masterTags) {
        return id -> id.getName().startsWith("procmaster.") && hasAll(id, masterTags);
    }

    static Predicate<Meter.Id> ofService(Tags masterTags, String serviceId) {
        return id -> id.getName().startsWith("procmaster.service.") && hasAll(id, masterTags.and("service", serviceId));
    }

    static boolean hasAll(Meter.Id id, Tags tags) {
        for (Tag tag : tags) {
            if (!tag.getValue().equals(id.getTag(tag.getKey()))) {
                return false;
            }
        }
        return true;
    }

    static <T> void gauge(MeterRegistry r, String name, T bean, ToDoubleFunction<T> f, Tags tags, String description) {
        Gauge.builder(name, bean, f).tags(tags).description(description).register(r);
    }

    static <T> void counter(MeterRegistry r, String name, T bean, ToDoubleFunction<T> f, Tags tags, String description) {
        FunctionCounter.builder(name, bean, f).tags(tags).description(description).register(r);
    }
}
