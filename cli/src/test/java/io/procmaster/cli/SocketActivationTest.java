package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket activation end to end (docs/socket-activation.md): {@code procmaster run} started by
 * systemd-socket-activate (Debian's systemd package), which binds the sockets, waits for the first
 * client and then execs the master with LISTEN_PID (itself), LISTEN_FDS and LISTEN_FDNAMES. That
 * first client connected before the master existed, so its being served proves the master used the
 * socket it was given; the log says which service adopted which descriptor.
 */
class SocketActivationTest {
    private static final Path ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");

    @BeforeAll
    static void needsSystemdSocketActivate() {
        Assumptions.assumeTrue(Files.isExecutable(ACTIVATE), "no " + ACTIVATE + " (Debian package systemd)");
    }

    private record Running(Process process, Path logFile, Path masterCf) {
        String log() throws IOException {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        }

        /** The log once it contains {@code text} {@code times} times, or as it is after 60 s or when the master ended. */
        String awaitLog(String text, int times) throws Exception {
            Await.poll(Duration.ofSeconds(60), Duration.ofMillis(100), this::log,
                    log -> count(log, text) >= times || !process.isAlive());
            return log();
        }

        String awaitLog(String text) throws Exception {
            return awaitLog(text, 1);
        }

        /** Rewrites master.cf and sends SIGHUP (the master's reload); returns once the reload is logged. */
        String reload(String masterCfText) throws Exception {
            int before = count(log(), "reload: ");
            Files.writeString(masterCf, masterCfText);
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -HUP").isTrue();
            return awaitLog("reload: ", before + 1);
        }

        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    /** systemd-socket-activate {@code activation...} java ... procmaster run master.cf -o ... */
    private static Running launch(Path queue, List<String> activation, String masterCf, String... overrides)
            throws Exception {
        Files.createDirectories(queue);
        Path cf = Files.writeString(queue.getParent().resolve("master.cf"), masterCf);
        List<String> cmd = new ArrayList<>(List.of(ACTIVATE.toString()));
        cmd.addAll(activation);
        List<String> more = new ArrayList<>(List.of("service_throttle_time=60s"));
        more.addAll(List.of(overrides));
        cmd.addAll(ChildJvm.procmaster(ChildJvm.runArguments(cf, queue, more.toArray(String[]::new))));
        Path logFile = queue.getParent().resolve("master.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
        Running r = new Running(pb.start(), logFile, cf);
        // systemd-socket-activate says each socket it bound before it waits for the first client.
        int sockets = (int) activation.stream().filter(a -> a.equals("-l")).count();
        assertThat(r.awaitLog("Listening on ", sockets)).as("systemd-socket-activate bound its sockets")
                .contains("Listening on ");
        return r;
    }

    /** A connection that has sent {@code line}; the caller reads the answer (or not yet). */
    private static Socket send(int port, String line) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(60_000); // the first one waits for a JVM to start
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    private static String answer(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    @Test
    void anInetServiceIsServedOnTheAdoptedSocketAndChildrenGetNoListenVariables(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("queue");
        Path report = dir.resolve("dump.report");
        int port = MasterFixture.freePort();
        String cf = "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n"
                + "dump unix - n n - 1 pm-dumpchild -o procmaster_min_idle=1 " + report + "\n";
        // import_environment asks for the LISTEN_ variables too: the master still never passes them on.
        Running m = launch(queue, List.of("-l", "127.0.0.1:" + port, "--fdname=smtp"), cf,
                "import_environment=PATH LISTEN_PID LISTEN_FDS LISTEN_FDNAMES");
        try (Socket first = send(port, "first")) {
            assertThat(answer(first)).as("the client that woke systemd-socket-activate").isEqualTo("first");
            String log = m.awaitLog("daemon started");
            assertThat(log).contains("socket activation: fd 3 (LISTEN_FDNAMES name \"smtp\") is a listening TCP socket"
                    + " on 127.0.0.1:" + port)
                    .contains("listening on adopted fd 3 (LISTEN_FDNAMES name \"smtp\") (a listening TCP socket on"
                            + " 127.0.0.1:" + port + ") instead of binding")
                    .doesNotContain("cannot listen");
            assertThat(MasterFixture.echo(port, "again", 10_000)).isEqualTo("again");
            CliRun status = CliRun.of("status", "--socket", queue.resolve("procmaster.sock").toString());
            assertThat(status.code()).as(status.err()).isZero();
            assertThat(status.out()).contains("[127.0.0.1]:" + port + "/inet listens on adopted fd 3 (LISTEN_FDNAMES"
                    + " name \"smtp\") (socket activation)").doesNotContain("dump/unix listens");

            // The adopted socket's inode, from the master's own fd 3 (it is the master: exec, same pid).
            String adopted = Files.readSymbolicLink(Path.of("/proc/" + m.process().pid() + "/fd/3")).toString();
            assertThat(adopted).startsWith("socket:[");
            Await.poll(Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> Files.exists(report) ? Files.readString(report) : "", r -> r.contains("\nsid "));
            String dump = Files.readString(report);
            assertThat(dump).contains("env GENERATION=").contains("env PATH=")
                    .doesNotContain("env LISTEN_").as("another service's child never holds the adopted socket")
                    .doesNotContain(adopted);
        } finally {
            m.stop();
        }
    }

    @Test
    void aUnixServiceAdoptsTheSocketFileSystemdMadeAndLeavesIt(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("queue");
        Files.createDirectories(queue.resolve("public"));
        Path echo = queue.resolve("public/echo");
        Running m = launch(queue, List.of("-l", echo.toString(), "--fdname=echo"), "echo unix n - n - 2 pm-echo\n");
        try {
            Object inode = Files.getAttribute(echo, "unix:ino");
            assertThat(echoUnix(echo, "first")).isEqualTo("first");
            assertThat(m.awaitLog("daemon started"))
                    .contains("listening on adopted fd 3 (LISTEN_FDNAMES name \"echo\") (a listening unix stream socket at "
                            + echo + ") instead of binding");
            assertThat(echoUnix(echo, "again")).isEqualTo("again");
            assertThat(Files.getAttribute(echo, "unix:ino")).as("the socket file systemd made").isEqualTo(inode);
        } finally {
            m.stop();
        }
        assertThat(m.process().exitValue()).isZero();
        assertThat(Files.getAttribute(echo, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .as("systemd's file is not the master's to unlink").isNotNull();
    }

    @Test
    void aDatagramSocketOnAnInetServicesAddressIsRefusedAndTheMasterDoesNotStart(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("queue");
        int port = MasterFixture.freePort();
        String cf = "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n";
        Running m = launch(queue, List.of("-d", "-l", "127.0.0.1:" + port, "--fdname=mail"), cf);
        try (DatagramSocket udp = new DatagramSocket()) {
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            udp.send(new DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), port));
            assertThat(m.process().waitFor(60, TimeUnit.SECONDS)).as("the master ends").isTrue();
            assertThat(m.process().exitValue()).isEqualTo(1);
            assertThat(m.log()).contains("procmaster: socket activation: fd 3 (LISTEN_FDNAMES name \"mail\") is a UDP"
                    + " socket on 127.0.0.1:" + port + " (bound to its address), but " + m.masterCf() + ":1 service \"127.0.0.1:"
                    + port + "\" (inet) wants a listening TCP socket on 127.0.0.1:" + port
                    + " (docs/socket-activation.md)")
                    .doesNotContain("daemon started");
        } finally {
            m.stop();
        }
    }

    @Test
    void adoptedSocketsOutliveTheirServicesAcrossReloadsUntilStop(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("queue");
        int one = MasterFixture.freePort();
        int two = MasterFixture.freePort();
        String serviceOne = "127.0.0.1:" + one + " inet n - n - 2 pm-echo\n";
        String serviceTwo = "127.0.0.1:" + two + " inet n - n - 2 pm-echo\n";
        Running m = launch(queue, List.of("-l", "127.0.0.1:" + one, "-l", "127.0.0.1:" + two, "--fdname=one:two"),
                serviceOne);
        try {
            try (Socket first = send(one, "first")) {
                assertThat(answer(first)).isEqualTo("first");
            }
            assertThat(m.awaitLog("daemon started")).contains("socket activation: fd 4 (LISTEN_FDNAMES name \"two\")"
                    + " (a listening TCP socket on 127.0.0.1:" + two + ") is wanted by no service; kept open for a later"
                    + " reload");

            // Reload 1: service one goes, service two comes and takes fd 4 instead of binding.
            String log = m.reload(serviceTwo);
            assertThat(log).contains("listening on adopted fd 4 (LISTEN_FDNAMES name \"two\")");
            assertThat(MasterFixture.echo(two, "two", 10_000)).isEqualTo("two");
            assertThat(m.awaitLog("adopted fd 3 (LISTEN_FDNAMES name \"one\") back in the pool, still open"))
                    .as("service one drained and gave its socket back")
                    .contains("adopted fd 3 (LISTEN_FDNAMES name \"one\") back in the pool, still open");

            // No service on fd 3 now, but the socket still listens: a client is queued in its backlog.
            try (Socket queued = send(one, "queued")) {
                // Reload 2: service one comes back, takes the same socket, and serves the queued client.
                log = m.reload(serviceOne + serviceTwo);
                assertThat(count(log, "listening on adopted fd 3 (LISTEN_FDNAMES name \"one\")")).isEqualTo(2);
                assertThat(answer(queued)).as("the connection queued across the reload").isEqualTo("queued");
            }
            assertThat(m.log()).doesNotContain("cannot listen");
        } finally {
            m.stop();
        }
        // stop closed them: nobody listens there any more (systemd-socket-activate exec'd into the master).
        for (int port : new int[] {one, two}) {
            Assertions.assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    /**
     * The parts together (docs/socket-activation.md, docs/cgroups.md): a reload adds a service that
     * takes an adopted socket and gets a cgroup; it serves there from its cgroup; stop ends and
     * removes every service cgroup and closes the adopted sockets, and the master exits 0.
     */
    @Test
    @org.junit.jupiter.api.Tag("cgroup2")
    void aServiceAReloadAddsOnAnAdoptedSocketGetsItsCgroupAndStopRemovesBoth(@TempDir Path dir) throws Exception {
        try (io.procmaster.testing.Cgroup2Sandbox box = io.procmaster.testing.Cgroup2Sandbox.create()) {
            Path queue = dir.resolve("queue");
            int one = MasterFixture.freePort();
            int two = MasterFixture.freePort();
            String serviceOne = "127.0.0.1:" + one + " inet n - n - 2 pm-echo\n";
            String serviceTwo = "127.0.0.1:" + two + " inet n - n - 2 pm-echo\n";
            Running m = launch(queue, List.of("-l", "127.0.0.1:" + one, "-l", "127.0.0.1:" + two, "--fdname=one:two"),
                    serviceOne, "service_cgroups=yes", "cgroup_directory=" + box.dir);
            Path cgroupTwo = box.dir.resolve("svc-_5b127.0.0.1_5d_3a" + two + "_2finet");
            try {
                try (Socket first = send(one, "first")) {
                    assertThat(answer(first)).isEqualTo("first");
                }
                assertThat(m.awaitLog("daemon started")).contains("service cgroups under " + box.dir);
                assertThat(Files.isDirectory(cgroupTwo)).as("no cgroup before its service").isFalse();

                String log = m.reload(serviceOne + serviceTwo);
                assertThat(log).contains("listening on adopted fd 4 (LISTEN_FDNAMES name \"two\")");
                assertThat(Files.isDirectory(cgroupTwo)).as("the added service's cgroup").isTrue();
                try (Socket held = send(two, "two")) {
                    assertThat(answer(held)).isEqualTo("two");
                    // The child serving it (pm-echo holds the connection until the client closes) is in that cgroup.
                    assertThat(Files.readString(cgroupTwo.resolve("cgroup.procs")).strip()).as("cgroup.procs of "
                            + cgroupTwo).isNotEmpty();
                }
                assertThat(m.log()).doesNotContain("cannot listen").doesNotContain("cannot create its cgroup");
            } finally {
                m.stop();
            }
            assertThat(m.process().exitValue()).as(m.log()).isZero();
            try (java.util.stream.Stream<Path> left = Files.list(box.dir)) {
                assertThat(left.filter(Files::isDirectory).toList()).as("service cgroups left after stop").isEmpty();
            }
            for (int port : new int[] {one, two}) {
                Assertions.assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                        .as("adopted socket closed at stop").isInstanceOf(ConnectException.class);
            }
        }
    }

    /** One line echoed through the unix socket at {@code path}. */
    private static String echoUnix(Path path, String line) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
            return new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }
}
