package io.procmaster.helper.pool;

import io.procmaster.helper.HelperReservation;
import io.procmaster.time.TimerQueue;

/**
 * The engine's side of a {@link HelperReservation}: which pool handed it out, the helper it holds, its
 * state and, once ended, why (for the error a later submit fails with), and its expiry timer.
 * Loop-thread state only; the caller sees only the id.
 */
final class Reservation implements HelperReservation {
    enum State { ACTIVE, RELEASED, EXPIRED, LOST }

    private final long id;
    final HelperPoolEngine pool;
    final PooledHelper helper;
    State state = State.ACTIVE;
    String lostReason = "";
    TimerQueue.Timer expiry;

    Reservation(long id, HelperPoolEngine pool, PooledHelper helper) {
        this.id = id;
        this.pool = pool;
        this.helper = helper;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String toString() {
        return "hlpRes" + id;
    }
}
