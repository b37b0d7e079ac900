package io.procmaster;

import io.procmaster.config.ConfigException;
import io.procmaster.config.MainCfParser;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceTable;
import io.procmaster.loop.MasterLoop;
import io.procmaster.loop.OrphanReaperRole;
import io.procmaster.metrics.Jmx;
import io.procmaster.metrics.MasterMetrics;
import io.procmaster.metrics.registry.SnapshotMasterMetrics;
import io.procmaster.status.ReloadResult;
import io.procmaster.status.ServiceStatus;
import io.procmaster.time.Clock;
import io.procmaster.time.Durations;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running master, from a master.cf file (and optionally main.cf) or from the Java API
 * ({@link #builder()}, docs/java-api.md).
 *
 * <p>Interface: {@link #builder()} or {@link #start}, {@link #reload()} (re-reads master.cf; transactional: a broken or
 * unbindable new file leaves the old services running and the exception says why, naming file
 * and line), {@link #status()}, {@link #stop()}/{@link #close()}. Thread-safe: every call becomes a
 * command for the loop thread.
 *
 * <p>main.cf is read at start only; its parameters shape the policy (throttle, drain, limits), so
 * changing them takes a restart.
 *
 * <p>Metrics: {@link #metrics()}; the MXBeans are registered in the platform MBeanServer at start
 * and unregistered at close (opt-out: {@code -Dprocmaster.jmx=false}, {@link io.procmaster.metrics.Jmx#setEnabled},
 * {@code builder().registerMBeans(false)}; docs/metrics.md).
 *
 * <p>The facade: its signatures name only types of the public API packages ({@code io.procmaster},
 * {@code config}, {@code status}, {@code helper}, {@code metrics}, {@code time}) and of the JDK, never one of the loop, the policy or
 * {@code os}, so those can change behind it (docs/DESIGN.md §2; ArchitectureTest keeps it so).
 * Results are the master's read-only reports of {@code io.procmaster.status} ({@link ReloadResult}, {@link ServiceStatus}).
 */
public final class Master implements AutoCloseable {
    private final Path masterCf;
    private final MasterCfParser parser;
    private final MasterConfig config;
    private final MasterLoop loop;
    private final StartOptions options;
    private final SnapshotMasterMetrics metrics;
    /** When this master started, on the monotonic clock: its {@link #uptime()}, for {@code procmaster status} and the Master MXBean. */
    private final long startedNanos = Clock.system().nanoTime();
    /** The table in effect: the one started with, then the last one a reload applied. */
    private volatile ServiceTable table;

    private Master(Path masterCf, MasterCfParser parser, MasterConfig config, MasterLoop loop, ServiceTable table,
                   StartOptions options) {
        this.masterCf = masterCf;
        this.parser = parser;
        this.config = config;
        this.loop = loop;
        this.table = table;
        this.options = options;
        // ---- metrics (docs/metrics.md): registered now (unless the builder or -Dprocmaster.jmx=false
        // switched it off), unregistered at close or once stopped.
        // On the loop thread the metrics take the snapshot there instead of waiting for the loop.
        this.metrics = SnapshotMasterMetrics.start(config.queueDirectory().toAbsolutePath().normalize().toString(),
                loop::masterStatus, loop::inLoop, loop::masterStatusOnLoop, this::uptime,
                options.registerMBeans() && Jmx.enabled());
        loop.stopped().whenComplete((v, e) -> metrics.close());
    }

    /**
     * A builder for a master from the Java API: parameters, services, switches, then
     * {@link MasterBuilder#start()} (docs/java-api.md has the ten-line example).
     *
     * @return a builder with every parameter at its default and no service
     */
    public static MasterBuilder builder() {
        return new MasterBuilder();
    }

    /**
     * Reads main.cf (when given), applies the overrides ({@code name=value}), reads master.cf, starts.
     * Parameters of main.cf or of master.cf's {@code -o} that nothing reads are logged as warnings
     * (docs/configuration.md), at start and again at each {@link #reload()}.
     *
     * @param masterCf  the master.cf file
     * @param mainCf    the main.cf file, or null for the built-in defaults
     * @param overrides {@code name=value} parameters applied over main.cf, as {@code procmaster run -o}
     * @return the running master, every listener bound
     * @throws ConfigException when main.cf, an override or master.cf is bad (naming file and line)
     * @throws IOException     when the queue directory, the instance lock or a listener fails, or when
     *                         this JVM is PID 1 or a child subreaper (docs/containers.md)
     */
    public static Master start(Path masterCf, Path mainCf, List<String> overrides) throws ConfigException, IOException {
        return start(masterCf, mainCf, overrides, true);
    }

    /**
     * The same, choosing when systemd hears {@code READY=1} (docs/systemd.md): at once, or only when
     * the caller says so with {@link #announceReady()}, after what it sets up beside the master (the
     * command line's control socket; a server's own listeners).
     *
     * @param masterCf     the master.cf file
     * @param mainCf       the main.cf file, or null for the built-in defaults
     * @param overrides    {@code name=value} parameters applied over main.cf
     * @param readyAtStart true: READY=1 as soon as every listener is bound; false: at {@link #announceReady()}
     * @return the running master, every listener bound
     * @throws ConfigException when main.cf, an override or master.cf is bad (naming file and line)
     * @throws IOException     as {@link #start(Path, Path, List)}
     */
    public static Master start(Path masterCf, Path mainCf, List<String> overrides, boolean readyAtStart)
            throws ConfigException, IOException {
        MasterCfParser parser = masterCfParser(mainCf, overrides);
        ServiceTable table = parser.parse(masterCf);
        return started(masterCf, parser, parser.config(), table, StartOptions.defaults().withReadyAtStart(readyAtStart));
    }

    /**
     * Starts a master on a table built with the Java API ({@link #builder()} does this for you);
     * {@link #reload()} then needs {@link #reload(ServiceTable)}.
     *
     * @param config the master-wide parameters
     * @param table  the services, built against {@code config}
     * @return the running master, every listener bound
     * @throws IOException when the queue directory, the instance lock or a listener fails, or when this
     *                     JVM is PID 1 or a child subreaper (docs/containers.md)
     */
    public static Master start(MasterConfig config, ServiceTable table) throws IOException {
        return start(config, table, StartOptions.defaults());
    }

    /** What {@link MasterBuilder#start()} calls: a master on a Java-built table, with the builder's switches. */
    static Master start(MasterConfig config, ServiceTable table, StartOptions options) throws IOException {
        return start(new MasterCfParser(config), table, options);
    }

    /** As above, keeping the parser that read the parameters (its main.cf settings warn at reload too). */
    static Master start(MasterCfParser parser, ServiceTable table, StartOptions options) throws IOException {
        return started(null, parser, parser.config(), table, options);
    }

    /** The one place a master starts: the loop binds and runs, then what the options switch on. */
    private static Master started(Path masterCf, MasterCfParser parser, MasterConfig config, ServiceTable table,
                                  StartOptions options) throws IOException {
        // Orphans reparented to this JVM would stay zombies: refused before anything is touched (docs/containers.md).
        OrphanReaperRole.refuseIfReaper();
        // The constructor registers the MXBeans unless options.registerMBeans() is off (docs/metrics.md).
        // The environment: NOTIFY_SOCKET (docs/systemd.md), LISTEN_* (docs/socket-activation.md).
        MasterLoop loop = MasterLoop.start(config, table, MasterLoop.settings(config), Clock.system(),
                options.environment());
        Master master = new Master(masterCf, parser, config, loop, table, options);
        if (options.readyAtStart()) {
            master.announceReady();
        }
        return master;
    }

    /**
     * Tells systemd the master is ready ({@code READY=1} with {@code MAINPID} and {@code STATUS}, and
     * from then on the watchdog pings) when {@code NOTIFY_SOCKET} is set, else does nothing. A master
     * started with {@code readyAtStart} (the default) has already done so; one started without waits for
     * this call (docs/systemd.md).
     */
    public void announceReady() {
        loop.announceReady();
    }

    /** The options this master was started with (the builder's switches). */
    StartOptions options() {
        return options;
    }

    /**
     * The master-wide parameters main.cf (when given) and the {@code name=value} overrides make,
     * without starting anything ({@code procmaster check}).
     *
     * @param mainCf    the main.cf file, or null for the built-in defaults
     * @param overrides {@code name=value} parameters applied over main.cf
     * @return the parameters
     * @throws ConfigException when main.cf or an override is bad
     */
    public static MasterConfig loadConfig(Path mainCf, List<String> overrides) throws ConfigException {
        return masterCfParser(mainCf, overrides).config();
    }

    /**
     * A master.cf parser for main.cf (when given) with the overrides applied: it takes its defaults
     * from that configuration and warns about the main.cf and {@code -o} parameters nothing reads.
     *
     * @param mainCf    the main.cf file, or null for the built-in defaults
     * @param overrides {@code name=value} parameters applied over main.cf
     * @return the parser
     * @throws ConfigException when main.cf or an override is bad
     */
    public static MasterCfParser masterCfParser(Path mainCf, List<String> overrides) throws ConfigException {
        MainCfParser.Result main = mainCf == null ? null : MainCfParser.parse(mainCf);
        MasterConfig config = main == null ? MasterConfig.defaults() : main.config();
        for (String o : overrides) {
            config = config.withOverride(o);
        }
        return new MasterCfParser(config, main == null ? List.of() : main.settings());
    }

    /**
     * The master-wide parameters this master runs with (fixed for its lifetime).
     *
     * @return the parameters
     */
    public MasterConfig config() {
        return config;
    }

    /**
     * Re-reads master.cf and applies it; on any error the running services stay as they are.
     * Under systemd, RELOADING=1 goes out before the file is read and READY=1 after, applied or
     * refused (docs/systemd.md).
     *
     * @return what changed and the warnings about the new file
     * @throws ConfigException       when the new master.cf is bad (naming file and line)
     * @throws IOException           when a new listener cannot be bound (nothing changed), or stop has begun
     * @throws IllegalStateException when this master was started from a table
     */
    public ReloadResult reload() throws ConfigException, IOException {
        if (masterCf == null) {
            throw new IllegalStateException("this master was started from a table; use reload(ServiceTable)");
        }
        loop.reloadNotice(null); // RELOADING=1 now; reload(table) or the refusal below sends READY=1
        ServiceTable next;
        try {
            next = parser.parse(masterCf);
        } catch (ConfigException | RuntimeException e) {
            loop.reloadNotice(e instanceof ConfigException c ? c.report() : String.valueOf(e.getMessage()));
            throw e;
        }
        return reload(next);
    }

    /**
     * Replaces the services with {@code table}, transactionally: new listeners are bound first; if any
     * fails, nothing changes. Removed services drain (docs/postfix-master.md §10 W3).
     *
     * @param table the new services, built against {@link #config()}
     * @return what changed
     * @throws IOException when a new listener cannot be bound (nothing changed), saying why, or when
     *                     stop has begun ("reload refused: the master is stopping")
     */
    public ReloadResult reload(ServiceTable table) throws IOException {
        ReloadResult result = await(loop.reload(table));
        metrics.refresh(); // the Service MXBeans follow the new table now, not at the next read
        this.table = table;
        return result;
    }

    /** The service table in effect: the one started with, or the last one a reload applied. */
    public ServiceTable table() {
        return table;
    }

    /** How long this master has been running (monotonic clock). */
    public Duration uptime() {
        return Duration.ofNanos(Clock.system().nanoTime() - startedNanos);
    }

    /**
     * The master's figures: the same objects JMX shows (registered or not), read from the master's
     * latest snapshot, never from the loop's state; any thread (docs/metrics.md).
     */
    public MasterMetrics metrics() {
        return metrics;
    }

    /**
     * A snapshot of every service, in table order.
     *
     * @return one status per service
     * @throws IOException when the loop does not answer within 60 s or has stopped
     */
    public List<ServiceStatus> status() throws IOException {
        return await(loop.status());
    }

    /**
     * The {@link #status()} as text: a header, then one line per service (processes total and
     * available, throttle, stress, spawns, bad startups, forged and malformed records), then one line
     * per service that listens on descriptors socket activation passed (docs/socket-activation.md).
     *
     * @return the table, lines ending in the platform's line separator
     * @throws IOException when the loop does not answer within 60 s or has stopped
     */
    public String statusText() throws IOException {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %6s %6s %-14s %-6s %7s %5s %7s %9s%n",
                "service", "total", "avail", "throttled", "stress", "spawns", "bad", "forged", "malformed"));
        List<ServiceStatus> all = status();
        for (ServiceStatus s : all) {
            Duration t = s.throttleRemaining();
            sb.append(String.format(Locale.ROOT, "%-28s %6d %6d %-14s %-6s %7d %5d %7d %9d%n", s.id(), s.total(),
                    s.avail(), t == null ? "no" : "for " + Durations.format(roundUpToSeconds(t)), s.stress() ? "yes" : "no",
                    s.spawns(), s.badStartups(), s.forgedRecords(), s.malformedRecords()));
        }
        cgroupTable(sb, all);
        // Which services listen on sockets socket activation passed (docs/socket-activation.md).
        await(loop.adoptedSockets()).forEach((id, fds) -> sb.append(String.format(Locale.ROOT,
                "%s listens on adopted %s (socket activation)%n", id, String.join(", ", fds))));
        return sb.toString();
    }

    /** With service_cgroups, each service's cgroup (docs/cgroups.md "Reporting"); "-" where a counter is absent. */
    private static void cgroupTable(StringBuilder sb, List<ServiceStatus> statuses) {
        if (statuses.stream().noneMatch(s -> s.cgroup() != null)) {
            return;
        }
        String f = "%-28s %6s %10s %-24s %9s %9s %5s%n";
        sb.append(String.format(Locale.ROOT, f, "cgroup of service", "procs", "memory", "limits mem/pids/cpu",
                "pids.max", "mem.max", "oom"));
        for (ServiceStatus s : statuses) {
            ServiceStatus.Cgroup c = s.cgroup();
            if (c != null) {
                sb.append(String.format(Locale.ROOT, f, s.id(), c.processes() == null ? "-" : c.processes(),
                        c.memoryBytes() == null ? "-" : c.memoryBytes(),
                        c.memoryMax() + "/" + c.pidsMax() + "/" + c.cpuMax().replace(' ', ':'),
                        c.pidsMaxEvents(), c.memoryMaxEvents(), c.oomKills()));
            }
        }
    }

    /** A time remaining in whole seconds, rounded up so that one still running never shows as 0s. */
    private static Duration roundUpToSeconds(Duration d) {
        Duration whole = Duration.ofSeconds(d.getSeconds());
        return whole.equals(d) ? d : whole.plusSeconds(1);
    }

    /**
     * Stops every child (SIGTERM, SIGKILL after service_drain_time).
     *
     * @return completes when all children are gone
     */
    public CompletableFuture<Void> stop() {
        return loop.stop();
    }

    /**
     * The end of this master.
     *
     * @return completes when the master has stopped (after {@link #stop()}, {@link #close()} or a fatal loop error)
     */
    public CompletableFuture<Void> stopped() {
        return loop.stopped();
    }

    /** {@link #stop()} and waits for it (at most service_drain_time plus 10 s), then ends the loop and releases the instance lock. */
    @Override
    public void close() {
        try {
            loop.close();
        } finally {
            metrics.close();
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws IOException {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the master loop did not answer within 60 s", e);
        }
    }
}
