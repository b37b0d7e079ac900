package io.procmaster.loop;

import io.procmaster.os.Errno;
import io.procmaster.os.Fd;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;

/**
 * UnixDatagramSender - an unbound AF_UNIX datagram socket of the loop's that sends single datagrams to a socket
 * path without ever waiting: the master's own log lines to {@code /dev/log} or to postlogd's
 * {@code public/postlog} (docs/postfix-master.md §11.1, {@link MaillogSink}) and systemd's notify messages
 * ({@link SystemdNotifier}, docs/systemd.md), each of the two users holding its own. JDK 17's {@code UnixDomainSocketAddress}
 * serves stream channels only, so the socket is the C core's ({@code pm_dgram_client},
 * {@code pm_dgram_send} in native/src/sock.c).
 *
 * <p>Interface: {@link #open()}; {@link #send(byte[], byte[], int)} returns 0 when the datagram was
 * queued at the receiver, or the positive errno when it was not ({@code EAGAIN}: the receiver's
 * queue is full; {@code ENOENT}/{@code ECONNREFUSED}: nobody is bound there; {@code EMSGSIZE}:
 * over {@link #MAX_DATAGRAM} bytes); {@link #close()} is idempotent. Each send names its
 * destination (sendto, no connect), so a receiver that rebinds its path is found again without
 * any reconnect logic.
 *
 * <p>Failure modes: {@link #open()} throws {@link NativeIoException} when no socket can be made;
 * a send on a closed sender returns {@code EBADF}. Never blocks, never raises SIGPIPE. Not
 * thread-safe: one owner (the master's loop thread).
 */
final class UnixDatagramSender implements AutoCloseable {

    /** The largest datagram the C side copies (Postfix's records are at most about 2 KiB). */
    static final int MAX_DATAGRAM = 8192;

    private final Fd fd;

    private UnixDatagramSender(Fd fd) {
        this.fd = fd;
    }

    /** A new sender. */
    static UnixDatagramSender open() throws NativeIoException {
        Native.ensureAvailability();
        int r = Native.dgramClient0();
        if (r < 0) {
            throw Errno.exception("socket(AF_UNIX, SOCK_DGRAM)", r);
        }
        return new UnixDatagramSender(new Fd(r));
    }

    /**
     * Sends {@code data[0..length)} as one datagram to the socket at {@code path} (its UTF-8 bytes,
     * encoded once by the caller rather than at each send).
     *
     * @return 0 when sent, else the errno (see the class comment)
     */
    int send(byte[] path, byte[] data, int length) {
        int n = fd.intValue();
        if (n < 0) {
            return Native.EBADF;
        }
        int r = Native.dgramSend0(n, path, data, length);
        return r < 0 ? -r : 0;
    }

    @Override
    public void close() {
        fd.close();
    }
}
