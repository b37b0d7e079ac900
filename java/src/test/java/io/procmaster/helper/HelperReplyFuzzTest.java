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
 * {@link LineFramer}; the lines must be exactly the input's LF-terminated lines (one CR before the
 * LF dropped) up to the first one over the limit, after which the framer stays poisoned; every line,
 * with and without a channel ID, must parse ({@link WireFormat}, {@link HelperReplyParser}) without
 * an exception. {@link #poolReplies}: the same bytes from fake helpers into a real {@link HelperPool}
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
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        boolean ok = true;
        while (data.remainingBytes() > 0) {
            byte[] chunk = data.consumeBytes(data.consumeInt(0, 80));
            all.writeBytes(chunk);
            ByteBuffer buf = data.consumeBoolean() ? ByteBuffer.wrap(chunk) : ByteBuffer.allocateDirect(chunk.length);
            if (buf.isDirect()) {
                buf.put(chunk).flip();
            }
            boolean fed = framer.feed(buf, lines::add);
            assertThat(buf.hasRemaining()).as("feed consumes the chunk").isFalse();
            if (!ok) {
                assertThat(fed).as("a poisoned framer stays poisoned").isFalse();
            }
            ok &= fed;
        }
        assertThat(lines).isEqualTo(expectedLines(all.toByteArray(), maxLine));
        for (String line : lines) {
            long id = WireFormat.parseId(line);
            assertThat(id).isGreaterThanOrEqualTo(-1);
            String afterId = WireFormat.afterId(line);
            for (String reply : List.of(line, afterId)) {
                HelperReply r = HelperReplyParser.parse(reply);
                assertThat(r.status()).isNotNull();
                assertThat(r.text()).isNotNull();
                assertThat(r.kv()).isNotNull();
            }
        }
    }

    /** The oracle: the LF-terminated lines of the whole input, up to the first that is too long. */
    private static List<String> expectedLines(byte[] in, int maxLine) {
        List<String> out = new ArrayList<>();
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
            out.add(new String(in, start, end - start, StandardCharsets.UTF_8));
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
                case 0 -> f.submit(data.consumeAsciiString(20).replace('\n', ' '));
                case 1, 2 -> {
                    if (h != null && !h.ended) { // raw bytes, any framing
                        h.sink.onData(h.id, ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 120))));
                    }
                }
                case 3 -> {
                    if (h != null && !h.ended && !h.lines.isEmpty()) { // a well-formed answer to a request it saw
                        String request = data.pickValue(h.lines);
                        String result = data.pickValue(List.of("OK", "ERR", "BH", ""));
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
