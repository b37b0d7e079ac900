package io.procmaster.cli;

import io.procmaster.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Rate-limited warnings for refused control-socket clients (silent, too many, too long, wrong
 * user): per kind, the first warning is logged, then at most one per interval, which says how
 * many like it were suppressed since the last one. The counts are exact whatever is logged.
 * Thread-safe; failure modes: none (logging is best effort).
 */
final class RejectionLog {
    private final Logger log;
    private final long intervalNanos;
    private final Clock clock;
    private final Map<String, long[]> byKind = new HashMap<>(); // kind -> {total, suppressed, lastLoggedNanos}

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
        long[] k = byKind.get(kind);
        if (k == null) {
            k = new long[] {0, 0, now - intervalNanos};
            byKind.put(kind, k);
        }
        k[0]++;
        if (now - k[2] < intervalNanos) {
            k[1]++;
            return false;
        }
        if (k[1] > 0) {
            log.warn("{} ({} more like it suppressed)", message, k[1]);
        } else {
            log.warn("{}", message);
        }
        k[1] = 0;
        k[2] = now;
        return true;
    }

    /** How many rejections of this kind there were, logged or not. */
    synchronized long count(String kind) {
        long[] k = byKind.get(kind);
        return k == null ? 0 : k[0];
    }
}
