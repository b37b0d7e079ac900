package io.procmaster.loop;

import io.procmaster.config.ServiceSpec;
import io.procmaster.log.Logs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * Sends wakeup triggers (master_wakeup): connect to the service's own socket (or open its FIFO)
 * and write the trigger bytes, as a client would.
 *
 * <p>Why a thread of its own: a connect to a service whose backlog is full can block, and the
 * loop thread must never block. One daemon thread serves every service, one trigger at a time,
 * with a 1 s connect timeout; a failure is handed back to the loop ({@code onFailure}).
 */
final class Wakeups implements AutoCloseable {
    private static final Logger log = Logs.logger(Wakeups.class);
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "procmaster-wakeup");
        t.setDaemon(true);
        return t;
    });

    /** Queues one trigger; onFailure(serviceId, error) runs on the sender thread. */
    void send(String serviceId, ServiceSpec spec, byte[] trigger, BiConsumer<String, String> onFailure) {
        sender.execute(() -> {
            try {
                deliver(spec, trigger);
            } catch (IOException | RuntimeException e) {
                onFailure.accept(serviceId, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        });
    }

    private static void deliver(ServiceSpec spec, byte[] trigger) throws IOException {
        switch (spec.type()) {
            case INET -> {
                var e = spec.listenEndpoints().get(0);
                String host = e.isWildcard() ? "127.0.0.1" : e.host();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, e.port()), 1000);
                    OutputStream out = s.getOutputStream();
                    out.write(trigger);
                    out.flush();
                    s.shutdownOutput();
                }
            }
            case UNIX, PASS -> {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(spec.socketPath().orElseThrow()));
                    ch.write(ByteBuffer.wrap(trigger));
                    ch.shutdownOutput();
                }
            }
            case FIFO -> {
                // The master holds the FIFO open read-write, so opening it for writing never blocks.
                try (OutputStream out = Files.newOutputStream(spec.socketPath().orElseThrow(),
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    out.write(trigger);
                }
            }
            default -> throw new IOException("no wakeup for type " + spec.type().token());
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        try {
            if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("wakeup sender did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
