package io.procmaster.helper.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.ProcSelf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Small helpers for the real-process helper tests: /proc of a child, writes, leak checks. */
public final class HelperTesting {
    public static final int O_NONBLOCK = 04000;

    private HelperTesting() {
    }

    /** fd number to link target of another process. */
    public static Map<Integer, String> fds(long pid) throws IOException {
        Map<Integer, String> m = new TreeMap<>();
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                m.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
            }
        }
        return m;
    }

    /** The flags of another process's descriptor (octal in fdinfo). */
    public static int flags(long pid, int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) return Integer.parseInt(line.substring(6).trim(), 8);
        }
        throw new IOException("no flags");
    }

    /** The argument vector of a running process (the exec is confirmed a moment before the kernel sets it up). */
    public static List<String> cmdline(long pid) throws IOException, InterruptedException {
        String s = Await.poll(Duration.ofSeconds(1), Duration.ofMillis(10),
                () -> new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8),
                text -> !text.isEmpty());
        return List.of(s.split("\0"));
    }

    public static void writeAll(HelperProcess h, String text) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (b.hasRemaining()) {
            if (h.write(b) == 0) {
                if (System.nanoTime() > until) throw new AssertionError("channel stayed full");
                Thread.sleep(1);
            }
        }
    }

    /** Socket inodes held by a process. */
    public static List<String> socketInodes(String procFdDir) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of(procFdDir))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String t = Files.readSymbolicLink(p).toString();
                    if (t.startsWith("socket:[")) out.add(t.substring(8, t.length() - 1));
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return out;
    }

    /** The /proc/net/tcp lines (v4 and v6) of the given socket inodes. */
    public static List<String[]> tcpEntries(List<String> inodes) throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(f);
            if (!Files.exists(p)) continue;
            for (String line : Files.readAllLines(p)) {
                String[] c = line.trim().split("\\s+");
                if (c.length > 9 && inodes.contains(c[9])) out.add(c);
            }
        }
        return out;
    }

    public static String listing() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            StringBuilder b = new StringBuilder();
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    b.append(p.getFileName()).append("->").append(Files.readSymbolicLink(p)).append(' ');
                } catch (IOException gone) {
                    // the listing's own
                }
            }
            return b.toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Descriptors and zombies come back to the baseline (threads settle too). */
    public static void assertNoLeaks(int fdBaseline, int threadBaseline) throws Exception {
        // The loop thread closes after it has delivered the exit: give it a moment.
        int fds = Await.poll(Duration.ofSeconds(2), Duration.ofMillis(20), ProcSelf::fdCount, n -> n <= fdBaseline);
        assertThat(fds).as(() -> "descriptors: " + listing()).isLessThanOrEqualTo(fdBaseline); // fewer: something else closed
        assertThat(ProcSelf.zombies()).as("zombies").isEmpty();
        if (threadBaseline > 0) assertThat(ProcSelf.threadCountSettled(threadBaseline)).as("threads").isLessThanOrEqualTo(threadBaseline);
    }
}
