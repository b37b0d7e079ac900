package io.procmaster.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * The cgroup2 limits of one service (docs/cgroups.md "Limits"): {@code memory.max},
 * {@code pids.max} and {@code cpu.max}, each held as the exact text written to that file, or
 * null where nothing was given at this level (a master.cf {@code -o} that is absent inherits
 * main.cf's value, {@link #over}).
 *
 * <p>Interface: the parsers {@link #memory}, {@link #pids}, {@link #cpu} take what an operator
 * writes and return the file's text; {@link #over}, {@link #limited}. Syntax:
 * <ul>
 * <li>memory: {@code max}, or bytes with an optional suffix {@code k m g t} (powers of 1024,
 *     either case): {@code 256m} is {@code 268435456};
 * <li>pids: {@code max}, or a whole number of processes, at least 1;
 * <li>cpu: {@code max}; a percentage of one CPU, {@code 150%} ({@code 150000 100000}: the quota
 *     per 100 ms period); or cgroup's own {@code quota period} in microseconds, the quota at
 *     least 1000 (or {@code max}), the period 1000 to 1000000.
 * </ul>
 *
 * <p>Failure modes: a value outside that syntax throws {@link IllegalArgumentException} with a
 * reason that says what is expected; the callers add the parameter, value, file and line.
 */
public record CgroupLimits(String memoryMax, String pidsMax, String cpuMax) {
    /** cgroup's "no limit", in each of the three files. */
    public static final String MAX = "max";
    /** The cpu.max period a percentage is written with (cgroup's default, 100 ms). */
    public static final long CPU_PERIOD_MICROS = 100_000;

    private static final long MAX_BYTES = Long.MAX_VALUE / 2;

    /** No limit given at this level. */
    public static CgroupLimits none() {
        return new CgroupLimits(null, null, null);
    }

    /** These limits where given, else {@code defaults}' (main.cf's under master.cf's). */
    public CgroupLimits over(CgroupLimits defaults) {
        Objects.requireNonNull(defaults);
        return new CgroupLimits(memoryMax != null ? memoryMax : defaults.memoryMax,
                pidsMax != null ? pidsMax : defaults.pidsMax, cpuMax != null ? cpuMax : defaults.cpuMax);
    }

    /** Whether {@code value} (one of the fields) sets a limit: given and not {@code max}. */
    public static boolean limited(String value) {
        return value != null && !value.equals(MAX) && !value.startsWith(MAX + " ");
    }

    /** memory.max text: {@code max} or a byte count. */
    public static String memory(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals(MAX)) {
            return MAX;
        }
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        int shift = "kmgt".indexOf(last);
        if (shift >= 0) {
            unit = 1L << (10 * (shift + 1));
            t = t.substring(0, t.length() - 1);
        }
        long n = digits(t, "expected max, or bytes with an optional k, m, g or t suffix (such as 256m)");
        if (n < 1 || n > MAX_BYTES / unit) {
            throw new IllegalArgumentException("must be at least 1 byte and at most " + MAX_BYTES + " bytes");
        }
        return Long.toString(n * unit);
    }

    /** pids.max text: {@code max} or a count of at least 1. */
    public static String pids(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals(MAX)) {
            return MAX;
        }
        long n = digits(t, "expected max or a whole number of processes (such as 64)");
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1 (a service needs one process)");
        }
        return Long.toString(n);
    }

    /** cpu.max text: {@code max}, or {@code quota period}. */
    public static String cpu(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals(MAX)) {
            return MAX;
        }
        String expected = "expected max, a percentage of one CPU (such as 150%) or \"quota period\" in microseconds";
        if (t.endsWith("%")) {
            BigDecimal pct;
            try {
                pct = new BigDecimal(t.substring(0, t.length() - 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            long quota;
            try {
                quota = pct.multiply(BigDecimal.valueOf(CPU_PERIOD_MICROS / 100)).longValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("must be a percentage with at most 3 decimals, below 10^13%");
            }
            if (quota < 1000) {
                throw new IllegalArgumentException("must be at least 1% (cpu.max takes a quota of 1000us or more per "
                        + CPU_PERIOD_MICROS + "us)");
            }
            return quota + " " + CPU_PERIOD_MICROS;
        }
        String[] parts = t.split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException(expected);
        }
        long period = digits(parts[1], expected);
        if (period < 1000 || period > 1_000_000) {
            throw new IllegalArgumentException("the period must be 1000 to 1000000 microseconds");
        }
        if (parts[0].equals(MAX)) {
            return MAX + " " + period;
        }
        long quota = digits(parts[0], expected);
        if (quota < 1000) {
            throw new IllegalArgumentException("the quota must be at least 1000 microseconds (or max)");
        }
        return quota + " " + period;
    }

    private static long digits(String t, String expected) {
        if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(expected);
        }
        return Long.parseLong(t);
    }
}
