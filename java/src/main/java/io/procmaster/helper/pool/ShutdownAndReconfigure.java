package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.process.HelperLauncher;
import io.procmaster.time.Durations;
import io.procmaster.time.TimerQueue;
import java.util.concurrent.CompletableFuture;

/**
 * The pool's ends and changes: a graceful shutdown (helpers retired, queued requests still served by
 * the draining helpers until the grace passes, then failed and the rest killed), the loop's close
 * (everything held fails at once, see {@code docs/edges.md}), and reconfigure (a new generation with
 * a new configuration and launcher; running helpers finish what they hold; queued requests carry
 * over). See {@code docs/helpers.md}.
 *
 * <p>Interface: loop thread only; called inside the engine's entry points. Failure modes: requests
 * still held at the deadline or the loop's close fail with {@link HelperException.Closed}.
 */
final class ShutdownAndReconfigure {
    private final HelperPoolEngine pool;
    private TimerQueue.Timer shutdownTimer;

    ShutdownAndReconfigure(HelperPoolEngine pool) {
        this.pool = pool;
    }

    CompletableFuture<Void> shutdown(java.time.Duration grace) {
        pool.enter();
        try {
            if (pool.shutdownFuture != null) return pool.shutdownFuture;
            pool.shutdownFuture = new CompletableFuture<>();
            log.info("helper pool '{}': shutting down ({} queued, grace {})", pool.config.name(), pool.queue.size(),
                    Durations.format(grace));
            pool.lifecycle.cancelSpawnTimer();
            for (PooledHelper h : pool.ordered) {
                h.expectedEnd = true;
                if (h.reservation != null && h.inFlight.isEmpty())
                    pool.reservations.end(h.reservation, Reservation.State.LOST, "was ended by the pool's shutdown");
                if (h.state == HelperState.READY) h.state = HelperState.DRAINING;
            }
            shutdownTimer = pool.timers.scheduleAt(pool.clock.nanoTime() + grace.toNanos(), "pool shutdown deadline", this::onShutdownDeadline);
            // Queued requests were accepted: they may still be served by the draining helpers.
            drainQueueDuringShutdown();
            pool.dispatcher.reconcile();
            return pool.shutdownFuture;
        } finally {
            pool.exit();
        }
    }

    private void drainQueueDuringShutdown() {
        while (!pool.queue.isEmpty()) {
            PooledHelper best = null;
            for (PooledHelper h : pool.ordered) {
                if (h.state == HelperState.DRAINING && !h.lost && h.reservation == null && h.load() < h.limit()
                        && (best == null || h.load() < best.load()) && h.ownedByLoop()) best = h;
            }
            if (best == null) return;
            pool.dispatcher.dispatch(pool.queue.pollFirst(), best);
        }
    }

    private void onShutdownDeadline() {
        String msg = pool.closedMessage() + ": the shutdown deadline passed before the request was answered";
        pool.failQueued(q -> new HelperException.Closed(msg));
        for (PooledHelper h : pool.ordered) {
            if (h.killRequested) continue;
            // Also helpers already closed: one that ignores EOF on stdin must not outlive the pool.
            log.warn("helper pool '{}': killing helper {} at the shutdown deadline", pool.config.name(), h.describe());
            pool.lifecycle.kill(h, "the shutdown deadline passed before the request was answered", HelperException.Closed::new);
        }
    }

    /** The reconcile step while shutting down: serve, close, and complete the shutdown once all ended. */
    void reconcileShutdown() {
        drainQueueDuringShutdown();
        pool.dispatcher.closeIdleRetired();
        boolean anyServing = false;
        for (PooledHelper h : pool.ordered) anyServing |= !h.lost;
        if (!anyServing && !pool.queue.isEmpty())
            pool.failQueued(q -> new HelperException.Closed(pool.closedMessage() + ": no helper left to answer"));
        if (pool.helpers.isEmpty() && pool.queue.isEmpty() && !pool.shutdownFuture.isDone()) {
            if (shutdownTimer != null) shutdownTimer.cancel();
            log.info("helper pool '{}': shut down", pool.config.name());
            pool.completeLater(pool.shutdownFuture);
        }
    }

    /**
     * The loop has closed (its last act): its helpers were killed and reaped without the pool being
     * told. Closes the admission, fails everything held with {@link HelperException.Closed}, ends
     * reservations and completes the shutdown future.
     */
    void onLoopClosed() {
        String why = "its event loop closed before the request was answered";
        pool.admission.close(HelperPoolAdmission.closedMessage(pool.config, why));
        pool.lifecycle.cancelSpawnTimer();
        if (shutdownTimer != null) shutdownTimer.cancel();
        if (pool.shutdownFuture == null) pool.shutdownFuture = new CompletableFuture<>();
        pool.failQueued(q -> new HelperException.Closed(pool.closedMessage() + ": " + why));
        for (PooledHelper h : pool.ordered) {
            h.expectedEnd = true; // ended by the loop: not a death
            pool.lifecycle.lose(h, why, HelperException.Closed::new);
            h.state = HelperState.EXITED;
        }
        pool.helpers.clear();
        pool.ordered = new PooledHelper[0];
        pool.writer.clear();
        if (!pool.shutdownFuture.isDone()) pool.completeLater(pool.shutdownFuture);
    }

    void reconfigure(HelperPoolConfig newConfig, HelperLauncher newLauncher) {
        log.info("helper pool '{}': reconfigure to {} ({} queued requests carried over)", pool.config.name(), newConfig,
                pool.queue.size());
        for (PooledHelper h : pool.ordered) {
            h.expectedEnd = true;
            if (h.state == HelperState.READY) h.state = HelperState.DRAINING;
        }
        pool.config = newConfig;
        pool.launcher = newLauncher;
        pool.generation++;
        pool.lifecycle.replacementsOwed = 0;
        pool.newPolicies(); // a new program deserves a fresh backoff and breaker
        pool.probeInFlight = false;
        for (PendingRequest r : pool.queue) r.probe = false;
        pool.lifecycle.cancelSpawnTimer();
        pool.started = true;
        pool.dispatcher.reconcile();
    }
}
