package io.procmaster.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one backoff: the master's throttle (20 doublings) and the helper's restart delay (capped by max). */
class ExponentialBackoffTest {

    @Test
    void doublesPerFailureUpToTheCap() {
        ExponentialBackoff b = new ExponentialBackoff(20);
        assertThat(b.onFailure(100, 1_000)).isEqualTo(100);
        assertThat(b.onFailure(100, 1_000)).isEqualTo(200);
        assertThat(b.onFailure(100, 1_000)).isEqualTo(400);
        assertThat(b.onFailure(100, 1_000)).isEqualTo(800);
        assertThat(b.onFailure(100, 1_000)).isEqualTo(1_000);
        assertThat(b.onFailure(100, 1_000)).isEqualTo(1_000);
        assertThat(b.failures()).isEqualTo(6);
    }

    @Test
    void resetStartsAgainFromTheBase() {
        ExponentialBackoff b = new ExponentialBackoff(20);
        b.onFailure(100, 1_000);
        b.onFailure(100, 1_000);
        b.reset();
        assertThat(b.failures()).isZero();
        assertThat(b.onFailure(100, 1_000)).isEqualTo(100);
    }

    @Test
    void theCountStopsAtMaxDoublingsAndSoDoesTheDelay() {
        ExponentialBackoff b = new ExponentialBackoff(3);
        long last = 0;
        for (int i = 0; i < 10; i++) {
            last = b.onFailure(1, Long.MAX_VALUE);
        }
        assertThat(last).isEqualTo(8);
        assertThat(b.failures()).isEqualTo(3);
    }

    @Test
    void neverOverflowsNearTheTopOfALong() {
        ExponentialBackoff b = new ExponentialBackoff(62);
        long last = 0;
        for (int i = 0; i < 100; i++) {
            last = b.onFailure(Long.MAX_VALUE / 3, Long.MAX_VALUE);
            assertThat(last).isPositive();
        }
        assertThat(last).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aBaseAboveTheCapGivesTheCapAndZeroGivesZero() {
        assertThat(new ExponentialBackoff(20).onFailure(500, 100)).isEqualTo(100);
        ExponentialBackoff zero = new ExponentialBackoff(20);
        zero.onFailure(0, 100);
        assertThat(zero.onFailure(0, 100)).isZero();
    }

    @Test
    void aChangedBaseAppliesToTheNextFailureWithTheCountKept() {
        ExponentialBackoff b = new ExponentialBackoff(20);
        b.onFailure(100, 10_000);
        b.onFailure(100, 10_000);
        assertThat(b.onFailure(10, 10_000)).isEqualTo(40); // a reload changed the base
    }

    @Test
    void negativeDoublingsAreRefused() {
        assertThatThrownBy(() -> new ExponentialBackoff(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
