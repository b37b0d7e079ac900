package io.procmaster.helper.process;

import io.procmaster.os.EventLoop;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.Fd;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;
import java.nio.ByteBuffer;

/**
 * The master's end of a helper's stderr pipe, read on the loop and handed to {@link HelperStderr}
 * (per-line logging, rate limit, line limit, optional file). Reads at most a bounded number of
 * buffers per wake-up, so a chatty helper cannot hold the loop.
 *
 * <p>Interface: {@link #register}, {@link #read} (on readiness, and once more at the exit to take what
 * the helper left), {@link #close}; loop thread only. Failure modes: a read error counts as the end
 * of the pipe, which is then unregistered; the helper itself is not affected.
 */
final class StderrPipe {
    private final EventLoop loop;
    private final Fd fd;
    private final HelperStderr lines;
    private final int readsPerWakeup;
    private boolean registered;

    StderrPipe(EventLoop loop, Fd fd, HelperStderr lines, int readsPerWakeup) {
        this.loop = loop;
        this.fd = fd;
        this.lines = lines;
        this.readsPerWakeup = readsPerWakeup;
    }

    void register(EventLoop.Handler handler) throws NativeIoException {
        loop.register(fd.intValue(), EventLoopCore.Kind.FD, Native.EPOLLIN, handler);
        registered = true;
    }

    boolean registered() {
        return registered;
    }

    /** Reads what is there now (up to the bound), using {@code scratch} as the read buffer. */
    void read(ByteBuffer scratch) {
        for (int i = 0; i < readsPerWakeup && registered; i++) {
            scratch.clear();
            int n;
            try {
                n = fd.read(scratch);
            } catch (NativeIoException e) {
                n = -1;
            }
            if (n == 0) return;
            if (n < 0) {
                loop.unregister(fd.intValue());
                registered = false;
                return;
            }
            lines.feed(scratch.flip());
        }
    }

    /** Ends the line logging (a last partial line is logged) without closing the descriptor. */
    void finish() {
        lines.finish();
    }

    /** Closes the pipe's descriptor only, from any thread (the loop is gone: nobody unregisters). */
    void closeFd() {
        fd.close();
    }

    void close() {
        if (registered) loop.unregister(fd.intValue());
        registered = false;
        fd.close();
    }

    int fd() {
        return fd.intValue();
    }

    /** Lines seen, logged, suppressed by the rate limit, cut at the line limit. */
    long[] counters() {
        return new long[] {lines.lines, lines.logged, lines.suppressed, lines.truncated};
    }
}
