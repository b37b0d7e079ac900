package io.procmaster.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The no-provider fallback's output ({@link StderrLines} through {@link StderrLogger}): the line
 * format, levels below WARN left out, the throwable's trace, and the JVM-wide rate limit with its
 * count of the lines left out.
 */
class StderrLinesTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final StderrLines lines =
            new StderrLines(() -> stream, nanos::get, () -> Instant.parse("2026-12-01T10:00:00.123456Z"));
    private final StderrLogger log = new StderrLogger("io.procmaster.x.Y", lines);

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void warnAndErrorAreWrittenWithTimeLevelThreadLoggerAndTrace() {
        log.info("not shown {}", 1);
        log.debug("not shown");
        log.warn("service {}: {} -- throttling", "smtp", "execve /x: No such file or directory");
        log.error("spawn action failed", new IllegalStateException("boom"));
        String thread = Thread.currentThread().getName();
        assertThat(text()).startsWith("2026-12-01T10:00:00.123Z WARN  [" + thread + "] io.procmaster.x.Y"
                + " - service smtp: execve /x: No such file or directory -- throttling" + System.lineSeparator()
                + "2026-12-01T10:00:00.123Z ERROR [" + thread + "] io.procmaster.x.Y - spawn action failed"
                + System.lineSeparator() + "java.lang.IllegalStateException: boom");
        assertThat(text()).doesNotContain("not shown").contains("at io.procmaster.log.StderrLinesTest");
        assertThat(log.isInfoEnabled()).isFalse();
        assertThat(log.isWarnEnabled()).isTrue();
    }

    @Test
    void aBurstPerIntervalIsWrittenAndTheRestIsCountedInTheNextInterval() {
        for (int i = 0; i < StderrLines.BURST + 5; i++) {
            log.warn("line {}", i);
        }
        assertThat(text().lines()).hasSize(StderrLines.BURST);
        assertThat(text()).contains("line " + (StderrLines.BURST - 1)).doesNotContain("line " + StderrLines.BURST);
        nanos.addAndGet(StderrLines.INTERVAL.toNanos() - 1);
        log.warn("still the same interval");
        assertThat(text()).doesNotContain("still the same interval");
        nanos.addAndGet(1);
        log.warn("next interval");
        assertThat(text().lines().skip(StderrLines.BURST)).containsExactly(
                "2026-12-01T10:00:00.123Z WARN  [" + Thread.currentThread().getName() + "] io.procmaster.log.Logs - 6 more"
                        + " log lines suppressed in the last 10 s (no slf4j provider; add one, e.g. slf4j-simple, for every line)",
                "2026-12-01T10:00:00.123Z WARN  [" + Thread.currentThread().getName() + "] io.procmaster.x.Y - next interval");
    }

    @Test
    void theFallbackIsOffWhenSlf4jHasAProvider() {
        // This JVM has slf4j-simple on its class path (the NOP case runs in NoProviderFallbackTest's JVM).
        assertThat(Logs.fallbackActive()).isFalse();
        assertThat(Logs.logger(StderrLinesTest.class)).isNotInstanceOf(StderrLogger.class);
        assertThat(Logs.noProvider(new org.slf4j.helpers.NOPLoggerFactory()))
                .as("a NOP factory while a provider is on the class path is a choice (slf4j-nop), not a missing provider")
                .isFalse();
    }
}
