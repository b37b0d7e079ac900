package io.procmaster.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain SMTP client for tests that talk to smtpd or postscreen: one command at a time (never
 * pipelined, so postscreen's pipelining test passes), CRLF line ends (so its bare-newline test
 * passes), every read bounded by a 30 s timeout.
 *
 * <p>{@link #reply()} reads one whole reply, multi-line ({@code 220-...}) included, and returns
 * its lines joined by {@code \n}; EOF before a complete reply returns what was read (empty when
 * nothing was), so a test sees a server that hung up.
 */
public final class SmtpClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        this.out = socket.getOutputStream();
    }

    public static SmtpClient connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            return new SmtpClient(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** One reply: its lines up to the one with a space after the code. */
    public String reply() throws IOException {
        StringBuilder r = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            r.append(r.length() == 0 ? "" : "\n").append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        return r.toString();
    }

    /** Sends one command line and returns its reply. */
    public String send(String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return reply();
    }

    /** After a 354: the message text (lines dot-stuffed), the final dot, and the reply to it. */
    public String data(String text) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            b.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        out.write(b.append(".\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return reply();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
