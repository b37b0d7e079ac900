package io.procmaster.time;

import java.time.Duration;

/**
 * Durations as an operator writes them, for log lines and the CLI's output: {@code 10s},
 * {@code 1m30s}, {@code 250ms}, {@code 1h2m3s500ms}, {@code 1w}, never {@code PT1M30S}
 * (docs/cli.md, "Durations").
 *
 * <p>Interface: {@link #format} writes a duration as amounts of the units {@code w d h m s ms us ns},
 * largest first, each unit at most once and only when not zero ({@code 0s} for zero, a leading
 * {@code -} for a negative one); it is exact, nothing is rounded. {@link #parse} reads that syntax
 * back, so {@code parse(format(d)).equals(d)} for every duration. A single amount with one of the
 * units {@code s m h d w} is also a main.cf time value ({@code config.TimeValues}), so {@code 60s}
 * means the same in both; {@code parse} unlike main.cf wants the unit written.
 *
 * <p>Failure modes: {@link #parse} throws {@link IllegalArgumentException} with the reason for an
 * empty text, a missing number or unit, an unknown unit, units out of order or repeated, and a
 * value beyond {@link Duration}'s range. {@link #format} has none.
 */
public final class Durations {

    private static final String[] UNITS = {"w", "d", "h", "m", "s", "ms", "us", "ns"};
    private static final long[] NANOS = {
        7L * 86_400_000_000_000L, 86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
        1_000_000L, 1_000L, 1L};

    private Durations() {
    }

    /** {@code d} as an operator writes it, e.g. {@code 1m30s}; exact (see the class comment). */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (d.isNegative()) {
            sb.append('-');
            d = d.negated(); // Duration.MIN negated overflows; it is not a duration anyone logs
        }
        long seconds = d.getSeconds();
        long nanos = d.getNano();
        // Whole seconds and the sub-second part separately: a Duration's seconds do not fit in nanos.
        for (int i = 0; i < 5; i++) {
            long perUnit = NANOS[i] / 1_000_000_000L;
            long amount = seconds / perUnit;
            seconds -= amount * perUnit;
            append(sb, amount, UNITS[i]);
        }
        for (int i = 5; i < UNITS.length; i++) {
            long amount = nanos / NANOS[i];
            nanos -= amount * NANOS[i];
            append(sb, amount, UNITS[i]);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, long amount, String unit) {
        if (amount != 0) {
            sb.append(amount).append(unit);
        }
    }

    /**
     * Reads the syntax {@link #format} writes: amounts with units, largest unit first, e.g.
     * {@code 1m30s} or {@code 250ms}; an optional leading {@code -}.
     *
     * @throws IllegalArgumentException with the reason when the text is not such a duration
     */
    public static Duration parse(String text) {
        String t = text.strip();
        boolean negative = t.startsWith("-");
        int i = negative ? 1 : 0;
        if (i == t.length()) {
            throw new IllegalArgumentException("expected amounts with units such as 1m30s or 250ms");
        }
        Duration sum = Duration.ZERO;
        int lastUnit = -1;
        while (i < t.length()) {
            int start = i;
            while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                i++;
            }
            if (i == start) {
                throw new IllegalArgumentException("expected a number at \"" + t.substring(start) + "\"");
            }
            int unitStart = i;
            while (i < t.length() && Character.isLetter(t.charAt(i))) {
                i++;
            }
            String unit = t.substring(unitStart, i);
            int u = unitIndex(unit);
            if (u <= lastUnit) {
                throw new IllegalArgumentException("unit \"" + unit + "\" after a smaller or the same unit");
            }
            lastUnit = u;
            try {
                long amount = Long.parseLong(t.substring(start, unitStart));
                Duration part = u < 5 ? Duration.ofSeconds(Math.multiplyExact(amount, NANOS[u] / 1_000_000_000L))
                        : Duration.ofNanos(Math.multiplyExact(amount, NANOS[u]));
                sum = sum.plus(part);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("value too large");
            }
        }
        return negative ? sum.negated() : sum;
    }

    private static int unitIndex(String unit) {
        for (int u = 0; u < UNITS.length; u++) {
            if (UNITS[u].equals(unit)) {
                return u;
            }
        }
        throw new IllegalArgumentException(unit.isEmpty() ? "a number without a unit (w, d, h, m, s, ms, us, ns)"
                : "unknown unit \"" + unit + "\" (w, d, h, m, s, ms, us, ns)");
    }
}
