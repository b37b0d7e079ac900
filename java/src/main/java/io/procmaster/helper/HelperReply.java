package io.procmaster.helper;

import java.util.Map;
import java.util.Objects;

/**
 * One answer to a helper request.
 *
 * <p>{@code status} is the result token of the Squid 3.2+ grammar ({@link Status#OK}, {@link Status#ERR},
 * {@link Status#BH}), {@link Status#UNKNOWN} for a legacy free-text reply (whose whole line is then in
 * {@code text}), or {@link Status#BYPASSED} when the pool answered itself because it was overloaded
 * and configured to bypass. {@code text} is the reply after the result token (raw, not decoded);
 * {@code kv} holds the decoded {@code key=value} annotations, in reply order.
 */
public record HelperReply(Status status, String text, Map<String, String> kv) {
    /** The result of a reply. */
    public enum Status {
        /** The helper answered OK. */
        OK,
        /** The helper answered ERR (a negative answer, not a failure). */
        ERR,
        /** The helper answered BH ("broken helper"): retried on another helper up to {@code bhRetries}. */
        BH,
        /** A legacy free-text reply without a result token. */
        UNKNOWN,
        /** Not a helper's answer: the pool answered itself under overload policy BYPASS. */
        BYPASSED
    }

    /** A reply; {@code kv} is copied, keeping its order. */
    public HelperReply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
        kv = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kv)); // keeps reply order
    }

    /** The pool's own answer under overload policy BYPASS. */
    public static HelperReply bypassed(String why) {
        return new HelperReply(Status.BYPASSED, why, Map.of());
    }

    /** Whether the pool answered this itself under overload policy BYPASS. */
    public boolean isBypassed() {
        return status == Status.BYPASSED;
    }
}
