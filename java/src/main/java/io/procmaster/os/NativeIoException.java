package io.procmaster.os;


import java.io.IOException;

/** A failed system call: what was attempted, the errno and its text ({@code "epoll_ctl: Bad file descriptor"}). */
public class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NativeIoException(String op, int errno) {
        this(op + ": " + Errno.text(errno), errno, true);
    }

    protected NativeIoException(String message, int errno, boolean unused) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
