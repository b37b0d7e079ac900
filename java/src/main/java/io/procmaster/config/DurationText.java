package io.procmaster.config;

import java.time.Duration;

/**
 * DurationText - a duration as operators read it in log lines: {@code 1m30s}, {@code 2h},
 * {@code 10s}, {@code 250ms}, instead of {@code Duration}'s ISO form {@code PT1M30S}.
 *
 * <p>Rule: the non-zero units of hours, minutes and seconds from the largest, the day and week
 * spans written in hours ({@code 48h}); below a second the milliseconds are shown
 * ({@code 1s500ms}), below a millisecond the whole duration in microseconds or nanoseconds.
 * Unlike {@link TimeValues#format} (a main.cf value, which must be one number and unit), the text
 * is for reading, not for parsing back. Negative durations get a leading {@code -}.
 *
 * <p>Interim: the CLI branch of issue 13 adds the one formatter the command line uses; the two are
 * to become one.
 *
 * <p>Failure modes: none; null reads as {@code 0s}.
 */
public final class DurationText {

    private DurationText() {
    }

    /** {@code d} as {@code 1h2m3s}, {@code 1m30s}, {@code 500ms}; zero is {@code 0s}. */
    public static String of(Duration d) {
        if (d == null || d.isZero()) {
            return "0s";
        }
        if (d.isNegative()) {
            return "-" + of(d.negated());
        }
        long s = d.getSeconds();
        int nanos = d.getNano();
        if (s == 0 && nanos % 1_000_000 != 0) {
            return nanos % 1000 == 0 ? (nanos / 1000) + "us" : nanos + "ns";
        }
        StringBuilder b = new StringBuilder();
        append(b, s / 3600, "h");
        append(b, s / 60 % 60, "m");
        append(b, s % 60, "s");
        append(b, nanos / 1_000_000, "ms");
        return b.toString();
    }

    private static void append(StringBuilder b, long amount, String unit) {
        if (amount != 0) {
            b.append(amount).append(unit);
        }
    }
}
