package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.procmaster.helper.wire.HelperReplyParser;
import io.procmaster.helper.wire.LineFramer;
import io.procmaster.helper.wire.WireFormat;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Fuzz targets for what a helper writes back (Jazzer).
 *
 * <p>{@link #framerAndParser}: arbitrary bytes in arbitrary chunks (heap and direct buffers) into
 * {@link LineFramer}; the lines must be exactly the input's LF-terminated lines, byte for byte (one
 * CR before the LF dropped) up to the first one over the limit, after which the framer stays
 * poisoned; every line, with and without a channel ID, must parse ({@link WireFormat},
 * {@link HelperReplyParser}) without an exception, keep its raw bytes, decode every String view
 * losslessly (UTF-8 or ISO-8859-1, never U+FFFD for other bytes), and leave nothing in
 * {@code other} on a BH/NA line. Requests are Strings and bytes (an LF in bytes is refused, typed). {@link #poolReplies}: the same bytes from fake helpers into a real {@link HelperPool}
 * in both channel-ID dialects, mixed with well-formed replies, timeouts and crashes: every request
 * completes exactly once, with a reply or a {@link HelperException} (the documented, typed
 * rejection), and nothing else is thrown. Seeds: {@code src/test/resources/io/procmaster/helper/
 * HelperReplyFuzzTestInputs/<method>/}.
 */
class HelperReplyFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void framerAndParser(FuzzedDataProvider data) {
        int maxLine = data.consumeInt(1, 300);
        LineFramer framer = new LineFramer(maxLine);
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        boolean ok = true;
        while (data.remainingBytes() > 0) {
            byte[] chunk = data.consumeBytes(data.consumeInt(0, 80));
            all.writeBytes(chunk);
            ByteBuffer buf = data.consumeBoolean() ? ByteBuffer.wrap(chunk) : ByteBuffer.allocateDirect(chunk.length);
            if (buf.isDirect()) {
                buf.put(chunk).flip();
            }
            boolean fed = framer.feed(buf, (b, off, len) -> lines.add(java.util.Arrays.copyOfRange(b, off, off + len)));
            assertThat(buf.hasRemaining()).as("feed consumes the chunk").isFalse();
            if (!ok) {
                assertThat(fed).as("a poisoned framer stays poisoned").isFalse();
            }
            ok &= fed;
        }
        assertThat(lines).containsExactlyElementsOf(expectedLines(all.toByteArray(), maxLine));
        for (byte[] line : lines) {
            long id = WireFormat.parseId(line, 0, line.length);
            assertThat(id).isGreaterThanOrEqualTo(-1);
            int afterId = WireFormat.afterId(line, 0, line.length);
            for (int from : new int[] {0, afterId}) {
                HelperReply r = HelperReplyParser.parse(line, from, line.length - from);
                assertThat(r.status()).isNotNull();
                assertThat(r.raw()).as("the raw line, byte for byte").isEqualTo(java.util.Arrays.copyOfRange(line, from, line.length));
                assertThat(r.text()).isNotNull();
                assertLossless(r.rawText(), r.raw());
                assertLossless(r.other(), r.otherBytes());
                for (HelperReply.Note n : r.notes()) assertLossless(n.value(), n.valueBytes());
                assertThat(r.kv().keySet()).isSubsetOf(r.notes().stream().map(HelperReply.Note::key).toList());
                if (r.code() == HelperReply.Code.NA || r.code() == HelperReply.Code.BH)
                    assertThat(r.otherBytes()).as("BH/NA text is the message, nothing stays in other").isEmpty();
            }
        }
    }

    /** A String view gives its bytes back: encoded as UTF-8 (valid UTF-8) or as ISO-8859-1 (anything else). */
    private static void assertLossless(String view, byte[] bytes) {
        boolean utf8 = java.util.Arrays.equals(view.getBytes(StandardCharsets.UTF_8), bytes);
        boolean latin1 = java.util.Arrays.equals(view.getBytes(StandardCharsets.ISO_8859_1), bytes);
        assertThat(utf8 || latin1).as("'%s' decodes %s losslessly", view, java.util.HexFormat.of().formatHex(bytes)).isTrue();
    }

    /** The oracle: the LF-terminated lines of the whole input, up to the first that is too long. */
    private static List<byte[]> expectedLines(byte[] in, int maxLine) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= in.length; i++) {
            boolean lf = i < in.length && in[i] == '\n';
            int len = i - start;
            boolean crlfAllowance = len == maxLine + 1 && in[i - 1] == '\r';
            if (len > maxLine && !crlfAllowance) {
                return out; // over the limit (seen before or at its LF): poisoned
            }
            if (!lf) {
                continue;
            }
            int end = i > start && in[i - 1] == '\r' ? i - 1 : i;
            out.add(java.util.Arrays.copyOfRange(in, start, end));
            start = i + 1;
        }
        return out;
    }

    @FuzzTest(maxDuration = "30s")
    void poolReplies(FuzzedDataProvider data) {
        ChannelIdDialect dialect = data.consumeBoolean() ? ChannelIdDialect.SLOT : ChannelIdDialect.MONOTONIC;
        HelperPoolConfig config = PoolFixture.config()
                .children(data.consumeInt(1, 2)).concurrency(data.consumeInt(0, 4)).channelIdDialect(dialect)
                .queueLimit(8).requestTimeout(Duration.ofSeconds(1)).maxReplyLine(data.consumeInt(8, 200))
                .bhRetries(1).build();
        PoolFixture f = new PoolFixture(config).start();
        for (int ops = 0; ops < 200 && data.remainingBytes() > 0; ops++) {
            FakeHelper h = f.launcher.started.isEmpty() ? null : data.pickValue(f.launcher.started);
            switch (data.consumeInt(0, 6)) {
                case 0 -> {
                    if (data.consumeBoolean()) f.submit(data.consumeAsciiString(20).replace('\n', ' '));
                    else f.track(f.pool.submit(data.consumeBytes(20))); // may hold an LF: refused, typed
                }
                case 1, 2 -> {
                    if (h != null && !h.ended) { // raw bytes, any framing
                        h.sink.onData(h.id, ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 120))));
                    }
                }
                case 3 -> {
                    if (h != null && !h.ended && !h.lines.isEmpty()) { // a well-formed answer to a request it saw
                        String request = data.pickValue(h.lines);
                        String result = data.pickValue(List.of("OK", "ERR", "BH", "TT", "AF", "NA", ""));
                        h.send(FakeHelper.idOf(request) + result + " " + data.consumeString(30) + "\n");
                    }
                }
                case 4 -> f.advance(Duration.ofMillis(data.consumeInt(0, 2500)));
                case 5 -> {
                    if (h != null && !h.ended) {
                        h.crash();
                    }
                }
                default -> f.run();
            }
            f.run();
        }
        CompletableFuture<Void> done = f.pool.shutdown(Duration.ofSeconds(2));
        for (int i = 0; i < 20 && !done.isDone(); i++) {
            f.advance(Duration.ofSeconds(1));
        }
        assertThat(done).isCompleted();
        f.assertEveryRequestCompletedExactlyOnce();
        for (CompletableFuture<?> fut : f.futures) {
            if (fut.isCompletedExceptionally()) {
                assertThat(PoolFixture.failure(fut)).isInstanceOf(HelperException.class);
            }
        }
    }
}
