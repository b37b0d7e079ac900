package io.procmaster.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One service: a master.cf entry after parsing and validation, with every attribute the
 * master derives from it (docs/postfix-master.md §1.2, §1.3). Immutable. This is the one model of
 * a service from parse to use: the policy's view and the spawn request are derived from it in one
 * adapter of the loop ({@code loop.ServiceViews}); nothing else describes a service.
 *
 * <p>Interface: made either by {@link MasterCfParser} or by the fluent
 * {@link #builder(String, ServiceType)}; both go through the same {@link ServiceSpecBuilder#build}
 * validation, so the same entry gives an equal {@code ServiceSpec} either way. The accessors give
 * the fields as written (3 to 8, with {@code -} resolved) and the derived attributes: canonical
 * name and {@link #key() identity}; listen endpoints (inet) or socket path (other types, under
 * {@code queue_directory}); the executable (a relative command is resolved against
 * {@code daemon_directory}); local-only and stress eligibility; listen backlog; the child's
 * argument vector ({@link #childArgv}). The throttle time is not a service attribute: it is
 * master-wide ({@link MasterConfig#serviceThrottleTime()}).
 *
 * <p>Failure modes: none once built; every check is the builder's ({@link ServiceSpecBuilder}).
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

    /** Field 1; the field names as Postfix spells them in messages (docs/postfix-master.md §1.2). */
    public static final String F_SERVICE = "service";
    /** Field 2, as Postfix names it in messages. */
    public static final String F_TYPE = "transport type";
    /** Field 3, as Postfix names it in messages. */
    public static final String F_PRIVATE = "private";
    /** Field 4, as Postfix names it in messages. */
    public static final String F_UNPRIV = "unprivileged";
    /** Field 5, as Postfix names it in messages. */
    public static final String F_CHROOT = "chroot";
    /** Field 6, as Postfix names it in messages. */
    public static final String F_WAKEUP = "wakeup_time";
    /** Field 7, as Postfix names it in messages. */
    public static final String F_MAXPROC = "max_proc";
    /** Field 8, as Postfix names it in messages. */
    public static final String F_COMMAND = "command";
    /** The arguments after field 8. */
    public static final String F_ARGS = "args";
    /** The {@code -o procmaster_min_idle} option, named in its messages. */
    public static final String F_MIN_IDLE = MIN_IDLE_OPTION;
    /** {@code -o service_memory_max=…}: this service's memory.max over main.cf's (docs/cgroups.md); consumed. */
    public static final String F_MEMORY_MAX = MasterConfig.SERVICE_MEMORY_MAX;
    /** {@code -o service_pids_max=…}: this service's pids.max over main.cf's; consumed. */
    public static final String F_PIDS_MAX = MasterConfig.SERVICE_PIDS_MAX;
    /** {@code -o service_cpu_max=…}: this service's cpu.max over main.cf's; consumed. */
    public static final String F_CPU_MAX = MasterConfig.SERVICE_CPU_MAX;
    /** The {@code -o} names the master reads as cgroup limits (never passed to the child). */
    public static final java.util.Set<String> CGROUP_LIMIT_OPTIONS = java.util.Set.of(F_MEMORY_MAX, F_PIDS_MAX, F_CPU_MAX);

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
    private final int listenBacklog;
    private final boolean localOnly;
    private final CgroupLimits cgroupLimits;

    /** Only the builder makes one, after validation; {@code b} holds the fields as written. */
    ServiceSpec(ServiceSpecBuilder b, String canonicalName, int maxProc, Path executable, List<String> args,
                int minIdle, List<InetEndpoint> endpoints, Path socketPath, int defaultProcessLimit,
                CgroupLimits cgroupLimits) {
        this.cgroupLimits = cgroupLimits;
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
        this.listenBacklog = Math.max(maxProc, defaultProcessLimit);
        this.localOnly = switch (type) {
            case UNIX, UNIX_DGRAM, FIFO -> true;
            case PASS -> false;
            case INET -> listenEndpoints.stream().allMatch(InetEndpoint::isLoopback);
        };
    }

    /** A builder for a service named {@code name} (field 1 as written) of type {@code type}. */
    public static ServiceSpecBuilder builder(String name, ServiceType type) {
        return new ServiceSpecBuilder(name, type);
    }

    /**
     * A builder for an inet service listening on {@code address} ({@code host:port}, {@code port} or
     * a port name, as field 1 of master.cf) that runs {@code command} (absolute, or under
     * {@code daemon_directory}); the other fields as a master.cf {@code -} (public, unprivileged, no
     * chroot, no wakeup, {@code default_process_limit} processes).
     */
    public static ServiceSpecBuilder inet(String address, String command) {
        return builder(address, ServiceType.INET).command(command);
    }

    /**
     * A builder for a unix-domain stream service {@code name} (its socket is
     * {@code queue_directory/private/<name>}; {@code .privateService(false)} for {@code public/})
     * that runs {@code command}; the other fields as {@link #inet}.
     */
    public static ServiceSpecBuilder unix(String name, String command) {
        return builder(name, ServiceType.UNIX).command(command);
    }

    /** A builder preset with every attribute of this service, for making a modified copy. */
    public ServiceSpecBuilder toBuilder() {
        ServiceSpecBuilder b = new ServiceSpecBuilder(name, type)
                .privateService(privateService)
                .unprivileged(unprivileged)
                .chroot(chroot)
                .wakeup(wakeupSeconds, wakeupConditional)
                .maxProc(maxProc)
                .command(command)
                .args(args);
        if (cgroupLimits.memoryMax() != null) {
            b.option(F_MEMORY_MAX, cgroupLimits.memoryMax());
        }
        if (cgroupLimits.pidsMax() != null) {
            b.option(F_PIDS_MAX, cgroupLimits.pidsMax());
        }
        if (cgroupLimits.cpuMax() != null) {
            b.option(F_CPU_MAX, cgroupLimits.cpuMax());
        }
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

    /** Field 2: the transport type. */
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

    /**
     * The cgroup limits this entry's {@code -o service_*_max} options set (null fields: main.cf's
     * apply); the loop writes {@code over(config.cgroupLimits())} (docs/cgroups.md).
     */
    public CgroupLimits cgroupLimits() {
        return cgroupLimits;
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
                && cgroupLimits.equals(s.cgroupLimits)
                && Objects.equals(socketPath, s.socketPath)
                && listenBacklog == s.listenBacklog;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, canonicalName, type, privateService, unprivileged, chroot, wakeupSeconds,
                wakeupConditional, maxProc, command, executable, args, minIdle, listenEndpoints, socketPath,
                listenBacklog, cgroupLimits);
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

    /** Fields 3 to 5 as master.cf writes them (also for {@link ServiceTable#format()}). */
    static String yn(boolean b) {
        return b ? "y" : "n";
    }
}
