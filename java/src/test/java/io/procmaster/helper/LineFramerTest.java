package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
    private final List<String> lines = new ArrayList<>();

    private boolean feed(LineFramer f, byte[] b) {
        return f.feed(ByteBuffer.wrap(b), lines::add);
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
}
