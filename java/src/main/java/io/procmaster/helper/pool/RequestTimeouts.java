package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.TimeoutAction;
import io.procmaster.helper.wire.HelperReplyParser;
import io.procmaster.time.TimerQueue;
import java.util.HashMap;
import java.util.Map;

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
 * <p>Deadlines without a timer per request: requests armed with one delay fall due in the order
 * they were armed, so each delay has a {@link Lane}, a FIFO linked through the requests themselves
 * (O(1) to arm and to cancel, nothing allocated), and one {@link TimerQueue} timer armed for its
 * head's deadline. When that timer runs it times out every request of the lane due by its own
 * deadline, then arms itself for the new head (at once if overdue: the timer queue then runs it in
 * the same pass, in deadline order with the other timers). A request whose deadline would come
 * before its lane's last (armed from a reading that went back) gets a timer of its own instead. A
 * lane left empty by a cancel drops its timer, so an idle pool holds none. (A timer per request cost
 * about 80 bytes per request: BENCHMARKS.md §6.)
 *
 * <p>Interface: {@link #arm(PendingRequest)}, {@link #cancel(PendingRequest)} (by the completion
 * path, for every request), loop thread. Failure modes: none of its own. A request
 * that cannot take the action's reply (a reservation request) or cannot be retried (a step of a
 * reservation, bound to its helper; any request while the pool shuts down or its crash-loop breaker
 * is open) fails as FAIL does.
 */
final class RequestTimeouts {
    /** Squid's helper.cc MAX_RETRIES: a timed-out request is sent again at most twice. */
    static final int MAX_RETRIES = 2;

    private final HelperPoolEngine pool;
    private final Map<Long, Lane> lanes = new HashMap<>(); // one per timeout value ever configured: a handful
    private Lane lastLane; // the lane of the last arm: nearly always the one delay there is

    /** The requests armed with one delay, oldest first, and the timer for the head's deadline. */
    final class Lane implements Runnable {
        final long delayNanos;
        private PendingRequest head;
        private PendingRequest tail;
        private TimerQueue.Timer wake;
        private long wakeAt;

        Lane(long delayNanos) {
            this.delayNanos = delayNanos;
        }

        /** The wake timer: times out every request due by its deadline, then re-arms for the head. */
        @Override
        public void run() {
            wake = null;
            long due = wakeAt;
            PendingRequest r;
            while ((r = head) != null && r.timeoutDeadline - due <= 0) {
                unlink(r);
                onTimeout(r, delayNanos); // may re-arm r (a retry) behind the others, due later
            }
            if (wake == null) armWake(); // a retry's append may have armed it already
        }

        private void append(PendingRequest r, long deadline) {
            r.timeoutLane = this;
            r.timeoutDeadline = deadline;
            r.timeoutPrev = tail;
            r.timeoutNext = null;
            if (tail != null) tail.timeoutNext = r;
            else head = r;
            tail = r;
            if (wake == null) armWake();
        }

        private void unlink(PendingRequest r) {
            PendingRequest p = r.timeoutPrev;
            PendingRequest n = r.timeoutNext;
            if (p != null) p.timeoutNext = n;
            else head = n;
            if (n != null) n.timeoutPrev = p;
            else tail = p;
            r.timeoutLane = null;
            r.timeoutPrev = r.timeoutNext = null;
        }

        private void armWake() {
            if (head == null) return;
            wakeAt = head.timeoutDeadline;
            wake = pool.timers.scheduleAt(wakeAt, "request timeouts", this);
        }

        private void cancel(PendingRequest r) {
            unlink(r);
            if (head == null && wake != null) {
                wake.cancel();
                wake = null;
            }
        }
    }

    RequestTimeouts(HelperPoolEngine pool) {
        this.pool = pool;
    }

    /** Disarms {@code r}'s timeout, if armed; loop thread, from the completion path. */
    void cancel(PendingRequest r) {
        if (r.timeoutLane != null) r.timeoutLane.cancel(r);
        if (r.timeout != null) {
            r.timeout.cancel();
            r.timeout = null;
        }
    }

    void arm(PendingRequest r) {
        armFrom(r, r.submitNanos);
    }

    private void armFrom(PendingRequest r, long fromNanos) {
        cancel(r); // never linked twice (a retry was unlinked already: a no-op then)
        long t = pool.config.requestTimeout().toNanos();
        if (t <= 0) return;
        Lane lane = lastLane;
        if (lane == null || lane.delayNanos != t) {
            lane = lanes.computeIfAbsent(t, Lane::new);
            lastLane = lane;
        }
        long deadline = fromNanos + t;
        if (lane.tail != null && deadline - lane.tail.timeoutDeadline < 0) {
            // Out of the lane's order: a timer of its own, run by deadline as any timer.
            r.timeout = pool.timers.scheduleAfter(fromNanos, t, "request timeout", (PendingRequest p) -> {
                p.timeout = null;
                onTimeout(p, t);
            }, r);
            return;
        }
        lane.append(r, deadline);
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
