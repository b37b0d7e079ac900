package io.procmaster.helper.pool;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.OverloadPolicy;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The callers' side of a {@code HelperPool}: admission bounded where the caller stands, the inbox
 * that carries admitted requests to the loop thread, and the pool's closed state.
 *
 * <p>Interface: callers' threads call {@link #submit}, {@link #submitAll} and, on the synchronous fast
 * path, {@link #admitDirect} and {@link #releaseDirect}; the pool's loop thread
 * takes requests with {@link #poll} in the drain task given to the constructor and calls
 * {@link #release} from its completion path; {@link #close} from any thread.
 *
 * <p>Admission: {@link #submit} counts a request as admitted only while fewer than the pool's
 * {@link HelperPoolConfig#admissionLimit()} are admitted and not yet completed (one compare-and-set,
 * no lock); otherwise it refuses the request at once by the overload policy and hands the loop
 * nothing for it. The count goes down exactly once per admitted request, through {@link #release}:
 * from the pool's single completion path on the loop, or here when a request still in the inbox
 * fails because the pool is closed. So the requests anywhere in the pool (inbox, queue, in flight)
 * never exceed the limit, whatever the callers do.
 *
 * <p>Bytes: beside the count, the request bytes held have a budget,
 * {@link HelperPoolConfig#admissionByteLimit()} (review of issue 12, item 7: a count alone let
 * 10 000 requests of 64 KiB in). Each admitted request also takes its size from the budget (a second
 * compare-and-set loop, after the count's; a request that does not fit gives its count back and is
 * refused by the overload policy, the message naming the budget) and {@link #release} returns it.
 * Between the two steps a concurrent submitter may see the count one higher than it ends: it is
 * refused as if the pool were full, never admitted beyond either limit.
 *
 * <p>The inbox: admitted requests wait in a lock-free queue; at most one drain command is pending
 * on the loop executor at a time ({@code drainScheduled}), and the loop takes the requests from the
 * inbox in order ({@link #poll}). A caller adds, then reads the flag; the drain clears the flag,
 * then polls: of these two write-then-read pairs one sees the other's write, so a request is never
 * left in the inbox without a drain to come.
 *
 * <p>Closing: {@link #close} records the reason, then fails every request still in the inbox with
 * {@link HelperException.Closed}; it is called when the loop executor rejects a command (the
 * loop has stopped) and when the pool's loop closes ({@code HelperPool.onLoopClosed()}). A caller
 * adds its request, then reads the closed state, and fails the inbox itself if it is set; the closer
 * sets the state, then empties the inbox: one of the two sees the other, so the request is failed by
 * one of them, and only one, because a request leaves the inbox through exactly one {@code poll}.
 *
 * <p>Failure modes: none thrown; every refusal is the future's outcome, counted for the statistics.
 */
final class HelperPoolAdmission {
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicLong admittedBytes = new AtomicLong();
    private final ConcurrentLinkedQueue<PendingRequest> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Executor loop;
    private final Runnable drain;
    private volatile String closedReason; // non-null: closed
    /** Refused here, never handed to the loop: by the overload policy, invalid, or after the close. */
    private final LongAdder overloadRefused = new LongAdder(), bypassed = new LongAdder(), invalidRefused = new LongAdder(),
            closedRefused = new LongAdder();

    /** @param drain the pool's loop-thread task that takes the inbox ({@link #poll}) */
    HelperPoolAdmission(Executor loop, Runnable drain) {
        this.loop = loop;
        this.drain = () -> {
            drainScheduled.set(false); // requests added from now on need a new drain
            drain.run();
        };
    }

    /** Admits {@code r} or completes it at once (closed, invalid, over the limit). */
    void submit(PendingRequest r, HelperPoolConfig config) {
        if (refusedAtOnce(r, config)) return;
        if (tryAdmit(1, config.admissionLimit()) == 0) {
            refuseOverloaded(r, config, false);
            return;
        }
        if (!tryAdmitBytes(r, config)) return;
        r.holdsAdmission = true;
        inbox.add(r);
        handedOver(config);
    }

    /** {@link #submit} for each, in list order, with one compare-and-set for the count (one per request for the bytes) and at most one drain for the batch. */
    void submitAll(List<PendingRequest> batch, HelperPoolConfig config) {
        int valid = 0;
        for (PendingRequest r : batch) {
            if (!refusedAtOnce(r, config)) {
                r.holdsAdmission = true; // provisional: marks the ones still to be judged
                valid++;
            }
        }
        if (valid == 0) return;
        int room = tryAdmit(valid, config.admissionLimit());
        for (PendingRequest r : batch) {
            if (!r.holdsAdmission) continue;
            if (room > 0) {
                room--;
                if (tryAdmitBytes(r, config)) {
                    inbox.add(r);
                } else {
                    r.holdsAdmission = false;
                }
            } else {
                r.holdsAdmission = false;
                refuseOverloaded(r, config, false);
            }
        }
        handedOver(config);
    }

    /**
     * The synchronous fast path's admission ({@link FastPath}): counts one request of {@code size}
     * bytes as admitted, as {@link #submit} would, or refuses it without a word (false: closed, or
     * either limit reached; the caller then submits it, and {@link #submit} refuses it properly).
     * {@link #releaseDirect} gives it back, or, once it became a loop-path request holding the
     * admission, the loop's {@link #release}.
     */
    boolean admitDirect(long size, HelperPoolConfig config) {
        if (closedReason != null || tryAdmit(1, config.admissionLimit()) == 0) return false;
        long limit = config.admissionByteLimit();
        for (;;) {
            long current = admittedBytes.get();
            if (size > limit - current) {
                admitted.decrementAndGet();
                return false;
            }
            if (admittedBytes.compareAndSet(current, current + size)) return true;
        }
    }

    /** Gives back what {@link #admitDirect} took, once its request completed on the fast path. */
    void releaseDirect(long size) {
        admittedBytes.addAndGet(-size);
        admitted.decrementAndGet();
    }

    /** Admits up to {@code n} within {@code limit}: how many. */
    private int tryAdmit(int n, int limit) {
        for (;;) {
            int current = admitted.get();
            int room = limit - current;
            if (room <= 0) return 0;
            int take = Math.min(room, n);
            if (admitted.compareAndSet(current, current + take)) return take;
        }
    }

    /**
     * After the count admitted {@code r}: takes its size from the byte budget, or gives the count
     * back and refuses {@code r}. True if admitted.
     */
    private boolean tryAdmitBytes(PendingRequest r, HelperPoolConfig config) {
        long size = r.size();
        long limit = config.admissionByteLimit();
        for (;;) {
            long current = admittedBytes.get();
            if (size > limit - current) { // not current + size: no overflow
                admitted.decrementAndGet();
                refuseOverloaded(r, config, true);
                return false;
            }
            if (admittedBytes.compareAndSet(current, current + size)) return true;
        }
    }

    private boolean refusedAtOnce(PendingRequest r, HelperPoolConfig config) {
        String closed = closedReason;
        if (closed != null) {
            closedRefused.increment();
            r.future.completeExceptionally(new HelperException.Closed(closed));
            return true;
        }
        String why = r.invalidReason(config.kind(), config.endOfMessage());
        if (why != null) {
            invalidRefused.increment();
            r.future.completeExceptionally(new HelperException.InvalidRequest("helper pool '" + config.name() + "': " + why));
            return true;
        }
        return false;
    }

    private void refuseOverloaded(PendingRequest r, HelperPoolConfig config, boolean overBytes) {
        String what = "helper pool '" + config.name() + "' overloaded";
        if (config.overloadPolicy() == OverloadPolicy.BYPASS && r.reservation == null && !r.isReserveOnly()) {
            bypassed.increment();
            r.future.complete(HelperReply.bypassed(what + ": bypassed"));
            return;
        }
        overloadRefused.increment();
        r.future.completeExceptionally(new HelperException.Overload(overBytes
                ? what + ": a request of " + r.size() + " bytes over the " + admittedBytes.get()
                        + " request bytes admitted and not yet answered is more than it holds (admission byte limit "
                        + config.admissionByteLimit() + ")"
                : what + ": " + admitted.get() + " requests admitted and not yet answered, the most it holds (admission limit "
                        + config.admissionLimit() + ", queue limit " + config.queueLimit() + ")"));
    }

    /** After adding to the inbox: fail it if the pool closed meanwhile, else make sure a drain is coming. */
    private void handedOver(HelperPoolConfig config) {
        if (closedReason != null) {
            failInbox();
            return;
        }
        scheduleDrain(config);
    }

    /** Puts the drain on the loop unless one is pending; a rejecting executor means the pool is closed. */
    void scheduleDrain(HelperPoolConfig config) {
        if (drainScheduled.get() || !drainScheduled.compareAndSet(false, true)) return;
        try {
            loop.execute(drain);
        } catch (RejectedExecutionException e) {
            close(closedMessage(config, "its event loop no longer accepts commands (" + e.getMessage() + ")"));
        }
    }

    static String closedMessage(HelperPoolConfig config, String why) {
        return "helper pool '" + config.name() + "' is shut down: " + why;
    }

    /** The next admitted request for the loop, or null. */
    PendingRequest poll() {
        return inbox.poll();
    }

    boolean hasWaiting() {
        return !inbox.isEmpty();
    }

    /** Once per admitted request, when it completes (a no-op for one that holds no admission). */
    void release(PendingRequest r) {
        if (r.holdsAdmission) {
            r.holdsAdmission = false;
            admittedBytes.addAndGet(-r.size());
            admitted.decrementAndGet();
        }
    }

    /** Refuses everything from now on; fails what waits in the inbox. Any thread; idempotent (null: keep the reason). */
    void close(String reason) {
        if (closedReason == null) closedReason = reason != null ? reason : "helper pool is shut down";
        failInbox();
    }

    boolean isClosed() {
        return closedReason != null;
    }

    private void failInbox() {
        PendingRequest r;
        while ((r = inbox.poll()) != null) {
            release(r);
            closedRefused.increment();
            r.future.completeExceptionally(new HelperException.Closed(closedReason));
        }
    }

    int admitted() {
        return admitted.get();
    }

    long overloadRefused() {
        return overloadRefused.sum();
    }

    long bypassed() {
        return bypassed.sum();
    }

    /** Failed here, without reaching the loop: overload, invalid text, closed. */
    long failed() {
        return overloadRefused.sum() + invalidRefused.sum() + closedRefused.sum();
    }
}
