package io.procmaster.master;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.Await;
import io.procmaster.testing.ChildReport;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.ProcSelf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/postfix-master.md §9 scenarios that need real processes: descriptor layout, generation numbers, exec
 * failure, the process limit, status gossip from a real child, max_use and max_idle, and a child
 * of somebody else. Timer and counter scenarios run on the fake clock in io.procmaster.policy.
 */
class MasterScenarioTest {

    private static ServiceStatus waitFor(MasterFixture m, String id, Predicate<ServiceStatus> p) throws Exception {
        return m.awaitStatus(id, p, 5_000);
    }

    private static List<ChildReport> reports(Path file, int atLeast) throws Exception {
        return Await.until("at least " + atLeast + " reports in " + file, Duration.ofSeconds(5),
                () -> Files.exists(file) ? ChildReport.readAll(file) : List.<ChildReport>of(),
                all -> all.size() >= atLeast && all.get(atLeast - 1).pid != 0);
    }

    @Test
    void scenario03_onDemandSpawnAndFdLayout(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path report = dir.resolve("report");
        var config = MasterFixture.config(dir, "spawn_rate_limit=0");
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 1 pm-dumpchild " + report + "\n")) {
            assertThat(Files.exists(report)).as("nothing runs before a client").isFalse();
            try (Socket client = new Socket("127.0.0.1", port)) {
                ChildReport r = reports(report, 1).get(0);
                assertThat(r.fds.keySet()).containsExactly(0, 1, 2, 3, 4, 5, 6);
                assertThat(r.fds.get(3)).startsWith("pipe:");
                assertThat(r.fds.get(4)).startsWith("pipe:");
                assertThat(r.target(3)).isEqualTo(r.target(4)); // both ends of one flow pipe
                assertThat(r.fds.get(5)).contains("type=5 domain=1"); // SOCK_SEQPACKET, AF_UNIX
                assertThat(r.fds.get(6)).contains("type=1 domain=2"); // the TCP listener
                assertThat(r.env("GENERATION")).isEqualTo("1");
                // Postfix's order: command, -l (maxproc 1), -n name, -t type, -u (unprivileged: "-"), args
                assertThat(r.argv).containsExactly("pm-dumpchild", "-l", "-n", "127.0.0.1:" + port, "-t", "inet", "-u",
                        report.toString());
                assertThat(r.signals.get("SigBlk")).isZero();
                assertThat(r.signals.get("SigIgn")).isZero();
            }
        }
    }

    /**
     * Postfix's master chdirs to queue_directory and its children inherit that: the stock
     * daemons open {@code pid/<type>.<name>} relative to it before they chdir themselves.
     */
    @Test
    void childStartsInTheQueueDirectory(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path queue = dir.resolve("queue");
        Path report = dir.resolve("report");
        var config = MasterFixture.config(queue);
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 1 pm-dumpchild " + report + "\n");
             Socket client = new Socket("127.0.0.1", port)) {
            assertThat(reports(report, 1).get(0).cwd).isEqualTo(queue.toRealPath().toString());
        }
    }

    /** The environment is what import_environment names, plus GENERATION; nothing is inherited. */
    @Test
    void childEnvironmentIsImportEnvironmentAndGeneration(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path report = dir.resolve("report");
        var config = MasterFixture.config(dir, "import_environment=MAIL_CONFIG=" + dir + " LANG=C NO_SUCH_VARIABLE_PM");
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 1 pm-dumpchild " + report + "\n");
             Socket client = new Socket("127.0.0.1", port)) {
            assertThat(reports(report, 1).get(0).env)
                    .containsExactlyInAnyOrder("MAIL_CONFIG=" + dir, "LANG=C", "GENERATION=1");
        }
    }

    /**
     * Path-based listeners belong to mail_owner, as Postfix's master creates them as that user:
     * daemons that dropped to it connect to each other's private (0600) sockets. Root only, for
     * the chown.
     */
    @Test
    void pathListenersBelongToMailOwner(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "giving a file to another user needs root");
        var config = MasterFixture.config(dir, "mail_owner=nobody");
        try (MasterFixture m = MasterFixture.start(config, "a unix - - n - 1 pm-echo\nb unix-dgram n - n - 1 pm-echo\n"
                + "c fifo - - n - 1 pm-echo\nd pass n - n - 1 pm-echo\n")) {
            for (String p : List.of("private/a", "public/b", "private/c", "public/d")) {
                assertThat(Files.getOwner(dir.resolve(p), NOFOLLOW_LINKS).getName()).as(p).isEqualTo("nobody");
            }
            assertThat(Files.getPosixFilePermissions(dir.resolve("private/a"), NOFOLLOW_LINKS))
                    .as("private: the owner only").containsExactlyInAnyOrder(OWNER_READ, OWNER_WRITE);
        }
        // Another queue directory: without mail_owner, private/ owned by nobody is not to be trusted.
        Path plain = dir.resolve("plain");
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(plain), "e unix - - n - 1 pm-echo\n")) {
            assertThat(Files.getOwner(plain.resolve("private/e"), NOFOLLOW_LINKS).getName())
                    .as("no mail_owner: the master's user").isEqualTo("root");
        }
    }

    @Test
    void scenario04_generationNumbersAreOctalSerials(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path report = dir.resolve("report");
        var config = MasterFixture.config(dir, "spawn_rate_limit=0");
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 1 pm-dumpchild " + report + "\n")) {
            // A client nobody accepts keeps the listener readable: one child after another.
            try (Socket client = new Socket("127.0.0.1", port)) {
                List<ChildReport> all = reports(report, 9);
                List<String> gens = new ArrayList<>();
                for (int i = 0; i < 9; i++) {
                    gens.add(all.get(i).env("GENERATION"));
                }
                assertThat(gens).containsExactly("1", "2", "3", "4", "5", "6", "7", "10", "11");
            }
        }
    }

    @Test
    void scenario07_execFailureIsReportedAndThrottles(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir, "service_throttle_time=60s");
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 3 no-such-daemon\n");
             Socket client = new Socket("127.0.0.1", port)) {
            ServiceStatus s = waitFor(m, "[127.0.0.1]:" + port, ServiceStatus::throttled);
            assertThat(s.throttled()).isTrue();
            assertThat(s.total()).isZero();
            assertThat(s.counts().spawnFailures()).isEqualTo(1);
            TimeUnit.MILLISECONDS.sleep(200);
            assertThat(m.status("[127.0.0.1]:" + port).counts().spawnFailures()).as("no retry while throttled")
                    .isEqualTo(1);
        }
        assertThat(ProcSelf.zombies()).isEmpty();
    }

    @Test
    void scenario10_processLimitHoldsTheThirdClient(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir);
        try (MasterFixture m = MasterFixture.start(config, "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n")) {
            String id = "[127.0.0.1]:" + port;
            try (Conn a = new Conn(port); Conn b = new Conn(port)) {
                assertThat(a.echo("a")).isEqualTo("a");
                assertThat(b.echo("b")).isEqualTo("b");
                try (Conn c = new Conn(port)) {
                    c.send("c");
                    TimeUnit.MILLISECONDS.sleep(300);
                    ServiceStatus s = m.status(id);
                    assertThat(s.total()).isEqualTo(2);
                    assertThat(s.avail()).isZero();
                    assertThat(c.ready()).as("the third client waits").isFalse();
                    a.close(); // a child comes free and takes the waiting client
                    assertThat(c.read()).isEqualTo("c");
                    assertThat(m.status(id).counts().spawns()).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void scenario13_statusGossipFromARealChild(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir, "service_throttle_time=60s");
        try (MasterFixture m = MasterFixture.start(config, "127.0.0.1:" + port
                + " inet n - n - 1 pm-status-writer forge:1 short:8 long:20 avail taken avail wait\n");
             Socket client = new Socket("127.0.0.1", port)) {
            ServiceStatus s = waitFor(m, "[127.0.0.1]:" + port, st -> st.counts().malformedRecords() >= 2
                    && st.counts().forgedRecords() >= 1);
            assertThat(s.counts().forgedRecords()).isEqualTo(1);
            assertThat(s.counts().malformedRecords()).isEqualTo(2);
            assertThat(s.total()).isEqualTo(1);
            assertThat(s.throttled()).isFalse();
        }
    }

    @Test
    void scenario15_maxUseEndsAChildAfterItsConnections(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir);
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 1 pm-echo -o max_use=3\n")) {
            String id = "[127.0.0.1]:" + port;
            for (int i = 0; i < 3; i++) {
                assertThat(MasterFixture.echo(port, "x" + i, 5000)).isEqualTo("x" + i);
            }
            ServiceStatus s = waitFor(m, id, st -> st.total() == 0);
            assertThat(s.total()).isZero();
            assertThat(s.counts().exits()).isEqualTo(1);
            assertThat(s.throttled()).as("exit 0 never throttles").isFalse();
            assertThat(MasterFixture.echo(port, "next", 5000)).isEqualTo("next");
            assertThat(m.status(id).counts().spawns()).isEqualTo(2);
        }
    }

    @Test
    void scenario16_maxIdleEndsAnIdleChild(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir);
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 1 pm-echo -o max_idle=1\n")) {
            String id = "[127.0.0.1]:" + port;
            assertThat(MasterFixture.echo(port, "x", 5000)).isEqualTo("x");
            ServiceStatus s = waitFor(m, id, st -> st.total() == 0);
            assertThat(s.total()).isZero();
            assertThat(s.throttled()).isFalse();
        }
    }

    private static String cmdline(int pid) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim();
    }

    @Test
    void scenario11_stressOnAPublicServiceAtItsLimit(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir);
        // A bare port: the wildcard address, so the service is public and stress-eligible.
        try (MasterFixture m = MasterFixture.start(config, port + " inet n - n - 2 pm-echo\n")) {
            String id = Integer.toString(port);
            try (Conn a = new Conn(port)) {
                assertThat(a.echo("a")).isEqualTo("a");
                List<Integer> first = m.master.childPids().get(5, TimeUnit.SECONDS);
                assertThat(cmdline(first.get(0))).contains("-o stress=").doesNotContain("stress=yes");
                try (Conn b = new Conn(port)) {
                    assertThat(b.echo("b")).isEqualTo("b"); // this spawn fills the last slot: stress
                    ServiceStatus s = waitFor(m, id, ServiceStatus::stress);
                    assertThat(s.stress()).isTrue();
                }
            }
            // The pre-stress children retire once their clients leave; new ones get stress=yes.
            waitFor(m, id, st -> st.total() == 0);
            assertThat(MasterFixture.echo(port, "c", 5000)).isEqualTo("c");
            List<Integer> now = m.master.childPids().get(5, TimeUnit.SECONDS);
            assertThat(now).isNotEmpty();
            assertThat(cmdline(now.get(0))).contains("-o stress=yes");
        }
    }

    /**
     * The master's part of flow control (docs/postfix-master.md §6): one pipe, both ends non-blocking, shared by every
     * child of every service as fds 3 and 4. Tokens are the daemons' business (qmgr writes,
     * cleanup reads and pauses in_flow_delay when empty), so the master is tested for the pipe.
     */
    @Test
    void scenario33_flowPipeIsSharedAndNonBlocking(@TempDir Path dir) throws Exception {
        int p1 = MasterFixture.freePort();
        int p2 = MasterFixture.freePort();
        Path r1 = dir.resolve("r1");
        Path r2 = dir.resolve("r2");
        var config = MasterFixture.config(dir, "spawn_rate_limit=0");
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + p1 + " inet n - n - 1 pm-dumpchild " + r1 + "\n"
                        + "127.0.0.1:" + p2 + " inet n - n - 1 pm-dumpchild " + r2 + "\n");
             Socket a = new Socket("127.0.0.1", p1);
             Socket b = new Socket("127.0.0.1", p2)) {
            ChildReport one = reports(r1, 1).get(0);
            ChildReport two = reports(r2, 1).get(0);
            int nonblock = 04000; // O_NONBLOCK
            for (ChildReport r : List.of(one, two)) {
                for (int fd : new int[] {3, 4}) {
                    String flags = r.fds.get(fd).replaceAll(".*flags=", "");
                    assertThat(Integer.parseInt(flags, 16) & nonblock).as("fd " + fd + " non-blocking").isNotZero();
                }
            }
            assertThat(one.target(3)).as("one pipe for every service").isEqualTo(two.target(3));
            assertThat(one.target(5)).as("a status channel per service").isNotEqualTo(two.target(5));
        }
    }

    @Test
    void scenario34_aChildThatIsNotOursKeepsItsExitCode(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir);
        try (MasterFixture m = MasterFixture.start(config, "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n")) {
            Process foreign = new ProcessBuilder("/bin/sh", "-c", "sleep 0.2; exit 3").start();
            assertThat(MasterFixture.echo(port, "x", 5000)).isEqualTo("x");
            assertThat(foreign.waitFor()).isEqualTo(3);
            assertThat(m.master.counters().get(5, TimeUnit.SECONDS).unknownPidExits()).isZero();
        }
    }

    /** A client connection that stays open. */
    private static final class Conn implements AutoCloseable {
        private final Socket s;
        private final BufferedReader in;
        private final OutputStream out;

        Conn(int port) throws Exception {
            s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out = s.getOutputStream();
        }

        void send(String line) throws Exception {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String read() throws Exception {
            return in.readLine();
        }

        String echo(String line) throws Exception {
            send(line);
            return read();
        }

        boolean ready() throws Exception {
            return s.getInputStream().available() > 0;
        }

        @Override
        public void close() throws Exception {
            s.close();
        }
    }
}
