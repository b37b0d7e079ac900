package io.procmaster.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What /proc says about this JVM: open descriptors, threads, zombie children. */
public final class ProcSelf {
    static {
        // The JDK opens some descriptors lazily and keeps them for good: NIO's pre-close socket
        // at its first socket, /dev/random and /dev/urandom at its first SecureRandom (temporary
        // file names). Open them before any test takes a baseline, so that a leak check does not
        // depend on which test class happened to run first.
        try (var ignored = java.nio.channels.SocketChannel.open()) {
            new java.security.SecureRandom().nextInt();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ProcSelf() {
    }

    public static int fdCount() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // the directory stream's own descriptor
        }
    }

    /**
     * This JVM's open descriptors: number to what /proc/self/fd says it points at (a path,
     * {@code socket:[inode]}, {@code pipe:[inode]}, ...), without the listing's own descriptor.
     */
    public static Map<Integer, String> descriptors() throws IOException {
        Map<Integer, String> out = new TreeMap<>();
        String listing = "/proc/" + ProcessHandle.current().pid() + "/fd";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : ds) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (!target.equals(listing)) {
                    out.put(Integer.parseInt(p.getFileName().toString()), target);
                }
            }
        }
        return out;
    }

    /**
     * The descriptors open now that were not open, as the same thing, in {@code before}: what a
     * test leaked. A descriptor the JVM closed meanwhile is no leak, so a plain count comparison
     * would fail for the wrong reason; a reused number pointing elsewhere counts as new. Waits up
     * to 5 s for descriptors that are being closed on another thread (bounded, never a timing
     * assertion), then returns the rest as "fd -> target".
     */
    public static List<String> openedSince(Map<Integer, String> before) throws IOException, InterruptedException {
        List<String> opened = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            opened.clear();
            for (Map.Entry<Integer, String> e : descriptors().entrySet()) {
                if (!e.getValue().equals(before.get(e.getKey()))) {
                    opened.add(e.getKey() + " -> " + e.getValue());
                }
            }
            if (opened.isEmpty()) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return opened;
    }

    /**
     * Live Java threads, without the JDK's own pools that keep idle threads by design ("process
     * reaper", the common ForkJoinPool's workers). Not /proc/self/task: that also counts the JVM's
     * compiler threads, which it adds under JIT load and retires later on its own schedule (a 60 s
     * chaos run once ended with 23 OS threads against 22 at its start, 5 s of settling included).
     * procmaster's C core starts
     * no threads, so every thread it could leak is a Java thread (loops, pools).
     */
    public static int threadCount() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (t.isAlive() && !name.equals("process reaper") && !name.startsWith("ForkJoinPool.commonPool-worker")) {
                n++;
            }
        }
        return n;
    }

    /** Pids of this JVM's children that are zombies. */
    public static List<Integer> zombies() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Integer> out = new ArrayList<>();
        for (Zombie z : allZombies()) {
            if (z.ppid() == self) {
                out.add(z.pid());
            }
        }
        return out;
    }

    /** A process in state Z: its pid, "pid (comm)" as /proc/PID/stat begins, and its parent. */
    public record Zombie(int pid, String name, long ppid) {
    }

    /** Every zombie /proc shows (in a new PID namespace with its own /proc: that namespace's). */
    public static List<Zombie> allZombies() throws IOException {
        List<Zombie> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                // pid (comm) state ppid ...; comm may hold spaces and parentheses
                int close = stat.lastIndexOf(')');
                String[] f = stat.substring(close + 2).split(" ");
                if (f[0].equals("Z")) {
                    out.add(new Zombie(Integer.parseInt(p.getFileName().toString()), stat.substring(0, close + 1),
                            Long.parseLong(f[1])));
                }
            }
        }
        return out;
    }

    /** Threads settle after a burst (JIT, GC helpers): wait a little for a count to come back down. */
    public static int threadCountSettled(int atMost) throws InterruptedException {
        int n = threadCount();
        for (int i = 0; i < 50 && n > atMost; i++) {
            TimeUnit.MILLISECONDS.sleep(100);
            n = threadCount();
        }
        return n;
    }

    public static String fdTarget(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    /** The flags line of /proc/self/fdinfo/N (octal). */
    public static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IOException("no flags for fd " + fd);
    }
}
