package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeValuesTest {

    @Test
    void numberWithoutUnitUsesTheDefaultUnit() {
        assertThat(TimeValues.parse("60", 's')).isEqualTo(Duration.ofSeconds(60));
        assertThat(TimeValues.parse("2", 'm')).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void everyPostfixSuffixIsAccepted() {
        assertThat(TimeValues.parse("5s", 'm')).isEqualTo(Duration.ofSeconds(5));
        assertThat(TimeValues.parse("10m", 's')).isEqualTo(Duration.ofMinutes(10));
        assertThat(TimeValues.parse("3h", 's')).isEqualTo(Duration.ofHours(3));
        assertThat(TimeValues.parse("2d", 's')).isEqualTo(Duration.ofDays(2));
        assertThat(TimeValues.parse("1w", 's')).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(TimeValues.parse("  1000s ", 's')).isEqualTo(Duration.ofSeconds(1000));
    }

    @Test
    void malformedValuesAreRejectedWithAReason() {
        assertThatThrownBy(() -> TimeValues.parse("", 's')).hasMessageContaining("expected a number");
        assertThatThrownBy(() -> TimeValues.parse("-5s", 's')).hasMessageContaining("expected a number");
        assertThatThrownBy(() -> TimeValues.parse("s", 's')).hasMessageContaining("expected a number");
        assertThatThrownBy(() -> TimeValues.parse("10x", 's')).hasMessageContaining("unknown time unit 'x'");
        assertThatThrownBy(() -> TimeValues.parse("10S", 's')).hasMessageContaining("unknown time unit 'S'");
        assertThatThrownBy(() -> TimeValues.parse("10ms", 's')).hasMessageContaining("unexpected text");
        assertThatThrownBy(() -> TimeValues.parse("1 h", 's')).hasMessageContaining("unexpected text");
        assertThatThrownBy(() -> TimeValues.parse("99999999999999999999w", 's')).hasMessageContaining("too large");
    }

    @Test
    void formatUsesTheLargestExactUnit() {
        assertThat(TimeValues.format(Duration.ofSeconds(600))).isEqualTo("10m");
        assertThat(TimeValues.format(Duration.ofSeconds(61))).isEqualTo("61s");
        assertThat(TimeValues.format(Duration.ofDays(14))).isEqualTo("2w");
        assertThat(TimeValues.format(Duration.ZERO)).isEqualTo("0s");
    }
}
