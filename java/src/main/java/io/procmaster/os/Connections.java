package io.procmaster.os;

import io.procmaster.os.jni.Native;
import java.nio.charset.StandardCharsets;

/**
 * Outbound stream connections for the loop thread: the master's wakeup triggers
 * (docs/postfix-master.md §5.3) connect to its own services as a client would.
 *
 * <p>Interface: {@link #connectUnix} and {@link #connectInet} return a non-blocking, close-on-exec
 * descriptor that is connected or still connecting; register it for writability, then
 * {@link #finishConnect} says how the attempt ended. {@link #sendDescriptor} passes a descriptor
 * over a unix stream socket (SCM_RIGHTS with one NUL data byte, as Postfix's unix_send_fd).
 * Nothing here blocks.
 *
 * <p>Failure modes: every failure is a {@link NativeIoException} naming the operation and the
 * address, with the errno (a unix listener whose backlog is full refuses at once with EAGAIN;
 * nobody listening is ECONNREFUSED or ENOENT); a descriptor that failed is closed before the
 * exception is thrown, except in {@link #finishConnect}, where the caller owns it.
 */
public final class Connections {
    private Connections() {
    }

    /** Starts a connection to the unix stream socket at {@code path}. */
    public static Fd connectUnix(String path) throws NativeIoException {
        return connect(Native.LS_UNIX, path, 0, "connect to " + path);
    }

    /** Starts a connection to {@code host} (an IPv4 or IPv6 literal) and {@code port}. */
    public static Fd connectInet(String host, int port) throws NativeIoException {
        return connect(Native.LS_INET, host, port, "connect to " + host + ":" + port);
    }

    /** Once the descriptor is writable: returns if the connection is made, throws its error if not. */
    public static void finishConnect(Fd fd, String what) throws NativeIoException {
        Errno.check("connect to " + what, Native.socketError0(fd.intValue()));
    }

    /** Sends {@code passed} over the unix stream socket {@code socket}; the caller keeps both. */
    public static void sendDescriptor(Fd socket, Fd passed) throws NativeIoException {
        Errno.check("send descriptor", Native.sendFd0(socket.intValue(), passed.intValue()));
    }

    private static Fd connect(int kind, String address, int port, String op) throws NativeIoException {
        Native.ensureAvailability();
        if (address.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("address contains NUL");
        }
        return new Fd(Errno.check(op, Native.connect0(kind, address.getBytes(StandardCharsets.UTF_8), port)));
    }
}
