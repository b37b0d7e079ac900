package io.procmaster.helper;

/**
 * A reservation is unknown, was released, expired after the reservation timeout, or lost its
 * helper; the multi-step exchange must start again with a new reservation.
 */
public class HelperReservationException extends HelperException {
    public HelperReservationException(String message) {
        super(message);
    }

    public HelperReservationException(String message, Throwable cause) {
        super(message, cause);
    }
}
