package io.procmaster.os;


import java.io.IOException;

/** A failed system call: what was attempted, the errno and its text ({@code "epoll_ctl: Bad file descriptor"}). */
public class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The positive errno value. */
    private final int errno;

    /** The failure of operation {@code op} with the positive {@code errno}; the message is {@code op: <errno text>}. */
    public NativeIoException(String op, int errno) {
        this(op + ": " + Errno.text(errno), errno, true);
    }

    /** For subclasses with a message of their own; {@code unused} only tells the constructors apart. */
    protected NativeIoException(String message, int errno, boolean unused) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
