package io.procmaster.config;

import java.time.Duration;

/**
 * Parses Postfix-style time values: a decimal number with an optional one-letter unit,
 * {@code s} (seconds), {@code m} (minutes), {@code h} (hours), {@code d} (days) or
 * {@code w} (weeks). Without a unit the parameter's default unit applies, so
 * {@code service_throttle_time = 60} means 60 seconds. Units are case-sensitive, as in
 * Postfix.
 *
 * <p>Failure modes: {@link IllegalArgumentException} with a short reason for an empty value,
 * a sign, a missing number, an unknown unit, trailing text, or a value too large for a
 * {@link Duration} in seconds.
 */
public final class TimeValues {

    private TimeValues() {
    }

    /**
     * Parses {@code value}.
     *
     * @param value       the text, for example {@code 60s}, {@code 10m}, {@code 60}
     * @param defaultUnit the unit when none is written: one of {@code s m h d w}
     * @return the duration, never negative
     * @throws IllegalArgumentException with the reason when the value is malformed
     */
    public static Duration parse(String value, char defaultUnit) {
        unitSeconds(defaultUnit);
        String v = value.strip();
        int i = 0;
        while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("expected a number with an optional unit s, m, h, d or w");
        }
        char unit;
        if (i == v.length()) {
            unit = defaultUnit;
        } else if (i == v.length() - 1) {
            unit = v.charAt(i);
        } else {
            throw new IllegalArgumentException("unexpected text after the number and unit");
        }
        long perUnit = unitSeconds(unit);
        long amount;
        try {
            amount = Long.parseLong(v.substring(0, i));
            return Duration.ofSeconds(Math.multiplyExact(amount, perUnit));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("value too large");
        }
    }

    /**
     * Renders {@code d} as a main.cf value: one number in the largest unit that divides it exactly,
     * e.g. {@code 10m}, {@code 90s} (a main.cf time value has one unit, so {@code 1m30s} would not
     * read back). Log lines and the CLI's own output use {@link io.procmaster.time.Durations}.
     */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s == 0) {
            return "0s";
        }
        for (char u : new char[] {'w', 'd', 'h', 'm'}) {
            long per = unitSeconds(u);
            if (s % per == 0) {
                return (s / per) + String.valueOf(u);
            }
        }
        return s + "s";
    }

    private static long unitSeconds(char unit) {
        switch (unit) {
            case 's': return 1;
            case 'm': return 60;
            case 'h': return 3600;
            case 'd': return 86400;
            case 'w': return 7 * 86400;
            default:
                throw new IllegalArgumentException("unknown time unit '" + unit + "' (use s, m, h, d or w)");
        }
    }
}
