package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.PersistentOverloadAction;
import io.procmaster.helper.wire.HelperReplyParser;
import io.procmaster.time.Durations;

/**
 * Squid's overload rule under {@code OverloadPolicy.QUEUE} (Squid 5.7 helper.cc: syncQueueStats,
 * prepSubmit, Enqueue; docs/helpers.md "Overload"): the queue may grow beyond {@code queueLimit};
 * the pool warns (at most once per {@link #WARN_INTERVAL_NANOS}, as Squid's Enqueue warns once per
 * 10 minutes) while the queue is at its limit and {@code children} helpers run (with room for more,
 * Squid starts them and does not warn); the moment the queue first exceeds its limit is
 * remembered, and only a submission that finds the queue over its limit for longer than
 * {@code persistentOverloadAfter} gets the persistent-overload action: {@code ERR} answers it at once
 * as an ERR reply (Squid's SubmissionFailure "pretends the helper has responded with ERR"), counted
 * in {@code overloadRejected}; {@code DIE} (Squid's fatalf, then its supervisor's restart) fails what
 * the pool holds and restarts its helpers, see {@link #die}.
 *
 * <p>Interface: {@link #beforeSubmit} and {@link #afterQueued}, loop thread, from {@link Submission}.
 * Failure modes: none thrown; the outcomes are the request's.
 */
final class PersistentOverload {
    /** Squid's Enqueue warns at most once per 600 s. */
    static final long WARN_INTERVAL_NANOS = 600_000_000_000L;

    /**
     * The least time between two DIE restarts: each one kills and starts every helper, and a
     * threshold set far below Squid's fixed 180 s must not turn sustained overload into a fork storm
     * (docs/helpers.md "Overload"). Within it, the overload keeps queueing, bounded by the admission.
     */
    static final long MIN_DIE_INTERVAL_NANOS = 1_000_000_000L;

    /** The ERR verdict's answer: a reply is immutable, so every dropped request shares the one. */
    private static final HelperReply ERR = HelperReplyParser.parse("ERR");

    /** What {@link #beforeSubmit} decides. */
    enum Verdict { ACCEPT, ERR, DIE }

    private final HelperPoolEngine pool;
    private boolean overloaded;
    private long overloadStartNanos;
    private boolean warned;
    private long lastWarnNanos;
    private long dropped; // answered ERR in the current overload episode
    private boolean restarted;
    private long lastRestartNanos;

    PersistentOverload(HelperPoolEngine pool) {
        this.pool = pool;
    }

    /** Squid's syncQueueStats: starts or ends an overload episode by the queue's current length. */
    private void sync() {
        boolean over = pool.queue.size() > pool.config.queueLimit();
        if (over == overloaded) return;
        overloaded = over;
        long now = pool.clock.nanoTime();
        if (over) {
            overloadStartNanos = now;
            log.debug("helper pool '{}' became overloaded", pool.config.name());
            return;
        }
        if (dropped > 0)
            log.warn("helper pool '{}' is no longer overloaded after answering {} requests ERR in {}", pool.config.name(),
                    dropped, Durations.format(java.time.Duration.ofNanos(now - overloadStartNanos)));
        dropped = 0;
    }

    /** Squid's prepSubmit, before a plain request is queued: may it be, or does the action apply. */
    Verdict beforeSubmit() {
        sync();
        if (!overloaded) return Verdict.ACCEPT;
        HelperPoolConfig c = pool.config;
        long now = pool.clock.nanoTime();
        if (now - overloadStartNanos <= c.persistentOverloadAfter().toNanos()) return Verdict.ACCEPT;
        if (c.onPersistentOverload() == PersistentOverloadAction.DIE)
            return restarted && now - lastRestartNanos < MIN_DIE_INTERVAL_NANOS ? Verdict.ACCEPT : Verdict.DIE;
        if (dropped++ == 0)
            log.warn("helper pool '{}': more than {} requests queued for longer than {}: answering new requests ERR "
                    + "(on-persistent-overload=ERR)", c.name(), c.queueLimit(), Durations.format(c.persistentOverloadAfter()));
        pool.stats.overloadRejected++;
        return Verdict.ERR;
    }

