package io.procmaster.helper.process;

import io.procmaster.helper.HelperSpec;
import io.procmaster.log.Logs;
import io.procmaster.time.Clock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * A helper's stderr, read on the loop thread from its own pipe: either logged line by line with the
 * helper's name and pid, or appended to a file.
 *
 * <p>Logging is bounded: a line longer than {@code maxLine} bytes is cut (the rest up to its LF is
 * dropped and counted); at most {@code linesPerWindow} lines are logged per window, the others are
 * counted and one summary line ({@code suppressed N stderr lines}) is logged when the next window
 * opens or the helper ends. Nothing is lost silently: every byte is either logged or counted.
 *
 * <p>Failure modes: a file that cannot be written is reported once, then stderr is logged instead.
 */
final class HelperStderr {
    private static final Logger log = Logs.logger("io.procmaster.helper.stderr");

    private final String label;
    private final int maxLine;
    private final int linesPerWindow;
    private final long windowNanos;
    private final Clock clock;
    private final Consumer<String> sink;
    private FileChannel file;
    private final byte[] line;
    private int length;
    private boolean cutting;
    private long windowStart;
    private int windowLines;
    private long suppressedPending;

    // counters
    long lines, logged, suppressed, truncated, bytes;

    HelperStderr(String label, HelperSpec spec, Clock clock, Consumer<String> sink) {
        this.label = label;
        this.maxLine = spec.stderrMaxLine();
        this.linesPerWindow = spec.stderrLinesPerWindow();
        this.windowNanos = spec.stderrWindow().toNanos();
        this.clock = clock;
        this.sink = sink != null ? sink : s -> log.warn("{}", s);
        this.line = new byte[maxLine];
        this.windowStart = clock.nanoTime();
        if (spec.stderrFile() != null) {
            try {
                file = FileChannel.open(spec.stderrFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.error("{}: cannot open stderr file {}: {}; logging stderr instead", label, spec.stderrFile(), e.toString());
            }
        }
    }

    /** Consumes every remaining byte of {@code data}. */
    void feed(ByteBuffer data) {
        bytes += data.remaining();
        if (file != null) {
            try {
                while (data.hasRemaining()) file.write(data);
                return;
            } catch (IOException e) {
                log.error("{}: writing stderr file failed: {}; logging stderr instead", label, e.toString());
                closeFile();
            }
        }
        while (data.hasRemaining()) {
            byte b = data.get();
            if (b == '\n') {
                endLine();
            } else if (length < maxLine) {
                line[length++] = b;
            } else if (!cutting) {
                cutting = true;
                truncated++;
            }
        }
    }

    /** The helper is gone: an unterminated last line and a pending summary are logged. */
    void finish() {
        if (length > 0 || cutting) endLine();
        flushSummary();
        closeFile();
    }

    private void endLine() {
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        if (length > 0 && line[length - 1] == '\r') text = text.substring(0, text.length() - 1);
        if (cutting) text += " [line cut at " + maxLine + " bytes]";
        length = 0;
        cutting = false;
        lines++;
        long now = clock.nanoTime();
        if (now - windowStart >= windowNanos) {
            flushSummary();
            windowStart = now;
            windowLines = 0;
        }
        if (windowLines < linesPerWindow) {
            windowLines++;
            logged++;
            sink.accept(label + " stderr: " + text);
        } else {
            suppressed++;
            suppressedPending++;
        }
    }

    private void flushSummary() {
        if (suppressedPending > 0) {
            sink.accept(label + " stderr: suppressed " + suppressedPending + " lines (more than " + linesPerWindow
                    + " per " + windowNanos / 1_000_000 + " ms)");
            suppressedPending = 0;
        }
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // nothing more to write
            }
            file = null;
        }
    }
}
