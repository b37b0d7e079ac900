package io.procmaster.helper;

/**
 * The request was not answered within the configured request timeout (time spent queued
 * included). In classic mode the helper that held it was killed and replaced; with channel IDs its
 * late reply is dropped and counted.
 */
public class HelperTimeoutException extends HelperException {
    public HelperTimeoutException(String message) {
        super(message);
    }

    public HelperTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
