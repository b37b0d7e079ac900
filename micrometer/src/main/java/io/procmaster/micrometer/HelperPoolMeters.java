package io.procmaster.micrometer;

import static io.procmaster.micrometer.MasterMeters.counter;
import static io.procmaster.micrometer.MasterMeters.gauge;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.procmaster.metrics.HelperPoolMXBean;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * HelperPoolMeters - the meters of one helper pool ({@code procmaster.helper.pool.*}, tag
 * {@code pool}), each a function of the pool's {@link HelperPoolMXBean} (docs/metrics.md lists
 * them). Service times are time gauges (microseconds read, the registry's base unit shown), tag
 * {@code quantile} 0.5, 0.9, 0.99, from the pool's histogram.
 *
 * <p>Interface: {@link #bind}; {@link #of} selects them again for removal. Failure modes: none.
 * The binder holds the pool, and the pool its bean, strongly.
 */
final class HelperPoolMeters {
    private static final String P = "procmaster.helper.pool.";

    private HelperPoolMeters() {
    }

    static void bind(MeterRegistry r, HelperPoolMXBean p, Tags extraTags) {
        Tags t = extraTags.and("pool", p.getName());
        counter(r, P + "submitted", p, HelperPoolMXBean::getSubmitted, t, "requests accepted by submit");
        counter(r, P + "sent", p, HelperPoolMXBean::getSent, t, "request lines written to helpers (retries included)");
        counter(r, P + "replies", p, HelperPoolMXBean::getReplies, t, "reply lines matched to a request");
        counter(r, P + "completed.ok", p, HelperPoolMXBean::getCompletedOk, t, "requests completed with a reply");
        counter(r, P + "failed", p, HelperPoolMXBean::getFailed, t, "requests completed with an exception");
        counter(r, P + "timeouts", p, HelperPoolMXBean::getTimeouts, t, "requests that timed out");
        counter(r, P + "late.replies", p, HelperPoolMXBean::getLateReplies, t, "replies to timed-out requests");
        counter(r, P + "unknown.channel.replies", p, HelperPoolMXBean::getUnknownChannelReplies, t, "replies naming no channel");
        counter(r, P + "unsolicited.replies", p, HelperPoolMXBean::getUnsolicitedReplies, t, "replies nobody asked for");
        counter(r, P + "too.long.replies", p, HelperPoolMXBean::getTooLongReplies, t, "reply lines over the limit");
        counter(r, P + "retries", p, HelperPoolMXBean::getRetries, t, "BH retries");
        counter(r, P + "overload.rejected", p, HelperPoolMXBean::getOverloadRejected, t, "refused by overload");
        counter(r, P + "bypassed", p, HelperPoolMXBean::getBypassed, t, "bypassed under overload");
        counter(r, P + "breaker.rejected", p, HelperPoolMXBean::getBreakerRejected, t, "refused while the breaker was open");
        counter(r, P + "overload.warnings", p, HelperPoolMXBean::getOverloadWarnings, t, "queue-over-limit warnings (overload policy QUEUE)");
        counter(r, P + "helpers.started", p, HelperPoolMXBean::getStarted, t, "helper processes started");
        counter(r, P + "helpers.restarts", p, HelperPoolMXBean::getRestarts, t, "helper restarts");
        counter(r, P + "helpers.start.failures", p, HelperPoolMXBean::getStartFailures, t, "helper starts that failed");
        counter(r, P + "helpers.deaths", p, HelperPoolMXBean::getDeaths, t, "helpers that died");
        counter(r, P + "duplicate.completions", p, HelperPoolMXBean::getDuplicateCompletions, t, "must stay 0");
        gauge(r, P + "queue.length", p, HelperPoolMXBean::getQueueLength, t, "requests waiting for a helper");
        gauge(r, P + "queue.length.max", p, HelperPoolMXBean::getMaxQueueLength, t, "the longest the queue has been");
        gauge(r, P + "helpers.running", p, HelperPoolMXBean::getRunning, t, "helper processes alive");
        gauge(r, P + "helpers.active", p, HelperPoolMXBean::getActive, t, "READY helpers of the current generation");
        gauge(r, P + "helpers.busy", p, HelperPoolMXBean::getBusyHelpers, t, "helpers with work in flight or reserved");
        gauge(r, P + "helpers.idle", p, HelperPoolMXBean::getIdleHelpers, t, "READY helpers with nothing to do");
        gauge(r, P + "breaker.open", p, b -> b.isBreakerOpen() ? 1 : 0, t, "1 while the crash-loop breaker is open");
        gauge(r, P + "generation", p, HelperPoolMXBean::getGeneration, t, "the configuration generation");
        time(r, P + "service.time.mean", p, HelperPoolMXBean::getServiceTimeMeanMicros, t, "mean service time");
        time(r, P + "service.time", p, HelperPoolMXBean::getServiceTimeP50Micros, t.and("quantile", "0.5"), "service time percentile");
        time(r, P + "service.time", p, HelperPoolMXBean::getServiceTimeP90Micros, t.and("quantile", "0.9"), "service time percentile");
        time(r, P + "service.time", p, HelperPoolMXBean::getServiceTimeP99Micros, t.and("quantile", "0.99"), "service time percentile");
    }

    static Predicate<Meter.Id> of(Tags extraTags, String poolName) {
        return id -> id.getName().startsWith(P) && MasterMeters.hasAll(id, extraTags.and("pool", poolName));
    }

    private static void time(MeterRegistry r, String name, HelperPoolMXBean p, ToLongFunction<HelperPoolMXBean> micros,
                             Tags tags, String description) {
        TimeGauge.builder(name, p, TimeUnit.MICROSECONDS, b -> micros.applyAsLong(b)).tags(tags).description(description).register(r);
    }
}
