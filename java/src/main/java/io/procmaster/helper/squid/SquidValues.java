package io.procmaster.helper.squid;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Squid's readers of numbers, switches and times (src/Parsing.cc and src/cache_cf.cc, Squid 5.7),
 * with Squid's error texts: {@link #unsigned} is {@code xatoui}, {@link #atoi} the lenient C
 * {@code atoi} that external_acl_type uses, {@link #integer} is {@code parse_int} (C base 0), {@link #onOff} is {@code parse_onoff} (with its
 * {@code enable}/{@code disable} deprecation warnings), {@link #time} is {@code parseTimeLine} in
 * seconds (a unit is required: {@code 2 hours}; prefixes as Squid matches them, {@code seconds}
 * and {@code second} alike), {@link #urlRewriteTimeout} the variant whose unit may be missing.
 *
 * <p>Failure modes: a value Squid refuses throws {@link SquidConfException} with Squid's text; a
 * value Squid accepts but a pool cannot hold (above {@link Integer#MAX_VALUE}) is an error too.
 */
final class SquidValues {
    private static final Pattern INTEGER = Pattern.compile("^[ \\t\\n\\x0B\\f\\r]*([+-]?)(\\d*)");
    private static final Pattern BASE0 = Pattern.compile("^[ \\t\\n\\x0B\\f\\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\\d*)");
    private static final Pattern DECIMAL = Pattern.compile("^[ \\t\\n\\x0B\\f\\r]*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final String[] UNITS = {"nanosecond", "microsecond", "millisecond", "second", "minute", "hour",
        "day", "week", "fortnight", "month", "year", "decade"};
    private static final double HOURS_PER_YEAR = 24 * 365.2522;

    private SquidValues() {}

    /** Squid's {@code xatoui}: a non-negative decimal with nothing after it. */
    static int unsigned(String token, Diagnostics d) throws SquidConfException {
        Matcher m = INTEGER.matcher(token);
        m.find();
        if (m.group(2).isEmpty()) throw d.error(token, "No digits were found in the input value '" + token + "'.");
        if (m.end() != token.length()) throw d.error(token, "Invalid value: '" + token + "' is supposed to be a number.");
        if (m.group(1).equals("-") && !m.group(2).chars().allMatch(c -> c == '0'))
            throw d.error(token, "The input value '" + token + "' cannot be less than 0.");
        long v = parseClamped(m.group(2));
        if (v > 0xFFFF_FFFFL) throw d.error(token, "The value '" + token + "' is larger than the type 'unsigned int'.");
        if (v > Integer.MAX_VALUE) throw d.error(token, "is above " + Integer.MAX_VALUE + ", the most a procmaster pool holds");
        return (int) v;
    }

    /** Squid's {@code parse_int} ({@code GetInteger}): an int in C's base 0 (decimal, {@code 0x} hex, {@code 0} octal), with nothing after it. */
    static int integer(String token, Diagnostics d) throws SquidConfException {
        Matcher m = BASE0.matcher(token);
        if (!m.find()) throw d.error(token, "No digits were found in the input value '" + token + "'.");
        if (m.end() != token.length()) throw d.error(token, "Invalid value: '" + token + "' is supposed to be a number.");
        String digits = m.group(2);
        long v;
        try {
            v = digits.startsWith("0x") || digits.startsWith("0X") ? Long.parseLong(digits.substring(2), 16)
                    : digits.length() > 1 && digits.startsWith("0") ? Long.parseLong(digits.substring(1), 8) : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            v = Long.MAX_VALUE;
        }
        if (m.group(1).equals("-")) v = -v;
        if (v != (int) v) throw d.error(token, "The value '" + token + "' is larger than the type 'int'.");
        return (int) v;
    }

    /** C's {@code atoi}: leading digits with an optional sign, anything after them ignored, 0 without digits. */
    static long atoi(String token) {
        Matcher m = INTEGER.matcher(token);
        m.find();
        if (m.group(2).isEmpty()) return 0;
        long v = parseClamped(m.group(2));
        return m.group(1).equals("-") ? -v : v;
    }

    /** Whether {@code atoi} reads the whole of {@code token} (so a warning can name a value it cut). */
    static boolean wholeNumber(String token) {
        return token.matches("[+-]?\\d+");
    }

    private static long parseClamped(String digits) {
        return digits.length() > 12 ? Long.MAX_VALUE / 2 : Long.parseLong(digits);
    }

    /** Squid's {@code parse_onoff}. */
    static boolean onOff(LineTokens t, Diagnostics d) throws SquidConfException {
        String token = t.next();
        if (token == null) throw d.error(null, "missing value: on or off");
        switch (token) {
            case "on": return true;
            case "off": return false;
            case "enable":
                d.squid(token, "WARNING: 'enable' is deprecated. Please update to use 'on'.");
                return true;
            case "disable":
                d.squid(token, "WARNING: 'disable' is deprecated. Please update to use 'off'.");
                return false;
            default:
                throw d.error(token, "Invalid option: Boolean options can only be 'on' or 'off'.");
        }
    }

    /** Squid's {@code parseTimeLine} in seconds: a number and a unit of a second or more (the unit may be omitted after 0). */
    static Duration time(LineTokens t, Diagnostics d) throws SquidConfException {
        return time(t, d, false);
    }

    /** url_rewrite_timeout's reader: as {@link #time}, but a missing unit before other words means seconds, with Squid's warning. */
    static Duration urlRewriteTimeout(LineTokens t, Diagnostics d) throws SquidConfException {
        return time(t, d, true);
    }

    private static Duration time(LineTokens t, Diagnostics d, boolean wordAfterNumberMaySkipUnit) throws SquidConfException {
        String value = t.next();
        if (value == null) throw d.error(null, "cannot read a time value");
        double number = decimal(value, d);
        if (number == 0) return Duration.ZERO;
        String unit = t.peek();
        // Squid 5.7 asks for the unit of the next word, and a line that ends after the number has none.
        if (unit == null) throw d.error(value, "missing time unit");
        double seconds = unitSeconds(unit, d);
        if (!Double.isNaN(seconds)) {
            t.next();
        } else if (wordAfterNumberMaySkipUnit) {
            d.squid(value, "WARNING: missing time unit, using deprecated default 'second'");
            seconds = 1;
        } else {
            throw d.error(unit, "unknown time unit '" + unit + "'");
        }
        return seconds(number, seconds, value, d);
    }

    private static double decimal(String token, Diagnostics d) throws SquidConfException {
        Matcher m = DECIMAL.matcher(token);
        if (!m.find()) throw d.error(token, "No digits were found in the input value '" + token + "'.");
        if (m.end() != token.length()) throw d.error(token, "Invalid value: '" + token + "' is supposed to be a number.");
        return Double.parseDouble(token.trim());
    }

    /** Seconds per {@code unit} as Squid matches units (case-insensitive prefix of the word), NaN if none. */
    private static double unitSeconds(String unit, Diagnostics d) throws SquidConfException {
        String u = unit.toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < UNITS.length; i++) {
            if (!u.startsWith(UNITS[i])) continue;
            if (i < 3) throw d.error(unit, "time unit '" + unit + "' is too small to be used in this context, the minimal unit is second");
            switch (UNITS[i]) {
                case "second": return 1;
                case "minute": return 60;
                case "hour": return 3600;
                case "day": return 86_400;
                case "week": return 7 * 86_400;
                case "fortnight": return 14 * 86_400;
                case "month": return 30 * 86_400;
                case "year": return Math.floor(HOURS_PER_YEAR) * 3600;
                default: return Math.floor(HOURS_PER_YEAR * 10) * 3600;
            }
        }
        return Double.NaN;
    }

    private static Duration seconds(double number, double unitSeconds, String value, Diagnostics d) throws SquidConfException {
        if (number < 0) throw d.error(value, "time must have a positive value");
        double total = number * unitSeconds;
        if (total >= Long.MAX_VALUE / 1_000_000_000L) throw d.error(value, "time values cannot exceed 292 years");
        long whole = (long) total; // Squid truncates to whole seconds
        if (whole == 0) throw d.error(value, "time value '" + value + "' is too small to be used in this context, the minimal value is 1 second");
        return Duration.ofSeconds(whole);
    }
}
