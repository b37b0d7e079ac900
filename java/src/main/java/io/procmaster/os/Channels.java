package io.procmaster.os;

import io.procmaster.os.jni.Native;
import java.nio.charset.StandardCharsets;

/**
 * Connected descriptor pairs and listeners, all close-on-exec: a child inherits only what its
 * fd plan names.
 */
public final class Channels {
    /** Pair kinds; see {@code sock.h}. */
    public enum Kind {
        /** SOCK_SEQPACKET socketpair with SO_PASSCRED on the master's (non-blocking) end. */
        STATUS,
        /** A pipe: master = read end, child = write end; both blocking. */
        PIPE,
        /** A pipe whose read (master) end is non-blocking: stderr capture. */
        PIPE_NONBLOCKING,
        /** A pipe for master-to-child data: master = write end (non-blocking), child = read end (blocking). */
        PIPE_WRITE_NONBLOCKING,
        /** AF_UNIX stream socketpair, master end non-blocking. */
        STREAM,
        /** AF_UNIX datagram socketpair, master end non-blocking. */
        DGRAM,
        /** Connected loopback TCP sockets; no listener is left behind. */
        TCP,
        /** Loopback UDP sockets connected to each other. */
        UDP,
        /** A pipe with both ends non-blocking: the master's flow pipe (master = read end). */
        FLOW
    }

    private Channels() {
    }

    /** Opens a pair of connected descriptors of {@code kind}, both close-on-exec; throws {@link NativeIoException} with the errno when the system call fails. */
    public static FdPair open(Kind kind) throws NativeIoException {
        Native.ensureAvailability();
        int k = switch (kind) {
            case STATUS -> Native.CH_STATUS;
            case PIPE -> Native.CH_PIPE;
            case PIPE_NONBLOCKING -> Native.CH_PIPE_NB;
            case PIPE_WRITE_NONBLOCKING -> Native.CH_PIPE_WNB;
            case STREAM -> Native.CH_STREAM;
            case DGRAM -> Native.CH_DGRAM;
            case TCP -> Native.CH_TCP;
            case UDP -> Native.CH_UDP;
            case FLOW -> Native.CH_FLOW;
        };
        int[] out = new int[2];
        Errno.check("channel " + kind, Native.channel0(k, out));
        return new FdPair(new Fd(out[0]), new Fd(out[1]));
    }

    /**
     * {@code /dev/null}, open for reading and writing (close-on-exec): what Postfix's master gives
     * its children as fds 0, 1 and 2 (docs/postfix-master.md §3.1).
     */
    public static Fd devNull() throws NativeIoException {
        Native.ensureAvailability();
        return new Fd(Errno.check("open /dev/null", Native.devNull0()));
    }

    /** A non-blocking TCP listener; host is an IPv4 or IPv6 literal, or "" / "*" for any. */
    public static Fd listenInet(String host, int port, int backlog) throws NativeIoException {
        return listen(Native.LS_INET, host, port, backlog, 0, "listen " + host + ":" + port);
    }

    /** A non-blocking unix stream listener; a stale socket file at path is replaced. */
    public static Fd listenUnix(String path, int backlog, int mode) throws NativeIoException {
        return listen(Native.LS_UNIX, path, 0, backlog, mode, "listen " + path);
    }

    /** A bound unix datagram socket. */
    public static Fd bindUnixDgram(String path, int mode) throws NativeIoException {
        return listen(Native.LS_UNIX_DGRAM, path, 0, 0, mode, "bind " + path);
    }

    /** A FIFO opened read-write and non-blocking (created if absent). */
    public static Fd openFifo(String path, int mode) throws NativeIoException {
        return listen(Native.LS_FIFO, path, 0, 0, mode, "mkfifo " + path);
    }

    /** The local port of a bound inet socket. */
    public static int localPort(Fd fd) throws NativeIoException {
        return Errno.check("getsockname", Native.localPort0(fd.intValue()));
    }

    private static Fd listen(int kind, String addr, int port, int backlog, int mode, String op)
            throws NativeIoException {
        Native.ensureAvailability();
        if (addr.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("address contains NUL");
        }
        int fd = Native.listen0(kind, addr.getBytes(StandardCharsets.UTF_8), port, backlog, mode);
        return new Fd(Errno.check(op, fd));
    }
}
