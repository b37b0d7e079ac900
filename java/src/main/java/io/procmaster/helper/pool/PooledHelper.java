package io.procmaster.helper.pool;

import io.procmaster.helper.ChannelIdDialect;
import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.process.DirectChannel;
import io.procmaster.helper.process.HelperChannel;
import io.procmaster.helper.process.HelperOutput;
import io.procmaster.helper.wire.LineFramer;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * The pool's record of one helper process: its channel, state, in-flight requests by wire id, ids of
 * timed-out requests whose late replies are still expected, the reply framer and the pending output.
 *
 * <p>Owner: the loop thread, except while a waiting caller has claimed the helper for the synchronous
 * fast path ({@link FastPath}; docs/helpers.md "The synchronous fast path"). The owner word is the
 * channel's {@link DirectChannel} (null: never claimed): the loop publishes an idle helper with a
 * CAS ({@code LOOP -> CLAIMABLE}), a caller claims it with a CAS ({@code CLAIMABLE -> CLAIMED}) and
 * gives it back with a CAS, or through {@code loop.execute} (a hand-back); each of these gives the
 * happens-before from the old owner's writes to the new owner's reads. While claimed the caller owns
 * {@link #framer}, {@link #output}, {@link #nextMonotonicId} and the counters {@link #requests} and
 * {@link #replies} (volatile: the loop's statistics read them meanwhile); the loop owns the rest but
 * does not dispatch to the helper, close it, poison its framer or clear its output: it takes the
 * helper back first with {@link #ownedByLoop()}, which asks the caller to return it when it cannot.
 * A helper the loop lost while claimed (its shutdown deadline, the loop's close: {@link #lost} with
 * {@link #lostWhy}) fails the caller's request when it comes back.
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
    final InFlightRequests inFlight = new InFlightRequests(); // by wire id, dispatch order
    final Set<Long> timedOutIds = new LinkedHashSet<>();
    final HelperOutput output = new HelperOutput();
    LineFramer.LineSink lineSink; // its framed lines to the pool's ReplyRouter; made on the first read
    HelperState state = HelperState.READY;
    boolean writeRequested;
    boolean flushQueued;     // in the pool's list of helpers to flush at the end of this batch
    boolean killRequested;
    boolean lost;            // in-flight work already failed; waiting for exit
    boolean expectedEnd;     // the pool asked it to end (retired); its end is not a death
    boolean killedByPool;    // killed by the pool after a request timeout: replaced, but not a death (no backoff, no breaker)
    Reservation reservation;
    long nextMonotonicId = 1;
    volatile long requests;  // volatile: the fast path's claimer counts too (see the class comment)
    volatile long replies;
    final DirectChannel direct; // the owner word of the fast path; null: loop path only
    String lostWhy;             // why the pool lost the helper while a caller held it (with lostError)
    Function<String, HelperException> lostError;
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
        this.direct = channel.direct();
    }

    /**
     * Loop thread: whether the loop owns the helper now (taking a published one back); false while a
     * caller holds it, which is then asked to return it through the loop.
     */
    boolean ownedByLoop() {
        return direct == null || direct.takeForLoop(true);
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
        return state == HelperState.READY && reservation == null && load() < limit() && ownedByLoop();
    }

    /** All of this helper's output has been handed to the channel. */
    boolean idle() {
        return inFlight.isEmpty() && reservation == null && output.isEmpty() && ownedByLoop();
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
