package io.procmaster.testing;

import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceTable;
import io.procmaster.loop.MasterLoop;
import io.procmaster.policy.PolicySettings;
import io.procmaster.status.ServiceStatus;
import io.procmaster.time.Clock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A master on real processes for end-to-end tests: config from text, test daemons from the build. */
public final class MasterFixture implements AutoCloseable {
    public final MasterConfig config;
    public final MasterLoop master;

    private MasterFixture(MasterConfig config, MasterLoop master) {
        this.config = config;
        this.master = master;
    }

    public static MasterConfig config(Path queue, String... overrides) throws Exception {
        Map<String, String> m = new HashMap<>();
        m.put("daemon_directory", Path.of(TestBin.path("pm-echo")).getParent().toString());
        m.put("queue_directory", queue.toString());
        m.put("services_file", "");
        m.put("service_throttle_time", "1s");
        m.put("service_drain_time", "2s");
        for (String o : overrides) {
            int eq = o.indexOf('=');
            m.put(o.substring(0, eq), o.substring(eq + 1));
        }
        return MasterConfig.of(m);
    }

    public static ServiceTable table(MasterConfig config, String masterCf) throws Exception {
        return new MasterCfParser(config).parse("master.cf", masterCf);
    }

    public static MasterFixture start(MasterConfig config, String masterCf) throws Exception {
        return start(config, masterCf, MasterLoop.settings(config));
    }

    public static MasterFixture start(MasterConfig config, String masterCf, PolicySettings settings) throws Exception {
        return new MasterFixture(config, MasterLoop.start(config, table(config, masterCf), settings,
                Clock.system(), System.getenv()));
    }

    /** On a given clock (a {@code FakeClock}): the master's timers fire only when the test moves it. */
    public static MasterFixture start(MasterConfig config, String masterCf, Clock clock) throws Exception {
        return new MasterFixture(config,
                MasterLoop.start(config, table(config, masterCf), MasterLoop.settings(config), clock,
                        System.getenv()));
    }

    /**
     * A loopback port that was free a moment ago. Tests that write a port into master.cf text need
     * it before the master binds, and master.cf cannot say "port 0": ports are 1..65535 and the
     * numeric port is part of the service's identity (docs/postfix-master.md §1.3.2), so the master
     * has no bound-port-0 to read back. The kernel picks a port outside the fixed ranges others use;
     * the short race with another process taking it in between is accepted. A port is never handed
     * out twice in one JVM: the kernel may well give the same free port to two binds in a row, and
     * two services of one master.cf on one port are one service (the later entry wins).
     */
    public static synchronized int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("no loopback port that was not handed out already");
    }

    private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

    /** One echo exchange; returns the answer line. */
    public static String echo(int port, String line, int timeoutMillis) throws IOException {
        return echo(port, line, timeoutMillis, 0);
    }

    /** As {@link #echo(int, String, int)}, but a slow client: it waits {@code holdMillis} after connecting. */
    public static String echo(int port, String line, int timeoutMillis, int holdMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            if (holdMillis > 0) {
                try {
                    Thread.sleep(holdMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while holding the connection");
                }
            }
            OutputStream out = s.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            return in.readLine();
        }
    }

    /**
     * The status of the service, polled until {@code p} holds or {@code timeoutMillis} has passed
     * (bounded; the caller asserts on what it returns).
     */
    public ServiceStatus awaitStatus(String idPrefix, java.util.function.Predicate<ServiceStatus> p, long timeoutMillis)
            throws Exception {
        return Await.poll(java.time.Duration.ofMillis(timeoutMillis), () -> status(idPrefix), p);
    }

    public ServiceStatus status(String idPrefix) throws Exception {
        return master.status().get(10, TimeUnit.SECONDS).stream()
                .filter(s -> s.id().startsWith(idPrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no service " + idPrefix));
    }

    @Override
    public void close() {
        master.close();
    }
}
