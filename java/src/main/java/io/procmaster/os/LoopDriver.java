package io.procmaster.os;

import io.procmaster.log.Logs;
import io.procmaster.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;

/**
 * An {@link EventLoop} with no thread of its own, driven by its user's thread: a server with its
 * own event loop (netty, a selector thread, a game loop) calls {@link #runOnce} where the loop's own
 * thread would have iterated, as Lusca hands its helpers' descriptors to its own
 * {@code commSetSelect} (docs/helpers.md "Driving the pool from your own loop").
 *
 * <p>Interface. {@link #loop()} is an ordinary {@link EventLoop} (same epoll set, command queue,
 * eventfd wake-up, deadline sources, close hooks, the lifecycle of its class comment), RUNNING from
 * construction: {@link EventLoop#execute} accepts at once, {@link EventLoop#start} refuses.
 * {@link #runOnce(long)} does one iteration: the queued commands, the due deadline sources, one poll
 * of at most the given time (shorter when a deadline is nearer) dispatching what is ready, then once
 * more the commands and timers that the handlers queued or the wait made due; it returns how many
 * commands, timers and handler calls ran, or {@link #CLOSED}. {@link #descriptor()} is the epoll
 * descriptor: readable whenever the loop has work (a record, or a command queued from another thread,
 * which writes the eventfd in the set); {@link #millisUntilNextDeadline()} says when the timers are
 * due. A server that has its own poll watches the descriptor and calls {@code runOnce(0)} when it is
 * readable or the deadline has come; a server without calls {@code runOnce} with a timeout.
 *
 * <p>Threads and ownership. The first thread that calls runOnce becomes the owner for the loop's
 * life; runOnce from any other thread throws IllegalStateException naming both threads, and so does
 * runOnce from inside runOnce (a handler or a command: the loop is never re-entrant). The thread
 * inside runOnce is the loop thread: {@link EventLoop#inLoop()} is true there and nowhere else, so
 * between two runOnce calls the owner is, for the loop, a thread like any other (its calls go through
 * the queue). Who may touch the loop's state is decided by one atomic, {@code driving}: runOnce
 * claims it (compareAndSet null to its thread) and releases it (set null) on the way out; a close
 * from another thread claims it the same way. The release of one claimant happens-before the next
 * claim (volatile write, then the successful compareAndSet that reads it), so each sees everything
 * the one before did; no two are ever inside at once.
 *
 * <p>Lifecycle in this mode ({@link EventLoop#close()} from any thread; this class's {@link #close()}
 * is the same call). Close sets CLOSING and writes the eventfd, then:
 * <ul>
 * <li>from inside runOnce (a handler or command): returns at once; that runOnce stops after the
 *     current call, does the final drain (every accepted command runs) and the cleanup, and returns
 *     {@link #CLOSED};
 * <li>from another thread while the owner is inside runOnce: the wake-up ends the owner's wait; its
 *     runOnce does the final drain and cleanup and returns CLOSED; close waits for that (up to 30 s,
 *     then logs an error and returns, as the threaded close does);
 * <li>with nobody inside runOnce (the owner between two calls, or none yet): close claims the loop
 *     and does the final drain and cleanup on the calling thread. The owner's next runOnce returns
 *     CLOSED (after waiting for that cleanup if it is still under way).
 * </ul>
 * A close racing the driver's way out cannot leave the loop undrained: the closer sets CLOSING and
 * then tries the claim; the driver releases the claim and then reads the state; of these two
 * write-then-read pairs on volatiles one sees the other's write, so either the closer's claim
 * succeeds (and the driver's runOnce returns CLOSED once the closer's cleanup is over) or the
 * driver sees CLOSING, claims again and finishes. {@link EventLoop#execute} keeps
 * its contract unchanged: run exactly once or rejected.
 *
 * <p>No thread is started here, ever; the loop's {@code maxSleepMillis} periodic wake is not used
 * (a close always writes the eventfd, and the owner decides how long it waits).
 *
 * <p>Failure modes: a handler, command or timer that throws is logged and runOnce goes on; a failing
 * poll (which cannot happen short of a broken kernel) is logged, and runOnce finishes the loop as a
 * close would and returns CLOSED. {@link #descriptor()} after the end throws a
 * {@link NativeIoException} saying the loop is closed; the descriptor number is closed by the final
 * cleanup, so a user's poll must stop watching it when runOnce returns CLOSED (an epoll set forgets
 * it by itself when it is closed).
 */
public final class LoopDriver implements AutoCloseable {
    private static final Logger log = Logs.logger(LoopDriver.class);

    /** What {@link #runOnce} returns once the loop has ended. */
    public static final int CLOSED = -1;

    private final String name;
    private final EventLoop loop;
    /** The thread allowed to call runOnce: set once, by the first call. */
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    /** The thread now allowed to touch the loop's state (inside runOnce, or a closer); see the class comment. */
    private final AtomicReference<Thread> driving = new AtomicReference<>();
    /** Counted down once the final drain and cleanup are over. */
    private final CountDownLatch finished = new CountDownLatch(1);
    /** The earliest deadline as of the end of the last runOnce (written by the owner, read by anyone). */
    private volatile long nextDeadline = Long.MAX_VALUE;

    /**
     * A driven loop on the system clock.
     *
     * @param name what log lines and errors call the loop
     * @throws NativeIoException when the epoll set or its eventfd cannot be made
     */
    public LoopDriver(String name) throws NativeIoException {
        this(name, Clock.system());
    }

