package io.procmaster.helper;

import io.procmaster.helper.process.HelperChannel;
import io.procmaster.helper.process.HelperEventSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A scripted helper process. It records every request line it receives; with a responder it answers
 * each line (through the launcher's event queue, i.e. on a later loop iteration, never re-entrantly);
 * without one it hangs. close() and kill() end it (EOF then exit) on the next event run, unless
 * {@link #ignoreClose} is set, as a stubborn helper would.
 */
final class FakeHelper implements HelperChannel {
    final FakeLauncher launcher;
    final long id;
    final long pid;
    final HelperEventSink sink;
    final List<String> lines = new ArrayList<>();
    final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream(); // every byte written to it
    private final StringBuilder partial = new StringBuilder();
    Function<String, String> responder;     // null: hangs
    int writeBudget = Integer.MAX_VALUE;    // bytes the "socket buffer" still accepts
    int writes;                             // write calls that took bytes
    boolean failWrites;
    boolean ignoreClose;
    boolean writableRequested;
    boolean closed;
    boolean killed;
    boolean ended;

    FakeHelper(FakeLauncher launcher, long id, long pid, HelperEventSink sink) {
        this.launcher = launcher;
        this.id = id;
        this.pid = pid;
        this.sink = sink;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (failWrites || ended) throw new IOException("Broken pipe");
        int n = Math.min(src.remaining(), writeBudget);
        if (writeBudget != Integer.MAX_VALUE) writeBudget -= n;
        if (n > 0) writes++;
        byte[] b = new byte[n];
        src.get(b);
        received.writeBytes(b);
        for (char c : new String(b, StandardCharsets.UTF_8).toCharArray()) {
            if (c == '\n') {
                String line = partial.toString();
                partial.setLength(0);
                lines.add(line);
                if (responder != null) {
                    Function<String, String> r = responder;
                    launcher.events.add(() -> {
                        if (!ended && !killed) {
                            String reply = r.apply(line);
                            if (reply != null) reply(reply);
                        }
                    });
                }
            } else {
                partial.append(c);
            }
        }
        return n;
    }

    @Override
    public void requestWritable() {
        writableRequested = true;
    }

    @Override
    public void close() {
        closed = true;
        if (!ignoreClose) launcher.events.add(() -> end(HelperExit.exited(0)));
    }

    @Override
    public void kill() {
        killed = true;
        launcher.events.add(() -> end(HelperExit.killed(9)));
    }

    /** Sends one reply line (LF appended). */
    void reply(String line) {
        send(line + "\n");
    }

    void send(String raw) {
        sink.onData(id, ByteBuffer.wrap(raw.getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends bytes exactly as given (no encoding), as a helper writing Latin-1 or binary would. */
    void sendBytes(byte[] raw) {
        sink.onData(id, ByteBuffer.wrap(raw));
    }

    /** The process dies on its own: EOF on its output, then the exit. */
    void crash() {
        end(HelperExit.killed(11));
    }

    void end(HelperExit exit) {
        if (ended) return;
        ended = true;
        sink.onEof(id);
        sink.onExit(id, exit);
    }

    /** The socket buffer drains: accept more bytes and tell the pool. */
    void grantWrite(int bytes) {
        writeBudget = bytes;
        writableRequested = false;
        sink.onWritable(id);
    }

    String lastLine() {
        return lines.get(lines.size() - 1);
    }

    /** "id " prefix of a tagged request line, or "" for an untagged one. */
    static String idOf(String line) {
        int i = 0;
        while (i < line.length() && Character.isDigit(line.charAt(i))) i++;
        return i > 0 && i < line.length() && line.charAt(i) == ' ' ? line.substring(0, i + 1) : "";
    }

    /** Responder for tagged modes: echoes the id and answers OK with the request text as kv. */
    static Function<String, String> okTagged() {
        return line -> idOf(line) + "OK echo=" + line.substring(idOf(line).length()).replace(' ', '_');
    }

    static Function<String, String> okClassic() {
        return line -> "OK echo=" + line.replace(' ', '_');
    }
}
