package io.procmaster.helper;

/**
 * The helper sent a reply line longer than the configured maximum. The helper was killed (its
 * stream can no longer be framed) and every request it held fails with this exception.
 */
public class HelperReplyTooLongException extends HelperException {
    public HelperReplyTooLongException(String message) {
        super(message);
    }

    public HelperReplyTooLongException(String message, Throwable cause) {
        super(message, cause);
    }
}
