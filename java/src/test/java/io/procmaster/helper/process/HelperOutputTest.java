package io.procmaster.helper.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HelperOutputTest {
    /** Takes at most {@code budget} bytes per write. */
    private static final class Sink implements HelperChannel {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        int budget = Integer.MAX_VALUE;
        int writes;

        @Override
        public long pid() {
            return -1;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(budget, src.remaining());
            byte[] b = new byte[n];
            src.get(b);
            got.write(b, 0, n);
            writes++;
            return n;
        }

        @Override
        public void requestWritable() {
        }

        @Override
        public void close() {
        }

        @Override
        public void kill() {
        }

        String text() {
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void encodesClassicAndTaggedLines() throws Exception {
        HelperOutput out = new HelperOutput();
        Sink s = new Sink();
        out.appendRequest(false, 0, "http://example.com/ 127.0.0.1/- - GET -");
        out.appendRequest(true, 0, "slot zero");
        out.appendRequest(true, 1234567890123L, "");
        out.writeTo(s);
        assertThat(s.text()).isEqualTo("http://example.com/ 127.0.0.1/- - GET -\n0 slot zero\n1234567890123 \n");
        assertThat(s.writes).isEqualTo(1);
        assertThat(out.isEmpty()).isTrue();
    }

    @Test
    void encodesTextBeyondAsciiAsUtf8() throws Exception {
        HelperOutput out = new HelperOutput();
        Sink s = new Sink();
        String text = "user=jürgen 名前 \uD83D\uDE00 end";
        out.appendRequest(true, 7, text);
        out.writeTo(s);
        assertThat(s.got.toByteArray()).isEqualTo(("7 " + text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shortWritesKeepTheRestInOrder() throws Exception {
        HelperOutput out = new HelperOutput();
        Sink s = new Sink();
        StringBuilder expected = new StringBuilder();
        s.budget = 7;
        for (int i = 0; i < 2_000; i++) { // grows past its first size, compacts as it drains
            out.appendRequest(true, i, "request number " + i);
            expected.append(i).append(" request number ").append(i).append('\n');
            if (i % 3 == 0) out.writeTo(s);
        }
        s.budget = 0;
        assertThat(out.writeTo(s)).isZero();
        s.budget = Integer.MAX_VALUE;
        while (!out.isEmpty()) out.writeTo(s);
        assertThat(s.text()).isEqualTo(expected.toString());
    }

    @Test
    void clearDropsWhatWasPending() throws Exception {
        HelperOutput out = new HelperOutput();
        out.appendRequest(false, 0, "x");
        assertThat(out.pending()).isEqualTo(2);
        out.clear();
        assertThat(out.isEmpty()).isTrue();
    }
}
