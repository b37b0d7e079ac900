package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the control server owes every accepted line whatever goes wrong: an answer even when the
 * command handler throws an Error (and the connection's slot back), and a stop even when its
 * answer cannot be delivered.
 */
class ControlServerDeliveryTest {
    private static SocketChannel connect(Path socket) throws Exception {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return c;
    }

    private static String exchangeWithin(Path socket, String line, int seconds) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = connect(socket)) {
                c.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer b = ByteBuffer.allocate(1 << 12);
                while (c.read(b) >= 0 && b.hasRemaining()) {
                    // until EOF
                }
                return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                return "exchange failed: " + e;
            }
        }).get(seconds, TimeUnit.SECONDS);
    }

    @Test
    void aCommandThatThrowsAnErrorIsAnsweredAndFreesItsSlot(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        AtomicInteger calls = new AtomicInteger();
        ControlServer.Commands failing = command -> {
            if (calls.incrementAndGet() <= 3) {
                throw new StackOverflowError("injected");
            }
            return "ok\nanswered " + command + "\n";
        };
        // one connection at a time: a slot leaked by a stranded client would refuse the next ones
        try (ControlServer server = new ControlServer(socket, failing, () -> { }, Duration.ofSeconds(30), 1)) {
            for (int i = 0; i < 3; i++) {
                assertThat(exchangeWithin(socket, "status\n", 10))
                        .isEqualTo("error: java.lang.StackOverflowError: injected\n");
            }
            assertThat(exchangeWithin(socket, "status\n", 10)).isEqualTo("ok\nanswered status\n");
        }
    }

    @Test
    void aStopWhoseClientClosesAtOnceStillStops(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch answering = new CountDownLatch(1);
        ControlServer.Commands slow = command -> {
            try {
                // the client has gone when the answer is ready: its write fails (EPIPE)
                assertThat(answering.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "ok stopping\n";
        };
        try (ControlServer server = new ControlServer(socket, slow, stopped::countDown, Duration.ofSeconds(30), 4)) {
            try (SocketChannel c = connect(socket)) {
                c.write(ByteBuffer.wrap("stop\n".getBytes(StandardCharsets.US_ASCII)));
            } // closed without reading
            answering.countDown();
            assertThat(stopped.await(10, TimeUnit.SECONDS)).as("the stop callback ran").isTrue();
        }
    }
}
