package io.procmaster.os;

import io.procmaster.os.jni.Native;
import java.nio.charset.StandardCharsets;

/**
 * What an inherited descriptor is (socket activation, docs/socket-activation.md): a socket's
 * family, type, whether it listens, and the address it is bound to; or a FIFO and its path.
 *
 * <p>Interface: {@link #adopt(int)} asks the kernel (one call across the boundary: fstat,
 * SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN, getsockname) after making the descriptor close-on-exec and
 * non-blocking; the record itself is plain data, so the rules that match it against a service are
 * tested without descriptors. {@link #describe()} is the text error messages and the log use.
 *
 * <p>Failure modes: {@link #adopt} throws {@link NativeIoException} (EBADF: the descriptor is not
 * open; the errno of fcntl, getsockopt or getsockname).
 *
 * @param kind      socket, FIFO or anything else
 * @param family    for a socket, its address family
 * @param type      for a socket, its type
 * @param listening for a socket, SO_ACCEPTCONN (listen(2) was called)
 * @param address   the bound address: a numeric inet literal ({@code 127.0.0.1}, {@code ::}), a unix
 *                  path, {@code @name} when abstract, {@code ""} when unnamed; a FIFO's path
 * @param port      the bound port of an inet socket, else 0
 */
public record SocketInfo(Kind kind, Family family, Type type, boolean listening, String address, int port) {
    /** What the descriptor is. */
    public enum Kind { SOCKET, FIFO, OTHER }

    /** A socket's address family. */
    public enum Family { INET, INET6, UNIX, OTHER }

    /** A socket's type. */
    public enum Type { STREAM, DGRAM, SEQPACKET, OTHER }

    /** Null fields are refused: a description always says what the descriptor is. */
    public SocketInfo {
        if (kind == null || family == null || type == null || address == null) {
            throw new IllegalArgumentException("incomplete socket description");
        }
    }

    /**
     * Makes {@code fd} close-on-exec and non-blocking, then describes it.
     *
     * @param fd a descriptor this process inherited
     * @return what it is
     * @throws NativeIoException when it is not open or the kernel does not answer
     */
    public static SocketInfo adopt(int fd) throws NativeIoException {
        Native.ensureAvailability();
        int[] out = new int[Native.SI_FIELDS];
        byte[] address = new byte[256];
        Errno.check("inspect fd " + fd, Native.socketInfo0(fd, true, out, address));
        String text = new String(address, 0, out[Native.SI_LENGTH], StandardCharsets.UTF_8);
        int k = out[Native.SI_KIND];
        if (k != Native.SI_SOCKET) {
            return new SocketInfo(k == Native.SI_FIFO ? Kind.FIFO : Kind.OTHER, Family.OTHER, Type.OTHER, false, text, 0);
        }
        int f = out[Native.SI_FAMILY];
        Family family = f == Native.AF_INET ? Family.INET : f == Native.AF_INET6 ? Family.INET6
                : f == Native.AF_UNIX ? Family.UNIX : Family.OTHER;
        int t = out[Native.SI_TYPE];
        Type type = t == Native.SOCK_STREAM ? Type.STREAM : t == Native.SOCK_DGRAM ? Type.DGRAM
                : t == Native.SOCK_SEQPACKET ? Type.SEQPACKET : Type.OTHER;
        return new SocketInfo(Kind.SOCKET, family, type, out[Native.SI_LISTENING] != 0, text, out[Native.SI_PORT]);
    }

    /** Whether this is an IPv4 or IPv6 socket. */
    public boolean isInet() {
        return kind == Kind.SOCKET && (family == Family.INET || family == Family.INET6);
    }

    /**
     * In words, for messages: {@code a listening TCP socket on 127.0.0.1:25}, {@code a UDP socket on
     * [::]:53}, {@code a unix stream socket at /run/x (not listening)}, {@code a FIFO at /run/f}.
     */
    public String describe() {
        if (kind != Kind.SOCKET) {
            String what = kind == Kind.FIFO ? "a FIFO" : "not a socket";
            return address.isEmpty() ? what : what + " at " + address;
        }
        String typeText = switch (type) {
            case STREAM -> isInet() ? "TCP" : "stream";
            case DGRAM -> isInet() ? "UDP" : "datagram";
            case SEQPACKET -> "seqpacket";
            case OTHER -> "other-type";
        };
        boolean stream = type == Type.STREAM || type == Type.SEQPACKET;
        String prefix = stream && listening ? "a listening " : "a ";
        String suffix = stream && !listening ? " (not listening)" : "";
        return switch (family) {
            case INET, INET6 -> prefix + typeText + " socket on " + inetText() + suffix;
            case UNIX -> prefix + "unix " + typeText + " socket " + (address.isEmpty() ? "(unnamed)" : "at " + address)
                    + suffix;
            case OTHER -> prefix + typeText + " socket of another address family" + suffix;
        };
    }

    /** {@code 127.0.0.1:25} or {@code [::1]:25}. */
    private String inetText() {
        return (family == Family.INET6 ? "[" + address + "]" : address) + ":" + port;
    }
}
