package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.Master;
import io.procmaster.testing.TestBin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 8's control-socket edges: silent clients, root under EMFILE, impostor servers, paths. */
class ControlSocketEdgesTest {
    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ProcmasterCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Master master(Path dir) throws Exception {
        Path masterCf = Files.writeString(dir.resolve("master.cf"), "");
        return Master.start(masterCf, null, List.of("daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "queue_directory=" + dir, "services_file="));
    }

    private static SocketChannel connect(Path socket) throws Exception {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return c;
    }

    /** Sends a line and reads the whole answer (blocking; the caller bounds it). */
    private static String exchange(Path socket, String line) throws Exception {
        try (SocketChannel c = connect(socket)) {
            c.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
            return readAll(c);
        }
    }

    private static String readAll(SocketChannel c) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (c.read(b) >= 0 && b.hasRemaining()) {
            // until EOF
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    // ---- defect 4: one silent client freezes the control socket -------------------------------

    @Test
    void defect4_aSilentClientDoesNotDelayStatus(@TempDir Path dir) throws Exception {
        // The acceptance: a silent client does not delay status by more than a second. The silent
        // client may hold its connection for 60 s here, so a server that served it first (or
        // waited out its deadline) would take a minute, far beyond the 1 s bound.
        Path socket = dir.resolve("control.sock");
        try (Master master = master(dir);
             ControlServer control = new ControlServer(socket, command -> MasterCommands.answer(master, command),
                     master::stop, java.time.Duration.ofSeconds(60), ControlServer.MAX_CONNECTIONS);
             SocketChannel silent = connect(socket)) {
            long t0 = System.nanoTime();
            CompletableFuture<Run> status = CompletableFuture.supplyAsync(() -> cli("status", "--socket", socket.toString()));
            Run r = status.get(1, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("status with a silent client connected: " + millis + " ms");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("service");
            assertThat(silent.isConnected()).as("the silent client still holds its connection").isTrue();
        }
    }

    @Test
    void defect4_theCliGivesUpOnAServerThatNeverAnswers(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("mute.sock");
        try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            mute.bind(UnixDomainSocketAddress.of(socket)); // listens, never accepts, never answers
            CompletableFuture<Run> status = CompletableFuture.supplyAsync(
                    () -> cli("status", "--socket", socket.toString(), "--timeout", "1s"));
            Run r = status.get(20, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("procmaster: no answer from " + socket + " within 1s");
        }
    }

    @Test
    void defect4_theCliSaysClearlyWhenNobodyListens(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        Run r = cli("status", "--socket", socket.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("procmaster: no master answers on " + socket + ": Connection refused\n");
        Run bad = cli("status", "--socket", socket.toString(), "--timeout", "soon");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("bad time value \"soon\"");
    }

    // ---- defect 5: root refused under fd exhaustion ------------------------------------------

    @Test
    void defect5_rootIsAdmittedWhenNameLookupsFailForLackOfDescriptors(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the refused peer is root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux)");
        Path socket = dir.resolve("control.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("/usr/bin/prlimit", "--nofile=200:200", java, "-Xss256k", "-XX:-UseContainerSupport",
                "-cp", System.getProperty("java.class.path"), EmfileControlServer.class.getName(), socket.toString(), "200")
                .redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> seen = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null && !line.equals("ready")) {
                seen.add(line);
            }
            assertThat(line).as("child output %s", seen).isEqualTo("ready");
            assertThat(seen).as("name lookups fail in the child").anyMatch(l -> l.startsWith("lookup failed:"));
            String answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return exchange(socket, "status\n");
                } catch (Exception e) {
                    return "no answer: " + e;
                }
            }).get(20, TimeUnit.SECONDS);
            child.getOutputStream().close();
            while ((line = lines.readLine()) != null) {
                seen.add(line);
            }
            assertThat(answer).as("answer; the child said %s", seen)
                    .doesNotContain("permission denied").startsWith("ok\nanswered status");
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
            }
        }
    }

    // ---- defect 6 (client half): the CLI checks who serves the socket -------------------------

    private static Process fakeServerAsNobody(Path socket) throws Exception {
        String script = "import socket,sys\n"
                + "s=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(8)\nprint('ready',flush=True)\n"
                + "while True:\n c,_=s.accept()\n c.recv(256)\n c.sendall(b'ok stopping\\n')\n c.close()\n";
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", "-c", script, socket.toString()).redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(first).as("fake server started").isEqualTo("ready");
        return p;
    }

    private static void assumeRootWithSetprivAndPython() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run a server as nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs setpriv and /usr/bin/python3");
    }

    @Test
    void defect6_theCliDoesNotBelieveAServerRunByAnotherUser(@TempDir Path dir) throws Exception {
        assumeRootWithSetprivAndPython();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path queue = Files.createDirectory(dir.resolve("queue"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Process fake = fakeServerAsNobody(open.resolve("fake.sock"));
        try {
            // nobody's socket swapped into root's directory: the directory is fine, the server is not
            Path socket = queue.resolve("control.sock");
            Files.move(open.resolve("fake.sock"), socket);
            Run stop = CompletableFuture.supplyAsync(() -> cli("stop", "--socket", socket.toString())).get(20, TimeUnit.SECONDS);
            assertThat(stop.out()).doesNotContain("stopping");
            assertThat(stop.code()).isEqualTo(1);
            assertThat(stop.err()).contains("procmaster: " + socket + " is served by").contains("nobody")
                    .contains("not by root: not trusted");
        } finally {
            fake.destroyForcibly().waitFor();
        }
    }

    @Test
    void defect6_theCliDoesNotBelieveAServerInADirectoryAnotherUserPrecreated(@TempDir Path dir) throws Exception {
        // The scenario: another user pre-creates the example's queue directory (0755, its
        // own), the real master refuses it, and that user's fake server waits there for root's CLI.
        assumeRootWithSetprivAndPython();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path theirs = Files.createDirectory(dir.resolve("procmaster-example"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setAttribute(theirs, "unix:uid", 65534);
        Files.setAttribute(theirs, "unix:gid", 65534);
        Path socket = theirs.resolve("procmaster.sock");
        Process fake = fakeServerAsNobody(socket);
        try {
            Run stop = CompletableFuture.supplyAsync(() -> cli("stop", "--socket", socket.toString())).get(20, TimeUnit.SECONDS);
            assertThat(stop.out()).doesNotContain("stopping");
            assertThat(stop.code()).isEqualTo(1);
            assertThat(stop.err()).contains("procmaster: " + socket).contains("not trusted");
        } finally {
            fake.destroyForcibly().waitFor();
        }
    }

    @Test
    void defect6_theCliDoesNotBelieveASocketInADirectoryOthersCanWrite(@TempDir Path dir) throws Exception {
        assumeRootWithSetprivAndPython();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = open.resolve("control.sock");
        Process fake = fakeServerAsNobody(socket);
        try {
            Run stop = CompletableFuture.supplyAsync(() -> cli("stop", "--socket", socket.toString())).get(20, TimeUnit.SECONDS);
            assertThat(stop.out()).doesNotContain("stopping");
            assertThat(stop.code()).isEqualTo(1);
            assertThat(stop.err()).contains("procmaster: " + socket + ": its directory " + open
                    + " is writable by group or others: not trusted");
        } finally {
            fake.destroyForcibly().waitFor();
        }
    }

    // ---- defect 8 (control socket): only a stale socket is removed ---------------------------

    @Test
    void defect8_aRegularFileAtTheControlSocketPathIsRefusedAndKept(@TempDir Path dir) throws Exception {
        Path socket = Files.writeString(dir.resolve("control.sock"), "precious\n");
        try (Master master = master(dir)) {
            assertThatThrownBy(() -> new ControlServer(socket, master, master::stop).close())
                    .hasMessage("control socket " + socket + ": exists and is not a socket: refusing to remove it");
        }
        assertThat(Files.readString(socket)).isEqualTo("precious\n");
    }

    @Test
    void defect8_aSymlinkOrDirectoryAtTheControlSocketPathIsRefusedAndKept(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link.sock"), target);
        Path danglingLink = Files.createSymbolicLink(dir.resolve("dangling.sock"), dir.resolve("nowhere"));
        Path directory = Files.createDirectory(dir.resolve("dir.sock"));
        try (Master master = master(dir)) {
            for (Path p : List.of(link, danglingLink, directory)) {
                assertThatThrownBy(() -> new ControlServer(p, master, master::stop).close())
                        .hasMessage("control socket " + p + ": exists and is not a socket: refusing to remove it");
                assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as("%s kept", p).isTrue();
            }
        }
        assertThat(Files.readString(target)).isEqualTo("x");
    }

    @Test
    void defect8_aStaleSocketIsReplacedAndALiveOneIsNot(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        } // closed: the file stays, nobody answers
        assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isTrue();
        try (Master master = master(dir);
             ControlServer first = new ControlServer(socket, master, master::stop)) {
            assertThat(cli("status", "--socket", socket.toString()).code()).isZero();
            assertThatThrownBy(() -> new ControlServer(socket, master, master::stop).close())
                    .hasMessageContaining("a master is already running on " + socket);
            assertThat(cli("status", "--socket", socket.toString()).code()).isZero();
        }
    }
}
