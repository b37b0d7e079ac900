package io.procmaster;

import io.procmaster.config.ConfigException;
import io.procmaster.config.MainCfParser;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.ServiceTable;
import io.procmaster.loop.MasterLoop;
import io.procmaster.policy.ServiceStatus;
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
 */
public final class Master implements AutoCloseable {
    private final Path masterCf;
    private final MasterConfig config;
    private final MasterLoop loop;

    private Master(Path masterCf, MasterConfig config, MasterLoop loop) {
        this.masterCf = masterCf;
        this.config = config;
        this.loop = loop;
    }

    /** Reads main.cf (when given), applies the overrides ({@code name=value}), reads master.cf, starts. */
    public static Master start(Path masterCf, Path mainCf, List<String> overrides) throws ConfigException, IOException {
        MasterConfig config = loadConfig(mainCf, overrides);
        ServiceTable table = new MasterCfParser(config).parse(masterCf);
        return new Master(masterCf, config, MasterLoop.start(config, table));
    }

    /** Starts a master on a table built with the Java API; {@link #reload()} then needs {@link #reload(ServiceTable)}. */
    public static Master start(MasterConfig config, ServiceTable table) throws IOException {
        return new Master(null, config, MasterLoop.start(config, table));
    }

    public static MasterConfig loadConfig(Path mainCf, List<String> overrides) throws ConfigException {
        MasterConfig config = mainCf == null ? MasterConfig.defaults() : MainCfParser.parse(mainCf).config();
        for (String o : overrides) {
            config = config.withOverride(o);
        }
        return config;
    }

    public MasterConfig config() {
        return config;
    }

    /** Re-reads master.cf and applies it; on any error the running services stay as they are. */
    public MasterLoop.ReloadResult reload() throws ConfigException, IOException {
        if (masterCf == null) {
            throw new IllegalStateException("this master was started from a table; use reload(ServiceTable)");
        }
        return reload(new MasterCfParser(config).parse(masterCf));
    }

    public MasterLoop.ReloadResult reload(ServiceTable table) throws IOException {
        return await(loop.reload(table));
    }

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
                    s.avail(), t == null ? "no" : "for " + t.toMillis() / 1000.0 + "s", s.stress() ? "yes" : "no",
                    s.spawns(), s.badStartups(), s.forgedRecords(), s.malformedRecords()));
        }
        return sb.toString();
    }

    /** Stops every child (SIGTERM, SIGKILL after service_drain_time); completes when all are gone. */
    public CompletableFuture<Void> stop() {
        return loop.stop();
    }

    public CompletableFuture<Void> stopped() {
        return loop.stopped();
    }

    /** The master loop, for callers that need the lower-level view (tests, benchmarks). */
    public MasterLoop loop() {
        return loop;
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
