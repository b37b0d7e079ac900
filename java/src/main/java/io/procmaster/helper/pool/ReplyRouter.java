package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.abbreviate;
import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.wire.HelperReplyParser;
import io.procmaster.helper.wire.ReplyText;
import io.procmaster.helper.wire.WireFormat;

/**
 * Replies: routes each framed line of a helper to its request (the oldest in flight for a classic
 * helper, the channel id otherwise), parses it ({@link HelperReplyParser}), retries a BH answer on
 * another helper up to {@code bhRetries} (a budget shared with timeout retries, as Squid's one
 * {@code request.retries}; the retry goes to the tail of the queue, as Squid's submitRequest puts it), resets the backoff and closes the breaker on a real answer,
 * and completes the request. See {@code docs/helpers.md}.
 *
 * <p>Interface: {@link #onLine}, loop thread. Failure modes: a classic helper speaking with nothing in
 * flight is killed (every later reply would land on the wrong request); a line on an unknown channel
 * is logged and counted, a late one (after its timeout) dropped and counted.
 */
final class ReplyRouter {
    private final HelperPoolEngine pool;
    private final HelperReplyParser.Reader parser = new HelperReplyParser.Reader(); // loop thread only

    ReplyRouter(HelperPoolEngine pool) {
        this.pool = pool;
    }

    /** One framed line, {@code b[off, off + len)}, valid only during the call (the parser copies it). */
    void onLine(PooledHelper h, byte[] b, int off, int len) {
        PendingRequest r;
        int start;
        String name = pool.config.name();
        if (!h.tagged()) {
            r = h.inFlight.removeOldest();
            if (r == null) {
                // A classic helper speaking unasked would shift every later reply onto the wrong request.
                pool.stats.unsolicitedReplies++;
                String msg = "helper pool '" + name + "': killing helper " + h.describe()
                        + " after an unexpected line with no request in flight: '" + abbreviate(ReplyText.decode(b, off, len)) + "'";
                log.error(msg);
                pool.lifecycle.kill(h, msg, HelperException.Died::new);
                return;
            }
            start = off;
        } else {
            long id = WireFormat.parseId(b, off, len);
            r = id < 0 ? null : h.inFlight.remove(id);
            if (r == null) {
                if (id >= 0 && h.timedOutIds.remove(id)) {
                    pool.stats.lateReplies++;
                    log.debug("helper pool '{}': dropped late reply on channel {} from helper {}", name, id, h.describe());
                } else {
                    pool.stats.unknownChannelReplies++;
                    log.warn("helper pool '{}': unexpected reply on channel {} from helper {}: '{}'", name,
                            id < 0 ? "?" : Long.toString(id), h.describe(), abbreviate(ReplyText.decode(b, off, len)));
                }
                return;
            }
            start = WireFormat.afterId(b, off, len);
        }
        onReply(h, r, parser.parse(b, start, off + len - start));
    }

    private void onReply(PooledHelper h, PendingRequest r, HelperReply reply) {
        long now = pool.clock.nanoTime();
        r.helper = null;
        h.replies++;
        pool.stats.replies++;
        pool.stats.serviceTimes.record(now - r.dispatchNanos);
        int bhRetries = pool.config.bhRetries();
        if (reply.status() == HelperReply.Status.BH && r.reservation == null && r.retriesUsed < bhRetries
                && pool.shutdownFuture == null) {
            r.retriesUsed++;
            pool.stats.retries++;
            log.warn("helper pool '{}': helper {} answered BH '{}', attempt #{} of {}", pool.config.name(), h.describe(),
                    abbreviate(reply.text()), r.retriesUsed, bhRetries);
            r.avoidHelperId = h.id;
            // Squid's helperReturnBuffer resubmits it (submitRequest): to a free helper, else Enqueue's tail.
            pool.queue.addLast(r); // keeps its deadline
            return;
        }
        if (reply.status() != HelperReply.Status.BH) {
            pool.backoff.onSuccess();
            if (pool.breaker.onSuccess())
                log.info("helper pool '{}': helper {} answered; crash-loop breaker closed", pool.config.name(), h.describe());
        }
        if (r.reservation instanceof Reservation res && res.state == Reservation.State.ACTIVE) {
            if (pool.shutdownFuture != null) // no further step can be submitted: free the helper so it can close
                pool.reservations.end(res, Reservation.State.LOST, "was ended by the pool's shutdown");
            else
                pool.reservations.armExpiry(res);
        }
        pool.finish(r, reply, true);
    }
}
