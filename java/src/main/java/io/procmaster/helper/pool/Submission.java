package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.OverloadPolicy;

/**
 * The request queue's entry: takes admitted requests from the inbox on the loop thread and accepts,
 * queues, bypasses or refuses each (pool shut down, not stateful, reservation misused, breaker open
 * with its probe already out, queue beyond {@code queueLimit} under FAIL or BYPASS). Under QUEUE,
 * Squid's default, a request beyond the queue limit is queued and {@link PersistentOverload} warns
 * and applies the persistent-overload action (docs/helpers.md "Overload"), to a step on a reservation
 * as well (Squid's statefulhelper::trySubmit). Admission itself, on the
 * callers' threads, is {@link HelperPoolAdmission}'s; see {@code docs/edges.md} "Helper pool admission".
 *
 * <p>Interface: {@link #drainInbox()} (queued by the admission, and run first by every command).
 * Failure modes: an unexpected exception while submitting one request completes that request with a
 * {@link HelperException} of kind INTERNAL and is logged; the rest of the inbox is still taken.
 */
final class Submission {
    private final HelperPoolEngine pool;
    private long nextRequestSeq = 1;

    Submission(HelperPoolEngine pool) {
        this.pool = pool;
    }

    /**
     * Loop thread: takes the admitted requests from the inbox, in order, at most one admission limit's
     * worth per call (so a steady stream of callers cannot keep the loop from its other work; that is
     * also at least every request that was in the inbox when the call was queued), and queues another
     * drain if some are left. Every command runs it first, so requests submitted before a shutdown,
     * release or reconfigure from the same thread are seen first.
     */
    void drainInbox() {
        HelperPoolAdmission admission = pool.admission;
        if (admission.isClosed()) {
            admission.close(null); // closed meanwhile: what waits fails as closed, nothing reaches the pool's state
            return;
        }
        pool.enter();
        try {
            int max = pool.config.admissionLimit();
            PendingRequest r;
            for (int i = 0; i < max && (r = admission.poll()) != null; i++) {
                submitOrFail(r); // one request's failure must not strand the rest
            }
        } finally {
            pool.exit();
        }
        if (admission.hasWaiting()) admission.scheduleDrain(pool.config);
    }

    /** submit; an unexpected exception completes the request with it (every request completes) and is logged. */
    private void submitOrFail(PendingRequest req) {
        try {
            submit(req);
        } catch (RuntimeException e) {
            log.error("helper pool '{}': submitting request failed: {}", pool.config.name(), e.toString(), e);
            HelperException failure = new HelperException("helper pool '" + pool.config.name() + "': submitting the request failed: " + e, e);
            if (!req.done && req.helper == null) {
                pool.queue.remove(req); // wherever it got to, it is nowhere now: finish it (and release its admission)
                pool.finish(req, failure, false);
            } else {
                req.future.completeExceptionally(failure); // a helper holds it: its own end finishes it
            }
        }
    }

    private void submit(PendingRequest r) {
        // The seq and clock are assigned here, on the loop thread (the caller's thread handed it over
        // through the loop's queue: a happens-before edge).
        if (r.seq == 0) {
            r.seq = nextRequestSeq++;
            r.submitNanos = pool.clock.nanoTime();
        }
        if (pool.shutdownFuture != null) {
            reject(r, new HelperException.Closed(pool.closedMessage()));
            return;
        }
        // The text was checked by the admission, in the caller's thread.
        if (r.reservation != null || r.isReserveOnly()) {
            if (!stateful(r)) return;
        }
        // A step that cannot be served (its reservation is gone or not this pool's) gets the
        // reservation's error, before any overload verdict: the verdict is for what the pool could serve.
        if (r.reservation != null && !reservationUsable(r)) return;
        boolean queuing = pool.config.overloadPolicy() == OverloadPolicy.QUEUE;
        // Squid's statefulhelper::trySubmit runs prepSubmit for every submission, a step on a reservation too.
        if (queuing) {
            switch (pool.overload.beforeSubmit()) {
                case ERR -> {
                    pool.overload.answerErr(r);
                    return;
                }
                case DIE -> {
                    pool.overload.die(r);
                    return;
                }
                case ACCEPT -> { }
            }
        }
        if (r.reservation != null) {
            submitReserved(r);
            return;
        }
        if (pool.breaker.isOpen()) {
            if (pool.probeInFlight || !pool.dispatcher.anyFreeHelper()) {
                pool.stats.breakerRejected++;
                reject(r, new HelperException.Unavailable(pool.unavailableMessage(), pool.lifecycle.lastStartFailure));
                return;
            }
            r.probe = true; // one request tests whether the restarted helper works
            pool.probeInFlight = true;
        }
        pool.timeouts.arm(r);
        pool.queue.addLast(r);
        pool.dispatcher.reconcile();
        if (queuing) {
            pool.overload.afterQueued(r); // Squid's: queued beyond the bound, with a warning
        } else if (!r.done && r.helper == null && pool.queue.size() > pool.config.queueLimit()) {
            // FAIL and BYPASS: still queued after dispatch and on-demand starts, beyond the bound: refuse it now.
            pool.queue.remove(r);
            if (pool.config.overloadPolicy() == OverloadPolicy.BYPASS && !r.isReserveOnly()) {
                pool.stats.bypassed++;
                pool.finish(r, HelperReply.bypassed("helper pool '" + pool.config.name() + "' overloaded: bypassed"), true);
            } else {
                pool.stats.overloadRejected++;
                pool.finish(r, new HelperException.Overload("helper pool '" + pool.config.name() + "' overloaded: all "
                        + pool.liveCount() + "/" + pool.config.children() + " helpers busy and " + pool.queue.size()
                        + " requests queued (limit " + pool.config.queueLimit() + ")"), false);
            }
            return;
        }
        pool.stats.submitted++;
        pool.stats.maxQueueLength = Math.max(pool.stats.maxQueueLength, pool.queue.size());
    }

    private boolean stateful(PendingRequest r) {
        if (pool.config.stateful()) return true;
        reject(r, new HelperException.InvalidRequest("helper pool '" + pool.config.name() + "' is not stateful: reservations are not supported"));
        return false;
    }

    /** Whether a step's reservation can take it now; if not, the step is rejected with the reason. */
    private boolean reservationUsable(PendingRequest r) {
        if (!(r.reservation instanceof Reservation res) || res.pool != pool) {
            reject(r, new HelperException.Reservation(r.reservation + " belongs to another helper pool"));
            return false;
        }
        if (res.state != Reservation.State.ACTIVE) {
            reject(r, new HelperException.Reservation("helper pool '" + pool.config.name() + "': reservation " + res + " " + res.lostReason));
            return false;
        }
        if (!res.helper.inFlight.isEmpty()) {
            reject(r, new HelperException.InvalidRequest("helper pool '" + pool.config.name() + "': reservation " + res
                    + " already has a request in flight; wait for its reply"));
            return false;
        }
        return true;
    }

    /** A step whose reservation {@link #reservationUsable} accepted: sent on the reserved helper. */
    private void submitReserved(PendingRequest r) {
        PooledHelper h = ((Reservation) r.reservation).helper;
        pool.stats.submitted++;
        pool.timeouts.arm(r);
        pool.dispatcher.dispatch(r, h);
    }

    private void reject(PendingRequest r, HelperException e) {
        log.debug("{}", e.getMessage());
        pool.finish(r, e, false);
    }
}
