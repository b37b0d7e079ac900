package io.procmaster.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.os.Cgroup2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A writable cgroup2 subtree of a test's own: {@code pm-test-<uuid>} below the test JVM's cgroup
 * (its {@code 0::} line under the cgroup2 mount of /proc/self/mountinfo; no host-specific path), or
 * beside it where only its parent can enable the controllers asked for, with
 * the controllers asked for enabled in its subtree_control, removed (its processes killed first) by
 * {@link #close}. Where that cannot be, {@link #create} skips the test with the reason (a JUnit
 * assumption): no cgroup2 mount, not writable, a controller not offered (a hybrid host binds
 * memory and pids to cgroup v1).
 */
public final class Cgroup2Sandbox implements AutoCloseable {
    public final Path dir;

    private Cgroup2Sandbox(Path dir) {
        this.dir = dir;
    }

    /** A fresh subtree with {@code controllers} usable by its children, or the test is skipped saying why. */
    public static Cgroup2Sandbox create(String... controllers) throws IOException {
        var mount = Cgroup2.mountPoint();
        assumeTrue(mount.isPresent(), "no cgroup2 mount in /proc/self/mountinfo");
        var own = Cgroup2.ownCgroup(Files.readString(Cgroup2.PROC_SELF_CGROUP));
        assumeTrue(own.isPresent(), "no 0:: line in /proc/self/cgroup");
        Path parent = mount.get().directoryOf(own.get());
        Set<String> offered = Cgroup2.controllers(parent, "cgroup.subtree_control"); // what its children may use
        if (!offered.containsAll(List.of(controllers)) && !parent.equals(mount.get().path())) {
            // This JVM's own cgroup holds a process, so it cannot enable controllers for children
            // (no internal processes); its parent may: make the subtree beside it instead.
            Set<String> above = Cgroup2.controllers(parent.getParent(), "cgroup.subtree_control");
            if (above.containsAll(List.of(controllers))) {
                parent = parent.getParent();
                offered = above;
            }
        }
        for (String c : controllers) {
            assumeTrue(offered.contains(c), "the " + c + " controller is not enabled for the children of " + parent
                    + " (its cgroup.subtree_control has " + offered + "; on a hybrid host " + c + " is bound to cgroup v1)");
        }
        Path dir = parent.resolve("pm-test-" + UUID.randomUUID());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            assumeTrue(false, "cannot create a cgroup under " + parent + ": " + e);
        }
        Cgroup2Sandbox s = new Cgroup2Sandbox(dir);
        try {
            for (String c : controllers) {
                Cgroup2.write(dir, "cgroup.subtree_control", "+" + c);
            }
        } catch (IOException e) {
            try {
                s.close();
            } catch (Exception x) {
                e.addSuppressed(x);
            }
            throw e;
        }
        return s;
    }

    /** The pids whose environment holds {@code NAME=value} (every process of the host, from /proc). */
    public static List<Integer> processesWith(String nameEqualsValue) throws IOException {
        return processesWith(nameEqualsValue, null);
    }

    /**
     * As {@link #processesWith(String)}, only those whose command name (/proc/PID/stat's second
     * field) is {@code command}, or all where it is null. A test that waits for a population of
     * processes a shell forks waits for the command they end as: the shells between, which fork and
     * exit, are counted too while they live, so a bare count can be reached by a state that is still
     * changing (ServiceCgroupsTest).
     */
    public static List<Integer> processesWith(String nameEqualsValue, String command) throws IOException {
        byte[] needle = (nameEqualsValue + "\0").getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    if (indexOf(env, needle) >= 0) {
                        String stat = Files.readString(p.resolve("stat"));
                        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                        boolean zombie = close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
                        if (!zombie && (command == null || stat.substring(open + 1, close).equals(command))) {
                            out.add(Integer.parseInt(n));
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile, or a kernel thread
                }
            }
        }
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (i > 0 && hay[i - 1] != 0) {
                continue; // only at the start of a NAME=value entry
            }
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Kills what is left in the subtree and removes it, deepest first. */
    @Override
    public void close() throws Exception {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(dir)) {
            dirs = s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path d : dirs) {
            Cgroup2.kill(d);
        }
        for (Path d : dirs) {
            Await.poll(java.time.Duration.ofSeconds(10), () -> Cgroup2.populated(d), p -> !p);
            Files.delete(d);
        }
    }
}
