package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;

/**
 * Request timeouts: arms each accepted request's deadline ({@code requestTimeout}, counted from its
 * submission, time queued included) and, when one passes, fails the request with
 * {@link HelperException.Timeout}. A classic helper that held it is killed (its next line would be
 * taken for the next request's reply); with channel ids the id is remembered so its late reply is
 * dropped and counted, and a helper whose every channel timed out is killed. See
 * {@code docs/helpers.md}.
 *
 * <p>Interface: {@link #arm(PendingRequest)}, loop thread. Failure modes: none of its own.
 */
final class RequestTimeouts {
    private final HelperPoolEngine pool;

    RequestTimeouts(HelperPoolEngine pool) {
        this.pool = pool;
    }

    void arm(PendingRequest r) {
        long t = pool.config.requestTimeout().toNanos();
        if (t > 0) r.timeout = pool.timers.scheduleAfter(r.submitNanos, t, "request timeout", () -> onTimeout(r, t));
    }

    private void onTimeout(PendingRequest r, long timeoutNanos) {
        if (r.done) return;
        String name = pool.config.name();
        String base = "helper pool '" + name + "': request timed out after " + timeoutNanos / 1_000_000 + " ms";
        pool.stats.timeouts++;
        PooledHelper h = r.helper;
        if (h == null) {
            pool.queue.remove(r);
            pool.finish(r, new HelperException.Timeout(base + " (waiting in the queue)"), false);
            return;
        }
        h.timeouts++;
        h.inFlight.remove(r.wireId);
        r.helper = null;
        pool.finish(r, new HelperException.Timeout(base + " on helper " + h.describe()), false);
        if (!h.tagged()) {
            pool.lifecycle.kill(h, "helper " + h.describe() + " killed after a request timeout: classic replies are positional",
                    HelperException.Died::new);
            log.warn("helper pool '{}': killing helper {} after a request timeout (its next line would be misattributed)",
                    name, h.describe());
            return;
        }
        h.timedOutIds.add(r.wireId);
        if (h.timedOutIds.size() >= h.limit()) {
            log.warn("helper pool '{}': helper {} left all {} channels unanswered past the timeout; killing it",
                    name, h.describe(), h.limit());
            pool.lifecycle.kill(h, "helper " + h.describe() + " killed: every channel timed out", HelperException.Died::new);
        }
    }
}
