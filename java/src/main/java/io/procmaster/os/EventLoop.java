package io.procmaster.os;



import io.procmaster.log.Logs;
import io.procmaster.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The loop thread: one thread owns an {@link EventLoopCore} and everything registered with it,
 * as Postfix's single-threaded event loop owns the master's state.
 *
 * <p>It lives in {@code os}, next to the epoll set it drives, because two layers run on it: the
 * master's mechanism ({@code io.procmaster.loop}) and the helper pools ({@code io.procmaster.helper}),
 * and imports flow one way, down to {@code os} (docs/DESIGN.md §2). It uses nothing above {@code os}.
 *
 * <p>Interface. Other threads only {@link #execute} commands (queued, then an eventfd wake-up only if
 * the loop is about to sleep or sleeping: see {@link #execute}); everything else is called on the loop
 * thread. Descriptors are registered with a handler and get
 * a fresh 24-bit tag each time, so a record for a number that was closed and reused within one
 * batch goes nowhere instead of to the new owner. Children handed to {@link #watch} are reaped by
 * the C core; their pidfds are closed here. Deadline sources (the policy's timers, a helper pool)
 * size each wait: the loop sleeps until the earliest deadline and then calls them.
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
 *     at once. Closing a loop never started cleans up on the calling
 *     thread; nothing was accepted, so nothing is to run.
 * <li>{@link #start} after {@link #close} throws IllegalStateException; start and close are
 *     serialised, so either the loop runs and is then closed, or it never runs.
 * <li>After close, from any thread: {@code execute} rejects, {@link #register} throws a
 *     {@link NativeIoException} saying the loop is closed, wake-ups are no-ops; the native handle
 *     cannot reach freed memory ({@link EventLoopCore}).
 * </ul>
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final Logger log = Logs.logger(EventLoop.class);

    /** What a registered descriptor's owner hears. All on the loop thread. */
    public interface Handler {
        /** The descriptor is ready: {@code events} are the epoll bits (EPOLLIN, EPOLLOUT, ...). */
        default void onReady(int events) {
        }

        /** A status record arrived on a status channel, with the kernel's word on the sender ({@code senderPid}); {@code flags} say whether it was well formed. */
        default void onStatus(int pid, int generation, int status, int senderPid, int flags, int length) {
        }

        /** The peer hung up or the descriptor failed; the registration is removed. */
        default void onHup() {
        }
    }

    /** Something with a deadline on the loop's {@link #clock()} (Long.MAX_VALUE: none). */
    public interface DeadlineSource {
        /** The next deadline on the loop's clock, or {@link Long#MAX_VALUE} for none; asked before every wait. */
        long nextDeadlineNanos();

        /** Called on the loop thread once the deadline has passed. */
        void onDeadline();
    }

    private record Registration(int tag, Handler handler) {
    }

    private record Watched(ChildProcess child, Consumer<ExitStatus> onExit) {
    }

    private final String name;
    private final EventLoopCore core;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Map<Integer, Registration> fds = new HashMap<>();
    private final Map<Integer, Watched> children = new HashMap<>(); // by tag
    /** Copy on write (changes are rare, reads happen twice per iteration): iterating needs no copy. */
    private DeadlineSource[] deadlines = new DeadlineSource[0];
    private final java.util.Set<Runnable> closeHooks = new java.util.LinkedHashSet<>();
    private final Clock clock;
    private final int maxSleepMillis;
    private final Dispatch dispatch = new Dispatch();
    /** True from just before the loop checks its queue for the last time until its wait is over. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private static final int NEW = 0, RUNNING = 1, CLOSING = 2, DRAINED = 3;
    /** One of the states above, only ever growing; see the class comment and {@link #execute}. */
    private volatile int state = NEW;
    private volatile Thread thread;
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
        this.name = name;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxSleepMillis = maxSleepMillis;
        this.core = new EventLoopCore(name, 256);
    }

    /** The clock deadline sources are compared with: whoever registers one arms it on this clock. */
    public Clock clock() {
        return clock;
    }

    /** Starts the loop thread; once only, and never after {@link #close}. */
    public synchronized void start() {
        if (state != NEW) {
            throw new IllegalStateException("loop " + name + (thread != null ? " already started" : " is closed"));
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
     * or a system call here: this method adds the command and then reads {@link #state}; the loop
     * thread sets DRAINED and then drains the queue to empty, as its last act before cleanup. The
     * interleavings:
     * <ol>
     * <li>The read sees RUNNING or CLOSING: it came before the write of DRAINED, so the add came
     *     before the final drain began, and the drain (which polls until empty) takes the command.
     *     Accepted; it runs.
     * <li>The read sees DRAINED (the only other answer: the state only grows, and the first read,
     *     before the add, saw RUNNING or CLOSING): the final drain may be under way, so the
     *     command may or may not have been taken. {@code commands.remove(command)} decides, as
     *     remove and poll each unlink a node with one CAS and only one can win: removed, so no
     *     loop will see it, and it is rejected; not found, so the loop took it and runs it, and
     *     execute returns normally.
     * <li>A command added after the final drain found the queue empty: the add is after the write of
     *     DRAINED, so the read sees DRAINED and case 2 removes and rejects it.
     * </ol>
     * Two executes of the same (or {@code equals}) command object may swap which of them is
     * rejected; the counts stay exact. From the loop thread during the final drain (a command or
     * close hook executing another) the command is always rejected: the drainer is busy running
     * the caller. The first read of {@link #state}, before the add, rejects at once before
     * {@link #start} (no loop thread can take anything then) and after the drain.
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

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
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
        DeadlineSource[] d = Arrays.copyOf(deadlines, deadlines.length + 1);
        d[d.length - 1] = source;
        deadlines = d;
    }

    /** Removes a deadline source added with {@link #addDeadlineSource}; loop thread. */
    public void removeDeadlineSource(DeadlineSource source) {
        List<DeadlineSource> d = new ArrayList<>(Arrays.asList(deadlines));
        if (d.remove(source)) {
            deadlines = d.toArray(new DeadlineSource[0]);
        }
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
                runCommands(true);
                if (state != RUNNING) {
                    break; // a command began the close: no timer may fire (and spawn) from here on
                }
                runDeadlines();
                int timeout = timeoutMillis();
                if (timeout != 0) {
                    sleeping.set(true); // then the last look at the queue: see execute()
                    if (!commands.isEmpty()) {
                        sleeping.set(false);
                        timeout = 0;
                    }
                }
                core.poll(timeout, dispatch); // clears sleeping as soon as the wait is over
            }
        } catch (Throwable t) {
            log.error("{}: event loop failed: {}", name, t.toString(), t);
        } finally {
            state = DRAINED; // first the state, then the drain to empty: see execute()
            runCommands(false);
            cleanup();
        }
    }

    /**
     * Runs queued commands until the queue is empty, or (untilClose) until close begins: callers that
     * keep executing while the loop closes would otherwise keep it here; the final drain runs the rest,
     * and there execute rejects what the drain has not taken.
     */
    private void runCommands(boolean untilClose) {
        Runnable r;
        while ((!untilClose || state == RUNNING) && (r = commands.poll()) != null) {
            try {
                r.run();
            } catch (Throwable t) {
                log.error("{}: command failed: {}", name, t.toString(), t);
            }
        }
    }

    private void runDeadlines() {
        long now = clock.nanoTime();
        for (DeadlineSource d : deadlines) { // a snapshot: sources may be added or removed meanwhile
            long due = d.nextDeadlineNanos();
            if (due != Long.MAX_VALUE && due - now <= 0) {
                try {
                    d.onDeadline();
                } catch (Throwable t) {
                    log.error("{}: timer failed: {}", name, t.toString(), t);
                }
            }
        }
    }

    private int timeoutMillis() {
        long now = clock.nanoTime();
        long min = Long.MAX_VALUE;
        for (DeadlineSource d : deadlines) {
            long due = d.nextDeadlineNanos();
            if (due != Long.MAX_VALUE) {
                min = Math.min(min, Math.max(0, due - now));
            }
        }
        if (min == Long.MAX_VALUE) {
            return maxSleepMillis; // nothing due: still wake up now and then to notice a stop
        }
        return (int) Math.min(maxSleepMillis, TimeUnit.NANOSECONDS.toMillis(min + 999_999));
    }

    private final class Dispatch implements EventSink {
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
