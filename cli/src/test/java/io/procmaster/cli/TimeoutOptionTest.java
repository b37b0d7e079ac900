package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --timeout} takes what an operator reads elsewhere from procmaster: main.cf time values
 * ({@code 30}, {@code 2m}) and the durations the CLI and the log print ({@code 1m30s}); docs/cli.md.
 */
class TimeoutOptionTest {
    private final ProcmasterCommand.TimeConverter converter = new ProcmasterCommand.TimeConverter();

    @Test
    void mainCfValuesAndPrintedDurationsAreBothAccepted() {
        assertThat(converter.convert("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void nonsenseAndZeroAreRefusedWithTheValue() {
        assertThatThrownBy(() -> converter.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("\"soon\"");
        assertThatThrownBy(() -> converter.convert("0")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("more than 0");
    }
}
