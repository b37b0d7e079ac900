package io.procmaster.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.procmaster.Master;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binder on a real master (an inet echo service of pm-echo) and a real helper pool (pm-helper),
 * read from a {@link SimpleMeterRegistry}: the meters carry the figures the traffic made (not just
 * exist), follow a reload, and go at close (docs/metrics.md, "Micrometer").
 */
class ProcmasterMetricsTest {
    private static final String BIN = System.getProperty("procmaster.test.bin");

    private static MasterConfig config(Path queue) throws Exception {
        return MasterConfig.of(Map.of("daemon_directory", BIN, "queue_directory", queue.toString(), "services_file", "",
                "service_throttle_time", "1s", "service_drain_time", "2s"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String echo(int port, String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    /** Polls until the value reaches {@code atLeast} or 10 s have passed; returns the last value. */
    private static double await(DoubleSupplier value, double atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double v = value.getAsDouble();
        while (v < atLeast && System.nanoTime() - deadline < 0) {
            Thread.sleep(25);
            v = value.getAsDouble();
        }
        return v;
    }

    private static double counter(MeterRegistry r, String name, String tagKey, String tagValue) {
        FunctionCounter c = r.find(name).tag(tagKey, tagValue).functionCounter();
        assertThat(c).as("%s{%s=%s}", name, tagKey, tagValue).isNotNull();
        return c.count();
    }

    private static double gauge(MeterRegistry r, String name, String tagKey, String tagValue) {
        var g = r.find(name).tag(tagKey, tagValue).gauge();
        assertThat(g).as("%s{%s=%s}", name, tagKey, tagValue).isNotNull();
        return g.value();
    }

    @Test
    void aMastersServicesAndAHelperPoolAreBoundWithTheFiguresTheirTrafficMade(@TempDir Path queue) throws Exception {
        int port = freePort();
        MasterConfig config = config(queue);
        MasterCfParser parser = new MasterCfParser(config);
        String echoService = "127.0.0.1:" + port + " inet n - n - 4 pm-echo\n";
        HelperPoolConfig poolConfig = HelperPoolConfig.builder("binder-pool").children(2).startup(2).queueLimit(100).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Master master = Master.start(config, parser.parse("master.cf", echoService));
             HelperPools.Running helpers = HelperPools.startWithOwnLoop(poolConfig,
                     HelperSpec.builder("binder", BIN + "/pm-helper").build())) {
            String service = master.status().get(0).id();
            ProcmasterMetrics binder = new ProcmasterMetrics(master, List.of(helpers.pool()), Tags.of("app", "test"));
            binder.bindTo(registry);

            assertThat(counter(registry, "procmaster.service.spawns", "service", service)).isZero();
            assertThat(gauge(registry, "procmaster.service.processes.limit", "service", service)).isEqualTo(4);
            assertThat(gauge(registry, "procmaster.service.listening", "service", service)).isEqualTo(1);
            assertThat(gauge(registry, "procmaster.master.services", "app", "test")).isEqualTo(1);

            assertThat(echo(port, "hello")).isEqualTo("hello");
            assertThat(await(() -> counter(registry, "procmaster.service.spawns", "service", service), 1)).isGreaterThanOrEqualTo(1);
            assertThat(gauge(registry, "procmaster.service.processes", "service", service)).isBetween(1.0, 4.0);
            assertThat(counter(registry, "procmaster.service.spawn.failures", "service", service)).isZero();
            assertThat(counter(registry, "procmaster.service.records.forged", "service", service)).isZero();
            assertThat(gauge(registry, "procmaster.master.generation", "app", "test")).isGreaterThanOrEqualTo(1);
            assertThat(registry.find("procmaster.master.uptime").timeGauge()).isNotNull();
            // One model: the meters read what the API (and JMX) shows.
            assertThat(counter(registry, "procmaster.service.spawns", "service", service))
                    .isEqualTo(master.metrics().services().get(service).getSpawns());

            List<CompletableFuture<HelperReply>> replies = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                replies.add(helpers.pool().submit("q" + i));
            }
            for (CompletableFuture<HelperReply> f : replies) {
                assertThat(f.get(20, TimeUnit.SECONDS).status()).isEqualTo(HelperReply.Status.OK);
            }
            assertThat(await(() -> counter(registry, "procmaster.helper.pool.replies", "pool", "binder-pool"), 12)).isEqualTo(12);
            assertThat(counter(registry, "procmaster.helper.pool.submitted", "pool", "binder-pool")).isEqualTo(12);
            assertThat(counter(registry, "procmaster.helper.pool.failed", "pool", "binder-pool")).isZero();
            assertThat(gauge(registry, "procmaster.helper.pool.helpers.running", "pool", "binder-pool")).isEqualTo(2);
            assertThat(gauge(registry, "procmaster.helper.pool.queue.length", "pool", "binder-pool")).isZero();
            var p50 = registry.find("procmaster.helper.pool.service.time").tags("pool", "binder-pool", "quantile", "0.5").timeGauge();
            var p99 = registry.find("procmaster.helper.pool.service.time").tags("pool", "binder-pool", "quantile", "0.99").timeGauge();
            assertThat(p50.value(TimeUnit.MICROSECONDS)).isPositive();
            assertThat(p99.value(TimeUnit.MICROSECONDS)).isGreaterThanOrEqualTo(p50.value(TimeUnit.MICROSECONDS));
            assertThat(p50.value(TimeUnit.MICROSECONDS)).isCloseTo(helpers.pool().metrics().getServiceTimeP50Micros(), org.assertj.core.data.Offset.offset(0.01));

            // A reload that adds a service binds it; one that removes it unbinds it.
            int second = freePort();
            String added = "127.0.0.1:" + second + " inet n - n - 3 pm-echo\n";
            master.reload(parser.parse("master.cf", echoService + added));
            String addedId = master.status().stream().map(s -> s.id()).filter(id -> !id.equals(service)).findFirst().orElseThrow();
            assertThat(gauge(registry, "procmaster.service.processes.limit", "service", addedId)).isEqualTo(3);
            master.reload(parser.parse("master.cf", added));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.find("procmaster.service.spawns").tag("service", service).functionCounter() != null
                    && System.nanoTime() - deadline < 0) {
                master.metrics().refresh();
                Thread.sleep(25);
            }
            assertThat(registry.find("procmaster.service.spawns").tag("service", service).functionCounter()).isNull();
            assertThat(registry.find("procmaster.service.spawns").tag("service", addedId).functionCounter()).isNotNull();

            binder.close();
            assertThat(registry.getMeters()).as("close removes every meter of the binder").isEmpty();
        }
    }

    @Test
    void theBinderNeedsNoJmx(@TempDir Path queue) throws Exception {
        int port = freePort();
        MasterConfig config = config(queue);
        System.setProperty("procmaster.jmx", "false");
        try (Master master = Master.start(config, new MasterCfParser(config).parse("master.cf",
                "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n"))) {
            assertThat(master.metrics().objectName()).isNull();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ProcmasterMetrics.of(master).bindTo(registry);
            String service = master.status().get(0).id();
            assertThat(echo(port, "x")).isEqualTo("x");
            assertThat(await(() -> counter(registry, "procmaster.service.spawns", "service", service), 1)).isGreaterThanOrEqualTo(1);
        } finally {
            System.clearProperty("procmaster.jmx");
        }
    }
}
