package io.procmaster.helper.pool;

import io.procmaster.helper.ChannelIdDialect;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.process.HelperChannel;
import io.procmaster.helper.process.HelperOutput;
import io.procmaster.helper.wire.LineFramer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The pool's record of one helper process: its channel, state, in-flight requests by wire id, ids of
 * timed-out requests whose late replies are still expected, the reply framer and the pending output.
 * Loop-thread state only.
 *
 * <p>Protocol settings (concurrency, dialect, line limit) are copied from the configuration the helper
 * was started with, so a reconfigure never changes how a running helper's stream is read.
 *
 * <p>Capacity: max(1, concurrency) minus in-flight requests minus ids timed out and not yet answered
 * (in SLOT dialect a timed-out slot cannot be reused until its late reply arrives, otherwise that reply
 * would be taken for the next request's).
 */
final class PooledHelper {
    final long id;
    final int generation;
    final HelperChannel channel;
    final int concurrency;
    final ChannelIdDialect dialect;
    final boolean stateful;
    final LineFramer framer;
    final int maxLine;
    final Map<Long, PendingRequest> inFlight = new LinkedHashMap<>(); // dispatch order
    final Set<Long> timedOutIds = new LinkedHashSet<>();
    final HelperOutput output = new HelperOutput();
    HelperState state = HelperState.READY;
    boolean writeRequested;
    boolean flushQueued;     // in the pool's list of helpers to flush at the end of this batch
    boolean killRequested;
    boolean lost;            // in-flight work already failed; waiting for exit
    boolean expectedEnd;     // the pool asked it to end (retired); its end is not a death
    boolean killedByPool;    // killed by the pool after a request timeout: replaced, but not a death (no backoff, no breaker)
    Reservation reservation;
    long nextMonotonicId = 1;
    long requests;
    long replies;
    long timeouts;
    HelperExit lastExit;

    PooledHelper(long id, int generation, HelperChannel channel, HelperPoolConfig config) {
        this.id = id;
        this.generation = generation;
        this.channel = channel;
        this.concurrency = config.concurrency();
        this.dialect = config.channelIdDialect();
        this.stateful = config.stateful();
        this.maxLine = config.maxReplyLine();
        this.framer = new LineFramer(maxLine, config.endOfMessage());
    }

    boolean tagged() {
        return concurrency > 0;
    }

    int limit() {
        return Math.max(1, concurrency);
    }

    int load() {
        return inFlight.size() + timedOutIds.size();
    }

    /** Can take a new request that is not bound to a reservation. */
    boolean hasFreeCapacity() {
        return state == HelperState.READY && reservation == null && load() < limit();
    }

    /** All of this helper's output has been handed to the channel. */
    boolean idle() {
        return inFlight.isEmpty() && reservation == null && output.isEmpty();
    }

    /** Allocates the wire id for a new request; only called when {@link #load()} &lt; {@link #limit()}. */
    long allocateId() {
        if (!tagged()) return 0;
        if (dialect == ChannelIdDialect.MONOTONIC) return nextMonotonicId++;
        for (long slot = 0; slot < concurrency; slot++) {
            if (!inFlight.containsKey(slot) && !timedOutIds.contains(slot)) return slot;
        }
        throw new IllegalStateException("no free slot on helper #" + id);
    }

    String describe() {
        return "#" + id + " (pid " + channel.pid() + ")";
    }
}
