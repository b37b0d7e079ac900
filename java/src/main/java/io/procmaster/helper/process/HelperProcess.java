package io.procmaster.helper.process;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperSpec;
import io.procmaster.log.Logs;
import io.procmaster.os.ChildProcess;
import io.procmaster.os.EventLoop;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.Fd;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.Signals;
import io.procmaster.os.jni.Native;
import io.procmaster.time.Clock;
import io.procmaster.time.Durations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * One running helper process: the {@code ipcCreate()} equivalent. Its stdin and stdout are the
 * channel ({@link io.procmaster.helper.HelperChannelType}), its stderr a pipe read on the loop, every other descriptor is
 * closed by the spawn core. The process is watched by an {@link EventLoop}: reaped through its pidfd,
 * channel and stderr read there, deadlines (handshake, close escalation) run there. No thread per
 * helper.
 *
 * <p>Interface. {@link #start} spawns on the calling thread — exec errors throw
 * {@link HelperException.Start} synchronously with the errno and the stage — and returns a future
 * that completes once the helper is ready: at once after the exec, or after its hello line when the
 * spec asks for one ({@link HelperSpec#hello()}). {@link #create} waits for that future (bounded by
 * the handshake deadline). The handle gives the pid, a future of the exit (code or signal), and
 * a non-blocking {@link #write} on the channel; the loop reads the channel and pushes what it reads to
 * the {@link HelperProcessListener}. {@link #close()}: EOF on the helper's stdin,
 * then {@link HelperSpec#closeGrace()}, SIGTERM, {@link HelperSpec#termGrace()}, SIGKILL.
 * {@link #kill()}: SIGKILL now.
 *
 * <p>Guarantees: the listener hears {@code onExit} exactly once for every spawned helper and never
 * anything after it; {@code onEof} at most once, before {@code onExit}; when the helper exits, what it
 * left in the channel is read and delivered first. After the exit every descriptor is closed and the
 * process is reaped: a failed or ended helper leaves no zombie and no descriptor. No callback runs
 * synchronously inside {@link #close()} or {@link #kill()}. When the loop itself closes, it kills and
 * reaps the helper; then the descriptors are closed and the futures completed, but the listener is
 * not called (a loop on its way out takes no more work).
 *
 * <p>Failure modes: a helper that exits, closes its channel, says something else or stays silent
 * before its hello fails the start future (after it has been killed and reaped) with a
 * {@link HelperException.Start} naming the reason, what it sent and its exit status. Read errors on
 * the channel count as end-of-file; write errors are thrown to the writer.
 */
public final class HelperProcess {
    /** The logger keeps the name it had before the class moved to this package: log settings name it. */
    private static final Logger log = Logs.logger("io.procmaster.helper.HelperProcess");
    private static final int SCRATCH = 64 * 1024;
    private static final int READS_PER_WAKEUP = 16;
    private static final int SIGKILL = Signals.kill();
    private static final int SIGTERM = Signals.term();
    private static final ThreadLocal<ByteBuffer> READ_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SCRATCH));
    private static final ThreadLocal<ByteBuffer> WRITE_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SCRATCH));

    private enum Phase { HANDSHAKE, READY, FAILED, EXITED }

    private final EventLoop loop;
    private final HelperSpec spec;
    private final String label;
    private final ChildProcess child;
    private final Fd in;   // master reads
    private final Fd out;  // master writes (== in for sockets)
    private final StderrPipe stderr;
    private final HelperProcessListener listener;
    private final CompletableFuture<HelperProcess> started = new CompletableFuture<>();
    private final CompletableFuture<HelperExit> exit = new CompletableFuture<>();
    private final ProcessDeadline deadline;
    private final DirectChannel direct; // a waiting caller's claim on the channel; null for datagram channels

    // loop-thread state
    private Phase phase = Phase.HANDSHAKE;
    private boolean inRegistered, outRegistered, writeWanted, eofDelivered, closing;
    private final HelloLine hello; // null: no handshake
    private String failure;
    long discardedBytes;

    private HelperProcess(EventLoop loop, HelperSpec spec, String label, ChildProcess child, Fd in, Fd out, Fd err,
                          HelperProcessListener listener, Consumer<String> stderrSink) {
        this.loop = loop;
        this.deadline = new ProcessDeadline(loop.clock());
        this.spec = spec;
        this.label = label + " pid " + child.pid();
        this.child = child;
        this.in = in;
        this.out = out;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.stderr = new StderrPipe(loop, err, new HelperStderr(this.label, spec, loop.clock(), stderrSink), READS_PER_WAKEUP);
        this.hello = spec.hello() == null ? null : new HelloLine(spec.hello());
        // The off-loop end of a claimed channel whose loop is gone (DirectChannel): the descriptors only.
        this.direct = spec.channelType().isDatagram() ? null : new DirectChannel(loop, in, () -> {
            in.close(); out.close(); stderr.closeFd(); exit.complete(HelperExit.killed(SIGKILL)); });
    }

    // ---------------------------------------------------------------- starting

    /**
     * Spawns the helper and hands it to {@code loop}. Any thread (the loop thread included).
     *
     * @param listener gets the helper's data and end, on the loop thread
     * @return completes with this helper once it is ready, or fails with {@link HelperException.Start}
     *         after a failed handshake (the helper is then already reaped)
     * @throws HelperException.Start the channel could not be made or the exec failed (errno, stage)
     */
    public static CompletableFuture<HelperProcess> start(EventLoop loop, HelperSpec spec, HelperProcessListener listener)
            throws HelperException.Start {
        return spawn(loop, spec, listener, spec.name(), null).started;
    }

    /**
     * Starts a helper and waits until it is ready (never on the loop thread). The wait is bounded by
     * the handshake deadline.
     */
    public static HelperProcess create(EventLoop loop, HelperSpec spec, HelperProcessListener listener) throws HelperException.Start {
        if (loop.inLoop()) throw new IllegalStateException("create() would block the loop thread; use start()");
        return HelperSpawn.awaitStart(start(loop, spec, listener), spec);
    }

    /** The spawn itself; the handle is returned before the handshake (for the pool's launcher). */
    static HelperProcess spawn(EventLoop loop, HelperSpec spec, HelperProcessListener listener, String label,
                               Consumer<String> stderrSink) throws HelperException.Start {
        HelperSpawn.Spawned sp = HelperSpawn.spawn(spec);
        ChildProcess child = sp.child();
        HelperProcess h = new HelperProcess(loop, spec, label, child, sp.in(), sp.out(), sp.err(), listener, stderrSink);
        try {
            if (loop.inLoop()) h.attach();
            else loop.execute(h::attach);
        } catch (RejectedExecutionException e) {
            child.close(); // not handed to the loop yet: kill and reap here
            h.closeAll();
            throw new HelperException.Start("helper '" + spec.name() + "': event loop is not running", -1, "loop", e);
        }
        return h;
    }

    /** Loop thread: watch the pidfd, the channel and stderr; arm the handshake deadline. */
    private void attach() {
        try {
            loop.watch(child, this::onChildExit);
        } catch (NativeIoException | RuntimeException e) {
            log.error("{}: cannot watch the process: {}", label, e.toString());
            child.close();
            closeAll();
            phase = Phase.EXITED;
            HelperException.Start f = new HelperException.Start(label + ": cannot watch the process: " + e, -1, "loop", e);
            started.completeExceptionally(f);
            exit.complete(HelperExit.killed(SIGKILL));
            listener.onExit(this, HelperExit.killed(SIGKILL));
            return;
        }
        loop.addDeadlineSource(deadline);
        loop.addCloseHook(closeHook);
        try {
            stderr.register(new ReadyHandler(events -> stderr.read(READ_BUFFER.get())));
            registerIn(Native.EPOLLIN);
        } catch (NativeIoException e) {
            log.error("{}: cannot register its descriptors: {}; killing it", label, e.toString());
            fail("cannot register its descriptors: " + e.getMessage());
            return;
        }
        if (hello == null) {
            ready();
        } else {
            deadline.arm(spec.handshakeTimeout(), () -> fail("sent no hello within " + Durations.format(spec.handshakeTimeout())));
        }
    }

    private void registerIn(int events) throws NativeIoException {
        if (inRegistered) {
            loop.modify(in.intValue(), events);
        } else {
            loop.register(in.intValue(), EventLoopCore.Kind.FD, events, new ReadyHandler(this::onInReady));
            inRegistered = true;
        }
    }

    private void ready() {
        phase = Phase.READY;
        if (direct != null) direct.ready(loop.suspension(in.intValue()));
        deadline.disarm();
        log.debug("{}: started ({})", label, spec.channelType());
        started.complete(this);
    }

    /** The start failed (or a hello-less helper is being killed): SIGKILL; the exit completes the story. */
    private void fail(String reason) {
        if (phase == Phase.HANDSHAKE) {
            phase = Phase.FAILED;
            failure = reason;
            log.warn("{}: {}; killing it", label, reason);
        }
        deadline.disarm();
        signal(SIGKILL);
    }

    // ---------------------------------------------------------------- public handle

    public long pid() {
        return child.pid();
    }

    /** The helper's label in logs: name (and pool index) plus pid. */
    public String label() {
        return label;
    }

    /** Completes once the helper has exited and was reaped (after its data was delivered). */
    public CompletableFuture<HelperExit> exitFuture() {
        return exit;
    }

    /** Completes when the helper is ready (see {@link #start}). */
    public CompletableFuture<HelperProcess> startFuture() {
        return started;
    }

    /**
     * Writes as much of {@code src} as the channel takes now; any thread, non-blocking.
     *
     * @return bytes written (0: full, try again after {@link HelperProcessListener#onWritable})
     * @throws IOException the channel is broken (EPIPE, ECONNRESET) or closed
     */
    public int write(ByteBuffer src) throws IOException {
        if (src.isDirect()) return out.write(src);
        ByteBuffer b = WRITE_BUFFER.get();
        b.clear();
        int len = Math.min(src.remaining(), SCRATCH);
        if (src.hasArray()) b.put(src.array(), src.arrayOffset() + src.position(), len).flip(); // no view: no garbage
        else b.put(src.duplicate().limit(src.position() + len)).flip();
        int n = out.write(b);
        src.position(src.position() + n);
        return n;
    }

    /** Loop thread: {@link HelperProcessListener#onWritable} once the channel takes bytes again. */
    public void requestWritable() {
        if (phase == Phase.EXITED || !out.isOpen() || writeWanted) return;
        writeWanted = true;
        try {
            if (out == in) {
                registerIn(Native.EPOLLIN | Native.EPOLLOUT);
            } else {
                loop.register(out.intValue(), EventLoopCore.Kind.FD, Native.EPOLLOUT, new ReadyHandler(this::onOutReady));
                outRegistered = true;
            }
        } catch (NativeIoException e) {
            log.error("{}: cannot wait for the channel to drain: {}; killing it", label, e.toString());
            kill();
        }
    }

    /**
     * Graceful end, any thread: closes the helper's stdin (the whole channel for socket types), then
     * after {@link HelperSpec#closeGrace()} SIGTERM, after {@link HelperSpec#termGrace()} SIGKILL.
     */
    public void close() {
        onLoop(this::doClose);
    }

    /** SIGKILL now (through the pidfd), any thread. The exit is reported as usual. */
    public void kill() {
        signal(SIGKILL);
    }

    private void onLoop(Runnable r) {
        if (loop.inLoop()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            signal(SIGKILL); // the loop kills and reaps what it watched on its way out
        }
    }

    private void doClose() {
        if (closing || phase == Phase.EXITED) return;
        closing = true;
        if (phase == Phase.HANDSHAKE) {
            fail("closed before its hello");
            return;
        }
        if (out == in) {
            // A socket cannot be half-closed from here: the whole channel goes (unread output with it).
            if (inRegistered) loop.unregister(in.intValue());
            inRegistered = false;
            in.close();
        } else {
            if (outRegistered) loop.unregister(out.intValue());
            outRegistered = false;
            out.close();
        }
        deadline.arm(spec.closeGrace(), () -> {
            log.info("{}: still running {} after EOF on its stdin; sending SIGTERM", label,
                    Durations.format(spec.closeGrace()));
            signal(SIGTERM);
            deadline.arm(spec.termGrace(), () -> {
                log.warn("{}: still running {} after SIGTERM; sending SIGKILL", label,
                        Durations.format(spec.termGrace()));
                signal(SIGKILL);
            });
        });
    }

    private void signal(int sig) {
        try {
            child.signal(sig);
        } catch (NativeIoException e) {
            log.warn("{}: signal {}: {}", label, sig, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- loop events

    private void onInReady(int events) {
        if (direct != null && !direct.takeForLoop(false)) return; // a stale event: a caller reads it now
        if (writeWanted && (events & (Native.EPOLLOUT | Native.EPOLLERR | Native.EPOLLHUP)) != 0) {
            writeWanted = false;
            try {
                loop.modify(in.intValue(), Native.EPOLLIN);
            } catch (NativeIoException e) {
                log.warn("{}: {}", label, e.getMessage());
            }
            if (phase != Phase.EXITED) listener.onWritable(this);
        }
        if ((events & (Native.EPOLLIN | Native.EPOLLHUP | Native.EPOLLERR | Native.EPOLLRDHUP)) != 0) {
            readChannel(READS_PER_WAKEUP, events, false);
        }
    }

    private void onOutReady(int events) {
        if (outRegistered) loop.unregister(out.intValue());
        outRegistered = false;
        writeWanted = false;
        if (phase != Phase.EXITED) listener.onWritable(this);
    }

    /**
     * Reads up to {@code rounds} buffers from the channel and delivers them.
     *
     * @param toTheEnd read until the channel is empty or ended; otherwise, on a stream channel, stop
     *                 after a read that did not fill the buffer: the channel was empty then, and the
     *                 loop's epoll is level-triggered, so anything arriving later is reported again.
     *                 That saves the read that would only return EAGAIN, one per wake-up.
     */
    private void readChannel(int rounds, int events, boolean toTheEnd) {
        ByteBuffer b = READ_BUFFER.get();
        for (int i = 0; i < rounds && inRegistered; i++) {
            b.clear();
            int n;
            try {
                n = in.read(b);
            } catch (NativeIoException e) {
                log.warn("{}: reading its channel failed: {}", label, e.getMessage());
                n = -1;
            }
            if (n == 0) return;
            if (n < 0) {
                if (spec.channelType().isDatagram()
                        && (events & (Native.EPOLLHUP | Native.EPOLLERR | Native.EPOLLRDHUP)) == 0) {
                    continue; // an empty datagram, not an end
                }
                channelEnded();
                return;
            }
            boolean drained = !toTheEnd && b.hasRemaining() && !spec.channelType().isDatagram();
            deliver(b.flip());
            if (drained) return;
        }
    }

    private void deliver(ByteBuffer data) {
        if (phase == Phase.HANDSHAKE) {
            switch (hello.feed(data)) {
                case RIGHT -> ready();
                case WRONG -> fail(hello.wrong());
                case INCOMPLETE -> { }
            }
        }
        if (!data.hasRemaining()) return;
        if (phase != Phase.READY) {
            discardedBytes += data.remaining();
            data.position(data.limit());
            return;
        }
        listener.onData(this, data);
        if (data.hasRemaining()) {
            discardedBytes += data.remaining();
            log.error("{}: listener left {} bytes unread; dropped", label, data.remaining());
            data.position(data.limit());
        }
    }

    private void channelEnded() {
        if (inRegistered) loop.unregister(in.intValue());
        inRegistered = false;
        if (phase == Phase.HANDSHAKE) {
            fail("closed its channel before its hello (read returned 0, got '" + helloSeen() + "')");
            return;
        }
        if (!eofDelivered && phase == Phase.READY) {
            eofDelivered = true;
            listener.onEof(this);
        }
    }

    private void onChildExit(ExitStatus status) {
        if (direct != null && !direct.endOrDefer(() -> onChildExit(status))) return; // once the caller lets go
        HelperExit he = status.exited() ? HelperExit.exited(status.code()) : HelperExit.killed(status.signal());
        // What it left behind is still ours: read it before the end is told.
        if (inRegistered) readChannel(256, 0, true); // bounded: 16 MiB at most
        stderr.read(READ_BUFFER.get());
        if (phase == Phase.HANDSHAKE) {
            phase = Phase.FAILED;
            failure = "exited before its hello (got '" + helloSeen() + "')";
        }
        stderr.finish();
        deadline.disarm();
        loop.removeDeadlineSource(deadline);
        loop.removeCloseHook(closeHook);
        closeAll();
        phase = Phase.EXITED;
        if (failure != null) {
            String msg = label + ": " + failure + "; " + he;
            started.completeExceptionally(new HelperException.Start(msg, -1, "handshake", null));
        }
        log.debug("{}: {}", label, he);
        if (!eofDelivered) {
            eofDelivered = true;
            listener.onEof(this);
        }
        try {
            listener.onExit(this, he);
        } finally {
            exit.complete(he); // after the listener: a waiter sees its effects
        }
    }

    /** The loop is closing: it has killed and reaped the helper; release the rest, tell no listener. */
    private final Runnable closeHook = this::onLoopClosed;

    private void onLoopClosed() {
        if (direct != null && !direct.endOrDefer(this::onLoopClosed)) return;
        ExitStatus st = child.exitStatus();
        HelperExit he = st == null ? HelperExit.killed(SIGKILL)
                : st.exited() ? HelperExit.exited(st.code()) : HelperExit.killed(st.signal());
        phase = Phase.EXITED;
        deadline.disarm();
        stderr.finish();
        closeAll();
        started.completeExceptionally(new HelperException.Start(label + ": the event loop closed"));
        exit.complete(he);
    }

    private void closeAll() {
        if (inRegistered) loop.unregister(in.intValue());
        if (outRegistered) loop.unregister(out.intValue());
        inRegistered = outRegistered = false;
        in.close();
        out.close();
        stderr.close();
    }

    // ---------------------------------------------------------------- counters and claim, for stats, the pool and tests
    /** Stderr lines seen, logged, suppressed by the rate limit, cut at the line limit. */
    public long[] stderrCounters() {
        return stderr.counters();
    }

    /** The claim a waiting caller takes to do the channel's I/O itself; null for datagram channels. */
    DirectChannel direct() {
        return direct;
    }

    /** The master's descriptors (read, write, stderr), for tests; -1 once closed. */
    int[] masterFds() {
        return new int[] {in.intValue(), out.intValue(), stderr.fd()};
    }

    @Override
    public String toString() {
        return label;
    }

    /** What the helper sent of its hello so far, escaped (empty without a handshake). */
    private String helloSeen() {
        return hello == null ? "" : hello.seen();
    }
}
