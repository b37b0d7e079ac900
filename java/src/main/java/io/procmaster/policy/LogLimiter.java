package io.procmaster.policy;

import io.procmaster.time.Durations;
import io.procmaster.time.TimerQueue;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.event.Level;

/**
 * LogLimiter - rate limit of the log lines a child or peer can trigger at will (forged, malformed
 * or unknown status records, crash reports, ...), per scope (a service, or the master) and kind.
 *
 * <p>Rule: in each interval of {@link #INTERVAL} that starts with a line of a (scope, kind), the
 * first {@link #BURST} lines are logged; the rest are counted, and when that interval ends one
 * summary line at the same level says how many: {@code service x(x): 99990 more forged status
 * records suppressed in the last 10 s}. So a flood costs at most {@code BURST + 1} lines per
 * (scope, kind) per interval, and the first lines of any other service or kind still get through.
 * The policy's counters are kept apart and stay exact: this class only decides what is written.
 *
 * <p>Time is the policy's injected clock, and the summary is a {@link Timers} timer, so a
 * {@link FakeClock} makes it deterministic. Memory: one small entry per (scope, kind) seen; entries
 * whose interval is over are dropped at their summary, or, for intervals without suppression,
 * swept once more than {@link #SWEEP_AT} are held.
 *
 * <p>Failure modes: none; the sink must not throw. Not thread-safe: the loop thread owns it.
 */
final class LogLimiter {

    /** Lines logged per (scope, kind) per interval before suppression starts. */
    static final int BURST = 10;
    /** Length of the interval of {@link #BURST}. */
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Entry count above which entries of intervals that are over are swept. */
    static final int SWEEP_AT = 1024;

    /** What a line reports; its text names the lines in the summary. */
    enum Kind {
        FORGED_RECORD("forged status records"),
        FOREIGN_RECORD("status records of another service's child"),
        UNKNOWN_PID_RECORD("status records from unknown pids"),
        GENERATION_MISMATCH("status records of another generation"),
        UNKNOWN_STATUS("status records with an unknown status"),
        REDUNDANT_RECORD("redundant status records"),
        MALFORMED_RECORD("malformed status records"),
        STATUS_READ_ERROR("status read errors"),
        CHILD_EXIT("abnormal child exits"),
        CHILD_STOPPED("stopped children"),
        WAKEUP_FAILURE("wakeup failures"),
        UNKNOWN_PID_EXIT("exits of unknown pids"),
        UNKNOWN_SERVICE("events for unknown services");

        private final String lines;

        Kind(String lines) {
            this.lines = lines;
        }
    }

    private record Key(String scope, Kind kind) { }

    private static final class Window {
        final long start;
        int logged;
        long suppressed;
        Level level;
        TimerQueue.Timer summary;

        Window(long start) {
            this.start = start;
        }
    }

    private final TimerQueue timers;
    private final PolicyLog sink;
    private final long intervalNanos = INTERVAL.toNanos();
    private final Map<Key, Window> windows = new HashMap<>();

    LogLimiter(TimerQueue timers, PolicyLog sink) {
        this.timers = Objects.requireNonNull(timers, "timers");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Logs one line of {@code kind} for {@code scope} (a service label, or "master"), unless its
     * burst for the current interval is spent; then it is counted for the summary.
     *
     * @return true when the line was written, false when it was counted instead (a copy of the
     *         line elsewhere, such as the mail log, follows the same decision)
     */
    boolean log(String scope, Kind kind, Level level, String format, Object... args) {
        long now = timers.clock().nanoTime();
        Key key = new Key(scope, kind);
        Window w = windows.get(key);
        if (w != null && now - w.start >= intervalNanos) {
            summarize(key, w); // its interval is over, even if the loop has not run the timer yet
            w = null;
        }
        if (w == null) {
            if (windows.size() >= SWEEP_AT) {
                windows.values().removeIf(x -> x.summary == null && now - x.start >= intervalNanos);
            }
            w = new Window(now);
            windows.put(key, w);
        }
        if (w.logged < BURST) {
            w.logged++;
            sink.log(level, format, args);
            return true;
        }
        if (w.suppressed++ == 0) {
            Window first = w;
            first.level = level;
            first.summary = timers.schedule(Duration.ofNanos(w.start + intervalNanos - now),
                    "log summary " + scope + " " + kind, () -> summarize(key, first));
        }
        return false;
    }

    /** Entries held, for tests: bounded by the (scope, kind) pairs seen in the last interval. */
    int entries() {
        return windows.size();
    }

    private void summarize(Key key, Window w) {
        if (windows.get(key) == w) {
            windows.remove(key);
        }
        if (w.summary != null) {
            w.summary.cancel();
            w.summary = null;
        }
        if (w.suppressed > 0) {
            long n = w.suppressed;
            w.suppressed = 0;
            sink.log(w.level, "{}: {} more {} suppressed in the last {}", key.scope(), n, key.kind().lines,
                    Durations.format(INTERVAL));
        }
    }
}
