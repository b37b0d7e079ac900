package io.procmaster.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.FakeClock;
import io.procmaster.time.TimerQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/** LogLimiter on its own: burst, summary, interval boundaries and bounded memory, on a fake clock. */
class LogLimiterTest {

    private final FakeClock clock = new FakeClock();
    private final TimerQueue timers = new TimerQueue(clock);
    private final List<String> lines = new ArrayList<>();
    private final LogLimiter limiter = new LogLimiter(timers,
            (level, format, args) -> lines.add(level + " " + MessageFormatter.arrayFormat(format, args).getMessage()));

    private void forged(String scope, int n) {
        for (int i = 0; i < n; i++) {
            limiter.log(scope, LogLimiter.Kind.FORGED_RECORD, Level.WARN, "{}: line {}", scope, i);
        }
    }

    @Test
    void burstLinesThenOneSummaryAtTheEndOfTheInterval() {
        forged("s", LogLimiter.BURST + 5);
        assertThat(lines).hasSize(LogLimiter.BURST).last().isEqualTo("WARN s: line 9");
        clock.advance(LogLimiter.INTERVAL.minusNanos(1));
        timers.runDue();
        assertThat(lines).hasSize(LogLimiter.BURST);
        clock.advance(Duration.ofNanos(1));
        timers.runDue();
        assertThat(lines).hasSize(LogLimiter.BURST + 1)
                .last().isEqualTo("WARN s: 5 more forged status records suppressed in the last 10s");
        forged("s", 1); // a new interval logs again
        assertThat(lines).last().isEqualTo("WARN s: line 0");
    }

    @Test
    void noSuppressionNoSummaryAndNoTimer() {
        forged("s", LogLimiter.BURST);
        assertThat(timers.pendingCount()).isZero();
        clock.advance(LogLimiter.INTERVAL);
        timers.runDue();
        assertThat(lines).hasSize(LogLimiter.BURST);
    }

    @Test
    void aLateTimerStillGivesTheSummaryBeforeTheNextIntervalsLines() {
        forged("s", LogLimiter.BURST + 1);
        clock.advance(LogLimiter.INTERVAL.multipliedBy(3)); // the loop did not get to its timers
        forged("s", 1);
        assertThat(lines.subList(LogLimiter.BURST, lines.size())).containsExactly(
                "WARN s: 1 more forged status records suppressed in the last 10s", "WARN s: line 0");
        assertThat(timers.pendingCount()).isZero();
        timers.runDue();
        assertThat(lines).hasSize(LogLimiter.BURST + 2); // the summary is not given twice
    }

    @Test
    void entriesOfPastIntervalsAreSwept() {
        for (int i = 0; i < 2 * LogLimiter.SWEEP_AT; i++) {
            forged("service " + i, 1);
        }
        assertThat(limiter.entries()).isEqualTo(2 * LogLimiter.SWEEP_AT);
        clock.advance(LogLimiter.INTERVAL);
        forged("another", 1);
        assertThat(limiter.entries()).isEqualTo(1);
    }
}
