package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.TimeoutAction;
import io.procmaster.helper.wire.HelperReplyParser;

/**
 * Request timeouts: arms each accepted request's deadline ({@code requestTimeout}, none by default;
 * counted from its submission, time queued included) and, when one passes, applies
 * {@code onTimeout} as Squid 5.7's checkForTimedOutRequests does (docs/helpers.md "Timeouts"):
 * {@link TimeoutAction#FAIL} fails the request with {@link HelperException.Timeout};
 * {@link TimeoutAction#BYPASS} answers a {@link HelperReply.Status#BYPASSED} reply;
 * {@link TimeoutAction#USE_CONFIGURED_RESPONSE} answers {@code timeoutResponse}, read as the helper's
 * reply; {@link TimeoutAction#RETRY} sends a request that was sent again (to another helper where
 * there is one, through the tail of the queue as Squid's submitRequest, with a new deadline) while
 * its retries, BH retries included, are fewer than {@link #MAX_RETRIES} (Squid's one
 * {@code request.retries} against MAX_RETRIES), then fails it as FAIL does; a request that times out
 * still queued (never sent) is not retried: it fails as FAIL does.
 * Whatever the action, a classic helper that held the request is killed (its next line would be
 * taken for the next request's reply; docs/helpers.md "Deliberate differences" 14); with channel ids
 * the id is remembered so its late reply is dropped and counted, and a helper whose every channel
 * timed out is killed. These kills are the pool's own: the helper is replaced, but its end is not
 * a death for the restart backoff or the crash-loop breaker (a slow helper is not a crashing one).
 *
 * <p>Interface: {@link #arm(PendingRequest)}, loop thread. Failure modes: none of its own. A request
 * that cannot take the action's reply (a reservation request) or cannot be retried (a step of a
 * reservation, bound to its helper; any request while the pool shuts down or its crash-loop breaker
 * is open) fails as FAIL does.
 */
final class RequestTimeouts {
    /** Squid's helper.cc MAX_RETRIES: a timed-out request is sent again at most twice. */
    static final int MAX_RETRIES = 2;

    private final HelperPoolEngine pool;

    RequestTimeouts(HelperPoolEngine pool) {
        this.pool = pool;
    }

    void arm(PendingRequest r) {
        armFrom(r, r.submitNanos);
    }

    private void armFrom(PendingRequest r, long fromNanos) {
        long t = pool.config.requestTimeout().toNanos();
        if (t > 0) r.timeout = pool.timers.scheduleAfter(fromNanos, t, "request timeout", () -> onTimeout(r, t));
    }

    private void onTimeout(PendingRequest r, long timeoutNanos) {
        if (r.done) return;
        String name = pool.config.name();
        pool.stats.timeouts++;
        PooledHelper h = r.helper;
        String where = h == null ? " (waiting in the queue)" : " on helper " + h.describe();
        if (h != null) release(r, h);
        TimeoutAction action = pool.config.onTimeout();
        // Only a request that was sent can be sent again (Squid's checkForTimedOutRequests walks a helper's
        // in-flight requests); a queued one gets the action's other outcome. One budget with BH retries.
        if (action == TimeoutAction.RETRY && h != null && r.reservation == null && r.retriesUsed < MAX_RETRIES
                && pool.shutdownFuture == null && !pool.breaker.isOpen()) {
            r.retriesUsed++;
            pool.stats.retries++;
            log.warn("helper pool '{}': request timed out{}; retry #{} of {}", name, where, r.retriesUsed, MAX_RETRIES);
            r.avoidHelperId = h.id;
            pool.queue.addLast(r); // Squid's submitRequest: a free helper, else the tail of the queue (Enqueue)
            armFrom(r, pool.clock.nanoTime());
            pool.dispatcher.reconcile();
            return;
        }
        if (h == null) pool.queue.remove(r);
        String base = "helper pool '" + name + "': request timed out after " + timeoutNanos / 1_000_000 + " ms" + where;
        Object outcome = outcome(r, action, base);
        pool.finish(r, outcome, outcome instanceof HelperReply);
    }

    /** The request's outcome by {@code action}: a reply, or the {@link HelperException.Timeout} to fail it with. */
    private Object outcome(PendingRequest r, TimeoutAction action, String base) {
        if (!r.isReserveOnly()) {
            if (action == TimeoutAction.BYPASS) return HelperReply.bypassed(base + ": bypassed (on_timeout=bypass)");
            if (action == TimeoutAction.USE_CONFIGURED_RESPONSE) return HelperReplyParser.parse(pool.config.timeoutResponse());
        }
        if (action == TimeoutAction.RETRY && r.retriesUsed > 0)
            return new HelperException.Timeout(base + " after " + r.retriesUsed + " retries (on_timeout=retry)");
        return new HelperException.Timeout(base);
    }

    /** Takes {@code r} off {@code h}; kills a classic helper, remembers a channel's id. */
    private void release(PendingRequest r, PooledHelper h) {
        String name = pool.config.name();
        h.timeouts++;
        h.inFlight.remove(r.wireId);
        r.helper = null;
        if (!h.tagged()) {
            log.warn("helper pool '{}': killing helper {} after a request timeout (its next line would be misattributed)",
                    name, h.describe());
            h.killedByPool = true; // replaced at once, not counted as a crash
            pool.lifecycle.kill(h, "helper " + h.describe() + " killed after a request timeout: classic replies are positional",
                    HelperException.Died::new);
            return;
        }
        h.timedOutIds.add(r.wireId);
        if (h.timedOutIds.size() >= h.limit()) {
            log.warn("helper pool '{}': helper {} left all {} channels unanswered past the timeout; killing it",
                    name, h.describe(), h.limit());
            h.killedByPool = true;
            pool.lifecycle.kill(h, "helper " + h.describe() + " killed: every channel timed out", HelperException.Died::new);
        }
    }
}