    /** Completes {@code r} as the ERR verdict says: an ERR reply, or for a reservation an {@link HelperException.Overload}. */
    void answerErr(PendingRequest r) {
        if (r.isReserveOnly()) {
            pool.finish(r, new HelperException.Overload("helper pool '" + pool.config.name() + "' persistently overloaded: "
                    + "no reservation (on-persistent-overload=ERR)"), false);
        } else {
            pool.finish(r, ERR, true);
        }
    }

    /** Squid's Enqueue warning and the episode's start, once {@code r} was queued (or dispatched). */
    void afterQueued(PendingRequest r) {
        sync();
        if (r.helper != null || r.done || pool.queue.size() < pool.config.queueLimit() || pool.shutdownFuture != null) return;
        // Squid's Enqueue says nothing while childs.needNew() > 0: it starts helpers instead. Here a start
        // that children has room for is only deferred (restart backoff, breaker): no warning either.
        if (processes() < pool.config.children()) return;
        long now = pool.clock.nanoTime();
        if (warned && now - lastWarnNanos < WARN_INTERVAL_NANOS) return;
        warned = true;
        lastWarnNanos = now;
        pool.stats.overloadWarnings++;
        log.warn("helper pool '{}': all {}/{} helpers are busy; {} requests queued (limit {}); consider more children "
                + "(persistent overload acts after {}: {})", pool.config.name(), pool.liveCount(), pool.config.children(),
                pool.queue.size(), pool.config.queueLimit(), Durations.format(pool.config.persistentOverloadAfter()),
                pool.config.onPersistentOverload());
    }

    /** The current generation's helper processes, as the dispatcher counts them against {@code children}. */
    private int processes() {
        int n = 0;
        for (PooledHelper h : pool.ordered) if (h.generation == pool.generation) n++;
        return n;
    }

    /**
     * Squid's "Too many queued requests; see on-persistent-overload" fatal, for a library: Squid dies and
     * its supervisor starts it and its helpers again, so the pool does both itself. Every request it
     * holds (queued, in flight, and {@code r}) fails with {@link HelperException.Overload} saying why,
     * reservations end, every helper is killed (the pool's own end: not a death, owes no replacement),
     * and a new generation starts as {@code startup}/{@code idle} ask; the pool keeps its admission open
     * and serves the requests that follow. A persistent overload that comes back restarts it again,
     * no sooner than {@code persistentOverloadAfter} later (a new episode must persist as long) and
     * no sooner than {@link #MIN_DIE_INTERVAL_NANOS} after this restart.
     */
    void die(PendingRequest r) {
        HelperPoolConfig c = pool.config;
        String why = "failed on persistent overload: more than " + c.queueLimit() + " requests queued for longer than "
                + Durations.format(c.persistentOverloadAfter()) + " (on-persistent-overload=DIE)";
        String message = "helper pool '" + c.name() + "' " + why + "; its helpers are restarted";
        restarted = true;
        lastRestartNanos = pool.clock.nanoTime();
        log.error("{}: failing {} queued requests and every request in flight, and starting helper generation {}",
                message, pool.queue.size(), pool.generation + 1);
        pool.finish(r, new HelperException.Overload(message), false);
        pool.failQueued(q -> new HelperException.Overload(message));
        for (PooledHelper h : pool.ordered) {
            h.expectedEnd = true; // ended by the pool: not a death, owes no replacement
            if (h.state == HelperState.READY) h.state = HelperState.DRAINING;
            // lose() names the pool itself before the reason, so the in-flight requests read it once.
            if (!h.killRequested) pool.lifecycle.kill(h, why + "; its helpers are restarted", HelperException.Overload::new);
        }
        pool.generation++;
        pool.lifecycle.replacementsOwed = 0;
        pool.probeInFlight = false;
        sync(); // the queue is empty: the episode is over
        pool.dispatcher.reconcile();
    }
}
