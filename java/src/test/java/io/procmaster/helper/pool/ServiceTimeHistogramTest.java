package io.procmaster.helper.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceTimeHistogramTest {
    @Test
    void percentilesWithinBucketPrecision() {
        ServiceTimeHistogram h = new ServiceTimeHistogram();
        for (int i = 1; i <= 100; i++) h.record(i * 1_000_000L); // 1..100 ms
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.meanMicros()).isEqualTo(50_500);
        assertThat(h.percentileMicros(50)).isBetween(50_000L, 50_000L * 9 / 8);
        assertThat(h.percentileMicros(99)).isBetween(99_000L, 100_000L);
        assertThat(h.percentileMicros(100)).isEqualTo(100_000);
    }

    @Test
    void emptyAndExtremes() {
        ServiceTimeHistogram h = new ServiceTimeHistogram();
        assertThat(h.percentileMicros(50)).isZero();
        h.record(-5);
        h.record(Long.MAX_VALUE);
        assertThat(h.percentileMicros(50)).isZero();
        assertThat(h.count()).isEqualTo(2);
    }

    @Test
    void bucketsAreMonotonic() {
        long prev = -1;
        for (int i = 0; i < 16 + 41 * 8; i++) {
            long ub = ServiceTimeHistogram.upperBound(i);
            assertThat(ub).isGreaterThan(prev);
            assertThat(ServiceTimeHistogram.index(ub)).isEqualTo(i);
            prev = ub;
        }
    }
}
