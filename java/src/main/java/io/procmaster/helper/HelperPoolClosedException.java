package io.procmaster.helper;

/**
 * The pool is shutting down or shut down: the request was submitted after shutdown started, or was
 * still unanswered when the shutdown deadline passed.
 */
public class HelperPoolClosedException extends HelperException {
    public HelperPoolClosedException(String message) {
        super(message);
    }

    public HelperPoolClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
