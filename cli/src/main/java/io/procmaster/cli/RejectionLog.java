package io.procmaster.cli;

import io.procmaster.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Rate-limited warnings for refused control-socket clients (silent, too many, too long, wrong
 * user): per kind, the first warning is logged, then at most one per interval, which says how
 * many like it were suppressed since the last one. A flood that stops still has its count logged:
 * {@link #flushDue} (called by the server's selector loop, which wakes for {@link #nextFlushNanos})
 * logs the last suppressed message of each kind with its count once the interval is over, and
 * {@link #flushAll} does so at close. The counts are exact whatever is logged.
 * Thread-safe; failure modes: none (logging is best effort).
 */
final class RejectionLog {
    private final Logger log;
    private final long intervalNanos;
    private final Clock clock;
    private final Map<String, Kind> byKind = new HashMap<>();

    /** One kind's counts: every rejection, those suppressed since the last line, the last of them. */
    private static final class Kind {
        long total;
        long suppressed;
        long lastLoggedNanos;
        String lastSuppressed;
    }

    /**
     * Loaded with this class: the first rejection may come when descriptors have run out, and a
     * class file cannot be opened then (a class that failed to load stays failed).
     */
    private static final Class<?> KIND_CLASS = Kind.class;

    RejectionLog(Logger log, Duration interval, Clock clock) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
    }

    /**
     * Counts one rejection of this kind and logs {@code message} unless one was logged lately;
     * returns whether it logged.
     */
    synchronized boolean warn(String kind, String message) {
        long now = clock.nanoTime();
        Kind k = byKind.get(kind);
        if (k == null) {
            k = new Kind();
            k.lastLoggedNanos = now - intervalNanos;
            byKind.put(kind, k);
        }
        k.total++;
        if (now - k.lastLoggedNanos < intervalNanos) {
            k.suppressed++;
            k.lastSuppressed = message;
            return false;
        }
        if (k.suppressed > 0) {
            log.warn("{} ({} more like it suppressed)", message, k.suppressed);
        } else {
            log.warn("{}", message);
        }
        k.suppressed = 0;
        k.lastSuppressed = null;
        k.lastLoggedNanos = now;
        return true;
    }

    /** When {@link #flushDue} next has something to log (clock time), or Long.MAX_VALUE. */
    synchronized long nextFlushNanos() {
        long next = Long.MAX_VALUE;
        for (Kind k : byKind.values()) {
            if (k.suppressed > 0) {
                next = Math.min(next, k.lastLoggedNanos + intervalNanos);
            }
        }
        return next;
    }

    /** Logs each kind's suppressed count whose interval is over. */
    synchronized void flushDue() {
        flush(false);
    }

    /** Logs every suppressed count now (at close). */
    synchronized void flushAll() {
        flush(true);
    }

    private void flush(boolean all) {
        long now = clock.nanoTime();
        for (Kind k : byKind.values()) {
            if (k.suppressed > 0 && (all || now - k.lastLoggedNanos >= intervalNanos)) {
                log.warn("{} ({} like it suppressed)", k.lastSuppressed, k.suppressed);
                k.suppressed = 0;
                k.lastSuppressed = null;
                k.lastLoggedNanos = now;
            }
        }
    }

    /** How many rejections of this kind there were, logged or not. */
    synchronized long count(String kind) {
        Kind k = byKind.get(kind);
        return k == null ? 0 : k.total;
    }
}
