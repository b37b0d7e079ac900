package io.procmaster.helper;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run as a helper and how to connect it: program and arguments, channel type, environment,
 * session and credentials, the optional hello handshake, the close escalation and what happens to
 * its stderr. Immutable; built with {@link #builder(String, String)}.
 *
 * <p>Defaults follow Lusca where that is harmless: argv[0] is {@code (basename)}, the environment is
 * inherited, the helper gets its own session, the channel is {@link HelperChannelType#STREAM}.
 * Deliberate differences: no hello unless asked ({@link Builder#hello}), a deadline on it, stderr on
 * its own pipe (logged per line, bounded, rate limited) and at most {@link #MAX_ARGS} arguments,
 * checked here rather than overflowing or truncating later.
 *
 * <p>Failure modes: {@link Builder#build()} throws {@link IllegalArgumentException} listing every
 * invalid setting.
 */
public final class HelperSpec {
    /** Arguments after the program name: Squid's maximum (Lusca asserts at 63, Squid drops from 64 on). */
    public static final int MAX_ARGS = 63;

    private final String name;
    private final String program;
    private final String argv0;
    private final List<String> args;
    private final HelperChannelType channelType;
    private final boolean inheritEnvironment;
    private final Map<String, String> env;
    private final String cwd;
    private final boolean setsid;
    private final Integer uid;
    private final Integer gid;
    private final String hello;
    private final Duration handshakeTimeout;
    private final Duration closeGrace;
    private final Duration termGrace;
    private final Path stderrFile;
    private final int stderrMaxLine;
    private final int stderrLinesPerWindow;
    private final Duration stderrWindow;

    private HelperSpec(Builder b) {
        name = b.name;
        program = b.resolvedProgram;
        argv0 = b.argv0 != null ? b.argv0 : "(" + Path.of(program).getFileName() + ")";
        args = List.copyOf(b.args);
        channelType = b.channelType;
        inheritEnvironment = b.inheritEnvironment;
        env = Map.copyOf(b.env);
        cwd = b.cwd;
        setsid = b.setsid;
        uid = b.uid;
        gid = b.gid;
        hello = b.hello;
        handshakeTimeout = b.handshakeTimeout;
        closeGrace = b.closeGrace;
        termGrace = b.termGrace;
        stderrFile = b.stderrFile;
        stderrMaxLine = b.stderrMaxLine;
        stderrLinesPerWindow = b.stderrLinesPerWindow;
        stderrWindow = b.stderrWindow;
    }

    /**
     * @param name    label for logs (such as {@code url_rewriter})
     * @param program an absolute path, or a bare name looked up in {@code PATH} when built
     */
    public static Builder builder(String name, String program) {
        return new Builder(name, program);
    }

    /** The label for logs (such as {@code url_rewriter}). */
    public String name() { return name; }
    /** The absolute program path. */
    public String program() { return program; }
    /** The complete argument vector, argv[0] included. */
    public List<String> argv() {
        List<String> v = new ArrayList<>(args.size() + 1);
        v.add(argv0);
        v.addAll(args);
        return v;
    }
    /** How the pool talks to the helper (pipes, socketpair, TCP, ...). */
    public HelperChannelType channelType() { return channelType; }
    /** Whether the JVM's environment is passed on. */
    public boolean inheritEnvironment() { return inheritEnvironment; }
    /** Variables set (on top of the inherited environment, if inherited). */
    public Map<String, String> environment() { return env; }
    /** The helper's working directory, or null: the JVM's. */
    public String cwd() { return cwd; }
    /** Whether the helper gets its own session and process group. */
    public boolean setsid() { return setsid; }
    /** The user id the helper runs as, or null: the JVM's. */
    public Integer uid() { return uid; }
    /** The group id the helper runs as, or null: the JVM's. */
    public Integer gid() { return gid; }
    /** The hello line the helper must write first (without LF), or null: no handshake. */
    public String hello() { return hello; }
    /** How long the helper may take to write its {@link #hello()} line. */
    public Duration handshakeTimeout() { return handshakeTimeout; }
    /** After EOF on its stdin, how long the helper may take to exit before SIGTERM. */
    public Duration closeGrace() { return closeGrace; }
    /** After SIGTERM, how long before SIGKILL. */
    public Duration termGrace() { return termGrace; }
    /** Where stderr is appended, or null: logged through slf4j line by line. */
    public Path stderrFile() { return stderrFile; }
    /** Longest stderr line logged, in bytes; longer lines are cut. */
    public int stderrMaxLine() { return stderrMaxLine; }
    /** Most stderr lines logged per {@link #stderrWindow()}. */
    public int stderrLinesPerWindow() { return stderrLinesPerWindow; }
    /** The window of {@link #stderrLinesPerWindow()}. */
    public Duration stderrWindow() { return stderrWindow; }

    @Override
    public String toString() {
        return "HelperSpec{" + name + " " + program + " " + args + " " + channelType
                + (hello != null ? " hello='" + hello + "'" : "") + "}";
    }

    /** Builder with the documented defaults. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String program;
        private String resolvedProgram;
        private String argv0;
        private final List<String> args = new ArrayList<>();
        private HelperChannelType channelType = HelperChannelType.STREAM;
        private boolean inheritEnvironment = true;
        private final Map<String, String> env = new LinkedHashMap<>();
        private String cwd;
        private boolean setsid = true;
        private Integer uid;
        private Integer gid;
        private String hello;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration closeGrace = Duration.ofSeconds(5);
        private Duration termGrace = Duration.ofSeconds(5);
        private Path stderrFile;
        private int stderrMaxLine = 4096;
        private int stderrLinesPerWindow = 100;
        private Duration stderrWindow = Duration.ofSeconds(10);

        private Builder(String name, String program) {
            this.name = Objects.requireNonNull(name, "name");
            this.program = Objects.requireNonNull(program, "program");
        }

        /** The arguments after the program name. */
        public Builder args(String... a) { return args(List.of(a)); }
        /** The arguments after the program name, replacing any set before. */
        public Builder args(List<String> a) { args.clear(); args.addAll(a); return this; }
        /** argv[0]; default {@code (basename)} as in Squid/Lusca. */
        public Builder argv0(String a) { argv0 = a; return this; }
        /** How the pool talks to the helper (default {@link HelperChannelType#STREAM}). */
        public Builder channelType(HelperChannelType t) { channelType = t; return this; }
        /** Whether the JVM's environment is passed on (default true). */
        public Builder inheritEnvironment(boolean on) { inheritEnvironment = on; return this; }
        /** Sets one variable of the helper's environment. */
        public Builder env(String k, String v) { env.put(k, v); return this; }
        /** The helper's working directory (default: the JVM's). */
        public Builder cwd(String dir) { cwd = dir; return this; }
        /** Its own session and process group (default true, as Lusca). */
        public Builder setsid(boolean on) { setsid = on; return this; }
        /** Run as this user (the master must be root): real, effective and saved ids. */
        public Builder uid(int u) { uid = u; return this; }
        /** Run with this group id (the JVM must be root). */
        public Builder gid(int g) { gid = g; return this; }
        /**
         * Requires the helper to write {@code line} LF before anything else, within
         * {@link #handshakeTimeout}. Without it the start is confirmed by the exec alone.
         */
        public Builder hello(String line) { hello = line; return this; }
        /** How long the helper may take to write its hello line (default 5 s). */
        public Builder handshakeTimeout(Duration d) { handshakeTimeout = d; return this; }
        /** After EOF on its stdin, how long the helper may take to exit before SIGTERM (default 5 s). */
        public Builder closeGrace(Duration d) { closeGrace = d; return this; }
        /** After SIGTERM, how long before SIGKILL (default 5 s). */
        public Builder termGrace(Duration d) { termGrace = d; return this; }
        /** Appends the helper's stderr to this file instead of logging it. */
        public Builder stderrFile(Path file) { stderrFile = file; return this; }
        /** Longest stderr line logged, in bytes (default 4096). */
        public Builder stderrMaxLine(int bytes) { stderrMaxLine = bytes; return this; }
        /** At most {@code lines} logged stderr lines per {@code window}; the rest are counted and summarised. */
        public Builder stderrRateLimit(int lines, Duration window) {
            stderrLinesPerWindow = lines;
            stderrWindow = window;
            return this;
        }

        /** Checks every setting (the program found, at most {@link HelperSpec#MAX_ARGS} arguments) and builds; throws {@link IllegalArgumentException} listing every invalid one. */
        public HelperSpec build() {
            List<String> errors = new ArrayList<>();
            if (name.isBlank()) errors.add("name must not be blank");
            resolvedProgram = resolve(program, errors);
            if (args.size() > MAX_ARGS)
                errors.add("too many arguments: " + args.size() + " after the program name, at most " + MAX_ARGS);
            for (String a : args) {
                if (a == null || a.indexOf('\0') >= 0) errors.add("argument " + a + " is null or contains NUL");
            }
            if (channelType == null) errors.add("channelType must be set");
            if (hello != null && (hello.isEmpty() || hello.indexOf('\n') >= 0 || hello.length() > 200))
                errors.add("hello must be 1..200 characters without LF, got '" + hello + "'");
            positive(errors, "handshakeTimeout", handshakeTimeout);
            nonNegative(errors, "closeGrace", closeGrace);
            nonNegative(errors, "termGrace", termGrace);
            positive(errors, "stderrWindow", stderrWindow);
            if (stderrMaxLine < 16) errors.add("stderrMaxLine must be at least 16 bytes, got " + stderrMaxLine);
            if (stderrLinesPerWindow < 1) errors.add("stderr rate limit must be at least 1 line, got " + stderrLinesPerWindow);
            if ((uid != null || gid != null) && (uid == null || gid == null))
                errors.add("uid and gid must be given together");
            if (!errors.isEmpty())
                throw new IllegalArgumentException("invalid helper '" + name + "': " + String.join("; ", errors));
            return new HelperSpec(this);
        }

        private static String resolve(String program, List<String> errors) {
            if (program.isEmpty()) {
                errors.add("program must not be empty");
                return "/";
            }
            if (program.indexOf('/') >= 0) {
                if (!program.startsWith("/")) errors.add("program must be an absolute path or a bare name, got " + program);
                return program; // existence is checked by the exec itself, synchronously
            }
            String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, program).toAbsolutePath();
                if (Files.isExecutable(p) && !Files.isDirectory(p)) return p.toString();
            }
            errors.add("program " + program + " not found in PATH " + path);
            return "/" + program;
        }

        private static void positive(List<String> errors, String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) errors.add(what + " must be a positive duration, got " + d);
        }

        private static void nonNegative(List<String> errors, String what, Duration d) {
            if (d == null || d.isNegative()) errors.add(what + " must be a non-negative duration, got " + d);
        }
    }
}
