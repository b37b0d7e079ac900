package io.procmaster.child;

import io.procmaster.os.EventLoopCore;
import io.procmaster.os.EventSink;
import io.procmaster.os.Fd;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The child side of the master protocol for daemons written in Java: what
 * {@code procmaster/child.h} is for daemons in C.
 *
 * <p>Interface: {@link #fromEnvironment} reads {@code GENERATION} (octal; absent = 0, anything
 * but octal digits is an error) and the master's options from argv ({@code -s N} listen
 * descriptors, {@code -o max_use=N}, {@code -o max_idle=N}); {@link #serve} then runs the
 * single-connection server loop: report AVAIL, wait on the listeners (fds 6..) registered with
 * EPOLLEXCLUSIVE so that one connection wakes one child, accept, report TAKEN, hand the
 * connection to the handler, close it, report AVAIL; until max_use connections were served, or
 * max_idle seconds passed without one, or the master let go (EOF or hang-up on fd 5: the master
 * died, or reloaded and retired this generation). The connection being served is always finished.
 *
 * <p>Failure modes: a bad GENERATION or option is an {@link IllegalArgumentException} (the daemon
 * should exit non-zero). A failed status write means the master is gone: {@link #serve} returns.
 * A handler that throws loses only its connection.
 */
public final class ChildRuntime implements AutoCloseable {
    /** Status values of the 12-byte record. */
    public static final int TAKEN = 0, AVAIL = 1;
    static final int STATUS_FD = 5, LISTEN_FD = 6;

    /** Serves one connection; the streams are closed by the runtime afterwards. */
    public interface ConnectionHandler {
        /** Serves the connection whose streams are {@code in} and {@code out}; a thrown exception ends only this connection. */
        void handle(InputStream in, OutputStream out) throws IOException;
    }

    /** Why {@link #serve} returned. */
    public enum ExitReason {
        /** max_use connections were served. */
        MAX_USE,
        /** max_idle seconds passed without a connection. */
        MAX_IDLE,
        /** The master let go: EOF or hang-up on the status channel (fd 5). */
        MASTER_GONE
    }

    private final long generation;
    private final int listenCount;
    private final int maxUse;
    private final int maxIdleSeconds;
    private final Fd status = Fd.inherited(STATUS_FD);
    private final ByteBuffer record = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());

    ChildRuntime(long generation, int listenCount, int maxUse, int maxIdleSeconds) {
        this.generation = generation;
        this.listenCount = listenCount;
        this.maxUse = maxUse;
        this.maxIdleSeconds = maxIdleSeconds;
    }

    /** From the process environment and the master's argv (the program's own arguments follow them). */
    public static ChildRuntime fromEnvironment(String[] args) {
        return of(System.getenv(), args);
    }

    static ChildRuntime of(Map<String, String> env, String[] args) {
        long gen = parseGeneration(env.get("GENERATION"));
        int listen = 1;
        int maxUse = 100;
        int maxIdle = 100;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("--")) {
                break;
            }
            if (a.equals("-s") || a.equals("-o") || a.equals("-n") || a.equals("-t")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                if (a.equals("-s")) {
                    listen = positive("-s", v);
                } else if (a.equals("-o") && v.startsWith("max_use=")) {
                    maxUse = nonNegative("max_use", v.substring(8));
                } else if (a.equals("-o") && v.startsWith("max_idle=")) {
                    maxIdle = nonNegative("max_idle", v.substring(9));
                }
            }
        }
        return new ChildRuntime(gen, listen, maxUse, maxIdle);
    }

    static long parseGeneration(String v) {
        if (v == null) {
            return 0;
        }
        if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw new IllegalArgumentException("bad generation: \"" + v + "\"");
        }
        long g = Long.parseLong(v, 8);
        if (g > 0xffffffffL) {
            throw new IllegalArgumentException("bad generation: \"" + v + "\" (more than 32 bits)");
        }
        return g;
    }

    private static int positive(String what, String v) {
        int n = nonNegative(what, v);
        if (n == 0) {
            throw new IllegalArgumentException(what + ": must be at least 1: \"" + v + "\"");
        }
        return n;
    }

    private static int nonNegative(String what, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(what + ": bad value \"" + v + "\"");
    }

    /** The master's {@code GENERATION} of this child (0 when absent). */
    public long generation() {
        return generation;
    }

    /** Connections to serve before exiting ({@code -o max_use=N}); 0 means no limit. */
    public int maxUse() {
        return maxUse;
    }

    /** Seconds without a connection before exiting ({@code -o max_idle=N}); 0 means no limit. */
    public int maxIdleSeconds() {
        return maxIdleSeconds;
    }

    /** Listen descriptors from fd 6 on ({@code -s N}; 1 without it). */
    public int listenCount() {
        return listenCount;
    }

    /** Writes one status record (this pid, the generation, the status) to fd 5; false if the master is gone. */
    public boolean notifyStatus(int statusValue) {
        record.clear();
        record.putInt((int) ProcessHandle.current().pid()).putInt((int) generation).putInt(statusValue).flip();
        try {
            return status.write(record) == 12;
        } catch (NativeIoException e) {
            return false;
        }
    }

    /** Runs the server loop (see the class comment) and says why it ended. */
    public ExitReason serve(ConnectionHandler handler) throws NativeIoException {
        List<Fd> listeners = new ArrayList<>();
        for (int i = 0; i < listenCount; i++) {
            listeners.add(Fd.inherited(LISTEN_FD + i));
        }
        boolean[] masterGone = {false};
        Fd[] ready = {null};
        try (EventLoopCore loop = new EventLoopCore(16)) {
            loop.register(STATUS_FD, EventLoopCore.Kind.FD, -1, Native.EPOLLIN | Native.EPOLLRDHUP);
            for (Fd l : listeners) {
                loop.register(l.intValue(), EventLoopCore.Kind.FD, l.intValue(), Native.EPOLLIN | Native.EPOLLEXCLUSIVE);
            }
            EventSink sink = new EventSink() {
                @Override
                public void onReady(int fd, int tag, int events) {
                    if (fd == STATUS_FD) {
                        masterGone[0] = true;
                    } else if (ready[0] == null) {
                        ready[0] = listeners.get(fd - LISTEN_FD);
                    }
                }
            };
            if (!notifyStatus(AVAIL)) {
                return ExitReason.MASTER_GONE;
            }
            int served = 0;
            long idleSince = System.nanoTime();
            while (true) {
                if (maxUse > 0 && served >= maxUse) {
                    return ExitReason.MAX_USE;
                }
                long waitMs = 1000;
                if (maxIdleSeconds > 0) {
                    long left = idleSince + maxIdleSeconds * 1_000_000_000L - System.nanoTime();
                    if (left <= 0) {
                        return ExitReason.MAX_IDLE;
                    }
                    waitMs = Math.min(waitMs, Math.max(1, left / 1_000_000));
                }
                ready[0] = null;
                loop.poll((int) waitMs, sink);
                if (masterGone[0]) {
                    return ExitReason.MASTER_GONE;
                }
                if (ready[0] == null) {
                    continue;
                }
                Fd conn = ready[0].accept();
                if (conn == null) {
                    continue; // another child took it
                }
                notifyStatus(TAKEN);
                try (FdStreams s = new FdStreams(conn)) {
                    handler.handle(s.in(), s.out());
                } catch (IOException | RuntimeException e) {
                    // the connection is lost, the daemon goes on
                }
                served++;
                idleSince = System.nanoTime();
                if (!notifyStatus(AVAIL)) {
                    return ExitReason.MASTER_GONE;
                }
            }
        }
    }

    @Override
    public void close() {
        status.close();
    }
}
