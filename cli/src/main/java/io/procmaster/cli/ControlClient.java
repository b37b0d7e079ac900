package io.procmaster.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Sends one command to a running master's control socket and returns its whole answer, within a
 * deadline that covers connect, send and the answer alike.
 *
 * <p>Before sending, it checks who serves the socket ({@link PeerCredentials#checkServer}): an
 * answer from anyone but root or the owner of the socket's directory is not believed.
 *
 * <p>Failure modes: {@link NoAnswerException} when the deadline passes;
 * {@link PeerCredentials.UntrustedServerException} for an impostor; {@link IOException} from
 * connect (no such socket, connection refused) or when the answer exceeds {@link #MAX_ANSWER}.
 */
final class ControlClient {
    static final int MAX_ANSWER = 16 << 20;

    private ControlClient() {
    }

    static String send(Path socket, String command, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX); Selector sel = Selector.open()) {
            c.configureBlocking(false);
            SelectionKey key = c.register(sel, 0);
            if (!c.connect(UnixDomainSocketAddress.of(socket))) {
                key.interestOps(SelectionKey.OP_CONNECT);
                while (!c.finishConnect()) {
                    await(sel, deadline);
                }
            }
            PeerCredentials.checkServer(socket, c);
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
            key.interestOps(SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                if (c.write(out) == 0) {
                    await(sel, deadline);
                }
            }
            c.shutdownOutput();
            key.interestOps(SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            while (true) {
                int n = c.read(in);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    await(sel, deadline);
                    continue;
                }
                answer.write(in.array(), 0, in.position());
                in.clear();
                if (answer.size() > MAX_ANSWER) {
                    throw new IOException("answer longer than " + MAX_ANSWER + " bytes");
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static void await(Selector sel, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new NoAnswerException();
        }
        sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        sel.selectedKeys().clear();
    }

    /** The deadline passed before the whole answer arrived. */
    static final class NoAnswerException extends IOException {
        private static final long serialVersionUID = 1L;

        NoAnswerException() {
            super("no answer in time");
        }
    }
}
