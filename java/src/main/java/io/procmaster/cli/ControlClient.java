package io.procmaster.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Sends one command to a running master's control socket and returns its whole answer. */
final class ControlClient {
    private ControlClient() {
    }

    static String send(Path socket, String command) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            c.shutdownOutput();
            ByteBuffer b = ByteBuffer.allocate(1 << 16);
            StringBuilder sb = new StringBuilder();
            while (c.read(b) >= 0) {
                if (!b.hasRemaining()) {
                    sb.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                    b.clear();
                }
            }
            sb.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            return sb.toString();
        }
    }

    static boolean isAnswering(Path socket) {
        try {
            send(socket, "status");
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
