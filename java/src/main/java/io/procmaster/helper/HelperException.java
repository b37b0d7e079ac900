package io.procmaster.helper;

/**
 * Base of every failure a helper request can complete with (the futures returned by
 * {@link HelperPool#submit}). Subclasses name the reason; the message says which pool and what
 * happened, so it can be logged as is.
 */
public class HelperException extends RuntimeException {
    public HelperException(String message) {
        super(message);
    }

    public HelperException(String message, Throwable cause) {
        super(message, cause);
    }
}
