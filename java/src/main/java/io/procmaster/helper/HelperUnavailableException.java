package io.procmaster.helper;

/**
 * The pool's crash-loop breaker is open: helpers keep dying or failing to start, so requests
 * fail fast instead of queueing. The cause, when present, is the last start failure.
 */
public class HelperUnavailableException extends HelperException {
    public HelperUnavailableException(String message) {
        super(message);
    }

    public HelperUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
