package io.procmaster.helper;

/**
 * The helper holding the request exited, closed its output or broke its channel before answering.
 */
public class HelperDiedException extends HelperException {
    public HelperDiedException(String message) {
        super(message);
    }

    public HelperDiedException(String message, Throwable cause) {
        super(message, cause);
    }
}
