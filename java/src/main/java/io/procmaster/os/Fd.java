package io.procmaster.os;

import io.procmaster.os.jni.Native;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An owned file descriptor. Closing is idempotent and atomic (a descriptor number is never
 * closed twice, so a number reused by another thread is never closed by mistake). Reads and
 * writes take direct buffers and never block on a non-blocking descriptor.
 */
public final class Fd implements AutoCloseable {
    private final AtomicInteger fd;

    /** Takes ownership of descriptor {@code fd} (0 or more): {@link #close()} closes it once. */
    public Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("bad descriptor " + fd);
        }
        this.fd = new AtomicInteger(fd);
    }

    /** The number, or -1 once closed. */
    public int intValue() {
        return fd.get();
    }

    /** Whether the descriptor has not been closed through this object. */
    public boolean isOpen() {
        return fd.get() >= 0;
    }

    /**
     * Reads into the buffer's remaining space (a direct buffer), advancing its position.
     *
     * @return bytes read, 0 if nothing is available now, -1 at end of stream
     */
    public int read(ByteBuffer direct) throws NativeIoException {
        int n = Native.read0(open(), direct, direct.position(), direct.remaining());
        if (n == -Native.EAGAIN) {
            return 0;
        }
        Errno.check("read", n);
        if (n == 0) {
            return direct.remaining() == 0 ? 0 : -1;
        }
        direct.position(direct.position() + n);
        return n;
    }

    /**
     * Writes the buffer's remaining bytes (a direct buffer) as far as the descriptor takes them.
     *
     * @return bytes written, 0 if the descriptor would block
     */
    public int write(ByteBuffer direct) throws NativeIoException {
        int n = Native.write0(open(), direct, direct.position(), direct.remaining());
        if (n == -Native.EAGAIN) {
            return 0;
        }
        Errno.check("write", n);
        direct.position(direct.position() + n);
        return n;
    }

    /**
     * Waits up to {@code timeoutMillis} for {@code events} (epoll's bits, which are poll(2)'s on
     * Linux) on this descriptor, from any thread: what is ready (error and hang-up bits included),
     * or 0 when the time passed (a signal may end the wait early: the caller waits again).
     */
    public int poll(int events, int timeoutMillis) throws NativeIoException {
        return Errno.check("poll", Native.poll0(open(), events, timeoutMillis));
    }

    /**
     * Accepts one connection on this (non-blocking) listener.
     *
     * @return the connection (blocking, close-on-exec), or null if none is waiting (another
     *         process may have taken it)
     */
    public Fd accept() throws NativeIoException {
        int r = Native.accept0(open());
        if (r == -Native.EAGAIN) {
            return null;
        }
        return new Fd(Errno.check("accept", r));
    }

    /** Wraps a descriptor this process inherited (such as fd 5 or 6 from the master); the caller owns it. */
    public static Fd inherited(int fd) {
        return new Fd(fd);
    }

    private int open() throws NativeIoException {
        int v = fd.get();
        if (v < 0) {
            throw new NativeIoException("descriptor already closed", Native.EBADF, true);
        }
        return v;
    }

    /** Closes the descriptor (once), first removing it from {@code loop}'s set if given. */
    public void close(EventLoopCore loop) {
        int v = fd.getAndSet(-1);
        if (v >= 0) {
            Native.close0(loop == null ? 0 : loop.address(), v);
        }
    }

    @Override
    public void close() {
        close(null);
    }

    @Override
    public String toString() {
        return "fd " + fd.get();
    }
}
