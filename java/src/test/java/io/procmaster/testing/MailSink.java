package io.procmaster.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mail server the test owns, for Postfix's delivery agents to deliver to: SMTP (for smtp(8))
 * or LMTP (for lmtp(8)) on a loopback port, recording every message it accepts and counting the
 * connections it got.
 *
 * <p>Interface: {@link #smtp(int)} / {@link #lmtp(int)} start it on a port (normally one from
 * {@code MasterFixture.freePort()}); {@link #awaitMessages(int, Duration)} waits, bounded, for
 * messages; {@link #close()} closes the listener and every connection it still holds (a client
 * that cached one, as smtp(8) with scache does, sees EOF).
 *
 * <p>It speaks only what Postfix's clients send: EHLO/HELO/LHLO, MAIL, RCPT, DATA, RSET, NOOP,
 * QUIT, one reply per command (it announces no PIPELINING), 250 to everything; after DATA one
 * reply (SMTP) or one per recipient (LMTP, RFC 2033). A connection idle for 30 s is closed. Any
 * I/O error ends that connection only.
 */
public final class MailSink implements AutoCloseable {
    /** One accepted message: the greeting command of its connection, its envelope and its text. */
    public record Message(int connection, String greeting, String from, List<String> recipients, String data) {}

    private final boolean lmtp;
    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private MailSink(int port, boolean lmtp) throws IOException {
        this.lmtp = lmtp;
        this.server = new ServerSocket(port, 16, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "mail-sink-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static MailSink smtp(int port) throws IOException {
        return new MailSink(port, false);
    }

    public static MailSink lmtp(int port) throws IOException {
        return new MailSink(port, true);
    }

    public int port() {
        return server.getLocalPort();
    }

    public int connections() {
        return connections.get();
    }

    public List<Message> messages() {
        return List.copyOf(messages);
    }

    /** The messages once there are at least {@code n}, or as they are after {@code timeout}. */
    public List<Message> awaitMessages(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messages.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return messages();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "mail-sink-conn-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s, int id) {
        try (s) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            reply(out, "220 sink.test " + (lmtp ? "LMTP" : "ESMTP"));
            String greeting = null;
            String from = null;
            List<String> rcpts = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO", "HELO", "LHLO" -> {
                        greeting = line;
                        reply(out, "250 sink.test");
                    }
                    case "MAIL" -> {
                        from = line;
                        rcpts = new ArrayList<>();
                        reply(out, "250 2.1.0 Ok");
                    }
                    case "RCPT" -> {
                        rcpts.add(line);
                        reply(out, "250 2.1.5 Ok");
                    }
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        StringBuilder data = new StringBuilder();
                        while ((line = in.readLine()) != null && !line.equals(".")) {
                            data.append(line.startsWith("..") ? line.substring(1) : line).append('\n');
                        }
                        messages.add(new Message(id, greeting, from, List.copyOf(rcpts), data.toString()));
                        for (int i = 0; i < (lmtp ? rcpts.size() : 1); i++) {
                            reply(out, lmtp ? "250 2.1.5 Ok delivered" : "250 2.0.0 Ok: queued as SINK" + messages.size());
                        }
                    }
                    case "RSET", "NOOP" -> {
                        from = null;
                        rcpts = new ArrayList<>();
                        reply(out, "250 2.0.0 Ok");
                    }
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 Error: command not recognized");
                }
            }
        } catch (IOException e) {
            // that connection only: the client went, or close() closed it
        } finally {
            open.remove(s);
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
