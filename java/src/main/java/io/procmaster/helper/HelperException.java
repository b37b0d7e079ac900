package io.procmaster.helper;

/**
 * Every failure a helper request, reservation or start can end with: one type, whose {@link #kind()}
 * names the reason, and one nested subclass per kind for callers that catch by type (as netty nests
 * its channel errors). The message says which pool and what happened, so it can be logged as is.
 *
 * <p>Interface: {@link #kind()}; {@link Start} adds the errno and the spawn stage. All are unchecked;
 * a launcher declares {@code throws HelperException.Start} to document its one failure.
 *
 * <p>Kinds (see {@code docs/helpers.md}): {@link Timeout} (no reply within the request timeout,
 * time queued included), {@link Overload} (queue full under {@link OverloadPolicy#FAIL}, admission limit
 * reached, or the pool failed on persistent overload under {@link OverloadPolicy#QUEUE}),
 * {@link Unavailable} (crash-loop breaker open; its cause is the last start failure, if any),
 * {@link Died} (the helper exited, closed its output or was killed while holding the request),
 * {@link ReplyTooLong} (the helper's reply line exceeded the limit; it was killed),
 * {@link Closed} (the pool is shut down or its loop closed), {@link InvalidRequest} (text not
 * sendable, or a reservation misused), {@link Reservation} (the reservation was released, expired or
 * lost), {@link Start} (a helper could not be started), {@link Kind#INTERNAL} (an unexpected failure
 * inside the pool, carried as the cause).
 */
public class HelperException extends RuntimeException {
    /** Why a helper request (or start) failed. */
    public enum Kind {
        /** No reply within {@code requestTimeout} (queue time included). */
        TIMEOUT,
        /** Refused: the queue full under {@link OverloadPolicy#FAIL}, the admission limit reached, or persistent overload (DIE). */
        OVERLOAD,
        /** The crash-loop breaker is open; the cause is the last start failure, if any. */
        UNAVAILABLE,
        /** The helper exited, closed its output or was killed while holding the request. */
        DIED,
        /** The reply line was longer than {@code maxReplyLine}. */
        REPLY_TOO_LONG,
        /** The pool is shut down or its loop closed. */
        CLOSED,
        /** The request text cannot be sent, or a reservation was misused. */
        INVALID_REQUEST,
        /** The reservation was released, expired or lost with its helper. */
        RESERVATION,
        /** A helper could not be started (exec, handshake). */
        START,
        /** An unexpected failure inside the pool, carried as the cause. */
        INTERNAL
    }

    /** Why the request failed. */
    private final Kind kind;

    /** An {@link Kind#INTERNAL} failure: an unexpected exception inside the pool, as the cause. */
    public HelperException(String message, Throwable cause) {
        this(Kind.INTERNAL, message, cause);
    }

    /** A failure of {@code kind}; the nested subclasses call this with their own kind. */
    protected HelperException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why the request failed; the nested subclass says the same by its type. */
    public Kind kind() {
        return kind;
    }

    /** The request was not answered within the request timeout (time spent queued included). */
    public static class Timeout extends HelperException {
        /** A {@link Kind#TIMEOUT} failure with {@code message}. */
        public Timeout(String message) {
            super(Kind.TIMEOUT, message, null);
        }
    }

    /**
     * Every helper busy and the queue at its limit under {@link OverloadPolicy#FAIL}; the admission
     * limit reached; or, under {@link OverloadPolicy#QUEUE} with {@link PersistentOverloadAction#DIE},
     * the pool failed on persistent overload (every request it held fails with this; it then restarts its helpers).
     */
    public static class Overload extends HelperException {
        /** An {@link Kind#OVERLOAD} refusal with {@code message}. */
        public Overload(String message) {
            super(Kind.OVERLOAD, message, null);
        }
    }

    /** The crash-loop breaker is open; the cause is the last start failure, if there was one. */
    public static class Unavailable extends HelperException {
        /** An {@link Kind#UNAVAILABLE} failure with {@code message}. */
        public Unavailable(String message) {
            super(Kind.UNAVAILABLE, message, null);
        }

        /** An {@link Kind#UNAVAILABLE} failure with {@code message} and its cause. */
        public Unavailable(String message, Throwable cause) {
            super(Kind.UNAVAILABLE, message, cause);
        }
    }

    /** The helper holding the request exited, closed its output, or was killed. */
    public static class Died extends HelperException {
        /** A {@link Kind#DIED} failure with {@code message}. */
        public Died(String message) {
            super(Kind.DIED, message, null);
        }
    }

    /** The helper's reply line was longer than the limit; the helper was killed. */
    public static class ReplyTooLong extends HelperException {
        /** A {@link Kind#REPLY_TOO_LONG} failure with {@code message}. */
        public ReplyTooLong(String message) {
            super(Kind.REPLY_TOO_LONG, message, null);
        }
    }

    /** The pool is shut down, or its event loop closed, before the request was answered. */
    public static class Closed extends HelperException {
        /** A {@link Kind#CLOSED} failure with {@code message}. */
        public Closed(String message) {
            super(Kind.CLOSED, message, null);
        }
    }

    /** The request cannot be sent (a line terminator in its text, a reservation misused). */
    public static class InvalidRequest extends HelperException {
        /** An {@link Kind#INVALID_REQUEST} failure with {@code message}. */
        public InvalidRequest(String message) {
            super(Kind.INVALID_REQUEST, message, null);
        }
    }

    /** The reservation was released, expired, lost its helper, or belongs to another pool. */
    public static class Reservation extends HelperException {
        /** A {@link Kind#RESERVATION} failure with {@code message}. */
        public Reservation(String message) {
            super(Kind.RESERVATION, message, null);
        }
    }

    /**
     * A helper could not be started: the spawn failed (exec error, fd/pipe creation, resource
     * limits) or its handshake did. Carries the errno and the stage when the native layer knows them
     * (-1 / null otherwise). The pool treats it like a helper death: counted, backed off, fed to the
     * crash-loop breaker, whose {@link Unavailable} then names it as its cause.
     */
    public static class Start extends HelperException {
        /** The errno of the failed stage, 0 when none. */
        private final int errno;
        /** The start stage that failed, or null. */
        private final String stage;

        /** A {@link Kind#START} failure without an errno ({@code errno()} is 0, {@code stage()} null). */
        public Start(String message) {
            this(message, -1, null, null);
        }

        /** A {@link Kind#START} failure: the {@code errno} of the failed {@code stage} (such as {@code execve}) and the cause. */
        public Start(String message, int errno, String stage, Throwable cause) {
            super(Kind.START, message, cause);
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
}
