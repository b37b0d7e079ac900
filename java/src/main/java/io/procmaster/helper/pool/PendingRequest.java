package io.procmaster.helper.pool;

import io.procmaster.helper.HelperKind;
import io.procmaster.helper.HelperReservation;
import io.procmaster.helper.wire.RequestFraming;
import io.procmaster.time.TimerQueue;
import java.util.concurrent.CompletableFuture;

/**
 * One submitted request from submit to completion: its future, deadline, retry count, and where it
 * is (queued, or in flight on a helper under a wire id). Loop-thread state only, once the loop has
 * taken it from the pool's inbox (before that it belongs to the submitting caller, or to whoever
 * takes it out of the inbox to fail it).
 *
 * <p>{@link #done} guards the exactly-once rule: the pool completes a request through a single path
 * that checks and sets it, and counts any second attempt as an internal error.
 */
final class PendingRequest {
    long seq;                          // 0 until the loop accepts it
    final String text;                 // null: a byte request, or a reservation request (stateful placeholder)
    final byte[] bytes;                // non-null: a byte request, sent exactly as given (HelperPool.submit(byte[]))
    final CompletableFuture<Object> future;
    final HelperReservation reservation; // non-null: must go to this reservation's helper
    long submitNanos;
    long dispatchNanos;
    TimerQueue.Timer timeout;           // its own timer, only when armed out of its lane's order (RequestTimeouts)
    RequestTimeouts.Lane timeoutLane;   // non-null while armed in a lane: then the links and deadline below hold
    PendingRequest timeoutPrev;
    PendingRequest timeoutNext;
    long timeoutDeadline;
    int retriesUsed;                    // Squid's r->request.retries: BH retries and on_timeout=retry share it
    long avoidHelperId = -1;            // after BH: prefer any other helper
    PooledHelper helper;                // non-null while in flight
    long wireId;
    boolean probe;                      // the one request let through an open breaker
    boolean done;
    boolean holdsAdmission;             // counted by the pool's admission, with size() of its byte budget, until it completes (HelperPoolAdmission)

    PendingRequest(long seq, String text, CompletableFuture<Object> future, HelperReservation reservation) {
        this(seq, text, null, future, reservation);
    }

    /** A byte request: {@code bytes} is the pool's own copy. */
    PendingRequest(long seq, byte[] bytes, CompletableFuture<Object> future, HelperReservation reservation) {
        this(seq, null, bytes, future, reservation);
    }

    private PendingRequest(long seq, String text, byte[] bytes, CompletableFuture<Object> future, HelperReservation reservation) {
        this.seq = seq;
        this.text = text;
        this.bytes = bytes;
        this.future = future;
        this.reservation = reservation;
    }

    /** What the request counts against the admission byte budget: its bytes, or its chars (HelperPoolConfig#admissionByteLimit). */
    long size() {
        return bytes != null ? bytes.length : text != null ? text.length() : 0;
    }

    boolean isReserveOnly() {
        return text == null && bytes == null;
    }

    /** Why the request cannot be framed for the pool's kind and end-of-message byte (RequestFraming), or null; null for a reservation request. */
    String invalidReason(HelperKind kind, byte endOfMessage) {
        if (bytes != null) return RequestFraming.invalidRequest(bytes, kind, endOfMessage);
        return text == null ? null : RequestFraming.invalidRequest(text, kind, endOfMessage);
    }
}
