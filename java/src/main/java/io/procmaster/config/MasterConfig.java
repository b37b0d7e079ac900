package io.procmaster.config;

import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Master-wide parameters: the main.cf settings the master itself reads, with their defaults,
 * plus procmaster's own parameters. Immutable; every change makes a new instance.
 *
 * <p>Sources, later ones winning: built-in defaults, a main.cf file
 * ({@link io.procmaster.config.MainCfParser}), then programmatic or command-line overrides
 * ({@link #withOverrides(Map)}, {@link #withOverride(String)} for {@code -o name=value}).
 * Parameters the master does not know are kept verbatim ({@link #get(String)}), since
 * main.cf is shared with the daemons.
 *
 * <p>Time values take a number and an optional unit {@code s m h d w}; the default unit of
 * every time parameter here is seconds.
 *
 * <p>Bounds: every time parameter is at most {@link #MAX_TIME} (a week), {@value #SPAWN_RATE_LIMIT}
 * at most {@link #MAX_SPAWN_RATE_LIMIT}, {@value #DEFAULT_PROCESS_LIMIT} at most
 * {@link ServiceSpec#MAX_PROCESS_LIMIT}: no value can make the master's timers overflow or its
 * process count run away.
 *
 * <p>Failure modes: {@link #of(Map)} and the {@code with…} methods validate every known
 * parameter and throw one {@link ConfigException} listing all bad ones (errors name the
 * parameter and the value; file and line are added by the main.cf parser).
 */
public final class MasterConfig {

    /** Process limit for services whose maxproc is {@code -}; also the minimum listen backlog. Integer 1..100000, default 100. */
    public static final String DEFAULT_PROCESS_LIMIT = "default_process_limit";
    /** Delay before a throttled service is tried again (docs/postfix-master.md §3.6). Time 1s..1w, default {@code 60s}. */
    public static final String SERVICE_THROTTLE_TIME = "service_throttle_time";
    /**
     * procmaster: cap for the exponential throttle backoff (docs/postfix-master.md §10 W11). Time ≥ service_throttle_time, at most 1w;
     * default ten times {@code service_throttle_time}, at most 1w.
     */
    public static final String THROTTLE_MAX_TIME = "throttle_max_time";
    /**
     * procmaster: most children per service within one second that exit on their own without
     * serving (never took a connection, not retired by a reload or removal), so a daemon that
     * exits 0 at once cannot make a tight loop (docs/postfix-master.md §10 W11). Integer 0..10000, 0 means no limit;
     * default 100.
     */
    public static final String SPAWN_RATE_LIMIT = "spawn_rate_limit";
    /** procmaster: how long children of a removed service get between SIGTERM and SIGKILL (docs/postfix-master.md §10 W3). Time 1s..1w, default {@code 10s}. */
    public static final String SERVICE_DRAIN_TIME = "service_drain_time";
    /** Length of a stress period after a spawn at the process limit (docs/postfix-master.md §2.4). Time 1s..1w, default {@code 1000s}. */
    public static final String STRESS_WINDOW_TIME = "stress_window_time";
    /** Least time between two "has reached its process limit" warnings of a service (docs/postfix-master.md §2.2 R3). Time 1s..1w, default {@code 1000s}. */
    public static final String BUSY_WARNING_TIME = "busy_warning_time";
    /** Directory that relative master.cf commands are resolved against. Absolute path, default {@code /usr/libexec/procmaster}. */
    public static final String DAEMON_DIRECTORY = "daemon_directory";
    /**
     * Directory that holds the {@code private/} and {@code public/} sockets of path-based
     * services; the master's working directory. Absolute path, default {@code /var/spool/procmaster}.
     */
    public static final String QUEUE_DIRECTORY = "queue_directory";
    /** procmaster: UNIX socket for reload/stop/status; relative paths are under queue_directory. Default {@code procmaster.sock}. */
    public static final String CONTROL_SOCKET = "control_socket";
    /**
     * Addresses that inet services without a host part listen on: {@code all} (wildcard),
     * {@code loopback-only} (127.0.0.1 and ::1), or a list of addresses or host names separated
     * by commas or whitespace. Default {@code all}. procmaster does not enumerate the host's
     * interfaces: an explicit list is used as given.
     */
    public static final String INET_INTERFACES = "inet_interfaces";
    /** Symbolic port names for inet services, {@code name=port} items. Default {@code lmtp=24, smtp=25, smtps=submissions=465, submission=587}. */
    public static final String KNOWN_TCP_PORTS = "known_tcp_ports";
    /** master.cf entries to skip, as {@code type} or {@code name/type} patterns (docs/postfix-master.md §1.1.6). Default empty. */
    public static final String MASTER_SERVICE_DISABLE = "master_service_disable";
    /** procmaster: services(5) file consulted after known_tcp_ports; empty means none. Default {@code /etc/services}. */
    public static final String SERVICES_FILE = "services_file";
    /**
     * The children's environment besides {@code GENERATION}: {@code NAME} (the master's own value,
     * when set) and {@code NAME=value} items separated by whitespace or commas, as in Postfix
     * ({@link ImportEnvironment}). Default {@code PATH TZ LANG LC_ALL MAIL_CONFIG MAIL_DEBUG
     * MAIL_LOGTAG}; Postfix's default differs (no PATH or LC_ALL, {@code LANG=C}, and X11 and
     * postlog names).
     */
    public static final String IMPORT_ENVIRONMENT = "import_environment";
    /**
     * The user that owns the socket and FIFO files of path-based services ({@code unix},
     * {@code pass}, {@code unix-dgram}, {@code fifo}), as Postfix's master creates them as
     * {@code mail_owner}: unprivileged daemons run as that user and connect to each other's
     * private sockets. Empty (the default) leaves them to the master's own user.
     */
    public static final String MAIL_OWNER = "mail_owner";

    /**
     * procmaster: {@code yes} gives every service its own cgroup2 cgroup under
     * {@value #CGROUP_DIRECTORY}, its children spawned straight into it, every process in it ended
     * when the service is removed or the master stops (docs/cgroups.md). {@code yes} or {@code no},
     * default {@code no}.
     */
    public static final String SERVICE_CGROUPS = "service_cgroups";
    /**
     * procmaster: the delegated cgroup2 directory the services' cgroups are made in. Absolute
     * path; empty (the default) means the master's own cgroup ({@code 0::} of /proc/self/cgroup under
     * the cgroup2 mount), into whose leaf {@code master} the master then moves itself (docs/cgroups.md).
     */
    public static final String CGROUP_DIRECTORY = "cgroup_directory";
    /** procmaster: a service's memory.max: {@code max} or bytes with k/m/g/t, default {@code max} (docs/cgroups.md). */
    public static final String SERVICE_MEMORY_MAX = "service_memory_max";
    /** procmaster: a service's pids.max: {@code max} or a count, default {@code max} (docs/cgroups.md). */
    public static final String SERVICE_PIDS_MAX = "service_pids_max";
    /** procmaster: a service's cpu.max: {@code max}, {@code 150%} or {@code quota period}, default {@code max} (docs/cgroups.md). */
    public static final String SERVICE_CPU_MAX = "service_cpu_max";

    /** Largest {@value #SPAWN_RATE_LIMIT} accepted (per service per second). */
    public static final int MAX_SPAWN_RATE_LIMIT = 10_000;
    /** Longest value of every time parameter above: one week. */
    public static final Duration MAX_TIME = Duration.ofDays(7);

    private static final Map<String, String> DEFAULTS;
    static final List<String> ALL = List.of("*");

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(DEFAULT_PROCESS_LIMIT, "100");
        d.put(SERVICE_THROTTLE_TIME, "60s");
        d.put(SPAWN_RATE_LIMIT, "100");
        d.put(SERVICE_DRAIN_TIME, "10s");
        d.put(STRESS_WINDOW_TIME, "1000s");
        d.put(BUSY_WARNING_TIME, "1000s");
        d.put(DAEMON_DIRECTORY, "/usr/libexec/procmaster");
        d.put(QUEUE_DIRECTORY, "/var/spool/procmaster");
        d.put(CONTROL_SOCKET, "procmaster.sock");
        d.put(INET_INTERFACES, "all");
        d.put(KNOWN_TCP_PORTS, "lmtp=24, smtp=25, smtps=submissions=465, submission=587");
        d.put(MASTER_SERVICE_DISABLE, "");
        d.put(SERVICES_FILE, "/etc/services");
        d.put(IMPORT_ENVIRONMENT, "PATH TZ LANG LC_ALL MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG");
        d.put(MAIL_OWNER, "");
        d.put(SERVICE_CGROUPS, "no");
        d.put(CGROUP_DIRECTORY, "");
        d.put(SERVICE_MEMORY_MAX, CgroupLimits.MAX);
        d.put(SERVICE_PIDS_MAX, CgroupLimits.MAX);
        d.put(SERVICE_CPU_MAX, CgroupLimits.MAX);
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private static final MasterConfig DEFAULT_CONFIG;

    static {
        try {
            DEFAULT_CONFIG = new MasterConfig(Map.of());
        } catch (ConfigException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<String, String> explicit;
    private final int defaultProcessLimit;
    private final Duration serviceThrottleTime;
    private final Duration throttleMaxTime;
    private final int spawnRateLimit;
    private final Duration serviceDrainTime;
    private final Duration stressWindowTime;
    private final Duration busyWarningTime;
    private final Path daemonDirectory;
    private final Path queueDirectory;
    private final Path controlSocket;
    private final boolean allInterfaces;
    private final List<String> interfaceHosts;
    private final Map<String, Integer> knownTcpPorts;
    private final String masterServiceDisable;
    private final Path servicesFile;
    private final ImportEnvironment importEnvironment;
    private final UserPrincipal mailOwner;
    private final PortTable ports;
    private final boolean serviceCgroups;
    private final Path cgroupDirectory;
    private final CgroupLimits cgroupLimits;

    private MasterConfig(Map<String, String> explicit) throws ConfigException {
        this.explicit = Collections.unmodifiableMap(new LinkedHashMap<>(explicit));
        List<ConfigError> errors = new ArrayList<>();
        defaultProcessLimit = orZero(parse(errors, DEFAULT_PROCESS_LIMIT, v -> ParameterValues.integer(v, 1, ServiceSpec.MAX_PROCESS_LIMIT)));
        serviceThrottleTime = parse(errors, SERVICE_THROTTLE_TIME, v -> ParameterValues.time(v, 1));
        spawnRateLimit = orZero(parse(errors, SPAWN_RATE_LIMIT, v -> ParameterValues.integer(v, 0, MAX_SPAWN_RATE_LIMIT)));
        serviceDrainTime = parse(errors, SERVICE_DRAIN_TIME, v -> ParameterValues.time(v, 1));
        stressWindowTime = parse(errors, STRESS_WINDOW_TIME, v -> ParameterValues.time(v, 1));
        busyWarningTime = parse(errors, BUSY_WARNING_TIME, v -> ParameterValues.time(v, 1));
        daemonDirectory = parse(errors, DAEMON_DIRECTORY, ParameterValues::absolutePath);
        queueDirectory = parse(errors, QUEUE_DIRECTORY, ParameterValues::absolutePath);
        Path control = parse(errors, CONTROL_SOCKET, ParameterValues::path);
        controlSocket = control == null || queueDirectory == null ? control : queueDirectory.resolve(control);
        List<String> hosts = parse(errors, INET_INTERFACES, ParameterValues::interfaces);
        allInterfaces = ALL.equals(hosts);
        interfaceHosts = hosts == null || allInterfaces ? List.of() : hosts;
        knownTcpPorts = parse(errors, KNOWN_TCP_PORTS, PortTable::parseKnownPorts);
        masterServiceDisable = value(MASTER_SERVICE_DISABLE).trim();
        servicesFile = parse(errors, SERVICES_FILE, v -> v.trim().isEmpty() ? null : Path.of(v.trim()));
        importEnvironment = parse(errors, IMPORT_ENVIRONMENT, ImportEnvironment::parse);
        mailOwner = parse(errors, MAIL_OWNER, ParameterValues::user);
        serviceCgroups = Boolean.TRUE.equals(parse(errors, SERVICE_CGROUPS, ParameterValues::yesNo));
        cgroupDirectory = parse(errors, CGROUP_DIRECTORY, v -> v.isBlank() ? null : ParameterValues.absolutePath(v));
        cgroupLimits = new CgroupLimits(parse(errors, SERVICE_MEMORY_MAX, CgroupLimits::memory),
                parse(errors, SERVICE_PIDS_MAX, CgroupLimits::pids), parse(errors, SERVICE_CPU_MAX, CgroupLimits::cpu));
        String maxText = explicit.get(THROTTLE_MAX_TIME);
        if (maxText == null) {
            throttleMaxTime = serviceThrottleTime == null ? null
                    : min(serviceThrottleTime.multipliedBy(10), MAX_TIME); // never below it: it is at most MAX_TIME
        } else {
            Duration max = parse(errors, THROTTLE_MAX_TIME, v -> ParameterValues.time(v, 1));
            if (max != null && serviceThrottleTime != null && max.compareTo(serviceThrottleTime) < 0) {
                errors.add(ConfigError.parameter(THROTTLE_MAX_TIME, maxText,
                        "must not be less than " + SERVICE_THROTTLE_TIME + " ("
                                + TimeValues.format(serviceThrottleTime) + ")"));
            }
            throttleMaxTime = max;
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        ports = new PortTable(knownTcpPorts, servicesFile);
    }

    /** The built-in defaults, with nothing set explicitly. */
    public static MasterConfig defaults() {
        return DEFAULT_CONFIG;
    }

    /**
     * A configuration with {@code values} set over the defaults.
     *
     * @throws ConfigException naming every parameter whose value is bad
     */
    public static MasterConfig of(Map<String, String> values) throws ConfigException {
        return new MasterConfig(values);
    }

    /**
     * This configuration with {@code overrides} applied on top (command-line {@code -o}).
     *
     * @throws ConfigException naming every parameter whose value is bad
     */
    public MasterConfig withOverrides(Map<String, String> overrides) throws ConfigException {
        Map<String, String> m = new LinkedHashMap<>(explicit);
        m.putAll(overrides);
        return new MasterConfig(m);
    }

    /**
     * This configuration with one {@code name=value} override, as given to {@code -o}.
     * Whitespace around the name and the value is ignored.
     *
     * @throws ConfigException when the text has no {@code =} or an empty name, or the value is bad
     */
    public MasterConfig withOverride(String nameEqualsValue) throws ConfigException {
        int eq = nameEqualsValue.indexOf('=');
        if (eq <= 0 || nameEqualsValue.substring(0, eq).isBlank()) {
            throw new ConfigException(ConfigError.message(
                    "bad override \"" + nameEqualsValue + "\": expected name=value"));
        }
        return withOverrides(Map.of(nameEqualsValue.substring(0, eq).strip(),
                nameEqualsValue.substring(eq + 1).strip()));
    }

    /** The value of any parameter, known or not: the explicit value, else the default, else empty. */
    public Optional<String> get(String name) {
        String v = explicit.get(name);
        return Optional.ofNullable(v != null ? v : DEFAULTS.get(name));
    }

    /** The parameters set explicitly (main.cf and overrides), in the order first set. */
    public Map<String, String> explicitParameters() {
        return explicit;
    }

    /** The names and default values of the parameters the master knows, except throttle_max_time (derived). */
    public static Map<String, String> defaultValues() {
        return DEFAULTS;
    }

    /** {@value #DEFAULT_PROCESS_LIMIT}. */
    public int defaultProcessLimit() {
        return defaultProcessLimit;
    }

    /** {@value #SERVICE_THROTTLE_TIME}. */
    public Duration serviceThrottleTime() {
        return serviceThrottleTime;
    }

    /** {@value #THROTTLE_MAX_TIME}. */
    public Duration throttleMaxTime() {
        return throttleMaxTime;
    }

    /** {@value #SPAWN_RATE_LIMIT}; 0 means no limit. */
    public int spawnRateLimit() {
        return spawnRateLimit;
    }

    /** {@value #SERVICE_DRAIN_TIME}. */
    public Duration serviceDrainTime() {
        return serviceDrainTime;
    }

    /** {@value #STRESS_WINDOW_TIME}. */
    public Duration stressWindowTime() {
        return stressWindowTime;
    }

    /** {@value #BUSY_WARNING_TIME}. */
    public Duration busyWarningTime() {
        return busyWarningTime;
    }

    /** {@value #DAEMON_DIRECTORY}. */
    public Path daemonDirectory() {
        return daemonDirectory;
    }

    /** {@value #QUEUE_DIRECTORY}. */
    public Path queueDirectory() {
        return queueDirectory;
    }

    /** {@value #CONTROL_SOCKET}, resolved against the queue directory. */
    public Path controlSocket() {
        return controlSocket;
    }

    /** Whether {@value #INET_INTERFACES} is {@code all}: host-less inet services bind the wildcard. */
    public boolean allInterfaces() {
        return allInterfaces;
    }

    /**
     * The hosts of {@value #INET_INTERFACES} in canonical form, duplicates removed; empty when
     * {@link #allInterfaces()} or when the parameter is empty (then an inet service without a
     * host part is an error).
     */
    public List<String> interfaceHosts() {
        return interfaceHosts;
    }

    /** {@value #KNOWN_TCP_PORTS}, parsed. */
    public Map<String, Integer> knownTcpPorts() {
        return knownTcpPorts;
    }

    /** {@value #MASTER_SERVICE_DISABLE}, trimmed. */
    public String masterServiceDisable() {
        return masterServiceDisable;
    }

    /** {@value #SERVICES_FILE}, or empty when none is consulted. */
    public Optional<Path> servicesFile() {
        return Optional.ofNullable(servicesFile);
    }

    /** {@value #IMPORT_ENVIRONMENT}, parsed. */
    public ImportEnvironment importEnvironment() {
        return importEnvironment;
    }

    /** {@value #SERVICE_CGROUPS}: whether each service gets its own cgroup. */
    public boolean serviceCgroups() {
        return serviceCgroups;
    }

    /** {@value #CGROUP_DIRECTORY}, or empty for the master's own cgroup. */
    public Optional<Path> cgroupDirectory() {
        return Optional.ofNullable(cgroupDirectory);
    }

    /** main.cf's service_memory_max, service_pids_max and service_cpu_max, in cgroup file syntax. */
    public CgroupLimits cgroupLimits() {
        return cgroupLimits;
    }

    /** {@value #MAIL_OWNER}, looked up; empty when not set. */
    public Optional<UserPrincipal> mailOwner() {
        return Optional.ofNullable(mailOwner);
    }

    /** Port-name resolution for inet services built from this configuration (the builder's). */
    PortTable ports() {
        return ports;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MasterConfig c && c.explicit.equals(explicit);
    }

    @Override
    public int hashCode() {
        return explicit.hashCode();
    }

    @Override
    public String toString() {
        return "MasterConfig" + explicit;
    }

    private String value(String name) {
        String v = explicit.get(name);
        return v != null ? v : DEFAULTS.get(name);
    }

    private <T> T parse(List<ConfigError> errors, String name, Function<String, T> parser) {
        String v = value(name);
        if (v.indexOf('\0') >= 0) {
            // Every value ends up in a path, a user name, an address or the environment: none takes a NUL.
            errors.add(ConfigError.parameter(name, v, "must not contain a NUL character"));
            return null;
        }
        try {
            return parser.apply(v);
        } catch (IllegalArgumentException e) {
            errors.add(ConfigError.parameter(name, v, e.getMessage()));
            return null;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
