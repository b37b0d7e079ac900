package io.procmaster.helper;

/**
 * The request text cannot be framed (it contains a line feed), or a reservation was used with a
 * pool that is not stateful.
 */
public class HelperInvalidRequestException extends HelperException {
    public HelperInvalidRequestException(String message) {
        super(message);
    }

    public HelperInvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
