package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.FakeClock;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The control server's bounds: command deadline, line length, connection count, close, many clients. */
class ControlServerBoundsTest {
    private static String echo(String command) {
        return "ok\nanswered " + command + "\n";
    }

    private static SocketChannel connect(Path socket) throws Exception {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return c;
    }

    /** Reads until EOF (the server closes every connection; the test's own timeout bounds it). */
    private static String readAll(SocketChannel c) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (c.read(b) >= 0 && b.hasRemaining()) {
            // until EOF
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private static String within(SocketChannel c, int seconds) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(c);
            } catch (Exception e) {
                return "read failed: " + e;
            }
        }).get(seconds, TimeUnit.SECONDS);
    }

    private static long controlThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("procmaster-control")).count();
    }

    @Test
    void aSilentClientIsToldAndClosedAtTheDeadline(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer server = new ControlServer(socket, ControlServerBoundsTest::echo, () -> { },
                Duration.ofMillis(300), 4);
             SocketChannel silent = connect(socket)) {
            assertThat(within(silent, 10)).isEqualTo("error: no command line within 300ms\n");
            assertThat(ControlClient.send(socket, "status", Duration.ofSeconds(10))).isEqualTo("ok\nanswered status\n");
        }
    }

    @Test
    void connectionsBeyondTheBoundAreRefusedWithAnErrorLine(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer server = new ControlServer(socket, ControlServerBoundsTest::echo, () -> { },
                Duration.ofSeconds(30), 2);
             SocketChannel a = connect(socket);
             SocketChannel b = connect(socket);
             SocketChannel extra = connect(socket)) {
            assertThat(within(extra, 10)).isEqualTo("error: too many control connections (2)\n");
            a.write(ByteBuffer.wrap("status\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(within(a, 10)).isEqualTo("ok\nanswered status\n");
            // a's place is free again
            assertThat(ControlClient.send(socket, "reload", Duration.ofSeconds(10))).isEqualTo("ok\nanswered reload\n");
        }
    }

    @Test
    void anOverlongCommandLineIsRefused(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer server = new ControlServer(socket, ControlServerBoundsTest::echo, () -> { });
             SocketChannel c = connect(socket)) {
            c.write(ByteBuffer.wrap("x".repeat(ControlServer.MAX_LINE + 10).getBytes(StandardCharsets.US_ASCII)));
            assertThat(within(c, 10)).isEqualTo("error: command line longer than 256 bytes\n");
        }
    }

    @Test
    void stopIsAnsweredFirstAndThenRunsOnce(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger stops = new AtomicInteger();
        try (ControlServer server = new ControlServer(socket, ControlServerBoundsTest::echo, () -> {
            stops.incrementAndGet();
            stopped.countDown();
        })) {
            assertThat(ControlClient.send(socket, "stop", Duration.ofSeconds(10))).isEqualTo("ok\nanswered stop\n");
            assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(stops.get()).isEqualTo(1);
    }

    @Test
    void closeEndsItsThreadsTellsWaitingClientsAndRemovesOnlyItsOwnSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        long before = controlThreads();
        CountDownLatch inCommand = new CountDownLatch(1);
        ControlServer server = new ControlServer(socket, command -> {
            inCommand.countDown();
            try {
                new CountDownLatch(1).await(); // a master that never answers; close() interrupts it
                return "ok\n";
            } catch (InterruptedException e) {
                return "error: interrupted\n";
            }
        }, () -> { });
        SocketChannel silent = connect(socket);
        SocketChannel waiting = connect(socket);
        waiting.write(ByteBuffer.wrap("status\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(inCommand.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(controlThreads()).isEqualTo(before + 2);
        server.close();
        assertThat(within(silent, 10)).isEqualTo("error: control socket closing\n");
        assertThat(within(waiting, 10)).isEqualTo("error: control socket closing\n");
        silent.close();
        waiting.close();
        assertThat(controlThreads()).isEqualTo(before);
        assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isFalse();

        ControlServer second = new ControlServer(socket, ControlServerBoundsTest::echo, () -> { });
        Files.delete(socket);
        Files.writeString(socket, "someone else's\n");
        second.close();
        assertThat(Files.readString(socket)).isEqualTo("someone else's\n");
    }

    @Test
    void manyClientsFromSeveralThreadsAllGetTheirAnswerWhileSilentOnesWait(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ControlServer server = new ControlServer(socket, ControlServerBoundsTest::echo, () -> { });
             SocketChannel silent1 = connect(socket);
             SocketChannel silent2 = connect(socket);
             SocketChannel silent3 = connect(socket)) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String command = "status" + i;
                answers.add(pool.submit(() -> {
                    // more clients than connection slots at times: a refusal is an answer too, retried
                    String a;
                    do {
                        a = ControlClient.send(socket, command, Duration.ofSeconds(20));
                    } while (a.startsWith("error: too many"));
                    return a;
                }));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("ok\nanswered status" + i + "\n");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectionsAreCountedExactlyAndLoggedAtMostOncePerInterval() {
        FakeClock now = new FakeClock();
        RejectionLog r = new RejectionLog(LoggerFactory.getLogger(ControlServerBoundsTest.class), Duration.ofSeconds(10),
                now);
        int logged = 0;
        for (int i = 0; i < 1000; i++) {
            logged += r.warn("silent", "silent client") ? 1 : 0;
            now.advanceMillis(50); // 1000 in 50 s
        }
        assertThat(r.warn("refused", "refused uid 7")).isTrue(); // another kind has its own budget
        assertThat(r.count("silent")).isEqualTo(1000);
        assertThat(r.count("refused")).isEqualTo(1);
        assertThat(logged).isEqualTo(5);
    }
}
