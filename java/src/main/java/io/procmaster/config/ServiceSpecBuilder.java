package io.procmaster.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ServiceSpecBuilder - fluent construction of a {@link ServiceSpec}, validated exactly as a master.cf
 * entry: the master.cf parser builds every entry with it, so there is one set of checks (maxproc,
 * for one, is validated here and nowhere else).
 *
 * <p>Interface: setters for fields 3 to 9 as written ({@link ServiceSpec#builder} names field 1 and
 * 2), then {@link #build(MasterConfig)}, which checks them and derives what the model holds besides:
 * canonical name, inet endpoints ({@code inet_interfaces}, port names), socket path under
 * {@code queue_directory}, executable under {@code daemon_directory}, maxproc {@code -} as
 * {@code default_process_limit}, the master-only {@code -o procmaster_min_idle} consumed.
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
public final class ServiceSpecBuilder {
    // Package-private: the model's constructor reads the fields as written.
    final String name;
    final ServiceType type;
    private Boolean privateService;
    boolean unprivileged = true;
    boolean chroot = false;
    int wakeupSeconds = 0;
    boolean wakeupConditional = false;
    private Integer maxProc;
    String command;
    private List<String> args = new ArrayList<>();
    private int minIdle = 0;

    ServiceSpecBuilder(String name, ServiceType type) {
        this.name = name;
        this.type = type;
    }

    /** Field 3. */
    public ServiceSpecBuilder privateService(boolean value) {
        this.privateService = value;
        return this;
    }

    /** Field 4. */
    public ServiceSpecBuilder unprivileged(boolean value) {
        this.unprivileged = value;
        return this;
    }

    /** Field 5. */
    public ServiceSpecBuilder chroot(boolean value) {
        this.chroot = value;
        return this;
    }

    /** Field 6 without {@code ?}. */
    public ServiceSpecBuilder wakeup(int seconds) {
        return wakeup(seconds, false);
    }

    /** Field 6; {@code conditional} is the trailing {@code ?}, ignored when seconds is 0. */
    public ServiceSpecBuilder wakeup(int seconds, boolean conditional) {
        this.wakeupSeconds = seconds;
        this.wakeupConditional = conditional;
        return this;
    }

    /** Field 7; 0 means unlimited. Unset means {@code default_process_limit}. */
    public ServiceSpecBuilder maxProc(int value) {
        this.maxProc = value;
        return this;
    }

    /** Field 8: absolute, or relative to {@code daemon_directory}. */
    public ServiceSpecBuilder command(String value) {
        this.command = value;
        return this;
    }

    /** Replaces the user arguments. */
    public ServiceSpecBuilder args(List<String> values) {
        this.args = new ArrayList<>(values);
        return this;
    }

    /** Replaces the user arguments. */
    public ServiceSpecBuilder args(String... values) {
        return args(Arrays.asList(values));
    }

    /** Appends one user argument. */
    public ServiceSpecBuilder arg(String value) {
        this.args.add(value);
        return this;
    }

    /** Appends {@code -o name=value}. */
    public ServiceSpecBuilder option(String paramName, String value) {
        this.args.add("-o");
        this.args.add(paramName + "=" + value);
        return this;
    }

    /** Idle children to keep pre-forked; a {@code -o procmaster_min_idle=N} argument overrides it. */
    public ServiceSpecBuilder minIdle(int value) {
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
            throw new ConfigException(ConfigError.message("missing \"" + ServiceSpec.F_TYPE + "\" field"));
        }
        boolean nameOk = false;
        if (name == null || name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
            errors.add(ConfigError.field(ServiceSpec.F_SERVICE, String.valueOf(name), "must be one non-empty token"));
        } else if (name.chars().anyMatch(Character::isISOControl)) {
            // A NUL cannot be in a socket path; other control characters would reach the logs raw.
            errors.add(ConfigError.field(ServiceSpec.F_SERVICE, name, "must not contain control characters"));
        } else {
            nameOk = true;
        }
        String canonical = name;
        List<InetEndpoint> endpoints = List.of();
        Path socketPath = null;
        boolean priv = effectivePrivate();
        if (type == ServiceType.INET) {
            if (priv) {
                errors.add(ConfigError.field(ServiceSpec.F_PRIVATE, "y", "inet service cannot be private"));
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
                            errors.add(ConfigError.field(ServiceSpec.F_SERVICE, name, "service definition requires "
                                    + "valid host name or address, or non-empty inet_interfaces setting"));
                        } else {
                            endpoints = config.interfaceHosts().stream()
                                    .map(h -> new InetEndpoint(h, port)).toList();
                        }
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(ConfigError.field(ServiceSpec.F_SERVICE, name, e.getMessage()));
                }
            }
        } else if (nameOk && (name.contains("/") || name.equals(".") || name.equals(".."))) {
            // The socket is public/<name> or private/<name>: a path here could leave the queue directory.
            errors.add(ConfigError.field(ServiceSpec.F_SERVICE, name, "a " + type.token() + " service name is a file name in "
                    + (priv ? "private/" : "public/") + " of queue_directory: no \"/\", not \".\" or \"..\""));
        } else if (nameOk) {
            canonical = (priv ? "private/" : "public/") + name;
            socketPath = config.queueDirectory().resolve(canonical);
            int len = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
            if (len > ServiceSpec.MAX_UNIX_PATH_BYTES) {
                errors.add(ConfigError.field(ServiceSpec.F_SERVICE, name, "unix-domain name too long: " + socketPath
                        + " (" + len + " bytes, at most " + ServiceSpec.MAX_UNIX_PATH_BYTES + ")"));
            }
        }
        if (wakeupSeconds < 0) {
            errors.add(ConfigError.field(ServiceSpec.F_WAKEUP, Integer.toString(wakeupSeconds), "must be 0 or more"));
        } else if (wakeupSeconds > 0 && !type.supportsWakeup()) {
            errors.add(ConfigError.field(ServiceSpec.F_WAKEUP, wakeupText(), "a " + type.token()
                    + " service cannot receive wakeup triggers; use 0"));
        } else if (wakeupSeconds > ServiceSpec.MAX_WAKEUP_SECONDS) {
            errors.add(ConfigError.field(ServiceSpec.F_WAKEUP, wakeupText(), "must be at most " + ServiceSpec.MAX_WAKEUP_SECONDS));
        }
        int max = maxProc != null ? maxProc : config.defaultProcessLimit();
        if (max < 0) {
            errors.add(ConfigError.field(ServiceSpec.F_MAXPROC, Integer.toString(max), "must be 0 (unlimited) or more"));
        } else if (max > ServiceSpec.MAX_PROCESS_LIMIT) {
            errors.add(ConfigError.field(ServiceSpec.F_MAXPROC, Integer.toString(max),
                    "must be at most " + ServiceSpec.MAX_PROCESS_LIMIT + " (0 means unlimited)"));
        }
        Path executable = null;
        if (command == null) {
            errors.add(ConfigError.message("missing \"" + ServiceSpec.F_COMMAND + "\" field"));
        } else if (command.isEmpty() || command.chars().anyMatch(Character::isWhitespace)) {
            errors.add(ConfigError.field(ServiceSpec.F_COMMAND, command, "must be one non-empty token"));
        } else if (command.chars().anyMatch(Character::isISOControl)) {
            errors.add(ConfigError.field(ServiceSpec.F_COMMAND, command, "must not contain control characters"));
        } else {
            Path p = Path.of(command);
            executable = p.isAbsolute() ? p : config.daemonDirectory().resolve(p);
        }
        List<String> userArgs = new ArrayList<>();
        int idle = minIdle;
        CgroupLimits limits = CgroupLimits.none();
        for (String a : args) {
            if (a != null && a.indexOf('\0') >= 0) {
                errors.add(ConfigError.field(ServiceSpec.F_ARGS, a, "must not contain a NUL character (execve cannot pass it)"));
            }
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a == null) {
                errors.add(ConfigError.field(ServiceSpec.F_ARGS, "null", "arguments cannot be null"));
                continue;
            }
            if (!a.equals("-o")) {
                userArgs.add(a);
                continue;
            }
            String nv = i + 1 < args.size() ? args.get(i + 1) : null;
            int eq = nv == null ? -1 : nv.indexOf('=');
            if (eq < 0 || nv.substring(0, eq).isBlank()) {
                errors.add(ConfigError.field(ServiceSpec.F_ARGS, nv == null ? "-o" : "-o " + nv,
                        "-o needs a following name=value"));
                i++;
                continue;
            }
            i++;
            String optionName = nv.substring(0, eq).strip();
            if (ServiceSpec.CGROUP_LIMIT_OPTIONS.contains(optionName)) {
                // The master's own (docs/cgroups.md): written to the service's cgroup, not passed on.
                String v = nv.substring(eq + 1).strip();
                try {
                    limits = withLimit(limits, optionName, v);
                } catch (IllegalArgumentException e) {
                    errors.add(ConfigError.field(optionName, v, e.getMessage()));
                }
            } else if (optionName.equals(ServiceSpec.MIN_IDLE_OPTION)) {
                String v = nv.substring(eq + 1).strip();
                if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
                    errors.add(ConfigError.field(ServiceSpec.F_MIN_IDLE, v, "expected a decimal number"));
                } else {
                    idle = Integer.parseInt(v);
                }
            } else {
                userArgs.add(a);
                userArgs.add(nv);
            }
        }
        if (idle < 0) {
            errors.add(ConfigError.field(ServiceSpec.F_MIN_IDLE, Integer.toString(idle), "must be 0 or more"));
        } else if (max > 0 && idle > max) {
            errors.add(ConfigError.field(ServiceSpec.F_MIN_IDLE, Integer.toString(idle),
                    "must not exceed max_proc (" + max + ")"));
        } else if (idle > ServiceSpec.MAX_MIN_IDLE) {
            errors.add(ConfigError.field(ServiceSpec.F_MIN_IDLE, Integer.toString(idle), "must be at most " + ServiceSpec.MAX_MIN_IDLE));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new ServiceSpec(this, canonical, max, executable, userArgs, idle, endpoints, socketPath,
                config.defaultProcessLimit(), limits);
    }

    private static CgroupLimits withLimit(CgroupLimits l, String name, String value) {
        return switch (name) {
            case MasterConfig.SERVICE_MEMORY_MAX -> new CgroupLimits(CgroupLimits.memory(value), l.pidsMax(), l.cpuMax());
            case MasterConfig.SERVICE_PIDS_MAX -> new CgroupLimits(l.memoryMax(), CgroupLimits.pids(value), l.cpuMax());
            default -> new CgroupLimits(l.memoryMax(), l.pidsMax(), CgroupLimits.cpu(value));
        };
    }

    boolean effectivePrivate() {
        return privateService != null ? privateService : type != ServiceType.INET;
    }

    private String wakeupText() {
        return wakeupSeconds + (wakeupConditional ? "?" : "");
    }
}
