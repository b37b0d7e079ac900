package io.procmaster.helper;

/**
 * How a helper's stdin and stdout are connected to the master (the IPC types of Squid/Lusca
 * {@code ipcCreate}).
 *
 * <p>For socket types the helper's fd 0 and fd 1 are the same socket; for {@link #FIFO} fd 0 is the
 * read end of one pipe and fd 1 the write end of another. The master's ends are always
 * non-blocking and close-on-exec. Datagram types carry no end-of-file: a helper's death is seen
 * through its pidfd only.
 */
public enum HelperChannelType {
    /** AF_UNIX stream socketpair: the default, as for every Squid/Lusca request helper. */
    STREAM(false),
    /** Two pipes (helper stdin: read end of one; helper stdout: write end of the other). */
    FIFO(false),
    /** Connected loopback TCP sockets (127.0.0.1); no listener remains after the start. */
    TCP(false),
    /** Loopback UDP sockets connected to each other. */
    UDP(true),
    /** AF_UNIX datagram socketpair. */
    UNIX_DGRAM(true);

    private final boolean datagram;

    HelperChannelType(boolean datagram) {
        this.datagram = datagram;
    }

    /** True for message-oriented channels: no end-of-file, one read returns one datagram. */
    public boolean isDatagram() {
        return datagram;
    }
}
