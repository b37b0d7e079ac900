package io.procmaster.helper;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental splitter of one helper's output stream into reply lines.
 *
 * <p>Interface: {@link #feed} takes any chunk (partial lines, several lines, a line split across many
 * reads) and hands each complete line, without its LF and one preceding CR, to the consumer, decoded
 * as UTF-8 only once complete so multi-byte characters split across reads survive. Bytes after a
 * line in the same chunk are kept, never discarded.
 *
 * <p>Failure modes: a line longer than {@code maxLine} bytes (terminator excluded) makes {@link #feed}
 * return false; the framer is then poisoned (the stream's framing is lost) and ignores further input.
 */
final class LineFramer {
    private final int maxLine;
    private byte[] buf = new byte[256];
    private int len;
    private boolean poisoned;

    LineFramer(int maxLine) {
        this.maxLine = maxLine;
    }

    /** Returns false if a line exceeded the maximum length; lines before it were delivered. */
    boolean feed(ByteBuffer data, Consumer<String> lineSink) {
        if (poisoned) {
            data.position(data.limit());
            return false;
        }
        while (data.hasRemaining()) {
            byte b = data.get();
            if (b == '\n') {
                int end = len;
                if (end > 0 && buf[end - 1] == '\r') end--;
                String line = new String(buf, 0, end, StandardCharsets.UTF_8);
                len = 0;
                lineSink.accept(line);
                if (poisoned) { // the consumer may have killed the helper; stop delivering
                    data.position(data.limit());
                    return true;
                }
                continue;
            }
            // maxLine + 1 tolerates the CR of a CRLF-terminated line of exactly maxLine bytes.
            if (len >= maxLine + 1 || (len == maxLine && b != '\r')) {
                poisoned = true;
                len = 0;
                data.position(data.limit());
                return false;
            }
            if (len == buf.length) {
                byte[] bigger = new byte[Math.min(Math.max(buf.length * 2, 256), maxLine + 1)];
                System.arraycopy(buf, 0, bigger, 0, len);
                buf = bigger;
            }
            buf[len++] = b;
        }
        return true;
    }

    /** Stops delivering lines, e.g. once the helper has been killed. */
    void poison() {
        poisoned = true;
        len = 0;
    }

    /** Bytes of an incomplete line held. */
    int buffered() {
        return len;
    }
}
