package io.procmaster.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one sliding window: the master's spawn-rate limit and the helper pool's crash-loop breaker. */
class SlidingWindowTest {

    @Test
    void countsEventsYoungerThanTheWindow() {
        SlidingWindow w = new SlidingWindow(10, 100);
        w.record(0);
        w.record(50);
        w.record(99);
        assertThat(w.count(99)).isEqualTo(3);
        assertThat(w.count(100)).as("the event at 0 is exactly one window old: gone").isEqualTo(2);
        assertThat(w.count(149)).isEqualTo(2);
        assertThat(w.count(150)).isEqualTo(1);
        assertThat(w.count(1_000)).isZero();
    }

    @Test
    void keepsOnlyTheNewestCapacityEvents() {
        SlidingWindow w = new SlidingWindow(3, 1_000_000);
        for (int i = 0; i < 100_000; i++) {
            w.record(i);
        }
        assertThat(w.held()).isEqualTo(3);
        assertThat(w.count(100_000)).isEqualTo(3);
    }

    @Test
    void heldDoesNotExpireButCountDoes() {
        SlidingWindow w = new SlidingWindow(5, 10);
        w.record(0);
        w.record(1);
        assertThat(w.held()).isEqualTo(2);
        assertThat(w.count(10)).isEqualTo(1);
        assertThat(w.held()).isEqualTo(1);
    }

    @Test
    void configureShrinksToTheNewCapacityKeepingTheNewest() {
        SlidingWindow w = new SlidingWindow(5, 1_000);
        for (int i = 0; i < 5; i++) {
            w.record(i * 10);
        }
        w.configure(2, 1_000);
        assertThat(w.count(40)).isEqualTo(2);
        w.configure(2, 5);
        assertThat(w.count(40)).as("of the events at 30 and 40, only 40 is younger than 5").isEqualTo(1);
    }

    @Test
    void zeroCapacityKeepsNothingAndClearForgets() {
        SlidingWindow off = new SlidingWindow(0, 1_000);
        off.record(1);
        assertThat(off.count(1)).isZero();
        SlidingWindow w = new SlidingWindow(4, 1_000);
        w.record(1);
        w.record(2);
        w.clear();
        assertThat(w.count(2)).isZero();
    }

    @Test
    void worksAcrossAWrappingClockOrigin() {
        SlidingWindow w = new SlidingWindow(4, 10);
        w.record(Long.MAX_VALUE - 2);
        w.record(Long.MAX_VALUE + 3); // wrapped: 5 ns later
        assertThat(w.count(Long.MAX_VALUE + 7)).isEqualTo(2);
        assertThat(w.count(Long.MAX_VALUE + 8)).isEqualTo(1);
    }

    @Test
    void negativeBoundsAreRefused() {
        assertThatThrownBy(() -> new SlidingWindow(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlidingWindow(1, -10)).isInstanceOf(IllegalArgumentException.class);
    }
}
