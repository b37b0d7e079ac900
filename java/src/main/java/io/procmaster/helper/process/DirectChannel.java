package io.procmaster.helper.process;

import io.procmaster.os.EventLoop;
import io.procmaster.os.Fd;
import io.procmaster.os.IoSuspension;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The claim on one helper process's channel that lets a waiting caller thread, rather than the loop,
 * write a request and read its reply (docs/helpers.md "The synchronous fast path"). One atomic word
 * says who owns the channel, and with it the pool's record of the helper ({@code PooledHelper}):
 *
 * <ul>
 * <li>{@code LOOP}: the loop thread; nobody may claim it.
 * <li>{@code CLAIMABLE}: still the loop's (its descriptor in the loop's epoll set), but the pool has
 *     published it as idle: a caller may claim it ({@link #claim}), and the loop must take it back
 *     ({@link #takeForLoop}) before it touches the channel or the record.
 * <li>{@code CLAIMED}: a caller's; the descriptor is muted in the epoll set ({@link IoSuspension}).
 *     The loop neither reads, writes, closes nor unregisters it and does not touch the record.
 * <li>{@code WANTED}: still claimed, and the loop asked for it back: the caller returns it through the
 *     loop when its request is done ({@link #release} says so).
 * <li>{@code DEFERRED}: still claimed, and the process ended (its exit was reaped) or the loop closed
 *     meanwhile; that end's handling waits for the release ({@link #endOrDefer}).
 * <li>{@code ENDED}: the loop's for good (the process ended); never claimable again.
 * </ul>
 *
 * <p>Ownership moves only by compare-and-set on that word, so the CAS that moves it gives the
 * happens-before both ways: what the loop wrote before publishing ({@code LOOP -> CLAIMABLE}) is seen
 * by the claimer, what the claimer wrote before its release is seen by the loop that takes it back.
 * A hand-back through {@code loop.execute} (the caller's request goes back as an in-flight one) moves
 * ownership by the executor's queue instead; the loop then calls {@link #handBack} first.
 *
 * <p>Interface: loop side {@link #publish}, {@link #takeForLoop}, {@link #endOrDefer}, {@link #handBack};
 * caller side {@link #claim}, {@link #awaitReadable}, {@link #read}, {@link #isWanted},
 * {@link #release}, {@link #releaseOffLoop}. Writes go through the channel's ordinary
 * {@link HelperChannel#write}, which any thread may call.
 *
 * <p>Failure modes: epoll_ctl failures on a closed loop are ignored (the descriptor is then watched
 * by nobody, and the loop's close has killed the helper); a deferred end whose loop no longer takes
 * commands is finished on the releasing thread by closing the descriptors ({@code closeOffLoop}).
 */
public final class DirectChannel {
    private static final int LOOP = 0, CLAIMABLE = 1, CLAIMED = 2, WANTED = 3, DEFERRED = 4, ENDED = 5;

    private final AtomicInteger state = new AtomicInteger(LOOP);
    private final EventLoop loop;
    private final Fd in;
    private final Runnable closeOffLoop;
    /** Set on the loop thread once the helper is ready (its descriptor registered), before any publish. */
    private IoSuspension suspension;
    /** Whether the claimer muted the descriptor (only then is its interest restored); owned with the claim. */
    private boolean suspended;
    /** The end's handling that waits for the release; written before the CAS to DEFERRED. */
    private volatile Runnable deferred;

    DirectChannel(EventLoop loop, Fd in, Runnable closeOffLoop) {
        this.loop = loop;
        this.in = in;
        this.closeOffLoop = closeOffLoop;
    }

    /** Loop thread: the helper is ready and its reading descriptor registered. */
    void ready(IoSuspension s) {
        suspension = s;
    }

    // ---------------------------------------------------------------- loop side

    /** Loop thread: offers the channel to callers (LOOP to CLAIMABLE); false if it is not the loop's now or not ready. */
    public boolean publish() {
        return suspension != null && state.compareAndSet(LOOP, CLAIMABLE);
    }

    /**
     * Loop thread: takes the channel back before touching it or its record. True when the loop owns
     * it (it was the loop's, published, or ended); false while a caller holds it, and then, if
     * {@code want}, the caller is asked to return it through the loop once done.
     */
    public boolean takeForLoop(boolean want) {
        for (;;) {
            int s = state.get();
            if (s == LOOP || s == ENDED) return true;
            if (s == CLAIMABLE) {
                if (state.compareAndSet(CLAIMABLE, LOOP)) return true;
                continue;
            }
            if (s == CLAIMED && want && !state.compareAndSet(CLAIMED, WANTED)) continue;
            return false;
        }
    }

    /** Whether a caller holds the channel (claimed, wanted back, or with its end deferred). */
    public boolean isClaimed() {
        int s = state.get();
        return s == CLAIMED || s == WANTED || s == DEFERRED;
    }

    /**
     * Loop thread: the process ended (or the loop closes). True: go on now, the channel is the loop's
     * for good. False: a caller holds it; {@code handling} runs when it is released (on the loop, or,
     * if the loop no longer takes commands, the descriptors are closed on the releasing thread).
     */
    boolean endOrDefer(Runnable handling) {
        for (;;) {
            int s = state.get();
            if (s == ENDED) return true;
            if (s == LOOP || s == CLAIMABLE) {
                if (state.compareAndSet(s, ENDED)) return true;
                continue;
            }
            if (s == DEFERRED) return false; // an earlier end waits already; the loop's close closes the rest
            if (deferred == null) deferred = handling;
            if (state.compareAndSet(s, DEFERRED)) return false;
        }
    }

    /**
     * Loop thread, first thing of a caller's hand-back (its request becomes an in-flight one): the
     * descriptor's interest is restored and the loop owns the channel. Returns the handling of an
     * end deferred meanwhile, for the loop to run once the caller's request is in flight (so that end
     * fails it, or delivers the reply the helper left), or null.
     */
    public Runnable handBack() {
        resume();
        if (state.compareAndSet(CLAIMED, LOOP) || state.compareAndSet(WANTED, LOOP)) return null;
        return state.compareAndSet(DEFERRED, ENDED) ? deferred : null;
    }

    // ---------------------------------------------------------------- caller side

    /** Claims a published channel and mutes its descriptor in the loop's set; false if not claimable. */
    public boolean claim() {
        if (state.get() != CLAIMABLE || !state.compareAndSet(CLAIMABLE, CLAIMED)) return false;
        try {
            // false on a closed loop (nobody watches it; the loop's close killed the helper) or when the
            // loop had already unregistered it at its end: then it must not be put back either.
            suspended = suspension.suspend();
        } catch (NativeIoException e) {
            // Still in the set: the loop would read it too. Give it back untouched, to a loop that still
            // runs: an end deferred meanwhile goes to it (releaseOffLoop would close the descriptors
            // under it, and the pool would never hear of the exit).
            if (!state.compareAndSet(CLAIMED, LOOP) && !state.compareAndSet(WANTED, LOOP)
                    && state.compareAndSet(DEFERRED, ENDED)) runDeferred();
            return false;
        }
        return true;
    }

    /** Whether the loop asked for the claimed channel back or the process ended: the caller should hand back. */
    public boolean isWanted() {
        return state.get() != CLAIMED;
    }

    /** Waits up to {@code timeoutMillis} for the reply: the poll(2) bits, 0 when the time passed. */
    public int awaitReadable(int timeoutMillis) throws NativeIoException {
        return in.poll(Native.EPOLLIN, timeoutMillis);
    }

    /** Reads what is there: bytes read, 0 for nothing now, -1 at end of stream (see {@link Fd#read}). */
    public int read(ByteBuffer direct) throws NativeIoException {
        return in.read(direct);
    }

    /**
     * Caller: gives the channel back after a completed request. True: published again at once
     * (CLAIMABLE), the next caller may claim it without the loop. False: the loop wanted it (it is
     * the loop's now: the caller tells the pool so it re-reconciles) or its process ended (the end's
     * handling has been handed to the loop).
     */
    public boolean release() {
        resume();
        if (state.compareAndSet(CLAIMED, CLAIMABLE)) return true;
        if (state.compareAndSet(WANTED, LOOP)) return false;
        if (state.compareAndSet(DEFERRED, ENDED)) runDeferred();
        return false;
    }

    /**
     * Caller, when the loop rejected its hand-back (the loop is closed): the channel goes back to the
     * loop's side; a deferred end closes the descriptors here, since no loop will.
     */
    public void releaseOffLoop() {
        resume();
        if (state.compareAndSet(CLAIMED, LOOP) || state.compareAndSet(WANTED, LOOP)) return;
        if (state.compareAndSet(DEFERRED, ENDED)) closeOffLoop.run();
    }

    private void resume() {
        if (!suspended) return;
        suspended = false;
        try {
            suspension.resume(Native.EPOLLIN);
        } catch (NativeIoException e) {
            // Not watched any more: the helper's end is still seen through its pidfd, which reads what it left.
        }
    }

    private void runDeferred() {
        Runnable r = deferred;
        if (r == null) return;
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            closeOffLoop.run();
        }
    }
}
