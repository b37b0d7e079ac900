package io.procmaster.config;

import java.util.Optional;

/**
 * The transport of a service: field 2 of a master.cf entry.
 *
 * <p>Each constant knows the exact, case-sensitive token used in master.cf and on the
 * child's command line ({@code -t <token>}), whether the master can deliver a wakeup
 * trigger to it and which bytes make one ({@link #wakeupTrigger()}, docs/postfix-master.md §5.3),
 * and whether it is local-only by nature (docs/postfix-master.md §1.3.4). The policy reads the
 * wakeup facts from here too: there is no second enum of transports.
 *
 * <p>Failure modes: {@link #fromToken} returns empty for anything but the five exact tokens
 * ({@code INET}, {@code tcp}, {@code Unix} are all unknown).
 */
public enum ServiceType {
    /** TCP listener on one or more addresses; endpoint {@code [host:]port}. */
    INET("inet"),
    /** Stream UNIX-domain socket under the queue directory. */
    UNIX("unix"),
    /** Named pipe under the queue directory (obsolete in Postfix, kept for compatibility). */
    FIFO("fifo"),
    /** Datagram UNIX-domain socket; cannot receive wakeup triggers. */
    UNIX_DGRAM("unix-dgram"),
    /** Stream UNIX-domain socket over which connections are passed as descriptors. */
    PASS("pass");

    private final String token;

    ServiceType(String token) {
        this.token = token;
    }

    /** The master.cf spelling, e.g. {@code "unix-dgram"}. */
    public String token() {
        return token;
    }

    /** The type for an exact master.cf token, or empty when the token is not a type. */
    public static Optional<ServiceType> fromToken(String token) {
        for (ServiceType t : values()) {
            if (t.token.equals(token)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a wakeup trigger can be delivered. Postfix accepts a wakeup on
     * {@code unix-dgram} and then fails every period (docs/postfix-master.md §5.3, docs/postfix-master.md §9 scenario 24); procmaster
     * rejects that configuration up front instead.
     */
    public boolean supportsWakeup() {
        return this != UNIX_DGRAM;
    }

    /**
     * The bytes of one wakeup trigger (docs/postfix-master.md §5.3): {@code 'W'} then NUL for the
     * connection-based transports, a bare {@code 'W'} for a FIFO, nothing for unix-dgram (which
     * takes no trigger, {@link #supportsWakeup()}). A fresh array each call.
     */
    public byte[] wakeupTrigger() {
        return switch (this) {
            case UNIX, INET, PASS -> new byte[] {'W', 0};
            case FIFO -> new byte[] {'W'};
            case UNIX_DGRAM -> new byte[0];
        };
    }

    /** Whether the endpoint is a path relative to the queue directory (all but inet). */
    public boolean isPathBased() {
        return this != INET;
    }

    @Override
    public String toString() {
        return token;
    }
}
