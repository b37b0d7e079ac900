package io.procmaster.policy;

import io.procmaster.status.ServiceStatus;
import io.procmaster.time.ExponentialBackoff;
import io.procmaster.time.TimerQueue;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ServiceState - the master's mutable state for one service (docs/postfix-master.md §2.1).
 *
 * <p>Runtime state, not a model of the service: what the service is comes from the one model
 * ({@code config.ServiceSpec}) through its derived view {@link ServicePolicySpec}, replaced at each
 * reload; this holds only what the master has seen and decided since.
 *
 * <p>Holds: the current spec; the service's children by pid (a child is recorded when the
 * synchronous spawn returns, and is AVAIL from birth, as Postfix counts it from fork);
 * the LISTEN decision last sent to the loop; THROTTLE with its timer, deadline and back-off level;
 * CONDWAKE and the wakeup timer; the stress and busy-warning timestamps (monotonic nanos, with an
 * explicit "ever set" flag instead of Postfix's 0); the status-channel epoch (bumped by every
 * restart); the draining flag and kill timer of an asynchronous removal (docs/postfix-master.md §10 W3); counters; and the
 * spawn-rate window (docs/postfix-master.md §10 W11).
 *
 * <p>{@link #total()} and {@link #avail()} are total_proc and avail_proc of docs/postfix-master.md §2.1.
 *
 * <p>Owned and mutated only by {@link MasterPolicy} and its modules on the loop thread; the outside world sees
 * {@link ServiceStatus} snapshots. Failure modes: none of its own; {@link MasterPolicy} keeps the
 * counts consistent (availCount never below 0 is checked there).
 */
final class ServiceState {

    ServicePolicySpec spec;
    final Map<Integer, ChildRecord> children = new LinkedHashMap<>();
    int availChildren;

    boolean listening;

    boolean throttled;
    long throttledUntil;
    TimerQueue.Timer throttleTimer;
    /** Consecutive throttles, the back-off's memory: the delay doubles per level, at most 2^20 times. */
    final ExponentialBackoff throttleBackoff = new ExponentialBackoff(SpawnAndThrottle.MAX_BACKOFF_SHIFT);
    boolean everUnthrottled;
    long lastUnthrottleAt;

    boolean condWake;
    TimerQueue.Timer wakeupTimer;

    boolean stressSet;
    long stressExpire;
    boolean busyWarned;
    long busyWarnAt;

    long epoch;

    boolean draining;
    TimerQueue.Timer drainTimer;

    final ServiceCounters counters = new ServiceCounters();
    final SpawnRateLimiter limiter;

    ServiceState(ServicePolicySpec spec, PolicySettings settings) {
        this.spec = spec;
        this.condWake = spec.conditionalWakeup() && spec.hasWakeup();
        this.limiter = new SpawnRateLimiter(settings.spawnRateLimit(), settings.spawnRateWindow());
    }

    String id() {
        return spec.id();
    }

    /** total_proc: recorded children of every epoch. */
    int total() {
        return children.size();
    }

    /** avail_proc: children last seen AVAIL (a child is AVAIL from birth). */
    int avail() {
        return availChildren;
    }

    /** Under the limit: unlimited, or total below max. */
    boolean underLimit() {
        return spec.maxProc() == 0 || total() < spec.maxProc();
    }

    /**
     * Whether the exit of {@code r} was a wasted start for the spawn-rate window (docs/postfix-master.md §10 W11): it ended
     * normally on its own, never took a connection, and was not sent away (no signal from the
     * master, not retired by a reload that restarted the status channel, not drained). Only
     * these count: a reload storm or a busy service replacing children must never be held back.
     */
    boolean wastedStart(ChildRecord r, ChildExit how) {
        return how.isNormal() && !r.served() && r.signalSent() == null
                && r.epoch() == epoch && !draining;
    }

    boolean inStress(long now) {
        return stressSet && now - stressExpire < 0;
    }

    static void cancel(TimerQueue.Timer h) {
        if (h != null) {
            h.cancel();
        }
    }

    /** The log prefix Postfix uses: {@code service <ext>(<canonical>)}. */
    String label() {
        return "service " + spec.name() + "(" + spec.id() + ")";
    }

    Duration remaining(long until, long now) {
        return Duration.ofNanos(Math.max(0L, until - now));
    }
}
