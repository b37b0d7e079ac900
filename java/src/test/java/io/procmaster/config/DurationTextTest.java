package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Durations in log lines as an operator reads them, not as ISO-8601 ({@code PT1M}). */
class DurationTextTest {
    @Test
    void unitsFromTheLargestNonZeroOnly() {
        assertThat(DurationText.of(Duration.ofSeconds(60))).isEqualTo("1m");
        assertThat(DurationText.of(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(DurationText.of(Duration.ofSeconds(3605))).isEqualTo("1h5s");
        assertThat(DurationText.of(Duration.ofDays(2))).isEqualTo("48h");
        assertThat(DurationText.of(Duration.ofMillis(1500))).isEqualTo("1s500ms");
        assertThat(DurationText.of(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(DurationText.of(Duration.ofNanos(1500))).isEqualTo("1500ns");
        assertThat(DurationText.of(Duration.ofNanos(2000))).isEqualTo("2us");
        assertThat(DurationText.of(Duration.ZERO)).isEqualTo("0s");
        assertThat(DurationText.of(null)).isEqualTo("0s");
        assertThat(DurationText.of(Duration.ofSeconds(-10))).isEqualTo("-10s");
    }
}
