package io.procmaster.helper.wire;

import java.nio.ByteBuffer;

/**
 * Incremental splitter of one helper's output stream into reply lines.
 *
 * <p>Interface: {@link #feed} takes any chunk (partial lines, several lines, a line split across many
 * reads) and hands each complete line, without its LF and one preceding CR, to the {@link LineSink}
 * as a slice of bytes: no decoding on the loop (the reply parser reads bytes; docs/helpers.md, "Squid
 * reads → procmaster reads"). Bytes after a line in the same chunk are kept, never discarded.
 *
 * <p>How: a chunk is copied once into a heap array (the loop reads into a direct buffer, whose
 * byte-by-byte access costs a bounds and scope check per byte) and scanned there; a line that lies
 * whole in the chunk is handed over as a slice of it, only the pieces of a line split across
 * chunks are gathered in the framer's own buffer. The slice is valid only during the sink's call.
 *
 * <p>End of message (docs/helpers.md, "End of message, bodies and request escaping"): a line ends
 * at the pool's end-of-message byte, LF by default, 0x01 for Squid's certificate helpers, whose
 * replies hold LFs; as in Squid 5.7's {@code helperHandleRead}, one CR before the end is dropped
 * only when the end is LF, and a message's LFs reach the consumer unchanged otherwise.
 *
 * <p>Failure modes: a line longer than {@code maxLine} bytes (terminator excluded; one byte more
 * if that byte is the CR of a CRLF) makes {@link #feed} return false as soon as the excess is seen,
 * after the lines before it were delivered; the framer is then poisoned (the stream's framing is
 * lost) and ignores further input.
 */
public final class LineFramer {
    /** Receives one complete line: {@code b[off, off + len)}, valid only during the call (copy what you keep). */
    @FunctionalInterface
    public interface LineSink {
        void line(byte[] b, int off, int len);
    }

    private static final int SCRATCH = 64 * 1024;

    /** The loop thread's copy of a direct chunk; taken by one feed at a time. */
    private static final class Scratch {
        final byte[] bytes = new byte[SCRATCH];
        boolean inUse;
    }

    private static final ThreadLocal<Scratch> SCRATCHES = ThreadLocal.withInitial(Scratch::new);

    private final int maxLine;
    private final byte eom; // end-of-message byte
    private final boolean dropsCr; // only an LF end drops the CR before it
    private byte[] buf = new byte[256];
    private int len;
    private boolean poisoned;

    public LineFramer(int maxLine) {
        this(maxLine, (byte) '\n');
    }

    /** A framer whose lines end at {@code endOfMessage} (LF: one CR before it dropped too). */
    public LineFramer(int maxLine, byte endOfMessage) {
        this.maxLine = maxLine;
        this.eom = endOfMessage;
        this.dropsCr = endOfMessage == '\n';
    }

    /** Returns false if a line exceeded the maximum length; lines before it were delivered. */
    public boolean feed(ByteBuffer data, LineSink lineSink) {
        if (poisoned) {
            data.position(data.limit());
            return false;
        }
        int n = data.remaining();
        if (data.hasArray()) {
            int from = data.arrayOffset() + data.position();
            data.position(data.limit());
            return scan(data.array(), from, from + n, lineSink);
        }
        Scratch s = SCRATCHES.get();
        byte[] chunk = !s.inUse && n <= SCRATCH ? s.bytes : new byte[n]; // a nested feed gets its own
        boolean shared = chunk == s.bytes;
        data.get(chunk, 0, n);
        if (shared) s.inUse = true;
        try {
            return scan(chunk, 0, n, lineSink);
        } finally {
            if (shared) s.inUse = false;
        }
    }

    private boolean scan(byte[] c, int from, int to, LineSink lineSink) {
        int start = from;
        for (int i = from; i < to; i++) {
            if (c[i] != eom) continue;
            if (!fits(c, start, i)) return overflow();
            int lineStart = start;
            start = i + 1;
            if (len == 0) {
                int end = i;
                if (dropsCr && end > lineStart && c[end - 1] == '\r') end--;
                lineSink.line(c, lineStart, end - lineStart);
            } else {
                append(c, lineStart, i);
                int end = len;
                if (dropsCr && end > 0 && buf[end - 1] == '\r') end--;
                len = 0; // the slice stays valid: nothing appends to buf until the sink returns
                lineSink.line(buf, 0, end);
            }
            if (poisoned) return true; // the consumer killed the helper: stop delivering
        }
        if (!fits(c, start, to)) return overflow();
        append(c, start, to);
        return true;
    }

    /**
     * Whether the pending bytes plus {@code c[from, to)} (no LF among them) are still a line within
     * the limit: at most maxLine bytes, or maxLine + 1 when the last of them is the CR of a CRLF.
     */
    private boolean fits(byte[] c, int from, int to) {
        int total = len + (to - from);
        if (total <= maxLine) return true;
        if (total != maxLine + 1 || !dropsCr) return false;
        byte last = to > from ? c[to - 1] : buf[len - 1];
        return last == '\r';
    }

    private void append(byte[] c, int from, int to) {
        int n = to - from;
        if (n == 0) return;
        if (len + n > buf.length) {
            byte[] bigger = new byte[Math.min(Math.max(buf.length * 2, len + n), maxLine + 1)];
            System.arraycopy(buf, 0, bigger, 0, len);
            buf = bigger;
        }
        System.arraycopy(c, from, buf, len, n);
        len += n;
    }

    private boolean overflow() {
        poison();
        return false;
    }

    /** Stops delivering lines, e.g. once the helper has been killed. */
    public void poison() {
        poisoned = true;
        len = 0;
    }

    /** Bytes of an incomplete line held. */
    public int buffered() {
        return len;
    }
}
