package io.procmaster.os;

import io.procmaster.os.jni.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cgroup2 file system, as the master uses it (docs/cgroups.md): where it is mounted
 * (/proc/self/mountinfo), which cgroup a process is in (/proc/self/cgroup's {@code 0::} line), and
 * the files of one cgroup directory: {@code cgroup.controllers}, {@code cgroup.subtree_control},
 * {@code cgroup.procs}, {@code cgroup.events}, {@code cgroup.kill} and the counters.
 *
 * <p>Interface: {@link #mountPoint}, {@link #ownCgroup}, {@link #hybrid} (pure parsers, and their /proc readers),
 * {@link #open} (the directory descriptor {@link SpawnSpec.Builder#cgroup} takes), {@link #write},
 * {@link #read}, {@link #readLong}, {@link #keyed}, {@link #procs}, {@link #populated},
 * {@link #kill}, {@link #controllers}, {@link #openEvents}. Every call is one short read or write of a kernel file:
 * none blocks on a process (killing is a signal, not a wait).
 *
 * <p>Failure modes: the file system's {@link IOException} (EACCES as
 * {@link java.nio.file.AccessDeniedException}, a missing file as {@link NoSuchFileException});
 * the readers of optional counters return empty instead where the file is absent (its controller
 * is not enabled); {@link #open} throws {@link NativeIoException}.
 */
public final class Cgroup2 {
    /** Where the kernel exposes each process's cgroup and the mounts. */
    public static final Path PROC_SELF_CGROUP = Path.of("/proc/self/cgroup");
    public static final Path PROC_SELF_MOUNTINFO = Path.of("/proc/self/mountinfo");

    private Cgroup2() {
    }

    /**
     * The first cgroup2 mount in mountinfo text, with the root of the hierarchy it shows (field
     * 4: "/" unless a subtree was bind-mounted), or empty when there is none.
     */
    public static Optional<Mount> mountPoint(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            int sep = line.indexOf(" - ");
            if (sep < 0) {
                continue;
            }
            String[] pre = line.substring(0, sep).split(" ");
            String[] post = line.substring(sep + 3).split(" ");
            if (pre.length >= 5 && post.length >= 1 && post[0].equals("cgroup2")) {
                return Optional.of(new Mount(Path.of(unescape(pre[4])), unescape(pre[3])));
            }
        }
        return Optional.empty();
    }

    /** {@link #mountPoint(String)} of this process's mountinfo. */
    public static Optional<Mount> mountPoint() throws IOException {
        return mountPoint(Files.readString(PROC_SELF_MOUNTINFO));
    }

    /**
     * Whether a /proc/PID/cgroup text has cgroup v1 lines beside (or instead of) the {@code 0::} one:
     * a hybrid host, whose v1 hierarchies hold the controllers the cgroup2 mount then lacks.
     */
    public static boolean hybrid(String procCgroup) {
        return procCgroup.lines().anyMatch(l -> !l.startsWith("0::") && !l.isBlank());
    }

    /** The cgroup2 path of a /proc/PID/cgroup text (its {@code 0::} line), or empty (a pure v1 host). */
    public static Optional<String> ownCgroup(String procCgroup) {
        for (String line : procCgroup.split("\n")) {
            if (line.startsWith("0::")) {
                return Optional.of(line.substring(3).strip());
            }
        }
        return Optional.empty();
    }

    /** This process's cgroup2 directory: the mount plus its {@code 0::} path, or empty. */
    public static Optional<Path> ownDirectory() throws IOException {
        Optional<Mount> m = mountPoint();
        Optional<String> own = ownCgroup(Files.readString(PROC_SELF_CGROUP));
        if (m.isEmpty() || own.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(m.get().directoryOf(own.get()));
    }

    /** A cgroup2 mount: where it is and which path of the hierarchy is its root. */
    public record Mount(Path path, String root) {
        /** The directory of a cgroup path as /proc/PID/cgroup names it (relative to the namespace root). */
        public Path directoryOf(String cgroupPath) {
            String p = cgroupPath;
            if (!root.equals("/") && (p.equals(root) || p.startsWith(root + "/"))) {
                p = p.substring(root.length());
            }
            String rel = p.startsWith("/") ? p.substring(1) : p;
            return rel.isEmpty() ? path : path.resolve(rel);
        }
    }

    /** An O_DIRECTORY descriptor of the cgroup, for {@link SpawnSpec.Builder#cgroup}. */
    public static Fd open(Path dir) throws NativeIoException {
        Native.ensureAvailability();
        int fd = Native.openReadOnly0(dir.toString().getBytes(StandardCharsets.UTF_8), true);
        Errno.check("open " + dir, fd);
        return new Fd(fd);
    }

    /**
     * A descriptor of the cgroup's cgroup.events, for an epoll registration with
     * {@link #eventsChanged()}: the kernel raises EPOLLPRI on it when a key changes after the open,
     * such as {@code populated} going to 0 once the last process is gone.
     */
    public static Fd openEvents(Path dir) throws NativeIoException {
        Native.ensureAvailability();
        Path f = dir.resolve("cgroup.events");
        int fd = Native.openReadOnly0(f.toString().getBytes(StandardCharsets.UTF_8), false);
        Errno.check("open " + f, fd);
        Fd events = new Fd(fd);
        try {
            // kernfs reports a change until the file is read through this descriptor: read it once,
            // so that only changes from now on raise EPOLLPRI.
            events.read(java.nio.ByteBuffer.allocateDirect(256));
        } catch (NativeIoException | RuntimeException e) {
            events.close();
            throw e;
        }
        return events;
    }

    /**
     * The epoll bits to watch cgroup.events with: EPOLLPRI, edge-triggered (kernfs keeps
     * reporting a change until the file is read through that very descriptor, which the readers
     * here do not do, so level-triggered would wake the loop without end).
     */
    public static int eventsChanged() {
        return Native.EPOLLPRI | Native.EPOLLET;
    }

    /** Writes {@code value} to the cgroup's file (one write, as the kernel wants it). */
    public static void write(Path dir, String file, String value) throws IOException {
        Files.write(dir.resolve(file), value.getBytes(StandardCharsets.US_ASCII));
    }

    /** The file's content, stripped, or empty when there is no such file. */
    public static Optional<String> read(Path dir, String file) throws IOException {
        try {
            return Optional.of(Files.readString(dir.resolve(file), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** A one-number file ({@code memory.current}, {@code pids.current}), or empty when absent or {@code max}. */
    public static OptionalLong readLong(Path dir, String file) throws IOException {
        Optional<String> v = read(dir, file);
        if (v.isEmpty() || v.get().isEmpty() || !v.get().chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(v.get()));
    }

    /** A flat keyed file ({@code cgroup.events}, {@code pids.events}, {@code memory.events}): empty map when absent. */
    public static Map<String, Long> keyed(Path dir, String file) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        Optional<String> v = read(dir, file);
        if (v.isPresent()) {
            for (String line : v.get().split("\n")) {
                String[] kv = line.strip().split("\\s+");
                if (kv.length == 2 && kv[1].chars().allMatch(Character::isDigit) && !kv[1].isEmpty()) {
                    out.put(kv[0], Long.parseLong(kv[1]));
                }
            }
        }
        return out;
    }

    /** The controllers a file lists ({@code cgroup.controllers}, {@code cgroup.subtree_control}). */
    public static Set<String> controllers(Path dir, String file) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String c : read(dir, file).orElse("").split("\\s+")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** The pids in the cgroup itself (cgroup.procs; not its descendants); empty when it is gone. */
    public static List<Integer> procs(Path dir) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (String line : read(dir, "cgroup.procs").orElse("").split("\n")) {
            String t = line.strip();
            if (!t.isEmpty()) {
                out.add(Integer.parseInt(t));
            }
        }
        return out;
    }

    /** Whether a process is left in the cgroup or below it (cgroup.events {@code populated}); false when it is gone. */
    public static boolean populated(Path dir) throws IOException {
        return keyed(dir, "cgroup.events").getOrDefault("populated", 0L) != 0;
    }

    /**
     * Sends SIGKILL to every process in the cgroup and below it: one write of cgroup.kill (Linux
     * 5.14), which no fork can outrun; without that file, SIGKILL to each pid cgroup.procs lists
     * (the caller repeats until {@link #populated} is false, since a process may fork meanwhile).
     * Returns whether cgroup.kill was used.
     */
    public static boolean kill(Path dir) throws IOException {
        if (Files.exists(dir.resolve("cgroup.kill"))) {
            write(dir, "cgroup.kill", "1");
            return true;
        }
        for (Integer pid : procs(dir)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        return false;
    }

    /** mountinfo's octal escapes ({@code \040} for a space). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
