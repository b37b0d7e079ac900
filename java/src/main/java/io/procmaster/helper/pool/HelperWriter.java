package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes dispatched requests to their helpers, batched: the requests dispatched to a helper while the
 * loop works through one batch of commands and events (a burst of submissions, the replies of one
 * poll) leave in one write, so the helper needs one read for them (see {@code docs/helpers.md}). The
 * flush is a command queued on the loop behind the ones already waiting, so it runs once they are
 * done and before the loop sleeps. A channel that takes nothing asks for a writable event.
 *
 * <p>Interface: {@link #flushLater}, {@link #flush}, loop thread. Failure modes: a failed write kills
 * that helper (its requests fail with {@link HelperException.Died}); an unexpected exception for one
 * helper is logged and the others are still flushed.
 */
final class HelperWriter {
    private final HelperPoolEngine pool;
    private final List<PooledHelper> unflushed = new ArrayList<>();
    private final Runnable flushTask = this::flushUnflushed;
    private boolean flushScheduled;

    HelperWriter(HelperPoolEngine pool) {
        this.pool = pool;
    }

    void flushLater(PooledHelper h) {
        if (!h.flushQueued) {
            h.flushQueued = true;
            unflushed.add(h);
        }
        if (flushScheduled) return;
        flushScheduled = true;
        try {
            pool.loop.execute(flushTask);
        } catch (RejectedExecutionException e) {
            flushUnflushed(); // the loop is going away: write now, as a direct caller would
        }
    }

    /** Forgets the helpers waiting for a flush (the loop has closed: nothing will be written). */
    void clear() {
        unflushed.clear();
    }

    private void flushUnflushed() {
        pool.enter();
        try {
            for (PooledHelper h : unflushed) { // flushing can kill a helper, never dispatch to one
                h.flushQueued = false;
                try {
                    flush(h);
                } catch (RuntimeException e) { // one helper's failure must not leave the others' requests unwritten
                    log.error("helper pool '{}': flushing to a helper failed: {}", pool.config.name(), e.toString(), e);
                }
            }
            // No reconcile: a helper killed by a failed write is replaced once its exit is seen.
        } finally {
            unflushed.clear();
            flushScheduled = false;
            pool.exit();
        }
    }

    void flush(PooledHelper h) {
        if (h.lost) {
            h.output.clear();
            return;
        }
        try {
            while (!h.output.isEmpty()) {
                if (h.output.writeTo(h.channel) == 0) {
                    if (!h.writeRequested) {
                        h.writeRequested = true;
                        h.channel.requestWritable();
                    }
                    return;
                }
            }
        } catch (java.io.IOException e) {
            String msg = "helper pool '" + pool.config.name() + "': writing to helper " + h.describe() + " failed: " + e.getMessage();
            log.error(msg);
            pool.lifecycle.kill(h, msg, HelperException.Died::new);
        }
    }
}
