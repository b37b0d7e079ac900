package io.procmaster.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A fake systemd notify socket for tests: {@code pm-notify-recv} (native/child/notify_recv.c)
 * bound at a path or an {@code @name}, since JDK 17 cannot bind a unix datagram socket. Each
 * datagram it receives becomes a {@link Datagram}: the sender's pid (SCM_CREDENTIALS, as systemd's
 * {@code NotifyAccess=main} checks it) and its {@code NAME=value} lines.
 *
 * <p>Interface: {@link #bind(String)} returns once the socket is bound; {@link #received()} is what
 * came so far, in order; {@link #await} polls it (bounded); {@link #close()} ends the program (it
 * also ends by itself when this JVM goes, its stdin closing). Failure modes: a receiver that cannot
 * bind fails {@link #bind} with its message.
 */
public final class NotifyReceiver implements AutoCloseable {

    /** One datagram: who sent it and its assignments, in order. */
    public record Datagram(long senderPid, Map<String, String> fields) {
        public boolean has(String name) {
            return fields.containsKey(name);
        }

        public String get(String name) {
            return fields.get(name);
        }

        /** The first assignment's name: READY, RELOADING, STOPPING, WATCHDOG... */
        public String kind() {
            return fields.isEmpty() ? "" : fields.keySet().iterator().next();
        }
    }

    private final Process process;
    private final List<Datagram> received = new ArrayList<>();
    private final Thread reader;

    private NotifyReceiver(Process process, BufferedReader out) {
        this.process = process;
        this.reader = new Thread(() -> read(out), "notify-receiver");
        reader.setDaemon(true);
        reader.start();
    }

    /** A receiver bound at {@code address} (a path, or {@code @name} for the abstract namespace). */
    public static NotifyReceiver bind(String address) throws IOException {
        Process p = new ProcessBuilder(TestBin.path("pm-notify-recv"), address)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"bound".equals(first)) {
            p.destroyForcibly();
            throw new IOException("pm-notify-recv " + address + " did not bind (exit " + waitExit(p) + ")");
        }
        return new NotifyReceiver(p, out);
    }

    private void read(BufferedReader out) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                Datagram d = parse(line);
                synchronized (received) {
                    received.add(d);
                }
            }
        } catch (IOException e) {
            // the program ended: nothing more comes
        }
    }

    /** "pid=<n> A=1\tB=2": the payload's newlines arrive as TABs (see notify_recv.c). */
    static Datagram parse(String line) {
        int sp = line.indexOf(' ');
        long pid = Long.parseLong(line.substring("pid=".length(), sp));
        Map<String, String> fields = new LinkedHashMap<>();
        for (String a : line.substring(sp + 1).split("\t")) {
            int eq = a.indexOf('=');
            fields.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
        }
        return new Datagram(pid, fields);
    }

    /** Every datagram received so far, in arrival order. */
    public List<Datagram> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The datagrams but the watchdog pings, in order. */
    public List<Datagram> withoutPings() {
        return received().stream().filter(d -> !d.has("WATCHDOG")).toList();
    }

    /** What was received once it satisfies {@code done}; an AssertionError naming {@code what} after 30 s. */
    public List<Datagram> await(String what, Predicate<List<Datagram>> done) throws InterruptedException {
        return Await.until(what, Duration.ofSeconds(30), Duration.ofMillis(10), this::received, done);
    }

    private static String waitExit(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(p.exitValue()) : "none";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
    }
}
