package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.DeadHelperReplacement;
import io.procmaster.helper.HelperState;

/**
 * Dispatch: brings the pool to a consistent state after any event ({@link #reconcile()}): hands queued
 * requests to the least-loaded helper of the current generation, starts helpers that are wanted
 * ({@code startup}, {@code idle} on demand and, by default, at once after a death; one probe while the
 * breaker is open; honouring the restart backoff), and closes retired helpers once idle. A dispatched request is appended to its helper's
 * output and written by {@link HelperWriter} at the end of the batch. See {@code docs/helpers.md}.
 *
 * <p>Interface: loop thread only. Failure modes: none of its own; a start failure is
 * {@link HelperLifecycle}'s, a write failure {@link HelperWriter}'s.
 */
final class Dispatcher {
    private final HelperPoolEngine pool;
    private long nextReservationId = 1;

    Dispatcher(HelperPoolEngine pool) {
        this.pool = pool;
    }

    void reconcile() {
        if (pool.shutdownFuture != null) {
            pool.shutdown.reconcileShutdown();
            return;
        }
        if (!pool.started) return;
        for (int guard = 0; guard < 10_000; guard++) {
            dispatchQueue();
            int want = spawnWanted();
            if (want == 0) break;
            long now = pool.clock.nanoTime();
            if (!pool.backoff.mayStart(now)) {
                pool.lifecycle.armSpawnTimer(pool.backoff.nextStartAllowed());
                break;
            }
            for (int i = 0; i < want; i++) {
                if (!pool.lifecycle.startHelper()) break; // the failed start moved the backoff gate; loop re-checks it
            }
        }
        closeIdleRetired();
    }

    /** How many helpers to start now (0 if none is wanted or there is no room). */
    private int spawnWanted() {
        if (pool.shutdownFuture != null) return 0;
        int processes = 0;
        int live = 0;
        for (PooledHelper h : pool.ordered) {
            if (h.generation != pool.generation) continue;
            processes++;
            if (h.state == HelperState.READY) live++;
        }
        int room = pool.config.children() - processes;
        if (room <= 0) return 0;
        if (pool.breaker.isOpen()) return live == 0 ? 1 : 0; // keep one helper around to probe with
        int want = 0;
        if (live < pool.config.startup()) want = pool.config.startup() - live;
        // Squid's needNew() (ChildConfig.cc): idle more, capped by children, when a request queues and,
        // with DeadHelperReplacement.AT_ONCE, when a helper died (handleKilledServer); docs/helpers.md "Restart".
        boolean replaceDead = pool.lifecycle.replacementsOwed > 0
                && pool.config.deadHelperReplacement() == DeadHelperReplacement.AT_ONCE;
        if (!pool.queue.isEmpty() || replaceDead) want = Math.max(want, pool.config.idle());
        return Math.min(want, room);
    }

    private void dispatchQueue() {
        while (!pool.queue.isEmpty()) {
            PendingRequest r = pool.queue.peekFirst();
            PooledHelper h = pick(r);
            if (h == null) return;
            pool.queue.pollFirst();
            dispatch(r, h);
        }
    }

    /**
     * The least-loaded helper of the current generation with free capacity, ties broken by start
     * order. A BH retry avoids the helper that answered BH, unless no other helper can take it and
     * none can be started. O(helpers), which is at most {@code children} (small).
     */
    private PooledHelper pick(PendingRequest r) {
        PooledHelper best = null;
        PooledHelper avoided = null;
        for (PooledHelper h : pool.ordered) {
            if (h.generation != pool.generation || !h.hasFreeCapacity()) continue;
            if (h.id == r.avoidHelperId) {
                avoided = h;
                continue;
            }
            if (best == null || h.load() < best.load()) best = h;
        }
        if (best != null || avoided == null) return best;
        return spawnWanted() > 0 && pool.backoff.mayStart(pool.clock.nanoTime()) ? null : avoided;
    }

    /** Hands {@code r} to {@code h}: a reservation is made at once, a request goes into its output. */
    void dispatch(PendingRequest r, PooledHelper h) {
        r.helper = h;
        if (r.isReserveOnly()) {
            Reservation res = new Reservation(nextReservationId++, pool, h);
            h.reservation = res;
            pool.reservations.armExpiry(res);
            r.helper = null;
            pool.finish(r, res, true);
            return;
        }
        long wireId = h.allocateId();
        r.wireId = wireId;
        r.dispatchNanos = pool.clock.nanoTime();
        h.inFlight.put(wireId, r);
        h.requests++;
        pool.stats.sent++;
        if (r.reservation instanceof Reservation res && res.expiry != null) res.expiry.cancel();
        if (r.bytes != null) h.output.appendRequest(h.tagged(), wireId, r.bytes);
        else h.output.appendRequest(h.tagged(), wireId, r.text);
        pool.writer.flushLater(h);
    }

    boolean anyFreeHelper() {
        for (PooledHelper h : pool.ordered) if (h.generation == pool.generation && h.hasFreeCapacity()) return true;
        return false;
    }

    void closeIdleRetired() {
        for (PooledHelper h : pool.ordered) {
            if (h.state == HelperState.DRAINING && h.idle()) {
                h.state = HelperState.CLOSING;
                h.framer.poison();
                h.lost = true; // nothing in flight; any later output is unsolicited noise
                log.info("helper pool '{}': closing retired helper {}", pool.config.name(), h.describe());
                h.channel.close();
            }
        }
    }
}
