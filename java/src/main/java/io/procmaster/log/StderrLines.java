package io.procmaster.log;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * Where the no-provider fallback's lines go ({@link Logs}): one line per event on a stream
 * ({@code System.err} in production), {@code <ISO-8601 UTC time> <LEVEL> [<thread>] <logger> - <message>},
 * then the throwable's stack trace, written in one call so that lines of two threads do not mix.
 *
 * <p>Rate limit: at most {@link #BURST} lines per {@link #INTERVAL} for the whole JVM (an interval
 * starts with the first line after the previous one ended); the rest are counted and, with the first
 * line of the next interval, one line says how many were left out. Why a JVM-wide limit and not one
 * per logger: it bounds what the fallback can cost a server whatever logs, and the lines children
 * can trigger are already limited per service and kind before they get here (docs/edges.md).
 *
 * <p>Failure modes: none thrown; an error of the stream is the stream's ({@code PrintStream} keeps
 * it). Thread-safe (one lock).
 */
final class StderrLines {
    /** Lines written per {@link #INTERVAL} before the rest are counted instead. */
    static final int BURST = 100;
    /** Length of a rate-limit interval. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    /** {@code System.err} as it is at each line (a test or a server may replace it), the JVM's monotonic time. */
    static final StderrLines SYSTEM = new StderrLines(() -> System.err, System::nanoTime, Instant::now);

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Supplier<PrintStream> out;
    private final LongSupplier nanoTime;
    private final Supplier<Instant> wallClock;
    private final Object lock = new Object();
    private boolean inInterval;
    private long intervalStart;
    private int written;
    private long suppressed;

    /** @param nanoTime monotonic time for the rate limit; {@code wallClock} for the timestamps. */
    StderrLines(Supplier<PrintStream> out, LongSupplier nanoTime, Supplier<Instant> wallClock) {
        this.out = out;
        this.nanoTime = nanoTime;
        this.wallClock = wallClock;
    }

    /**
     * Writes one event, or counts it when the interval's burst is spent. The message is formatted
     * ({@code {}} placeholders, as slf4j formats them) only when the line is written: a flood the
     * limit counts costs no argument's {@code toString}.
     */
    void write(Level level, String logger, String pattern, Object[] arguments, Throwable throwable) {
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            StringBuilder sb = new StringBuilder();
            if (!inInterval || now - intervalStart >= INTERVAL.toNanos()) {
                if (suppressed > 0) {
                    line(sb, Level.WARN, Logs.class.getName(), suppressed
                            + " more log lines suppressed in the last " + INTERVAL.toSeconds() + " s (no slf4j provider;"
                            + " add one, e.g. slf4j-simple, for every line)");
                }
                inInterval = true;
                intervalStart = now;
                written = 0;
                suppressed = 0;
            }
            if (written >= BURST) {
                suppressed++;
                return;
            }
            written++;
            line(sb, level, logger, MessageFormatter.basicArrayFormat(pattern, arguments));
            if (throwable != null) {
                StringWriter trace = new StringWriter();
                throwable.printStackTrace(new PrintWriter(trace));
                sb.append(trace);
            }
            out.get().print(sb);
            out.get().flush();
        }
    }

    private void line(StringBuilder sb, Level level, String logger, String message) {
        sb.append(TIME.format(wallClock.get())).append(' ').append(String.format("%-5s", level)).append(" [")
                .append(Thread.currentThread().getName()).append("] ").append(logger).append(" - ").append(message)
                .append(System.lineSeparator());
    }
}
