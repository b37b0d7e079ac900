package io.procmaster.helper;

/**
 * A stateful helper held for one caller's multi-step exchange (e.g. an NTLM handshake), obtained with
 * {@link HelperPool#reserve()} and used with {@link HelperPool#submit(HelperReservation, String)}.
 *
 * <p>Interface: an opaque, process-wide increasing 64-bit id (shown as {@code hlpRes<n>}). The pool
 * frees the helper on {@link HelperPool#release}, after {@code reservationTimeout} without a request,
 * when the helper dies, or at shutdown; later submits then fail with
 * {@link HelperException.Reservation} saying which of these happened. Only the pool that handed a
 * reservation out accepts it back (its engine implements this interface); any other object is refused
 * with {@link HelperException.Reservation}.
 */
public interface HelperReservation {
    /** The reservation's process-wide increasing id (shown as {@code hlpRes<n>}). */
    long id();
}
