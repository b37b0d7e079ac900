package io.procmaster;

import io.procmaster.status.ReloadResult;
import io.procmaster.status.ServiceStatus;
import io.procmaster.config.ConfigException;
import io.procmaster.config.MainCfParser;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceTable;
import io.procmaster.loop.MasterLoop;
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
 * A running master, from a master.cf file (and optionally main.cf) or from a Java-built table.
 *
 * <p>Interface: {@link #start}, {@link #reload()} (re-reads master.cf; transactional: a broken or
 * unbindable new file leaves the old services running and the exception says why, naming file
 * and line), {@link #status()}, {@link #stop()}/{@link #close()}. Thread-safe: every call becomes a
 * command for the loop thread.
 *
 * <p>main.cf is read at start only; its parameters shape the policy (throttle, drain, limits), so
 * changing them takes a restart.
 *
 * <p>The facade: its signatures name only types of the public API packages ({@code io.procmaster},
 * {@code config}, {@code helper}, {@code time}) and of the JDK, never one of the loop, the policy or
 * {@code os}, so those can change behind it (docs/DESIGN.md §2; ArchitectureTest keeps it so).
 * Results are the master's read-only reports of {@code io.procmaster.status} ({@link ReloadResult}, {@link ServiceStatus}).
 */
public final class Master implements AutoCloseable {
    private final Path masterCf;
    private final MasterCfParser parser;
    private final MasterConfig config;
    private final MasterLoop loop;
    /** When this master started, on the monotonic clock (its uptime for {@code procmaster status}). */
    private final long startedNanos = Clock.system().nanoTime();
    /** The table in effect: the one started with, then the last one a reload applied. */
    private volatile ServiceTable table;

    private Master(Path masterCf, MasterCfParser parser, MasterConfig config, MasterLoop loop, ServiceTable table) {
        this.masterCf = masterCf;
        this.parser = parser;
        this.config = config;
        this.loop = loop;
        this.table = table;
    }

    /**
     * Reads main.cf (when given), applies the overrides ({@code name=value}), reads master.cf, starts.
     * Parameters of main.cf or of master.cf's {@code -o} that nothing reads are logged as warnings
     * (docs/configuration.md), at start and again at each {@link #reload()}.
     */
    public static Master start(Path masterCf, Path mainCf, List<String> overrides) throws ConfigException, IOException {
        MasterCfParser parser = masterCfParser(mainCf, overrides);
        ServiceTable table = parser.parse(masterCf);
        return new Master(masterCf, parser, parser.config(), MasterLoop.start(parser.config(), table), table);
    }

    /** Starts a master on a table built with the Java API; {@link #reload()} then needs {@link #reload(ServiceTable)}. */
    public static Master start(MasterConfig config, ServiceTable table) throws IOException {
        return new Master(null, new MasterCfParser(config), config, MasterLoop.start(config, table), table);
    }

    public static MasterConfig loadConfig(Path mainCf, List<String> overrides) throws ConfigException {
        return masterCfParser(mainCf, overrides).config();
    }

    /**
     * A master.cf parser for main.cf (when given) with the overrides applied: it takes its defaults
     * from that configuration and warns about the main.cf and {@code -o} parameters nothing reads.
     *
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

    public MasterConfig config() {
        return config;
    }

    /** Re-reads master.cf and applies it; on any error the running services stay as they are. */
    public ReloadResult reload() throws ConfigException, IOException {
        if (masterCf == null) {
            throw new IllegalStateException("this master was started from a table; use reload(ServiceTable)");
        }
        return reload(parser.parse(masterCf));
    }

    public ReloadResult reload(ServiceTable table) throws IOException {
        ReloadResult result = await(loop.reload(table));
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

    /** A snapshot of every service. */
    public List<ServiceStatus> status() throws IOException {
        return await(loop.status());
    }

    /** One line per service: processes total/available, throttle, stress, spawns, bad startups, forged. */
    public String statusText() throws IOException {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %6s %6s %-14s %-6s %7s %5s %7s %9s%n",
                "service", "total", "avail", "throttled", "stress", "spawns", "bad", "forged", "malformed"));
        for (ServiceStatus s : status()) {
            Duration t = s.throttleRemaining();
            sb.append(String.format(Locale.ROOT, "%-28s %6d %6d %-14s %-6s %7d %5d %7d %9d%n", s.id(), s.total(),
                    s.avail(), t == null ? "no" : "for " + Durations.format(roundUpToSeconds(t)), s.stress() ? "yes" : "no",
                    s.spawns(), s.badStartups(), s.forgedRecords(), s.malformedRecords()));
        }
        return sb.toString();
    }

    /** A time remaining in whole seconds, rounded up so that one still running never shows as 0s. */
    private static Duration roundUpToSeconds(Duration d) {
        Duration whole = Duration.ofSeconds(d.getSeconds());
        return whole.equals(d) ? d : whole.plusSeconds(1);
    }

    /** Stops every child (SIGTERM, SIGKILL after service_drain_time); completes when all are gone. */
    public CompletableFuture<Void> stop() {
        return loop.stop();
    }

    public CompletableFuture<Void> stopped() {
        return loop.stopped();
    }

    @Override
    public void close() {
        loop.close();
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