    /** A driven loop on {@code clock}, the one its deadline sources use. */
    public LoopDriver(String name, Clock clock) throws NativeIoException {
        this.name = name;
        this.loop = new EventLoop(name, clock, 1000, this);
    }

    /** @return the loop itself, to hand to whatever runs on it (a helper pool); already accepting commands */
    public EventLoop loop() {
        return loop;
    }

    /**
     * The loop's epoll descriptor, to watch for readability in the caller's own poll, select or epoll
     * set (never to read, write or close). Any thread.
     *
     * @throws NativeIoException once the loop is closed
     */
    public int descriptor() throws NativeIoException {
        return loop.core().descriptor();
    }

    /**
     * The earliest deadline of the loop's timers on its {@link EventLoop#clock()}, as of the end of the
     * last runOnce (Long.MAX_VALUE: none). Anything that arms an earlier one from another thread does
     * so through a command, which makes {@link #descriptor()} readable. Any thread.
     */
    public long nextDeadlineNanos() {
        return nextDeadline;
    }

    /** How long until {@link #nextDeadlineNanos()}, rounded up: 0 if it has passed, -1 if there is none. Any thread. */
    public long millisUntilNextDeadline() {
        long due = nextDeadline;
        if (due == Long.MAX_VALUE) {
            return -1;
        }
        long left = due - loop.clock().nanoTime();
        return left <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(left + 999_999);
    }

    /** @return the thread that drives this loop, or null before the first {@link #runOnce} */
    public Thread owner() {
        return owner.get();
    }

    /**
     * One iteration of the loop on the calling thread (see the class comment).
     *
     * @param timeoutMillis the longest wait for something to happen: 0 not at all, negative until a
     *                      record, a command or the next deadline; the wait is shorter when a
     *                      deadline comes first
     * @return the commands, timers and handler calls run (0: nothing happened), or {@link #CLOSED}
     * @throws IllegalStateException from a thread other than the owner, or from inside runOnce
     */
    public int runOnce(long timeoutMillis) {
        Thread me = Thread.currentThread();
        Thread o = owner.get();
        if (o == null && owner.compareAndSet(null, me)) {
            o = me;
        } else {
            o = owner.get();
        }
        if (o != me) {
            throw new IllegalStateException("loop " + name + " is driven by thread '" + o.getName()
                    + "'; thread '" + me.getName() + "' may not drive it");
        }
        if (driving.get() == me) {
            throw new IllegalStateException("loop " + name + ": runOnce called from inside runOnce on thread '"
                    + me.getName() + "' (a handler or command); the loop is not re-entrant");
        }
        if (!driving.compareAndSet(null, me)) {
            awaitFinished(); // a closer claimed it: it is draining and cleaning up
            return CLOSED;
        }
        int result;
        try {
            result = iterate(timeoutMillis);
        } finally {
            driving.set(null); // then the state: see the class comment
        }
        if (result != CLOSED && !loop.isRunning() && !loop.isDrained() && driving.compareAndSet(null, me)) {
            finishClaimed(); // a close came in on our way out and left the drain to us
            return CLOSED;
        }
        if (result != CLOSED && !loop.isRunning()) {
            awaitFinished(); // a closer claimed the loop as we let go: CLOSED only once its cleanup is over
            return CLOSED;
        }
        return result;
    }

    /** The iteration itself, holding the claim. */
    private int iterate(long timeoutMillis) {
        if (loop.isDrained()) {
            return CLOSED;
        }
        int cap = timeoutMillis < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        int work;
        try {
            loop.unpark();
            work = loop.turn(cap);
            if (loop.isRunning()) {
                work += loop.turn(0); // what the handlers queued, or the wait made due
            }
        } catch (Throwable t) {
            log.error("{}: event loop failed: {}", name, t.toString(), t);
            finish();
            return CLOSED;
        }
        if (!loop.isRunning()) {
            finish(); // a close began (in a command, or from another thread): the final drain is ours
            return CLOSED;
        }
        nextDeadline = loop.park();
        return work;
    }

    /** Whether the calling thread holds the loop now (runOnce, or a closer cleaning up): {@link EventLoop#inLoop()}. */
    boolean isDrivingThread() {
        return driving.get() == Thread.currentThread();
    }

    /**
     * Called by {@link EventLoop#close()} after it has set CLOSING and written the eventfd; the
     * three cases of the class comment.
     */
    void closeRequested() {
        Thread me = Thread.currentThread();
        if (driving.get() == me) {
            return; // inside runOnce (or this close's own cleanup): it finishes on its way out
        }
        if (driving.compareAndSet(null, me)) {
            finishClaimed();
            return;
        }
        awaitFinished(); // the owner is inside runOnce: the wake-up ends its wait and it finishes
    }

    /** Holding the claim: the final drain and cleanup unless done already, then the release. */
    private void finishClaimed() {
        try {
            if (!loop.isDrained()) {
                finish();
            }
        } finally {
            driving.set(null);
        }
    }

    private void finish() {
        try {
            loop.finish();
        } finally {
            nextDeadline = Long.MAX_VALUE;
            finished.countDown();
        }
    }

    private void awaitFinished() {
        try {
            if (!finished.await(30, TimeUnit.SECONDS)) {
                log.error("{}: the driving thread did not finish the loop within 30 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the loop: {@link EventLoop#close()} (any thread, any number of times). */
    @Override
    public void close() {
        loop.close();
    }
}
