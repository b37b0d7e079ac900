package io.procmaster.helper.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
    private final List<String> lines = new ArrayList<>();

    private boolean feed(LineFramer f, byte[] b) {
        return f.feed(ByteBuffer.wrap(b), into(lines));
    }

    /** A sink that keeps each line decoded as UTF-8 (the framer itself never decodes). */
    private static LineFramer.LineSink into(List<String> out) {
        return (l, off, len) -> out.add(new String(l, off, len, StandardCharsets.UTF_8));
    }

    private boolean feed(LineFramer f, String s) {
        return feed(f, s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void stripsCrLfAndKeepsBytesAfterTheFirstLine() {
        LineFramer f = new LineFramer(100);
        feed(f, "a\r\nb\nc");
        assertThat(lines).containsExactly("a", "b");
        assertThat(f.buffered()).isEqualTo(1);
        feed(f, "\n");
        assertThat(lines).containsExactly("a", "b", "c");
    }

    @Test
    void linesAreHandedOverAsBytesUndecoded() {
        LineFramer f = new LineFramer(100);
        List<byte[]> got = new ArrayList<>();
        byte[] latin1 = {'A', 'F', ' ', 'j', (byte) 0xF6, 'r', 'g', '\r', '\n', (byte) 0xFF, '\n'};
        f.feed(ByteBuffer.wrap(latin1, 0, 5), (l, off, len) -> got.add(java.util.Arrays.copyOfRange(l, off, off + len)));
        f.feed(ByteBuffer.wrap(latin1, 5, 6), (l, off, len) -> got.add(java.util.Arrays.copyOfRange(l, off, off + len)));
        assertThat(got).containsExactly(new byte[] {'A', 'F', ' ', 'j', (byte) 0xF6, 'r', 'g'}, new byte[] {(byte) 0xFF});
    }

    @Test
    void multiByteCharacterSplitAcrossReads() {
        LineFramer f = new LineFramer(100);
        byte[] b = "é\n".getBytes(StandardCharsets.UTF_8);
        feed(f, new byte[] {b[0]});
        feed(f, new byte[] {b[1], b[2]});
        assertThat(lines).containsExactly("é");
    }

    @Test
    void lineOfExactlyTheLimitPassesOneMoreFails() {
        LineFramer f = new LineFramer(5);
        assertThat(feed(f, "12345\r\n")).isTrue();
        assertThat(feed(f, "12345\n")).isTrue();
        assertThat(lines).containsExactly("12345", "12345");
        assertThat(feed(f, "123456")).isFalse();
        assertThat(feed(f, "\nok\n")).isFalse(); // poisoned: framing is lost for good
        assertThat(lines).hasSize(2);
    }

    @Test
    void emptyLinesAreLines() {
        LineFramer f = new LineFramer(5);
        feed(f, "\n\r\n");
        assertThat(lines).containsExactly("", "");
    }

    @Test
    void aLineSplitAcrossManyChunksAndLinesWholeInOneChunk() {
        LineFramer f = new LineFramer(100);
        feed(f, "par");
        feed(f, "tial");
        feed(f, "-line\nwhole one\nwhole two\r\nnext");
        feed(f, "\r");
        feed(f, "\n");
        assertThat(lines).containsExactly("partial-line", "whole one", "whole two", "next");
    }

    @Test
    void directBuffersAreFramedLikeHeapBuffers() {
        LineFramer f = new LineFramer(100);
        ByteBuffer d = ByteBuffer.allocateDirect(64);
        d.put("x\ny\r\nz".getBytes(StandardCharsets.UTF_8)).flip();
        assertThat(f.feed(d, into(lines))).isTrue();
        assertThat(d.hasRemaining()).isFalse();
        assertThat(lines).containsExactly("x", "y");
        assertThat(f.buffered()).isEqualTo(1);
    }

    /** Random streams cut into random chunks: the same lines and verdicts as a byte-at-a-time framer. */
    @Test
    void agreesWithAByteAtATimeReferenceOnRandomStreams() {
        java.util.Random rnd = new java.util.Random(7);
        byte[] alphabet = {'a', 'b', '\r', '\n', (byte) 0xc3, (byte) 0xa9};
        for (int round = 0; round < 5_000; round++) {
            int maxLine = 1 + rnd.nextInt(8);
            byte[] stream = new byte[rnd.nextInt(60)];
            for (int i = 0; i < stream.length; i++) stream[i] = alphabet[rnd.nextInt(alphabet.length)];
            LineFramer f = new LineFramer(maxLine);
            Reference r = new Reference(maxLine);
            List<String> got = new ArrayList<>();
            List<String> want = new ArrayList<>();
            int at = 0;
            while (at < stream.length) {
                int n = 1 + rnd.nextInt(stream.length - at);
                ByteBuffer chunk = rnd.nextBoolean() ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
                chunk.put(stream, at, n).flip();
                boolean a = f.feed(chunk, into(got));
                boolean b = r.feed(ByteBuffer.wrap(stream, at, n), want::add);
                assertThat(a).as("round %d at %d", round, at).isEqualTo(b);
                assertThat(got).as("round %d", round).isEqualTo(want);
                assertThat(f.buffered()).isEqualTo(r.len);
                at += n;
            }
        }
    }

    /** The framer as it was before it scanned chunks: one byte at a time. */
    private static final class Reference {
        final int maxLine;
        byte[] buf = new byte[1024];
        int len;
        boolean poisoned;

        Reference(int maxLine) {
            this.maxLine = maxLine;
        }

        boolean feed(ByteBuffer data, java.util.function.Consumer<String> sink) {
            if (poisoned) return false;
            while (data.hasRemaining()) {
                byte b = data.get();
                if (b == '\n') {
                    int end = len;
                    if (end > 0 && buf[end - 1] == '\r') end--;
                    sink.accept(new String(buf, 0, end, StandardCharsets.UTF_8));
                    len = 0;
                    continue;
                }
                if (len >= maxLine + 1 || (len == maxLine && b != '\r')) {
                    poisoned = true;
                    len = 0;
                    return false;
                }
                buf[len++] = b;
            }
            return true;
        }
    }
}
