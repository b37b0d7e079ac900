package io.procmaster.helper;

/**
 * A stateful helper held for one caller's multi-step exchange (e.g. an NTLM handshake), obtained with
 * {@link HelperPool#reserve()} and used with {@link HelperPool#submit(HelperReservation, String)}.
 *
 * <p>Interface: an opaque, process-wide increasing 64-bit id (shown as {@code hlpRes<n>}). The pool
 * frees the helper on {@link HelperPool#release}, after {@code reservationTimeout} without a request,
 * when the helper dies, or at shutdown; later submits then fail with
 * {@link HelperReservationException} saying which of these happened. Fields are loop-thread state.
 */
public final class HelperReservation {
    enum State { ACTIVE, RELEASED, EXPIRED, LOST }

    private final long id;
    final HelperPool pool;
    PooledHelper helper;
    State state = State.ACTIVE;
    String lostReason = "";
    TimerQueue.Timer expiry;

    HelperReservation(long id, HelperPool pool, PooledHelper helper) {
        this.id = id;
        this.pool = pool;
        this.helper = helper;
    }

    public long id() {
        return id;
    }

    @Override
    public String toString() {
        return "hlpRes" + id;
    }
}
