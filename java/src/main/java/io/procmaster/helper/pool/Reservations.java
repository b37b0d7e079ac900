package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperReservation;
import io.procmaster.time.Durations;

/**
 * Reservations of stateful helpers: their expiry ({@code reservationTimeout} without a request), their
 * release by the caller, and their end (released, expired, or lost with the helper or at shutdown),
 * which frees the helper for other work and records why, for the error a later step fails with.
 * Making a reservation is {@link Dispatcher#dispatch}'s; see {@code docs/helpers.md}.
 *
 * <p>Interface: loop thread only. Failure modes: releasing a reservation of another pool, or one
 * already ended, does nothing.
 */
final class Reservations {
    private final HelperPoolEngine pool;

    Reservations(HelperPoolEngine pool) {
        this.pool = pool;
    }

    void armExpiry(Reservation res) {
        if (res.expiry != null) res.expiry.cancel();
        long t = pool.config.reservationTimeout().toNanos();
        if (t > 0) res.expiry = pool.timers.scheduleAfter(pool.clock.nanoTime(), t, "reservation expiry", () -> {
            if (res.state == Reservation.State.ACTIVE && res.helper.inFlight.isEmpty()) {
                log.warn("helper pool '{}': reservation {} expired after {} without a request", pool.config.name(), res,
                        Durations.format(pool.config.reservationTimeout()));
                end(res, Reservation.State.EXPIRED, "expired after " + Durations.format(pool.config.reservationTimeout()) + " without a request");
            }
        });
    }

    void release(HelperReservation reservation) {
        pool.enter();
        try {
            if (!(reservation instanceof Reservation res) || res.pool != pool || res.state != Reservation.State.ACTIVE) return;
            end(res, Reservation.State.RELEASED, "was released");
            pool.dispatcher.reconcile();
        } finally {
            pool.exit();
        }
    }

    void end(Reservation res, Reservation.State state, String why) {
        res.state = state;
        res.lostReason = why;
        if (res.expiry != null) res.expiry.cancel();
        if (res.helper.reservation == res) res.helper.reservation = null;
    }
}
