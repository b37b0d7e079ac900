package io.procmaster.helper;

/**
 * A helper could not be started: the launcher's spawn failed (exec error, fd/pipe creation, resource
 * limits). Carries the errno and the stage when the native layer knows them (-1 / null otherwise).
 *
 * <p>The pool treats a start failure like a helper death: it is counted, backs off, and feeds the
 * crash-loop breaker, whose error then names this exception as its cause.
 */
public class HelperStartException extends Exception {
    private final int errno;
    private final String stage;

    public HelperStartException(String message) {
        this(message, -1, null, null);
    }

    public HelperStartException(String message, int errno, String stage, Throwable cause) {
        super(message, cause);
        this.errno = errno;
        this.stage = stage;
    }

    /** The errno of the failing call, or -1 if unknown. */
    public int errno() {
        return errno;
    }

    /** The spawn stage that failed (e.g. "exec", "socketpair"), or null if unknown. */
    public String stage() {
        return stage;
    }
}
