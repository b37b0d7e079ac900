package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.PostfixInstance;
import io.procmaster.testing.ProcSelf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock Postfix daemons of Debian's postfix package, unmodified, under procmaster's master:
 * each server skeleton on each transport type, speaking its real protocol.
 *
 * <ul>
 *   <li>smtpd (single server) on {@code inet}: banner and QUIT; as {@code mail_owner} it asks
 *       anvil over anvil's private socket.
 *   <li>anvil (multi server) on {@code unix}: its attribute protocol.
 *   <li>postlogd (dgram server) on {@code unix-dgram}: writes what the others log.
 *   <li>pickup (trigger server) on {@code fifo}, woken by the master and by postdrop: a message
 *       from sendmail goes through pickup, cleanup ({@code -z}) and trivial-rewrite into the
 *       incoming queue.
 *   <li>postscreen (event server) on {@code inet} hands the client to smtpd on {@code pass}.
 * </ul>
 *
 * <p>And the master's side: each child's argv in Postfix's order, GENERATION, the environment
 * import_environment gives, fds 3/4/5/6; after the master stops, no zombie and no descriptor left.
 *
 * <p>Skipped (JUnit assumptions, saying why) unless run as root with Debian's postfix package
 * installed ({@code /usr/lib/postfix/sbin}, {@code /usr/sbin/sendmail}, user postfix, group
 * postdrop). Loopback only, no name service; every wait is bounded. Run it alone with
 * {@code mvn -B -q -pl java verify -Dtest='PostfixDaemons*' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("soak") // about 15 s with the real Postfix daemons: skipped by the quick run (README, "Tests"), run by ci/test.sh
class PostfixDaemonsTest {
    private PostfixInstance postfix;
    private int smtpPort;
    private int postscreenPort;
    private Map<Integer, String> fdsBefore;

    @BeforeEach
    void layOutAPrivateInstance(@TempDir Path dir) throws Exception {
        PostfixInstance.assumeAvailable("smtpd", "anvil", "postlogd", "pickup", "cleanup", "trivial-rewrite",
                "proxymap", "postscreen");
        smtpPort = MasterFixture.freePort();
        postscreenPort = MasterFixture.freePort();
        // After the first socket: the JDK keeps a descriptor of its own from then on (NIO's pre-close socket).
        fdsBefore = ProcSelf.descriptors();
        postfix = PostfixInstance.create(dir);
    }

    @AfterEach
    void nothingIsLeftBehind() throws Exception {
        if (fdsBefore == null) {
            return; // skipped
        }
        assertThat(ProcSelf.zombies()).as("zombies").isEmpty();
        assertThat(ProcSelf.openedSince(fdsBefore)).as("descriptors left open").isEmpty();
    }

    /** The services, as Debian's master.cf has them, without chroot; smtpd on a free port. */
    private String masterCf() {
        return """
                postlog      unix-dgram n - n -  1 postlogd
                anvil        unix       - - n -  1 anvil
                proxymap     unix       - - n -  - proxymap
                rewrite      unix       - - n -  - trivial-rewrite
                cleanup      unix       n - n -  0 cleanup
                pickup       fifo       n - n 60 1 pickup
                127.0.0.1:%d inet       n - n -  - smtpd
                127.0.0.1:%d inet       n - n -  1 postscreen
                smtpd        pass       - - n -  - smtpd
                """.formatted(smtpPort, postscreenPort);
    }

    private MasterFixture start() throws Exception {
        return MasterFixture.start(postfix.masterConfig("services_file=", "service_drain_time=2s"), masterCf());
    }

    @Test
    void smtpdOnInetGreetsAndSaysByeToQuit() throws Exception {
        try (MasterFixture m = start()) {
            List<String> replies = smtpQuit(smtpPort);
            assertThat(replies.get(0)).startsWith("220 " + PostfixInstance.HOSTNAME + " ESMTP");
            assertThat(replies.get(1)).startsWith("221 ");
            ServiceStatus s = m.status("[127.0.0.1]:" + smtpPort);
            assertThat(s.counts().spawns()).isEqualTo(1);
            assertThat(s.counts().badStartups()).isZero();
            assertThat(s.throttled()).isFalse();
        }
    }

    @Test
    void postlogdOnUnixDgramWritesWhatTheOtherDaemonsLog() throws Exception {
        try (MasterFixture m = start()) {
            smtpQuit(smtpPort);
            int smtpd = child(m, argv -> argv.contains("inet") && argv.get(0).equals("smtpd"));
            String log = postfix.awaitLog(l -> l.contains("disconnect from"));
            assertThat(log).contains("postfix/smtpd[" + smtpd + "]: connect from unknown[127.0.0.1]")
                    .contains("postfix/smtpd[" + smtpd + "]: disconnect from unknown[127.0.0.1] quit=1 commands=1");
            int postlogd = child(m, argv -> argv.get(0).equals("postlogd"));
            assertThat(fdTargets(postlogd)).as("postlogd holds the log file").contains(postfix.maillog.toString());
            assertThat(m.status("public/postlog").counts().spawns()).isEqualTo(1);
        }
    }

    /** smtpd has dropped to mail_owner when it asks anvil: the private socket must be its. */
    @Test
    void smtpdAsMailOwnerReachesAnvilOnItsPrivateSocket() throws Exception {
        try (MasterFixture m = start()) {
            smtpQuit(smtpPort);
            String log = postfix.awaitLog(l -> l.contains("disconnect from"));
            int smtpd = child(m, argv -> argv.contains("inet") && argv.get(0).equals("smtpd"));
            assertThat(uid(smtpd)).as("smtpd's uid").isEqualTo(postfix.mailOwnerUid());
            assertThat(log).doesNotContain("private/anvil").doesNotContain("Permission denied");
            assertThat(m.status("private/anvil").counts().spawns()).as("anvil spawned for smtpd's question")
                    .isEqualTo(1);
        }
    }

    @Test
    void anvilOnUnixAnswersConnectAndLookup() throws Exception {
        try (MasterFixture m = start();
             AttributeClient anvil = new AttributeClient(postfix.queue.resolve("private/anvil"))) {
            Map<String, String> connect = anvil.request("request", "connect", "ident", "smtp:192.0.2.1");
            assertThat(connect).containsEntry("status", "0").containsEntry("count", "1").containsEntry("rate", "1");
            Map<String, String> lookup = anvil.request("request", "lookup", "ident", "smtp:192.0.2.1");
            assertThat(lookup).containsEntry("status", "0").containsEntry("count", "1").containsEntry("rate", "1");
            assertThat(m.status("private/anvil").counts().spawns()).isEqualTo(1);
        }
    }

    /**
     * sendmail hands the message to postdrop, which drops it into maildrop and writes a trigger
     * into pickup's FIFO; pickup passes it to cleanup (public unix socket), which asks
     * trivial-rewrite (private) and writes the queue file into incoming. qmgr is not run, so the
     * message stays there.
     */
    @Test
    void pickupOnFifoTakesMailFromSendmailThroughCleanupIntoTheIncomingQueue(@TempDir Path tmp) throws Exception {
        try (MasterFixture m = start()) {
            Path out = tmp.resolve("sendmail.out");
            ProcessBuilder pb = new ProcessBuilder(PostfixInstance.SENDMAIL.toString(), "-f", "root",
                    "someone@example.com").redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("MAIL_CONFIG", postfix.conf.toString());
            Process sendmail = pb.start();
            try (OutputStream in = sendmail.getOutputStream()) {
                in.write("Subject: procmaster\n\nhello from procmaster\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(sendmail.waitFor(60, TimeUnit.SECONDS)).as("sendmail finishes").isTrue();
            assertThat(sendmail.exitValue()).as(Files.readString(out)).isZero();

            Path incoming = postfix.queue.resolve("incoming");
            List<Path> queued = Await.poll(Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> files(postfix.queue.resolve("maildrop")).isEmpty() ? files(incoming) : List.<Path>of(),
                    q -> !q.isEmpty());
            assertThat(files(postfix.queue.resolve("maildrop"))).as("pickup took it").isEmpty();
            assertThat(queued).as("cleanup queued it").hasSize(1);
            String queueId = queued.get(0).getFileName().toString();
            String queueFile = Files.readString(queued.get(0), StandardCharsets.ISO_8859_1);
            assertThat(queueFile).contains("someone@example.com").contains("hello from procmaster");
            String log = postfix.awaitLog(l -> l.contains(queueId + ": message-id="));
            assertThat(log).containsPattern("postfix/pickup\\[\\d+\\]: " + queueId + ": uid=0 from=<root>")
                    .containsPattern("postfix/cleanup\\[\\d+\\]: " + queueId + ": message-id=")
                    .doesNotContain("Permission denied");
            for (String id : List.of("public/pickup", "public/cleanup", "private/rewrite")) {
                ServiceStatus s = m.status(id);
                assertThat(s.counts().spawns()).as(id + " spawned").isEqualTo(1);
                assertThat(s.counts().badStartups()).as(id).isZero();
            }
        }
    }

    @Test
    void postscreenOnInetHandsTheClientToSmtpdOnPass() throws Exception {
        try (MasterFixture m = start()) {
            List<String> replies = smtpQuit(postscreenPort);
            assertThat(replies.get(0)).startsWith("220 " + PostfixInstance.HOSTNAME + " ESMTP");
            assertThat(replies.get(1)).startsWith("221 ");
            int passSmtpd = child(m, argv -> argv.contains("pass"));
            String log = postfix.awaitLog(l -> l.contains("disconnect from"));
            assertThat(log).contains("CONNECT from [127.0.0.1]")
                    .contains("postfix/smtpd[" + passSmtpd + "]: connect from unknown[127.0.0.1]");
            assertThat(m.status("private/smtpd").counts().spawns()).isEqualTo(1);
            assertThat(m.status("[127.0.0.1]:" + smtpPort).counts().spawns()).as("not through the inet smtpd")
                    .isZero();
        }
    }

    /**
     * What each daemon got from the master: argv in Postfix's order ({@code -l}/{@code -z}, then
     * {@code -n name} when the name is not the command's, {@code -t type}, {@code -u} unless
     * unpriv is n, {@code -o stress=} for services that are not local), GENERATION the octal
     * serial of its spawn, nothing else in the environment but import_environment's MAIL_CONFIG and
     * the postlog variables Postfix's master exports when maillog_file is set, fds 0-2 /dev/null,
     * 3/4 the master's flow pipe, 5 a status socket, 6 its listener.
     */
    @Test
    void eachDaemonGetsPostfixArgvGenerationEnvironmentAndDescriptors() throws Exception {
        try (MasterFixture m = start()) {
            // The wakeup makes pickup the first child; then each client brings its daemons.
            assertThat(waitFor(m, "public/pickup", s -> s.counts().spawns() == 1).counts().spawns())
                    .as("pickup spawned by its wakeup").isEqualTo(1);
            smtpQuit(smtpPort);
            smtpQuit(postscreenPort);
            List<List<String>> expected = List.of(
                    List.of("pickup", "-l", "-t", "fifo", "-u"),
                    List.of("smtpd", "-n", "127.0.0.1:" + smtpPort, "-t", "inet", "-u"),
                    List.of("proxymap", "-t", "unix", "-u"),
                    List.of("anvil", "-l", "-t", "unix", "-u"),
                    List.of("postlogd", "-l", "-n", "postlog", "-t", "unix-dgram", "-u"),
                    List.of("postscreen", "-l", "-n", "127.0.0.1:" + postscreenPort, "-t", "inet", "-u"),
                    List.of("smtpd", "-t", "pass", "-u", "-o", "stress="));
            Map<List<String>, Integer> children = Await.poll(Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> children(m), c -> c.size() >= expected.size());
            assertThat(children.keySet()).containsExactlyInAnyOrderElementsOf(expected);

            TreeSet<Long> generations = new TreeSet<>();
            String flowPipe = null;
            for (Map.Entry<List<String>, Integer> c : children.entrySet()) {
                int pid = c.getValue();
                Map<String, String> env = environ(pid);
                // import_environment has no MAIL_LOGTAG here, so Postfix's master passes none; maillog_file
                // is set, so it exports the postlog socket and host name (docs/postfix-master.md §3.1.1).
                assertThat(env.keySet()).as("environment of " + c.getKey()).containsExactlyInAnyOrder("MAIL_CONFIG",
                        "GENERATION", "POSTLOG_SERVICE", "POSTLOG_HOSTNAME");
                assertThat(env).containsEntry("MAIL_CONFIG", postfix.conf.toString())
                        .containsEntry("POSTLOG_SERVICE", postfix.queue.resolve("public/postlog").toString())
                        .containsEntry("POSTLOG_HOSTNAME", PostfixInstance.HOSTNAME);
                for (int fd = 0; fd <= 2; fd++) {
                    assertThat(fdTarget(pid, fd)).as("fd " + fd + " of " + c.getKey()).isEqualTo("/dev/null");
                }
                assertThat(env.get("GENERATION")).matches("[0-7]+");
                generations.add(Long.parseLong(env.get("GENERATION"), 8));
                String fd3 = fdTarget(pid, 3);
                assertThat(fd3).startsWith("pipe:").isEqualTo(fdTarget(pid, 4));
                if (flowPipe == null) {
                    flowPipe = fd3;
                }
                assertThat(fd3).as("one flow pipe for every child").isEqualTo(flowPipe);
                assertThat(fdTarget(pid, 5)).startsWith("socket:");
                if (c.getKey().get(0).equals("pickup")) {
                    assertThat(fdTarget(pid, 6)).isEqualTo(postfix.queue.resolve("public/pickup").toString());
                } else {
                    assertThat(fdTarget(pid, 6)).startsWith("socket:");
                }
            }
            assertThat(generations).as("one serial per spawn, in octal").containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            // The wakeup spawns pickup at once; only postlogd can come before it, brought by the
            // master's own "daemon started" line on public/postlog (docs/postfix-master.md §11.1).
            String first = environ(children.get(expected.get(0))).get("GENERATION").equals("1") ? "pickup" : "postlogd";
            assertThat(environ(children.get(expected.get(first.equals("pickup") ? 0 : 4))).get("GENERATION"))
                    .as("pickup came first, or second after postlogd").isEqualTo("1");
            assertThat(environ(children.get(expected.get(0))).get("GENERATION")).isIn("1", "2");
            assertThat(fdTargets((int) ProcessHandle.current().pid())).as("the master's flow pipe").contains(flowPipe);
        }
    }

    // ---- helpers ----

    /** Connects, reads the banner, sends QUIT and reads the reply. */
    private static List<String> smtpQuit(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String banner = in.readLine();
            OutputStream out = s.getOutputStream();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return List.of(String.valueOf(banner), String.valueOf(in.readLine()));
        }
    }

    private static ServiceStatus waitFor(MasterFixture m, String id, Predicate<ServiceStatus> p) throws Exception {
        return m.awaitStatus(id, p, 30_000);
    }

    /** The master's live children by argv. */
    private static Map<List<String>, Integer> children(MasterFixture m) throws Exception {
        Map<List<String>, Integer> out = new HashMap<>();
        for (int pid : m.master.childPids().get(10, TimeUnit.SECONDS)) {
            try {
                out.put(argv(pid), pid);
            } catch (IOException gone) {
                // exited since the list was taken
            }
        }
        return out;
    }

    /** The pid of the one live child whose argv matches, waiting for it to be spawned. */
    private static int child(MasterFixture m, Predicate<List<String>> which) throws Exception {
        List<Integer> pids = Await.until("the child", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            List<Integer> found = children(m).entrySet().stream().filter(e -> which.test(e.getKey()))
                    .map(Map.Entry::getValue).toList();
            assertThat(found).hasSizeLessThanOrEqualTo(1);
            return found;
        }, found -> !found.isEmpty());
        return pids.get(0);
    }

    private static List<String> argv(int pid) throws IOException {
        return List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
    }

    private static Map<String, String> environ(int pid) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : Files.readString(Path.of("/proc/" + pid + "/environ")).split("\0")) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        return env;
    }

    private static String fdTarget(int pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    private static List<String> fdTargets(int pid) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    out.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closed) {
                    // closed meanwhile
                }
            }
        }
        return out;
    }

    /** The real uid of a process (first field of Uid: in /proc/PID/status). */
    private static int uid(int pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no Uid line for pid " + pid);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /**
     * A client of Postfix's attribute protocol in its plain form, which anvil speaks: a request
     * is {@code name=value} lines closed by an empty line, and so is each reply. A server may
     * first announce its protocol ({@code protocol=...}); blocks without a status are skipped.
     */
    private static final class AttributeClient implements AutoCloseable {
        private final SocketChannel channel;
        private final Selector selector;
        private final StringBuilder pending = new StringBuilder();

        AttributeClient(Path socket) throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        Map<String, String> request(String... nameValues) throws IOException {
            StringBuilder req = new StringBuilder();
            for (int i = 0; i < nameValues.length; i += 2) {
                req.append(nameValues[i]).append('=').append(nameValues[i + 1]).append('\n');
            }
            ByteBuffer b = ByteBuffer.wrap(req.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                channel.write(b);
            }
            while (true) {
                Map<String, String> reply = readBlock();
                if (reply.containsKey("status")) {
                    return reply;
                }
            }
        }

        private Map<String, String> readBlock() throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ByteBuffer buf = ByteBuffer.allocate(4096);
            int end;
            while ((end = pending.indexOf("\n\n")) < 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException("no reply within 30 s; got: " + pending);
                }
                selector.select(left);
                selector.selectedKeys().clear();
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    throw new IOException("server closed the connection; got: " + pending);
                }
                pending.append(new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : pending.substring(0, end).split("\n")) {
                int eq = line.indexOf('=');
                out.put(eq < 0 ? line : line.substring(0, eq), eq < 0 ? "" : line.substring(eq + 1));
            }
            pending.delete(0, end + 2);
            return out;
        }

        @Override
        public void close() throws IOException {
            selector.close();
            channel.close();
        }
    }
}
