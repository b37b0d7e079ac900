package io.procmaster.helper;

/**
 * The pool's queue was full and no helper could take the request (overload policy FAIL).
 */
public class HelperOverloadException extends HelperException {
    public HelperOverloadException(String message) {
        super(message);
    }

    public HelperOverloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
