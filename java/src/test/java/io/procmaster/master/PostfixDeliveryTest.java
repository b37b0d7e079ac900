package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.MailSink;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.PostfixInstance;
import io.procmaster.testing.PostfixMail;
import io.procmaster.testing.SmtpClient;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail delivery end to end with the stock Postfix daemons (Debian's postfix package) under
 * procmaster: the queue manager, the delivery agents and the services around them, one test per
 * behaviour of issue 13 item 6, each asserting what Postfix's own master gives.
 *
 * <ul>
 *   <li>qmgr's flow-control tokens through the pipe procmaster gives as fds 3/4 (§6): qmgr fills
 *       it, cleanup takes a token per connection and dozes {@code in_flow_delay} without one.
 *   <li>smtp to a second instance under a second procmaster ({@code relayhost}); lmtp to a sink
 *       the test runs; virtual into a maildir; error, retry and discard from transport_maps.
 *   <li>verify (address probes through the queue), scache (one connection for two messages),
 *       anvil (a connection count limit of 1 refuses the second with 421).
 *   <li>{@code postfix flush} and {@code postqueue -s}: deferred mail retried at once.
 *   <li>postscreen's after-220 tests, then the client on the real smtpd.
 * </ul>
 *
 * <p>Skipped (JUnit assumptions, saying why) unless run as root with Debian's postfix installed.
 * Loopback only, free ports, one instance per {@code @TempDir}; every wait is bounded and the
 * queue timers are short, so each test takes seconds. Differences from Postfix's master found
 * here are in docs/postfix-master.md §11. Run it alone with
 * {@code mvn -B -q -pl java verify -Dtest='PostfixDeliveryTest' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("soak")
class PostfixDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LOCAL_USER = "nobody"; // local(8) delivers as the recipient, never as root
    private static final int NOBODY = 65534; // Debian's nobody and nogroup

    @TempDir
    Path dir;

    @BeforeEach
    void postfixIsThere() throws IOException {
        PostfixInstance.assumeAvailable("master", "qmgr", "pickup", "cleanup", "trivial-rewrite", "local", "virtual",
                "smtp", "lmtp", "error", "discard", "bounce", "verify", "flush", "scache", "anvil", "smtpd",
                "postscreen", "postlogd", "proxymap", "showq");
        // The instances live below it; the daemons (mail_owner, nobody) must get through.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * The flow pipe end to end: qmgr, when its incoming scan is idle, fills the pipe up to
     * default_process_limit tokens through its fd 4; the master's own descriptor sees them (one
     * pipe for all, §6). cleanup takes one per connection through its fd 3: with tokens a message
     * goes through at once, with the pipe drained cleanup dozes in_flow_delay first; qmgr refills
     * it once the message has left incoming. Local delivery ends each trip.
     */
    @Test
    void qmgrFillsTheFlowPipeAndCleanupTakesItsTokens() throws Exception {
        int inFlowDelay = 4;
        PostfixInstance p = instance("a", PostfixInstance.HOSTNAME, "in_flow_delay = " + inFlowDelay + "s",
                // No periodic qmgr pass may refill the pipe while the test has drained it.
                "queue_run_delay = 300s", "default_process_limit = 20");
        try (MasterFixture m = start(p, MasterFixture.freePort(), false)) {
            int qmgr = child(m, "qmgr");
            String pipe = fdTarget(qmgr, 3);
            assertThat(pipe).startsWith("pipe:").isEqualTo(fdTarget(qmgr, 4));
            try (FileInputStream tokens = new FileInputStream(masterFdFor(pipe).toFile())) {
                assertThat(awaitTokens(tokens, 20)).as("qmgr filled the master's pipe").isEqualTo(20);

                long start = System.nanoTime();
                sendmail(p, "one", LOCAL_USER + "@" + PostfixInstance.HOSTNAME);
                assertThat(PostfixMail.awaitMaildir(maildir(p), 1)).hasSize(1);
                double withTokens = seconds(start);
                assertThat(awaitTokens(tokens, 20)).as("cleanup took one, gave one back").isEqualTo(20);

                assertThat(tokens.read(new byte[64])).isEqualTo(20); // drain: the next cleanup finds none
                assertThat(tokens.available()).isZero();
                start = System.nanoTime();
                sendmail(p, "two", LOCAL_USER + "@" + PostfixInstance.HOSTNAME);
                assertThat(PostfixMail.awaitMaildir(maildir(p), 2)).hasSize(2);
                double drained = seconds(start);
                assertThat(awaitTokens(tokens, 20)).as("qmgr refilled the pipe after the incoming feed").isEqualTo(20);

                assertThat(withTokens).as("with tokens, no in_flow_delay").isLessThan(inFlowDelay);
                assertThat(drained).as("without a token cleanup dozes in_flow_delay").isGreaterThanOrEqualTo(inFlowDelay - 0.5);
            }
            assertThat(p.log()).containsPattern("postfix/local\\[\\d+\\]: \\w+: to=<nobody@" + PostfixInstance.HOSTNAME
                    + ">.*status=sent \\(delivered to maildir\\)");
            assertClean(p);
        }
    }

    /**
     * smtp(8) to a second Postfix instance under a second procmaster: A relays everything to B's
     * smtpd ({@code relayhost = [127.0.0.1]:PORT}), B delivers it locally; A logs B's queue id.
     */
    @Test
    void smtpRelaysToASecondInstanceUnderASecondMaster() throws Exception {
        int portB = MasterFixture.freePort();
        PostfixInstance b = instance("b", "pm-b.localdomain");
        PostfixInstance a = instance("a", PostfixInstance.HOSTNAME, "relayhost = [127.0.0.1]:" + portB);
        try (MasterFixture masterB = start(b, portB, false);
             MasterFixture masterA = start(a, MasterFixture.freePort(), false)) {
            sendmail(a, "relayed", LOCAL_USER + "@pm-b.localdomain");
            List<String> got = PostfixMail.awaitMaildir(maildir(b), 1);
            assertThat(got).hasSize(1);
            assertThat(got.get(0)).contains("relayed").contains("from " + PostfixInstance.HOSTNAME);
            String logA = a.awaitLog(l -> l.contains("status=sent"));
            Matcher sent = Pattern.compile("postfix/smtp\\[\\d+\\]: \\w+: to=<nobody@pm-b.localdomain>, relay=127.0.0.1\\[127.0.0.1\\]:"
                    + portB + ",.*status=sent \\(250 2.0.0 Ok: queued as (\\w+)\\)").matcher(logA);
            assertThat(sent.find()).as(logA).isTrue();
            String logB = b.awaitLog(l -> l.contains("delivered to maildir"));
            assertThat(logB).contains("postfix/smtpd[").contains(sent.group(1) + ": client=unknown[127.0.0.1]")
                    .containsPattern("postfix/local\\[\\d+\\]: " + sent.group(1) + ": to=<nobody@pm-b.localdomain>");
            assertThat(masterA.status("private/smtp").counts().spawns()).isEqualTo(1);
            assertClean(a);
            assertClean(b);
        }
    }

    /** lmtp(8) to an LMTP server the test runs (Postfix ships no LMTP server): LHLO, one reply per recipient. */
    @Test
    void lmtpDeliversToAnLmtpServer() throws Exception {
        try (MailSink sink = MailSink.lmtp(MasterFixture.freePort())) {
            PostfixInstance p = instance("a", PostfixInstance.HOSTNAME);
            transport(p, "lmtp.example lmtp:inet:[127.0.0.1]:" + sink.port());
            try (MasterFixture m = start(p, MasterFixture.freePort(), false)) {
                sendmail(p, "over lmtp", "u1@lmtp.example", "u2@lmtp.example");
                List<MailSink.Message> got = sink.awaitMessages(1, WAIT);
                assertThat(got).hasSize(1);
                assertThat(got.get(0).greeting()).startsWith("LHLO ");
                assertThat(got.get(0).recipients()).containsExactly("RCPT TO:<u1@lmtp.example>", "RCPT TO:<u2@lmtp.example>");
                assertThat(got.get(0).data()).contains("over lmtp");
                String log = p.awaitLog(l -> l.contains("to=<u2@lmtp.example>"));
                assertThat(log).containsPattern("postfix/lmtp\\[\\d+\\]: \\w+: to=<u1@lmtp.example>, relay=127.0.0.1\\[127.0.0.1\\]:"
                        + sink.port() + ",.*status=sent \\(250 2.1.5 Ok delivered\\)");
                assertClean(p);
            }
        }
    }

    /** virtual(8): a virtual_mailbox_domains domain, a texthash mailbox map, a maildir below virtual_mailbox_base. */
    @Test
    void virtualDeliversIntoAMaildirOfItsMap() throws Exception {
        Path base = Files.createDirectories(dir.resolve("vmail"));
        Files.setAttribute(base, "unix:uid", NOBODY);
        Files.setAttribute(base, "unix:gid", NOBODY);
        PostfixInstance p = instance("a", PostfixInstance.HOSTNAME, "virtual_mailbox_domains = virt.example",
                "virtual_mailbox_base = " + base, "virtual_uid_maps = static:" + NOBODY,
                "virtual_gid_maps = static:" + NOBODY);
        Path map = p.conf.resolve("vmailbox");
        Files.writeString(map, "alice@virt.example alice/\n");
        p.configure("virtual_mailbox_maps = texthash:" + map);
        try (MasterFixture m = start(p, MasterFixture.freePort(), false)) {
            sendmail(p, "to a virtual mailbox", "alice@virt.example");
            List<String> got = PostfixMail.awaitMaildir(base.resolve("alice"), 1);
            assertThat(got).hasSize(1);
            assertThat(got.get(0)).contains("to a virtual mailbox").contains("Delivered-To: alice@virt.example");
            assertThat((Integer) Files.getAttribute(base.resolve("alice"), "unix:uid")).isEqualTo(NOBODY);
            assertThat(p.awaitLog(l -> l.contains("postfix/virtual")))
                    .containsPattern("postfix/virtual\\[\\d+\\]: \\w+: to=<alice@virt.example>.*status=sent \\(delivered to maildir\\)");
            assertClean(p);
        }
    }

    /**
     * error, retry and discard from transport_maps, one message to one recipient of each: bounced
     * (and the bounce delivered to the sender), deferred (the message stays in the deferred
     * queue), discarded as sent.
     */
    @Test
    void errorRetryAndDiscardTransportsBounceDeferAndDiscard() throws Exception {
        PostfixInstance p = instance("a", PostfixInstance.HOSTNAME);
        transport(p, "error.example error:no such domain here", "retry.example retry:try again later",
                "discard.example discard:silently discarded");
        try (MasterFixture m = start(p, MasterFixture.freePort(), false)) {
            PostfixMail.Result r = PostfixMail.sendmail(p, LOCAL_USER + "@" + PostfixInstance.HOSTNAME,
                    "Subject: three fates\n\nthree fates\n", "x@error.example", "y@retry.example", "z@discard.example");
            assertThat(r.exit()).as(r.output()).isZero();
            List<String> bounce = PostfixMail.awaitMaildir(maildir(p), 1);
            assertThat(bounce).as("the bounce reached the sender").hasSize(1);
            assertThat(bounce.get(0)).contains("Undelivered Mail Returned to Sender").contains("<x@error.example>")
                    .contains("no such domain here").doesNotContain("<z@discard.example>");
            String log = p.awaitLog(l -> l.contains("to=<y@retry.example>") && l.contains("to=<z@discard.example>"));
            assertThat(log)
                    .containsPattern("postfix/error\\[\\d+\\]: \\w+: to=<x@error.example>.*status=bounced \\(no such domain here\\)")
                    .containsPattern("postfix/error\\[\\d+\\]: \\w+: to=<y@retry.example>.*status=deferred \\(try again later\\)")
                    .containsPattern("postfix/discard\\[\\d+\\]: \\w+: to=<z@discard.example>.*status=sent \\(silently discarded\\)");
            assertThat(Await.poll(WAIT, Duration.ofMillis(100), () -> queueFiles(p, "deferred"), f -> !f.isEmpty()))
                    .as("the deferred recipient keeps the message queued").hasSize(1);
            assertThat(m.status("private/retry").counts().spawns()).isPositive();
            assertClean(p);
        }
    }

    private PostfixInstance instance(String name, String hostname, String... settings) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        PostfixInstance p = PostfixInstance.create(d);
        Path spool = Files.createDirectories(d.resolve("mail"));
        Files.setPosixFilePermissions(spool, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(p.conf.resolve("transport"), "");
        p.configure("myhostname = " + hostname, "mydestination = " + hostname,
                "mail_spool_directory = " + spool + "/", // a trailing slash: maildir
                "local_recipient_maps =", "biff = no", "transport_maps = texthash:" + p.conf.resolve("transport"),
                "queue_run_delay = 1s", "minimal_backoff_time = 1s", "maximal_backoff_time = 2s",
                "smtp_dns_support_level = disabled", "lmtp_dns_support_level = disabled");
        p.configure(settings);
        return p;
    }

    private static void transport(PostfixInstance p, String... entries) throws IOException {
        Files.writeString(p.conf.resolve("transport"), String.join("\n", entries) + "\n");
    }

    private static Path maildir(PostfixInstance p) {
        return p.conf.getParent().resolve("mail").resolve(LOCAL_USER);
    }

    /** The delivery services of Debian's master.cf (no chroot), smtpd or postscreen on {@code port}. */
    private static String masterCf(int port, boolean postscreen) {
        String front = postscreen ? """
                127.0.0.1:%d inet n - n - 1 postscreen
                smtpd     pass  - - n -   - smtpd
                dnsblog   unix  - - n -   0 dnsblog
                tlsproxy  unix  - - n -   0 tlsproxy
                """ : """
                127.0.0.1:%d inet n - n - - smtpd
                """;
        return front.formatted(port) + """
                postlog   unix-dgram n - n - 1 postlogd
                pickup    fifo  n - n 60  1 pickup
                cleanup   unix  n - n -   0 cleanup
                qmgr      fifo  n - n 300 1 qmgr
                rewrite   unix  - - n -   - trivial-rewrite
                bounce    unix  - - n -   0 bounce
                defer     unix  - - n -   0 bounce
                trace     unix  - - n -   0 bounce
                verify    unix  - - n -   1 verify
                flush     unix  n - n 1000? 0 flush
                proxymap  unix  - - n -   - proxymap
                smtp      unix  - - n -   - smtp
                relay     unix  - - n -   - smtp
                showq     unix  n - n -   - showq
                error     unix  - - n -   - error
                retry     unix  - - n -   - error
                discard   unix  - - n -   - discard
                local     unix  - n n -   - local
                virtual   unix  - n n -   - virtual
                lmtp      unix  - - n -   - lmtp
                anvil     unix  - - n -   1 anvil
                scache    unix  - - n -   1 scache
                """;
    }

    private static MasterFixture start(PostfixInstance p, int port, boolean postscreen) throws Exception {
        return MasterFixture.start(p.masterConfig("services_file=", "service_drain_time=2s"), masterCf(port, postscreen));
    }

    private static void sendmail(PostfixInstance p, String body, String... rcpts) throws Exception {
        PostfixMail.Result r = PostfixMail.sendmail(p, "root", "Subject: " + body + "\n\n" + body + "\n", rcpts);
        assertThat(r.exit()).as("sendmail: " + r.output()).isZero();
    }

    /** Nothing went wrong in the daemons' log: no fatal error, no panic, no warning. */
    private static void assertClean(PostfixInstance p) throws IOException {
        assertThat(p.log()).doesNotContain("fatal:").doesNotContain("panic:").doesNotContain("warning:");
    }

    private static int child(MasterFixture m, String command) throws Exception {
        return Await.until(command, WAIT, Duration.ofMillis(100), () -> {
            for (int pid : m.master.childPids().get(10, TimeUnit.SECONDS)) {
                try {
                    if (Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0")[0].equals(command)) {
                        return pid;
                    }
                } catch (IOException gone) {
                    // exited since the list was taken
                }
            }
            return -1;
        }, pid -> pid > 0);
    }

    private static String fdTarget(int pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    /** The master's own descriptor (this JVM's) for the pipe {@code target} ({@code pipe:[inode]}). */
    private static Path masterFdFor(String target) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        return fd;
                    }
                } catch (IOException closed) {
                    // closed meanwhile
                }
            }
        }
        throw new AssertionError("the master holds no descriptor for " + target);
    }

    /** The tokens in the pipe (FIONREAD, nothing consumed) once there are {@code n}, or after 30 s. */
    private static int awaitTokens(FileInputStream pipe, int n) throws Exception {
        return Await.poll(WAIT, Duration.ofMillis(50), pipe::available, t -> t == n);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static List<Path> queueFiles(PostfixInstance p, String queue) throws IOException {
        try (Stream<Path> s = Files.walk(p.queue.resolve(queue))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
