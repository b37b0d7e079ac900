package io.procmaster.os;

import io.procmaster.os.jni.Native;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a spawn needs, checked before any system call: an absolute program path, the
 * argument vector, an explicit environment (nothing is inherited unless asked), an fd plan that
 * maps source descriptors to target numbers in the child, and the optional working directory,
 * new session, credentials and resource limits.
 *
 * <p>A request to the os, not a model of a service: the master's loop derives one per child from
 * the one service model ({@code config.ServiceSpec}, in {@code loop.ServiceViews}); helpers and
 * tests build their own.
 *
 * <p>The fd plan may map any source to any target: sources below their targets, a source that is
 * another pair's target, cycles and one source to several targets are all handled by the C
 * core's plan. Every descriptor above 2 that is not a target is closed in the child.
 *
 * <p>Errors: {@link IllegalArgumentException} naming the offending value (a relative path, a NUL
 * in a string, an '=' in a variable name, a negative, duplicate or too high ({@link #MAX_FD})
 * descriptor).
 */
public final class SpawnSpec {
    /** Spawn mechanisms; AUTO is clone3 with a fallback to posix_spawn when clone3 is refused. */
    public enum Mechanism {
        /** clone3, falling back to posix_spawn when the kernel or a seccomp filter refuses clone3. */
        AUTO,
        /** clone3 only ({@code CLONE_VM|CLONE_VFORK|CLONE_PIDFD}). */
        CLONE3,
        /** posix_spawn plus pidfd_open. */
        POSIX_SPAWN
    }

    /** Resource numbers of setrlimit(2) on Linux. */
    public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_AS = 9;
    /** "No limit" for {@link Builder#rlimit}. */
    public static final long RLIM_INFINITY = -1L;

    /**
     * Largest descriptor number the fd plan takes, as source or target: Linux's default
     * {@code fs.nr_open} less one, so no process holds a higher one unless root raised that limit.
     * The C core checks the process's own RLIMIT_NOFILE as well (before any arithmetic on the
     * numbers, before clone) and refuses with EBADF at the prepare stage.
     */
    public static final int MAX_FD = (1 << 20) - 1;

    /** System property that forces a mechanism for every spawn (auto, clone3, posix_spawn). */
    public static final String MECHANISM_PROPERTY = "procmaster.spawn.mechanism";

    private final String path;
    private final List<String> argv;
    private final Map<String, String> env;
    private final TreeMap<Integer, Integer> fds; // target -> source
    private final String cwd;
    private final boolean setsid;
    private final Integer uid;
    private final Integer gid;
    private final int[] groups;
    private final long[] rlimits;
    private final Mechanism mechanism;
    private final Fd cgroup;

    private SpawnSpec(Builder b) {
        this.path = b.path;
        this.argv = List.copyOf(b.argv.isEmpty() ? List.of(b.path) : b.argv);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.fds = new TreeMap<>(b.fds);
        this.cwd = b.cwd;
        this.setsid = b.setsid;
        this.uid = b.uid;
        this.gid = b.gid;
        this.groups = b.groups == null ? null : b.groups.clone();
        this.rlimits = b.rlimits.stream().mapToLong(Long::longValue).toArray();
        this.mechanism = b.mechanism;
        this.cgroup = b.cgroup;
    }

    /** A builder for running the program at the absolute {@code path}. */
    public static Builder builder(String path) {
        return new Builder(path);
    }

    /** The absolute program path. */
    public String path() {
        return path;
    }

    /** The argument vector, argv[0] included. */
    public List<String> argv() {
        return argv;
    }

    /** The child's whole environment (nothing is inherited unless the builder copied it). */
    public Map<String, String> environment() {
        return env;
    }

    /** The child's working directory, or null to keep the parent's. */
    public String cwd() {
        return cwd;
    }

    /** The fd plan: target number in the child to source descriptor in this process. */
    public Map<Integer, Integer> fdPlan() {
        return Collections.unmodifiableMap(fds);
    }

    /** How the child is spawned. */
    public Mechanism mechanism() {
        return mechanism;
    }

    /** The cgroup2 directory the child starts in ({@link Builder#cgroup}), or null. */
    public Fd cgroup() {
        return cgroup;
    }

    byte[] stringBlock() {
        StringBuilder sb = new StringBuilder();
        sb.append(path).append('\0');
        for (String a : argv) {
            sb.append(a).append('\0');
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\0');
        }
        if (cwd != null) {
            sb.append(cwd).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    int[] fdPairs() {
        int[] p = new int[fds.size() * 2];
        int i = 0;
        for (Map.Entry<Integer, Integer> e : fds.entrySet()) {
            p[i++] = e.getValue();
            p[i++] = e.getKey();
        }
        return p;
    }

    int flags() {
        int f = 0;
        if (setsid) {
            f |= Native.SPAWN_SETSID;
        }
        if (uid != null) {
            f |= Native.SPAWN_SETUID;
        }
        if (gid != null) {
            f |= Native.SPAWN_SETGID;
        }
        if (groups != null) {
            f |= Native.SPAWN_SETGROUPS;
        }
        if (cwd != null) {
            f |= Native.SPAWN_HAS_CWD;
        }
        return f;
    }

    int uid() {
        return uid == null ? -1 : uid;
    }

    int gid() {
        return gid == null ? -1 : gid;
    }

    int[] groups() {
        return groups;
    }

    long[] rlimits() {
        return rlimits;
    }

    @Override
    public String toString() {
        return "SpawnSpec" + argv + " path=" + path + " fds=" + fds;
    }

    /** Builds a {@link SpawnSpec}; every setter checks its argument at once. */
    public static final class Builder {
        private final String path;
        private final List<String> argv = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<Integer, Integer> fds = new TreeMap<>();
        private String cwd;
        private boolean setsid;
        private Integer uid;
        private Integer gid;
        private int[] groups;
        private final List<Long> rlimits = new ArrayList<>();
        private Mechanism mechanism = defaultMechanism();
        private Fd cgroup;

        private Builder(String path) {
            Objects.requireNonNull(path, "path");
            noNul("path", path);
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("program path must be absolute: \"" + path + "\"");
            }
            this.path = path;
        }

        /** The whole argument vector, argv[0] included (default: the path alone). */
        public Builder argv(List<String> args) {
            argv.clear();
            for (String a : args) {
                noNul("argument", a);
                argv.add(a);
            }
            return this;
        }

        /** The argument vector, argv[0] included (replacing any set before). */
        public Builder argv(String... args) {
            return argv(List.of(args));
        }

        /** One environment variable; the child's environment is exactly what is set here. */
        public Builder env(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("bad environment variable name: \"" + name + "\"");
            }
            noNul("environment variable " + name, name + value);
            env.put(name, value);
            return this;
        }

        /** Sets every variable of {@code vars}, as {@link #env(String, String)} does each. */
        public Builder env(Map<String, String> vars) {
            vars.forEach(this::env);
            return this;
        }

        /** Copies this JVM's environment first; later {@link #env} calls override it. */
        public Builder inheritEnvironment() {
            Map<String, String> own = new LinkedHashMap<>(System.getenv());
            own.putAll(env);
            env.clear();
            own.forEach(this::env);
            return this;
        }

        /** Makes {@code source} (a descriptor of this process) appear as {@code target} in the child. */
        public Builder fd(int target, int source) {
            if (target < 0 || source < 0) {
                throw new IllegalArgumentException("descriptors must not be negative: target " + target
                        + ", source " + source);
            }
            if (target > MAX_FD || source > MAX_FD) {
                throw new IllegalArgumentException((target > MAX_FD ? "target descriptor " + target
                        : "source descriptor " + source) + " is out of range: at most " + MAX_FD);
            }
            if (fds.containsKey(target)) {
                throw new IllegalArgumentException("target descriptor " + target + " is planned twice");
            }
            fds.put(target, source);
            return this;
        }

        /** The child's working directory (default: the parent's). */
        public Builder cwd(String dir) {
            noNul("working directory", dir);
            this.cwd = dir;
            return this;
        }

        /** Whether the child starts its own session (setsid). */
        public Builder setsid(boolean on) {
            this.setsid = on;
            return this;
        }

        /** Run as this user id (the parent must be root). */
        public Builder uid(int u) {
            this.uid = u;
            return this;
        }

        /** Run with this group id (the parent must be root). */
        public Builder gid(int g) {
            this.gid = g;
            return this;
        }

        /** The supplementary groups (setgroups; the parent must be root). */
        public Builder groups(int... g) {
            this.groups = g.clone();
            return this;
        }

        /** A resource limit set in the child ({@code RLIMIT_*} above; setrlimit(2)). */
        public Builder rlimit(int resource, long soft, long hard) {
            if (resource < 0) {
                throw new IllegalArgumentException("bad resource " + resource);
            }
            rlimits.add((long) resource);
            rlimits.add(soft);
            rlimits.add(hard);
            return this;
        }

        /** How to spawn (default {@link Mechanism#AUTO}; the system property {@link SpawnSpec#MECHANISM_PROPERTY} overrides it for every spawn). */
        public Builder mechanism(Mechanism m) {
            this.mechanism = Objects.requireNonNull(m);
            return this;
        }

        /**
         * The child starts in this cgroup2 directory (an open directory descriptor the caller
         * owns and keeps open until the spawn returned; {@link Cgroup2#open}). With clone3 the
         * kernel places it there before it runs (CLONE_INTO_CGROUP, Linux 5.7); with posix_spawn it
         * is moved right after exec, and what it forks before that stays outside (docs/cgroups.md).
         */
        public Builder cgroup(Fd directory) {
            this.cgroup = Objects.requireNonNull(directory);
            return this;
        }

        /** The spec; the builder's checks ran as each value was set. */
        public SpawnSpec build() {
            if (fds.size() > 256) {
                throw new IllegalArgumentException("at most 256 planned descriptors, got " + fds.size());
            }
            return new SpawnSpec(this);
        }

        private static void noNul(String what, String s) {
            if (s == null || s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " must not be null or contain NUL");
            }
        }

        private static Mechanism defaultMechanism() {
            String p = System.getProperty(MECHANISM_PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
            return switch (p) {
                case "clone3" -> Mechanism.CLONE3;
                case "posix_spawn", "posix-spawn" -> Mechanism.POSIX_SPAWN;
                default -> Mechanism.AUTO;
            };
        }
    }
}
