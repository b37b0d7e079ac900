package io.procmaster.helper.pool;

/**
 * Fixed-size log-linear histogram of service times (dispatch to reply), for p50/p99 without keeping
 * samples: microsecond values, 8 sub-buckets per power of two (≤ 12.5% relative error), 64-bit
 * counts. Deterministic: percentiles report the bucket's upper bound, clamped to the largest sample.
 *
 * <p>Failure modes: none; negative samples count as 0, huge ones land in the last bucket.
 */
final class ServiceTimeHistogram {
    private static final int LINEAR = 16;            // 0..15 µs exactly
    private static final int SUB = 8;                // sub-buckets per octave
    private static final int MAX_OCTAVE = 44;        // 2^44 µs ≈ 200 days
    private final long[] counts = new long[LINEAR + (MAX_OCTAVE - 3) * SUB];
    private long total;
    private long sumMicros;
    private long maxMicros;

    void record(long nanos) {
        long us = Math.max(0, nanos / 1000);
        counts[index(us)]++;
        total++;
        sumMicros += us;
        maxMicros = Math.max(maxMicros, us);
    }

    long count() {
        return total;
    }

    /** Mean in microseconds (0 when empty). */
    long meanMicros() {
        return total == 0 ? 0 : sumMicros / total;
    }

    /** The p-th percentile (0 &lt; p &le; 100) in microseconds (0 when empty). */
    long percentileMicros(double p) {
        if (total == 0) return 0;
        long rank = (long) Math.ceil(p / 100.0 * total);
        rank = Math.max(1, Math.min(total, rank));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) return Math.min(upperBound(i), maxMicros);
        }
        return maxMicros;
    }

    static int index(long us) {
        if (us < LINEAR) return (int) us;
        int octave = 63 - Long.numberOfLeadingZeros(us); // >= 4
        if (octave > MAX_OCTAVE) return LINEAR + (MAX_OCTAVE - 3) * SUB - 1;
        int sub = (int) ((us >> (octave - 3)) & (SUB - 1));
        return LINEAR + (octave - 4) * SUB + sub;
    }

    static long upperBound(int index) {
        if (index < LINEAR) return index;
        int octave = (index - LINEAR) / SUB + 4;
        int sub = (index - LINEAR) % SUB;
        return ((long) (SUB + sub + 1) << (octave - 3)) - 1;
    }
}
