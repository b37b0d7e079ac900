package io.procmaster.os;

import io.procmaster.log.Logs;
import io.procmaster.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The loop thread: one thread owns an {@link EventLoopCore} and everything registered with it,
 * as Postfix's single-threaded event loop owns the master's state (its own thread, or the user's).
 *
 * <p>It lives in {@code os}, next to the epoll set it drives, because two layers run on it: the
 * master's mechanism ({@code io.procmaster.loop}) and the helper pools ({@code io.procmaster.helper}),
 * and imports flow one way, down to {@code os} (docs/DESIGN.md §2). It uses nothing above {@code os}.
 *
 * <p>Interface. Other threads only {@link #execute} commands (an eventfd wake-up only if the loop
 * sleeps: see {@link #execute}) and mute a descriptor handed to them in the set, then restore it
 * ({@link IoSuspension}); the rest is on the loop thread. Each registration gets a fresh 24-bit tag:
 * a record for a number closed and reused within one batch goes nowhere, not to the new owner.
 * Children handed to {@link #watch} are reaped by the C core; their pidfds are closed here. Deadline
 * sources (the policy's timers, a helper pool) size each wait: the loop sleeps until the earliest
 * deadline and then calls them.
 *
 * <p>Failure modes: a handler or command that throws is logged and the loop goes on; a failing
 * poll (which cannot happen short of a broken kernel) stops the loop with an error log. Closing the
 * loop kills (SIGKILL) and reaps every child still watched, runs the close hooks (owners release
 * what they hold) and takes every descriptor still registered out of the set: nothing is left behind.
 *
 * <p>Lifecycle, the contract callers rely on. States: NEW, RUNNING ({@link #start}), CLOSING
 * ({@link #close} called), DRAINED (the loop thread has left its loop, because of a close or a
 * failure, and begun its final drain; from then on it runs no command it did not already take).
 * <ul>
 * <li>{@link #execute} either accepts the command, which then runs on the loop thread exactly once,
 *     or throws {@link RejectedExecutionException}; never neither. It accepts while RUNNING or
 *     CLOSING, and rejects before {@link #start} and once DRAINED, except that a command the final
 *     drain already took runs and its {@code execute} returns normally. So when close begins, a
 *     caller that holds a future for its command either sees {@code execute} throw (and fails the
 *     future itself) or can rely on the command running before the loop thread ends.
 * <li>{@link #close} (any thread, any number of times, also before {@link #start} and from the
 *     loop thread) stops the loop after the command or handler now running (no timer runs once close
 *     has begun); the loop thread then runs every command still queued, then cleans up; from another
 *     thread close returns after that, or after 30 s with an error logged if the loop thread is still
 *     stuck in a call (it finishes on its own when the call returns); from the loop thread it returns
 *     at once. Closing a loop never started cleans up on the calling thread (nothing to run).
 * <li>{@link #start} after {@link #close} throws IllegalStateException; start and close are
 *     serialised, so either the loop runs and is then closed, or it never runs.
 * <li>After close, from any thread: {@code execute} rejects, {@link #register} throws a
 *     {@link NativeIoException} saying the loop is closed, wake-ups are no-ops; the native handle
 *     cannot reach freed memory ({@link EventLoopCore}).
 * </ul>
 * Driven mode ({@link LoopDriver}: no thread; the user's thread calls runOnce, which is
 * {@link #turn}): RUNNING from construction, {@link #start} refuses; "the loop thread" above is the
 * thread inside runOnce, or a closer while nobody is; close wakes a driver asleep in runOnce, which
 * does the final drain and cleanup, or does them itself if nobody drives. Same contract otherwise.
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final Logger log = Logs.logger(EventLoop.class);

    /** What a registered descriptor's owner hears. All on the loop thread. */
    public interface Handler {
        /** The descriptor is ready: {@code events} are the epoll bits (EPOLLIN, EPOLLOUT, ...). */
        default void onReady(int events) { }

        /** A status record arrived on a status channel, with the kernel's word on the sender ({@code senderPid}); {@code flags} say whether it was well formed. */
        default void onStatus(int pid, int generation, int status, int senderPid, int flags, int length) { }

        /** The peer hung up or the descriptor failed; the registration is removed. */
        default void onHup() { }
    }

    /** Something with a deadline on the loop's {@link #clock()} (Long.MAX_VALUE: none). */
    public interface DeadlineSource {
        /** The next deadline on the loop's clock, or {@link Long#MAX_VALUE} for none; asked before every wait. */
        long nextDeadlineNanos();

        /** Called on the loop thread once the deadline has passed. */
        void onDeadline();
    }

    private record Registration(int tag, Handler handler) { }

    private record Watched(ChildProcess child, Consumer<ExitStatus> onExit) { }

    private final String name;
    private final EventLoopCore core;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Map<Integer, Registration> fds = new HashMap<>();
    private final Map<Integer, Watched> children = new HashMap<>(); // by tag
    private final LoopDeadlines deadlines;
    private final Set<Runnable> closeHooks = new java.util.LinkedHashSet<>();
    private final Clock clock;
    private final int maxSleepMillis;
    private final Dispatch dispatch = new Dispatch();
    /** True from just before the loop checks its queue for the last time until its wait is over. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private static final int NEW = 0, RUNNING = 1, CLOSING = 2, DRAINED = 3;
    /** One of the states above, only ever growing; see the class comment and {@link #execute}. */
    private volatile int state = NEW;
    private volatile Thread thread;
    /** The user's thread drives this loop instead of {@link #thread}; null for a loop with a thread. */
    private final LoopDriver driver;
    private int nextTag = 1;

    /** A loop whose thread is named {@code name}, on the system clock; {@link #start()} runs it. */
    public EventLoop(String name) throws NativeIoException {
        this(name, Clock.system());
    }

    /** A loop on {@code clock} (the one its deadline sources use). */
    public EventLoop(String name, Clock clock) throws NativeIoException {
        this(name, clock, 1000);
    }

    /**
     * @param maxSleepMillis the longest poll with nothing due (the periodic wake that also notices a
     *                       stop); tests make it long so that a lost wake-up shows as a hang
     */
    EventLoop(String name, Clock clock, int maxSleepMillis) throws NativeIoException {
        this(name, clock, maxSleepMillis, null);
    }

    /** With a {@code driver}: the driven mode, RUNNING at once and with no thread of its own. */
    EventLoop(String name, Clock clock, int maxSleepMillis, LoopDriver driver) throws NativeIoException {
        this.name = name;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxSleepMillis = maxSleepMillis;
        this.core = new EventLoopCore(name, 256);
        this.deadlines = new LoopDeadlines(name, clock);
        this.driver = driver;
        if (driver != null) {
            state = RUNNING;
            sleeping.set(true); // parked until the first runOnce: a command queued before it makes the descriptor readable
        }
    }

    /** The clock deadline sources are compared with: whoever registers one arms it on this clock. */
    public Clock clock() {
        return clock;
    }

    /** Starts the loop thread; once only, and never after {@link #close}. */
    public synchronized void start() {
        if (state != NEW) {
            throw new IllegalStateException("loop " + name + (driver != null ? " is driven by its user's thread"
                    : thread != null ? " already started" : " is closed"));
        }
        state = RUNNING;
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Runs a command on the loop thread; from the loop thread itself it is queued too (never re-entrant).
     *
     * <p>Why the eventfd is written only when {@link #sleeping} is set: a loop that is awake drains
     * the queue before it polls again, so a wake-up would only cost a system call here and a spurious
     * iteration there. The handshake cannot lose a command: the loop sets {@code sleeping} and then
     * looks at the queue once more; a caller adds its command and then reads {@code sleeping}. Of two
     * such write-then-read pairs on volatile variables at least one sees the other's write, so either
     * the loop sees the command and does not sleep, or the caller sees {@code sleeping} and wakes it
     * (only the caller that flips it back writes the eventfd; the others' commands are drained by the
     * same wake-up). The eventfd counter keeps a wake-up written before the poll starts.
     *
     * <p>Why a command is never left in the queue (run or rejected, never neither) without a lock
     * or a system call here: this method adds the command and then reads {@link #state}; the owner
     * sets DRAINED and then drains the queue to empty; on DRAINED, {@code commands.remove(command)}
     * decides (remove and poll each unlink with one CAS). The interleavings: docs/DESIGN.md §4.1.
     */
    @Override
    public void execute(Runnable command) {
        if (!accepting(state)) {
            throw rejected();
        }
        commands.add(command);
        if (!accepting(state)) {
            if (commands.remove(command)) {
                throw rejected();
            }
            return; // the final drain took it and runs it
        }
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            core.wakeup();
        }
    }

    private static boolean accepting(int s) {
        return s == RUNNING || s == CLOSING;
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("loop " + name + (state == NEW ? " is not started" : " is closed"));
    }

    /** Whether the calling thread is this loop's thread (driven: the one inside {@link LoopDriver#runOnce}). */
    public boolean inLoop() {
        return driver != null ? driver.isDrivingThread() : Thread.currentThread() == thread;
    }

    /** Registers fd with a handler (loop thread). */
    public void register(int fd, EventLoopCore.Kind kind, int events, Handler handler) throws NativeIoException {
        int tag = tag();
        core.register(fd, kind, tag, events);
        fds.put(fd, new Registration(tag, handler));
    }

    /** Changes the epoll interest of a registered plain descriptor (loop thread). */
    public void modify(int fd, int events) throws NativeIoException {
        Registration r = fds.get(fd);
        if (r == null) {
            throw new IllegalStateException("fd " + fd + " is not registered with " + name);
        }
        core.modify(fd, EventLoopCore.Kind.FD, r.tag(), events);
    }

    /** Stops watching fd (it stays open: the caller owns it). */
    public void unregister(int fd) {
        if (fds.remove(fd) != null) {
            try {
                core.deregister(fd);
            } catch (NativeIoException e) {
                log.warn("{}: deregister fd {}: {}", name, fd, e.getMessage());
            }
        }
    }

    /** The handle another thread mutes {@code fd} in the set and restores it with (loop thread; {@link IoSuspension}). */
    public IoSuspension suspension(int fd) {
        Registration r = fds.get(fd);
        if (r == null) throw new IllegalStateException("fd " + fd + " is not registered with " + name);
        return new IoSuspension(core, fd, r.tag());
    }

    /** Whether {@code fd} is registered with this loop (loop thread). */
    public boolean isRegistered(int fd) {
        return fds.containsKey(fd);
    }

    /** Hands a child to the loop: it is reaped here, and onExit runs on the loop thread. */
    public void watch(ChildProcess child, Consumer<ExitStatus> onExit) throws NativeIoException {
        int tag = tag();
        core.watch(child, tag);
        children.put(tag, new Watched(child, onExit));
    }

    /**
     * Adds a deadline source, consulted before every wait. Loop thread (or before {@link #start});
     * sources may add or remove sources, themselves included, from their own calls.
     */
    public void addDeadlineSource(DeadlineSource source) {
        deadlines.add(source);
    }

    /** Removes a deadline source added with {@link #addDeadlineSource}; loop thread. */
    public void removeDeadlineSource(DeadlineSource source) {
        deadlines.remove(source);
    }

    /**
     * Runs {@code hook} on the loop thread when the loop closes, after every watched child has been
     * killed and reaped (their exit handlers are not called then): for owners of descriptors the loop
     * does not close itself, such as a helper's channel. Loop thread.
     */
    public void addCloseHook(Runnable hook) {
        closeHooks.add(hook);
    }

    /** Removes a close hook added with {@link #addCloseHook}; loop thread. */
    public void removeCloseHook(Runnable hook) {
        closeHooks.remove(hook);
    }

    /** The number of children watched and not yet reaped. */
    public int watchedChildren() {
        return children.size();
    }

    private int tag() {
        int t = nextTag;
        nextTag = (nextTag + 1) & 0xffffff;
        if (nextTag == 0) {
            nextTag = 1;
        }
        return t;
    }

    private void run() {
        try {
            while (state == RUNNING) {
                turn(maxSleepMillis); // nothing due: still wake up now and then to notice a stop
            }
        } catch (Throwable t) {
            log.error("{}: event loop failed: {}", name, t.toString(), t);
        } finally {
            finish();
        }
    }

    /**
     * One iteration, both modes: the queued commands, the due timers, one poll of at most {@code capMillis}
     * (-1: until a record or a deadline) dispatching what is ready. Returns the commands, timers and handler calls run.
     */
    int turn(int capMillis) throws NativeIoException {
        int work = runCommands(true);
        if (state != RUNNING) {
            return work; // a command began the close: no timer may fire (and spawn) from here on
        }
        work += deadlines.runDue();
        long due = deadlines.earliest();
        int timeout = due == Long.MAX_VALUE ? capMillis : (int) Math.min(capMillis < 0 ? Integer.MAX_VALUE : capMillis,
                TimeUnit.NANOSECONDS.toMillis(Math.max(0, due - clock.nanoTime()) + 999_999));
        if (timeout != 0) {
            sleeping.set(true); // then the last look at the queue: see execute()
            if (!commands.isEmpty()) {
                sleeping.set(false);
                timeout = 0;
            }
        }
        dispatch.handled = 0;
        core.poll(timeout, dispatch); // clears sleeping as soon as the wait is over
        return work + dispatch.handled;
    }

    /** Driven mode, leaving runOnce: executes write the eventfd again (the descriptor turns readable); the earliest deadline. */
    long park() {
        sleeping.set(true);
        if (!commands.isEmpty() && sleeping.compareAndSet(true, false)) {
            core.wakeup(); // queued before the set: signalled here, as before a poll (see execute)
        }
        return deadlines.earliest();
    }

    /** Entering runOnce: commands queued from here on are drained before its poll, no write needed. */
    void unpark() { sleeping.set(false); }
    boolean isRunning() { return state == RUNNING; }
    boolean isDrained() { return state == DRAINED; }

    EventLoopCore core() { return core; }

    /** The loop's last act, on its owner thread: no more accepting, the final drain, cleanup. */
    void finish() {
        state = DRAINED; // first the state, then the drain to empty: see execute()
        runCommands(false);
        cleanup();
    }

    /**
     * Runs queued commands until the queue is empty, or (untilClose) until close begins: callers that
     * keep executing while the loop closes would otherwise keep it here; the final drain runs the rest,
     * and there execute rejects what the drain has not taken. Returns how many ran.
     */
    private int runCommands(boolean untilClose) {
        Runnable r;
        int n = 0;
        while ((!untilClose || state == RUNNING) && (r = commands.poll()) != null) {
            n++;
            try {
                r.run();
            } catch (Throwable t) {
                log.error("{}: command failed: {}", name, t.toString(), t);
            }
        }
        return n;
    }

    private final class Dispatch implements EventSink {
        /** Handler calls in the current poll (loop thread). */
        int handled;

        @Override
        public void onWaitOver(int records) {
            // Before any handler runs: commands queued from here on (by handlers, or by callers
            // meanwhile) are drained before the next poll and need no eventfd write.
            sleeping.set(false);
        }

        @Override
        public void onExit(int pidfd, int tag, ExitStatus status) {
            Watched w = children.remove(tag);
            if (w == null) {
                core.close(pidfd);
                log.warn("{}: exit of an unknown child pid {} ({})", name, status.pid(), status);
                return;
            }
            core.exited(w.child(), status);
            try {
                handled++;
                w.onExit().accept(status);
            } catch (Throwable t) {
                log.error("{}: exit handler of pid {} failed: {}", name, status.pid(), t.toString(), t);
            }
        }

        @Override
        public void onStatus(int fd, int tag, int pid, int gen, int status, int sender, int flags, int length) {
            Registration r = fds.get(fd);
            if (r != null && r.tag() == tag) {
                try {
                    handled++;
                    r.handler().onStatus(pid, gen, status, sender, flags, length);
                } catch (Throwable t) {
                    log.error("{}: status handler of fd {} failed: {}", name, fd, t.toString(), t);
                }
            }
        }

        @Override
        public void onReady(int fd, int tag, int events) {
            Registration r = fds.get(fd);
            if (r != null && r.tag() == tag) {
                try {
                    handled++;
                    r.handler().onReady(events);
                } catch (Throwable t) {
                    log.error("{}: handler of fd {} failed: {}", name, fd, t.toString(), t);
                }
            }
        }

        @Override
        public void onHup(int fd, int tag) {
            Registration r = fds.get(fd);
            if (r != null && r.tag() == tag) {
                fds.remove(fd);
                handled++;
                r.handler().onHup();
            }
        }
    }

    /**
     * Stops the loop thread after it has run every command accepted, and waits for it (from another
     * thread; from the loop thread it returns at once). Idempotent; see the class comment. The wait
     * is bounded: if the loop thread has not ended within 30 s (a command or handler that does not
     * return), close logs an error and returns anyway; the loop thread then drains and cleans up
     * on its own once that call returns, and nothing it holds is released before that.
     */
    @Override
    public void close() {
        synchronized (this) { // against start(): the loop either runs and is then closed, or never runs
            if (state == NEW) {
                state = DRAINED; // nothing was accepted (execute rejects in NEW), so nothing to drain
                cleanup();
                return;
            }
            if (state == RUNNING) {
                state = CLOSING;
            }
        }
        core.wakeup(); // a no-op if the loop thread has closed the core already
        if (driver != null) {
            driver.closeRequested(); // the driven mode's own rules: see LoopDriver
            return;
        }
        Thread t = thread; // set before RUNNING, so not null here unless the loop never started
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30)); // the thread itself: gone when close returns
                if (t.isAlive()) {
                    log.error("{}: loop thread did not stop within 30 s", name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void cleanup() {
        // Children first: kill and reap, so none outlives the loop as a zombie.
        for (Watched w : children.values()) {
            core.killAndReap(w.child());
        }
        children.clear();
        for (Runnable hook : List.copyOf(closeHooks)) {
            try {
                hook.run();
            } catch (Throwable t) {
                log.error("{}: close hook failed: {}", name, t.toString(), t);
            }
        }
        closeHooks.clear();
        for (Integer fd : List.copyOf(fds.keySet())) {
            unregister(fd);
        }
        core.close();
    }
}
