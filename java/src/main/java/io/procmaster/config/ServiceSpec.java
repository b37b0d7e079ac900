package io.procmaster.config;


import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One service: a master.cf entry after parsing and validation, with every attribute the
 * master derives from it (docs/postfix-master.md §1.2, §1.3). Immutable.
 *
 * <p>Made either by {@link io.procmaster.config.MasterCfParser} or by the fluent
 * {@link #builder(String, ServiceType)}; both go through the same {@link Builder#build}
 * validation, so the same entry gives an equal {@code ServiceSpec} either way.
 *
 * <p>Derived attributes: canonical name and {@link #key() identity}; listen endpoints
 * (inet) or socket path (other types, under {@code queue_directory}); the executable (a
 * relative command is resolved against {@code daemon_directory}); local-only and stress
 * eligibility; listen backlog; the throttle time captured at parse time; the child's
 * argument vector ({@link #childArgv}).
 *
 * <p>procmaster extension: {@link #minIdle()}, the number of idle children to keep
 * pre-forked (docs/postfix-master.md §10 W12; 0, the default, keeps the Postfix on-demand policy). In master.cf it is
 * written as the argument pair {@code -o procmaster_min_idle=N}, which the master consumes:
 * it is not passed to the child.
 *
 * <p>Bounds (so that no entry can drive the master into self-destruction): wakeup at most
 * {@link #MAX_WAKEUP_SECONDS}, max_proc at most {@link #MAX_PROCESS_LIMIT} (0 = unlimited),
 * min_idle at most {@link #MAX_MIN_IDLE} and never above a non-zero max_proc.
 */
public final class ServiceSpec {

    /** The {@code -o} option name by which master.cf sets {@link #minIdle()}. */
    public static final String MIN_IDLE_OPTION = "procmaster_min_idle";

    /**
     * Most idle children {@code procmaster_min_idle} may ask for; it must not exceed max_proc
     * either, when max_proc is not 0 (unlimited). Preforking is for a warm pool, not a fork bomb.
     */
    public static final int MAX_MIN_IDLE = 1000;

    /**
     * Largest max_proc (and {@code default_process_limit}) accepted: far above what one service
     * needs on one host; 0 still means unlimited.
     */
    public static final int MAX_PROCESS_LIMIT = 100_000;

    /** Longest wakeup interval accepted, one week in seconds. */
    public static final int MAX_WAKEUP_SECONDS = 7 * 24 * 3600;

    /** Longest UNIX socket path, in bytes, that fits {@code sun_path} with its NUL. */
    public static final int MAX_UNIX_PATH_BYTES = 107;

    /** Field names as Postfix spells them in messages (docs/postfix-master.md §1.2). */
    public static final String F_SERVICE = "service";
    public static final String F_TYPE = "transport type";
    public static final String F_PRIVATE = "private";
    public static final String F_UNPRIV = "unprivileged";
    public static final String F_CHROOT = "chroot";
    public static final String F_WAKEUP = "wakeup_time";
    public static final String F_MAXPROC = "max_proc";
    public static final String F_COMMAND = "command";
    public static final String F_ARGS = "args";
    public static final String F_MIN_IDLE = MIN_IDLE_OPTION;

    private final String name;
    private final String canonicalName;
    private final ServiceType type;
    private final boolean privateService;
    private final boolean unprivileged;
    private final boolean chroot;
    private final int wakeupSeconds;
    private final boolean wakeupConditional;
    private final int maxProc;
    private final String command;
    private final Path executable;
    private final List<String> args;
    private final int minIdle;
    private final List<InetEndpoint> listenEndpoints;
    private final Path socketPath;
    private final Duration throttleTime;
    private final int listenBacklog;
    private final boolean localOnly;

    private ServiceSpec(Builder b, String canonicalName, int maxProc, Path executable, List<String> args,
                        int minIdle, List<InetEndpoint> endpoints, Path socketPath, MasterConfig config) {
        this.name = b.name;
        this.canonicalName = canonicalName;
        this.type = b.type;
        this.privateService = b.effectivePrivate();
        this.unprivileged = b.unprivileged;
        this.chroot = b.chroot;
        this.wakeupSeconds = b.wakeupSeconds;
        this.wakeupConditional = b.wakeupConditional && b.wakeupSeconds > 0;
        this.maxProc = maxProc;
        this.command = b.command;
        this.executable = executable;
        this.args = List.copyOf(args);
        this.minIdle = minIdle;
        this.listenEndpoints = List.copyOf(endpoints);
        this.socketPath = socketPath;
        this.throttleTime = config.serviceThrottleTime();
        this.listenBacklog = Math.max(maxProc, config.defaultProcessLimit());
        this.localOnly = switch (type) {
            case UNIX, UNIX_DGRAM, FIFO -> true;
            case PASS -> false;
            case INET -> listenEndpoints.stream().allMatch(InetEndpoint::isLoopback);
        };
    }

    /** A builder for a service named {@code name} (field 1 as written) of type {@code type}. */
    public static Builder builder(String name, ServiceType type) {
        return new Builder(name, type);
    }

    /** A builder preset with every attribute of this service, for making a modified copy. */
    public Builder toBuilder() {
        Builder b = new Builder(name, type)
                .privateService(privateService)
                .unprivileged(unprivileged)
                .chroot(chroot)
                .wakeup(wakeupSeconds, wakeupConditional)
                .maxProc(maxProc)
                .command(command)
                .args(args);
        return b.minIdle(minIdle);
    }

    /** Field 1 as written, used in log messages (the "external name"). */
    public String name() {
        return name;
    }

    /** The internal name: {@code private/<name>} or {@code public/<name>}, or the numeric inet form (docs/postfix-master.md §1.3.2). */
    public String canonicalName() {
        return canonicalName;
    }

    /** (canonical name, type): what makes two entries the same service. */
    public ServiceKey key() {
        return new ServiceKey(canonicalName, type);
    }

    public ServiceType type() {
        return type;
    }

    /** Field 3: whether the socket lives under {@code private/} (always false for inet). */
    public boolean isPrivate() {
        return privateService;
    }

    /** Field 4: whether the child drops privileges ({@code -u}). */
    public boolean isUnprivileged() {
        return unprivileged;
    }

    /** Field 5: whether the child chroots to the queue directory ({@code -c}). */
    public boolean isChroot() {
        return chroot;
    }

    /** Field 6: wakeup interval in seconds; 0 means no wakeup. */
    public int wakeupSeconds() {
        return wakeupSeconds;
    }

    /** Field 6 ended in {@code ?} with a value above 0: no wakeup before the first spawn (docs/postfix-master.md §5.5). */
    public boolean isWakeupConditional() {
        return wakeupConditional;
    }

    /** Field 7, with {@code -} already replaced by {@code default_process_limit}; 0 means unlimited. */
    public int maxProc() {
        return maxProc;
    }

    /** Whether {@link #maxProc()} is 0. */
    public boolean isUnlimited() {
        return maxProc == 0;
    }

    /** Field 8 as written; argv[0] of the child. */
    public String command() {
        return command;
    }

    /** The program to execute: the command if absolute, else under {@code daemon_directory}. */
    public Path executable() {
        return executable;
    }

    /** The user arguments after the command, braces removed, master-only options consumed. */
    public List<String> args() {
        return args;
    }

    /** Idle children to keep pre-forked (docs/postfix-master.md §10 W12); 0 means on-demand only, as Postfix. */
    public int minIdle() {
        return minIdle;
    }

    /** For inet, one endpoint per address to listen on (docs/postfix-master.md §1.3.3); empty for other types. */
    public List<InetEndpoint> listenEndpoints() {
        return listenEndpoints;
    }

    /**
     * For path-based types, {@code queue_directory/<canonical name>}, always directly in
     * {@code public/} or {@code private/} (the builder refuses names with {@code /}, and
     * {@code .} and {@code ..}); empty for inet.
     */
    public Optional<Path> socketPath() {
        return Optional.ofNullable(socketPath);
    }

    /** Number of listen sockets the child receives (fd 6 onwards). */
    public int listenSocketCount() {
        return type == ServiceType.INET ? listenEndpoints.size() : 1;
    }

    /** {@code service_throttle_time} when this entry was parsed (docs/postfix-master.md §1.3.8). */
    public Duration throttleTime() {
        return throttleTime;
    }

    /** Listen backlog: max(maxproc, default_process_limit) (docs/postfix-master.md §1.3.9). */
    public int listenBacklog() {
        return listenBacklog;
    }

    /** Local-only (docs/postfix-master.md §1.3.4): unix, unix-dgram, fifo; inet when every endpoint is loopback; never pass. */
    public boolean isLocalOnly() {
        return localOnly;
    }

    /** Stress eligible (docs/postfix-master.md §1.3.5): not local-only and maxproc above 1. */
    public boolean isStressEligible() {
        return !localOnly && maxProc > 1;
    }

    /**
     * The child's argument vector in the order of docs/postfix-master.md §1.3.7: command, {@code -l}/{@code -z},
     * {@code -n name}, {@code -t type}, {@code -d}, {@code -v}, {@code -u}, {@code -c},
     * {@code -o stress=…} (stress-eligible only), {@code -s N} (more than one socket), user args.
     *
     * @param debug   the master runs with {@code -d}
     * @param verbose the master is verbose
     * @param stress  the child is spawned during a stress period (ignored unless stress-eligible)
     */
    public List<String> childArgv(boolean debug, boolean verbose, boolean stress) {
        List<String> argv = new ArrayList<>();
        argv.add(command);
        if (maxProc == 1) {
            argv.add("-l");
        }
        if (maxProc == 0) {
            argv.add("-z");
        }
        String base = command.substring(command.lastIndexOf('/') + 1);
        if (!base.equals(name)) {
            argv.add("-n");
            argv.add(name);
        }
        argv.add("-t");
        argv.add(type.token());
        if (debug) {
            argv.add("-d");
        }
        if (verbose) {
            argv.add("-v");
        }
        if (unprivileged) {
            argv.add("-u");
        }
        if (chroot) {
            argv.add("-c");
        }
        if (isStressEligible()) {
            argv.add("-o");
            argv.add(stress ? "stress=yes" : "stress=");
        }
        if (listenSocketCount() > 1) {
            argv.add("-s");
            argv.add(Integer.toString(listenSocketCount()));
        }
        argv.addAll(args);
        return List.copyOf(argv);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServiceSpec s)) {
            return false;
        }
        return name.equals(s.name) && canonicalName.equals(s.canonicalName) && type == s.type
                && privateService == s.privateService && unprivileged == s.unprivileged && chroot == s.chroot
                && wakeupSeconds == s.wakeupSeconds && wakeupConditional == s.wakeupConditional
                && maxProc == s.maxProc && command.equals(s.command) && executable.equals(s.executable)
                && args.equals(s.args) && minIdle == s.minIdle && listenEndpoints.equals(s.listenEndpoints)
                && Objects.equals(socketPath, s.socketPath) && throttleTime.equals(s.throttleTime)
                && listenBacklog == s.listenBacklog;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, canonicalName, type, privateService, unprivileged, chroot, wakeupSeconds,
                wakeupConditional, maxProc, command, executable, args, minIdle, listenEndpoints, socketPath,
                throttleTime, listenBacklog);
    }

    @Override
    public String toString() {
        return "ServiceSpec[" + name + " (" + key() + ") private=" + yn(privateService) + " unpriv="
                + yn(unprivileged) + " chroot=" + yn(chroot) + " wakeup=" + wakeupText() + " maxproc=" + maxProc
                + " command=" + command + " args=" + args + (minIdle > 0 ? " minIdle=" + minIdle : "") + "]";
    }

    /** Field 6 as procmaster prints it: {@code 0}, {@code 60} or {@code 1000?}. */
    public String wakeupText() {
        return wakeupSeconds + (wakeupConditional ? "?" : "");
    }

    private static String yn(boolean b) {
        return b ? "y" : "n";
    }

    /**
     * Fluent construction of a {@link ServiceSpec}, validated exactly as a master.cf entry.
     *
     * <p>Defaults, matching a master.cf {@code -}: private {@code y} (but {@code n} for inet,
     * which cannot be private; the parser passes {@code y} for a {@code -} and so reports
     * the error as Postfix does), unprivileged {@code y}, chroot {@code n}, wakeup 0, maxproc
     * {@code default_process_limit}, no arguments, minIdle 0. The command has no default.
     *
     * <p>Failure modes: {@link #build} throws one {@link ConfigException} listing every bad
     * attribute, each naming the master.cf field and the value; a service name or command with a
     * control character (NUL included) and an argument with a NUL are such errors, never a path
     * exception. Not thread-safe.
     */
    public static final class Builder {
        private final String name;
        private final ServiceType type;
        private Boolean privateService;
        private boolean unprivileged = true;
        private boolean chroot = false;
        private int wakeupSeconds = 0;
        private boolean wakeupConditional = false;
        private Integer maxProc;
        private String command;
        private List<String> args = new ArrayList<>();
        private int minIdle = 0;

        private Builder(String name, ServiceType type) {
            this.name = name;
            this.type = type;
        }

        /** Field 3. */
        public Builder privateService(boolean value) {
            this.privateService = value;
            return this;
        }

        /** Field 4. */
        public Builder unprivileged(boolean value) {
            this.unprivileged = value;
            return this;
        }

        /** Field 5. */
        public Builder chroot(boolean value) {
            this.chroot = value;
            return this;
        }

        /** Field 6 without {@code ?}. */
        public Builder wakeup(int seconds) {
            return wakeup(seconds, false);
        }

        /** Field 6; {@code conditional} is the trailing {@code ?}, ignored when seconds is 0. */
        public Builder wakeup(int seconds, boolean conditional) {
            this.wakeupSeconds = seconds;
            this.wakeupConditional = conditional;
            return this;
        }

        /** Field 7; 0 means unlimited. Unset means {@code default_process_limit}. */
        public Builder maxProc(int value) {
            this.maxProc = value;
            return this;
        }

        /** Field 8: absolute, or relative to {@code daemon_directory}. */
        public Builder command(String value) {
            this.command = value;
            return this;
        }

        /** Replaces the user arguments. */
        public Builder args(List<String> values) {
            this.args = new ArrayList<>(values);
            return this;
        }

        /** Replaces the user arguments. */
        public Builder args(String... values) {
            return args(Arrays.asList(values));
        }

        /** Appends one user argument. */
        public Builder arg(String value) {
            this.args.add(value);
            return this;
        }

        /** Appends {@code -o name=value}. */
        public Builder option(String paramName, String value) {
            this.args.add("-o");
            this.args.add(paramName + "=" + value);
            return this;
        }

        /** Idle children to keep pre-forked; a {@code -o procmaster_min_idle=N} argument overrides it. */
        public Builder minIdle(int value) {
            this.minIdle = value;
            return this;
        }

        /** Builds against {@link MasterConfig#defaults()}. */
        public ServiceSpec build() throws ConfigException {
            return build(MasterConfig.defaults());
        }

        /**
         * Validates and builds, taking defaults and directories from {@code config}.
         *
         * @throws ConfigException listing every bad attribute (no file or line)
         */
        public ServiceSpec build(MasterConfig config) throws ConfigException {
            List<ConfigError> errors = new ArrayList<>();
            if (type == null) {
                throw new ConfigException(ConfigError.message("missing \"" + F_TYPE + "\" field"));
            }
            boolean nameOk = false;
            if (name == null || name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
                errors.add(ConfigError.field(F_SERVICE, String.valueOf(name), "must be one non-empty token"));
            } else if (name.chars().anyMatch(Character::isISOControl)) {
                // A NUL cannot be in a socket path; other control characters would reach the logs raw.
                errors.add(ConfigError.field(F_SERVICE, name, "must not contain control characters"));
            } else {
                nameOk = true;
            }
            String canonical = name;
            List<InetEndpoint> endpoints = List.of();
            Path socketPath = null;
            boolean priv = effectivePrivate();
            if (type == ServiceType.INET) {
                if (priv) {
                    errors.add(ConfigError.field(F_PRIVATE, "y", "inet service cannot be private"));
                }
                if (nameOk) {
                    try {
                        InetNames.HostPort hp = InetNames.split(name);
                        int port = config.ports().resolve(hp.port());
                        if (hp.host() != null) {
                            String host = InetNames.canonicalHost(hp.host());
                            canonical = "[" + host + "]:" + port;
                            endpoints = List.of(new InetEndpoint(host, port));
                        } else {
                            canonical = Integer.toString(port);
                            if (config.allInterfaces()) {
                                endpoints = List.of(InetEndpoint.wildcard(port));
                            } else if (config.interfaceHosts().isEmpty()) {
                                errors.add(ConfigError.field(F_SERVICE, name, "service definition requires "
                                        + "valid host name or address, or non-empty inet_interfaces setting"));
                            } else {
                                endpoints = config.interfaceHosts().stream()
                                        .map(h -> new InetEndpoint(h, port)).toList();
                            }
                        }
                    } catch (IllegalArgumentException e) {
                        errors.add(ConfigError.field(F_SERVICE, name, e.getMessage()));
                    }
                }
            } else if (nameOk && (name.contains("/") || name.equals(".") || name.equals(".."))) {
                // The socket is public/<name> or private/<name>: a path here could leave the queue directory.
                errors.add(ConfigError.field(F_SERVICE, name, "a " + type.token() + " service name is a file name in "
                        + (priv ? "private/" : "public/") + " of queue_directory: no \"/\", not \".\" or \"..\""));
            } else if (nameOk) {
                canonical = (priv ? "private/" : "public/") + name;
                socketPath = config.queueDirectory().resolve(canonical);
                int len = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
                if (len > MAX_UNIX_PATH_BYTES) {
                    errors.add(ConfigError.field(F_SERVICE, name, "unix-domain name too long: " + socketPath
                            + " (" + len + " bytes, at most " + MAX_UNIX_PATH_BYTES + ")"));
                }
            }
            if (wakeupSeconds < 0) {
                errors.add(ConfigError.field(F_WAKEUP, Integer.toString(wakeupSeconds), "must be 0 or more"));
            } else if (wakeupSeconds > 0 && !type.supportsWakeup()) {
                errors.add(ConfigError.field(F_WAKEUP, wakeupText(), "a " + type.token()
                        + " service cannot receive wakeup triggers; use 0"));
            } else if (wakeupSeconds > MAX_WAKEUP_SECONDS) {
                errors.add(ConfigError.field(F_WAKEUP, wakeupText(), "must be at most " + MAX_WAKEUP_SECONDS));
            }
            int max = maxProc != null ? maxProc : config.defaultProcessLimit();
            if (max < 0) {
                errors.add(ConfigError.field(F_MAXPROC, Integer.toString(max), "must be 0 (unlimited) or more"));
            } else if (max > MAX_PROCESS_LIMIT) {
                errors.add(ConfigError.field(F_MAXPROC, Integer.toString(max),
                        "must be at most " + MAX_PROCESS_LIMIT + " (0 means unlimited)"));
            }
            Path executable = null;
            if (command == null) {
                errors.add(ConfigError.message("missing \"" + F_COMMAND + "\" field"));
            } else if (command.isEmpty() || command.chars().anyMatch(Character::isWhitespace)) {
                errors.add(ConfigError.field(F_COMMAND, command, "must be one non-empty token"));
            } else if (command.chars().anyMatch(Character::isISOControl)) {
                errors.add(ConfigError.field(F_COMMAND, command, "must not contain control characters"));
            } else {
                Path p = Path.of(command);
                executable = p.isAbsolute() ? p : config.daemonDirectory().resolve(p);
            }
            List<String> userArgs = new ArrayList<>();
            int idle = minIdle;
            for (String a : args) {
                if (a != null && a.indexOf('\0') >= 0) {
                    errors.add(ConfigError.field(F_ARGS, a, "must not contain a NUL character (execve cannot pass it)"));
                }
            }
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a == null) {
                    errors.add(ConfigError.field(F_ARGS, "null", "arguments cannot be null"));
                    continue;
                }
                if (!a.equals("-o")) {
                    userArgs.add(a);
                    continue;
                }
                String nv = i + 1 < args.size() ? args.get(i + 1) : null;
                int eq = nv == null ? -1 : nv.indexOf('=');
                if (eq < 0 || nv.substring(0, eq).isBlank()) {
                    errors.add(ConfigError.field(F_ARGS, nv == null ? "-o" : "-o " + nv,
                            "-o needs a following name=value"));
                    i++;
                    continue;
                }
                i++;
                if (nv.substring(0, eq).strip().equals(MIN_IDLE_OPTION)) {
                    String v = nv.substring(eq + 1).strip();
                    if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
                        errors.add(ConfigError.field(F_MIN_IDLE, v, "expected a decimal number"));
                    } else {
                        idle = Integer.parseInt(v);
                    }
                } else {
                    userArgs.add(a);
                    userArgs.add(nv);
                }
            }
            if (idle < 0) {
                errors.add(ConfigError.field(F_MIN_IDLE, Integer.toString(idle), "must be 0 or more"));
            } else if (max > 0 && idle > max) {
                errors.add(ConfigError.field(F_MIN_IDLE, Integer.toString(idle),
                        "must not exceed max_proc (" + max + ")"));
            } else if (idle > MAX_MIN_IDLE) {
                errors.add(ConfigError.field(F_MIN_IDLE, Integer.toString(idle), "must be at most " + MAX_MIN_IDLE));
            }
            if (!errors.isEmpty()) {
                throw new ConfigException(errors);
            }
            return new ServiceSpec(this, canonical, max, executable, userArgs, idle, endpoints, socketPath, config);
        }

        private boolean effectivePrivate() {
            return privateService != null ? privateService : type != ServiceType.INET;
        }

        private String wakeupText() {
            return wakeupSeconds + (wakeupConditional ? "?" : "");
        }
    }
}
