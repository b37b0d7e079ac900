package io.procmaster.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.config.TimeValues;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Durations as an operator writes them (docs/cli.md, "Durations"): the format, its parse, the round trip. */
class DurationsTest {

    @Test
    void formatsAsAnOperatorWritesThem() {
        assertThat(Durations.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofMinutes(1))).isEqualTo("1m");
        assertThat(Durations.format(Duration.ofSeconds(1000))).isEqualTo("16m40s");
        assertThat(Durations.format(Duration.ofDays(7))).isEqualTo("1w");
        assertThat(Durations.format(Duration.ofMillis(3_723_500))).isEqualTo("1h2m3s500ms");
        assertThat(Durations.format(Duration.ofNanos(1_500))).isEqualTo("1us500ns");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofSeconds(-90))).isEqualTo("-1m30s");
    }

    @Test
    void parseReadsWhatFormatWrites() {
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1w2d")).isEqualTo(Duration.ofDays(9));
        assertThat(Durations.parse("-5s")).isEqualTo(Duration.ofSeconds(-5));
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void roundTripsEveryDuration() {
        SplittableRandom random = new SplittableRandom(10);
        for (int i = 0; i < 20_000; i++) {
            Duration d = Duration.ofSeconds(random.nextLong(-MAX_SECONDS, MAX_SECONDS),
                    random.nextInt(1_000_000_000));
            if (i % 4 == 0) {
                d = Duration.ofMillis(random.nextLong(0, 10_000_000)); // the common, short ones
            }
            assertThat(Durations.parse(Durations.format(d))).as("%s as %s", d, Durations.format(d)).isEqualTo(d);
        }
        Duration extreme = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        assertThat(Durations.parse(Durations.format(extreme))).isEqualTo(extreme);
    }

    private static final long MAX_SECONDS = 1L << 40;

    @Test
    void aSingleAmountMeansWhatMainCfMeans() {
        for (String v : new String[] {"45s", "10m", "3h", "2d", "1w"}) {
            assertThat(Durations.parse(v)).as(v).isEqualTo(TimeValues.parse(v, 's'));
            assertThat(Durations.format(TimeValues.parse(v, 's'))).as(v).isEqualTo(v);
        }
        assertThat(Durations.format(TimeValues.parse("60", 's'))).isEqualTo("1m"); // the largest unit that fits
    }

    @Test
    void rejectsWhatIsNotADuration() {
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("expected");
        assertThatThrownBy(() -> Durations.parse("60")).hasMessageContaining("without a unit");
        assertThatThrownBy(() -> Durations.parse("5x")).hasMessageContaining("unknown unit \"x\"");
        assertThatThrownBy(() -> Durations.parse("30s1m")).hasMessageContaining("after a smaller");
        assertThatThrownBy(() -> Durations.parse("1s1s")).hasMessageContaining("after a smaller or the same");
        assertThatThrownBy(() -> Durations.parse("PT1M")).hasMessageContaining("expected a number");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999w")).hasMessageContaining("too large");
    }
}
