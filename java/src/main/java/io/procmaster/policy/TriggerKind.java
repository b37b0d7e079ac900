package io.procmaster.policy;

/**
 * TriggerKind - how a wakeup reaches a service, by transport type (docs/postfix-master.md §5.3, docs/postfix-master.md §9 scenario 24).
 *
 * <p>Interface: {@link #triggerBytes()} is what the loop writes: {@code 'W'} then NUL for
 * connection-based transports, a bare {@code 'W'} for a FIFO. {@link #supportsWakeup()} is false for
 * unix-dgram, where Postfix's trigger fails with "Operation not supported"; the policy logs that
 * warning each period itself and never asks the loop to send.
 *
 * <p>Failure modes: none; the arrays returned are fresh copies.
 */
public enum TriggerKind {
    /** Stream UNIX socket: connect, write W NUL, hold until the server closes (at most 101 s). */
    UNIX(true, new byte[] {'W', 0}),
    /** TCP: connect to the service's own endpoint (the local host if no host part), W NUL. */
    INET(true, new byte[] {'W', 0}),
    /** Descriptor passing: pass a pipe's read end over the connection, write W NUL into the pipe. */
    PASS(true, new byte[] {'W', 0}),
    /** FIFO: open for writing without blocking, write a single W, close. */
    FIFO(true, new byte[] {'W'}),
    /** Datagram UNIX socket: wakeups are not supported. */
    UNIX_DGRAM(false, new byte[0]);

    private final boolean supported;
    private final byte[] bytes;

    TriggerKind(boolean supported, byte[] bytes) {
        this.supported = supported;
        this.bytes = bytes;
    }

    /** Whether a wakeup trigger can be delivered to this transport at all. */
    public boolean supportsWakeup() {
        return supported;
    }

    /** The bytes of one trigger (empty if unsupported). */
    public byte[] triggerBytes() {
        return bytes.clone();
    }
}
