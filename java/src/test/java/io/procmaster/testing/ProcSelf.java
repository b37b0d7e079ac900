package io.procmaster.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What /proc says about this JVM: open descriptors, threads, zombie children. */
public final class ProcSelf {
    private ProcSelf() {
    }

    public static int fdCount() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // the directory stream's own descriptor
        }
    }

    public static int threadCount() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/task"))) {
            return (int) s.count();
        }
    }

    /** Pids of this JVM's children that are zombies. */
    public static List<Integer> zombies() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                // pid (comm) state ppid ...; comm may hold spaces and parentheses
                String rest = stat.substring(stat.lastIndexOf(')') + 2);
                String[] f = rest.split(" ");
                if (f[0].equals("Z") && Long.parseLong(f[1]) == self) {
                    out.add(Integer.parseInt(p.getFileName().toString()));
                }
            }
        }
        return out;
    }

    /** Threads settle after a burst (JIT, GC helpers): wait a little for a count to come back down. */
    public static int threadCountSettled(int atMost) throws IOException, InterruptedException {
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
