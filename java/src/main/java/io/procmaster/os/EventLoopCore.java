package io.procmaster.os;

import io.procmaster.os.jni.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The C core's epoll set, seen from Java: registration, one poll call per wake-up that fills a
 * direct buffer with fixed-size records, and their decoding into {@link EventSink} calls.
 *
 * <p>Not thread-safe except {@link #wakeup()} and {@link #close()}: one thread (the loop thread)
 * owns it. {@link #register} and {@link #deregister} keep no Java state (each is one epoll_ctl), so
 * an {@link IoSuspension} may call them from another thread for a descriptor its owner handed over. Record layout comes from C ({@link Native}); nothing here assumes a size or an offset.
 *
 * <p>After {@link #close()}, from any thread and even while another thread is inside a call: the
 * handle is a generation-checked index into C's loop table ({@code loop.h}), so a late call can
 * reach neither freed memory nor a reused descriptor number. {@link #wakeup()} is then a no-op;
 * {@link #register}, {@link #modify} and {@link #poll} throw a {@link NativeIoException} (EBADF)
 * saying the loop is closed; {@link #deregister} returns false; {@link #close(int)} still closes
 * the descriptor. A poll asleep when another thread closes the loop returns.
 */
public final class EventLoopCore implements AutoCloseable {
    /** What a registered descriptor is. */
    public enum Kind { FD, PIDFD, STATUS }

    private final String name;
    private final long loop;
    private final ByteBuffer buffer;
    private final int capacity;
    private volatile boolean closed;

    public EventLoopCore(int capacity) throws NativeIoException {
        this("event loop", capacity);
    }

    /** @param name what error messages call this loop ("loop procmaster-loop is closed") */
    public EventLoopCore(String name, int capacity) throws NativeIoException {
        Native.ensureAvailability();
        if (capacity <= 0 || capacity > 65536) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        long l = Native.loopCreate0();
        if (l < 0) {
            throw Errno.exception("epoll_create1", (int) l);
        }
        this.name = name;
        this.loop = l;
        this.capacity = capacity;
        this.buffer = ByteBuffer.allocateDirect(capacity * Native.EVENT_SIZE).order(ByteOrder.nativeOrder());
    }

    /** The C handle; safe to pass to C after close too (C refuses it then). */
    long address() {
        return loop;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * The epoll descriptor, for a caller that watches it in its own poll ({@link LoopDriver}):
     * readable whenever {@link #poll} has a record to deliver, a {@link #wakeup()} included. Never
     * to be read or closed; valid until {@link #close()}.
     *
     * @throws NativeIoException EBADF once the loop is closed
     */
    public int descriptor() throws NativeIoException {
        return check("epoll descriptor", Native.loopFd0(loop));
    }

    public void register(int fd, Kind kind, int tag, int events) throws NativeIoException {
        check("epoll_ctl add fd " + fd, Native.loopCtl0(loop, Native.CTL_ADD, fd, kind(kind), tag, events));
    }

    public void modify(int fd, Kind kind, int tag, int events) throws NativeIoException {
        check("epoll_ctl mod fd " + fd, Native.loopCtl0(loop, Native.CTL_MOD, fd, kind(kind), tag, events));
    }

    /**
     * Like {@link Errno#check}, but EBADF on a closed loop says so: C refuses a closed handle with
     * EBADF, and {@code closed} is set before the handle is destroyed, so it is visible here.
     */
    private int check(String op, int r) throws NativeIoException {
        if (r == -Native.EBADF && closed) {
            throw new NativeIoException(op + ": loop " + name + " is closed", Native.EBADF, true);
        }
        return Errno.check(op, r);
    }

    /**
     * Changes a plain descriptor's interest to {@code events}; false if it is not in the set or the
     * loop is closed (as {@link #deregister}). One epoll_ctl MOD, which keeps the epoll item and its
     * wait-queue entry: cheaper than a DEL and an ADD (no allocation, no wait-queue surgery), how an
     * {@link IoSuspension} takes a descriptor's interest off and puts it back.
     */
    public boolean modifyIfPresent(int fd, int tag, int events) throws NativeIoException {
        int r = Native.loopCtl0(loop, Native.CTL_MOD, fd, Native.REG_FD, tag, events);
        if (r == -Native.ENOENT || r == -Native.EBADF) {
            return false;
        }
        Errno.check("epoll_ctl mod fd " + fd, r);
        return true;
    }

    /** Removes fd from the set; false if it was not there. */
    public boolean deregister(int fd) throws NativeIoException {
        int r = Native.loopCtl0(loop, Native.CTL_DEL, fd, Native.REG_FD, 0, 0);
        if (r == -Native.ENOENT || r == -Native.EBADF) {
            return false;
        }
        Errno.check("epoll_ctl del fd " + fd, r);
        return true;
    }

    /** Hands a child to this loop: it will be reaped here and reported through {@link EventSink#onExit}. */
    public int watch(ChildProcess child, int tag) throws NativeIoException {
        int fd = child.pidfdForLoop();
        try {
            register(fd, Kind.PIDFD, tag, Native.EPOLLIN);
        } catch (NativeIoException | RuntimeException e) {
            // Nobody would reap it now: it must not outlive the failed hand-over, running or as a zombie.
            child.killAndReap(loop);
            throw e;
        }
        return fd;
    }

    /** Records the exit the loop reported for a watched child and closes its pidfd. */
    public void exited(ChildProcess child, ExitStatus status) {
        child.exited(status, address());
    }

    /** Shutting down: kills a watched child, reaps it now and closes its pidfd. */
    public void killAndReap(ChildProcess child) {
        child.killAndReap(address());
    }

    /** Out of the set, then closed: a not-yet-exec'd sibling may still hold a copy of fd. */
    public void close(int fd) {
        Native.close0(loop, fd);
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever, 0: not at all) and delivers every record of
     * this wake-up to the sink. Returns the number of records.
     */
    public int poll(int timeoutMillis, EventSink sink) throws NativeIoException {
        int n = Native.loopPoll0(loop, buffer, capacity, timeoutMillis);
        check("epoll_wait", n);
        sink.onWaitOver(n);
        for (int i = 0; i < n; i++) {
            int base = i * Native.EVENT_SIZE;
            int kind = buffer.getInt(base + Native.OFF_KIND);
            int fd = buffer.getInt(base + Native.OFF_FD);
            int tag = buffer.getInt(base + Native.OFF_TAG);
            int events = buffer.getInt(base + Native.OFF_EVENTS);
            int a = buffer.getInt(base + Native.OFF_A);
            int b = buffer.getInt(base + Native.OFF_B);
            int c = buffer.getInt(base + Native.OFF_C);
            int d = buffer.getInt(base + Native.OFF_D);
            if (kind == Native.EV_STATUS) {
                sink.onStatus(fd, tag, a, b, c, d, events, buffer.getInt(base + Native.OFF_LENGTH));
            } else if (kind == Native.EV_EXIT) {
                sink.onExit(fd, tag, new ExitStatus(a, b, c, d != 0));
            } else if (kind == Native.EV_READY) {
                sink.onReady(fd, tag, events);
            } else if (kind == Native.EV_WAKEUP) {
                sink.onWakeup();
            } else if (kind == Native.EV_HUP) {
                sink.onHup(fd, tag);
            }
        }
        return n;
    }

    /** Interrupts a poll from any thread; a no-op once closed (C refuses the handle). */
    public void wakeup() {
        Native.loopWakeup0(loop);
    }

    /** Destroys the loop (once; later calls are no-ops). Any thread: a poll asleep in it returns. */
    @Override
    public void close() {
        closed = true;
        Native.loopDestroy0(loop); // C makes a second destroy a no-op (EBADF)
    }

    private static int kind(Kind k) {
        return switch (k) {
            case FD -> Native.REG_FD;
            case PIDFD -> Native.REG_PIDFD;
            case STATUS -> Native.REG_STATUS;
        };
    }
}
