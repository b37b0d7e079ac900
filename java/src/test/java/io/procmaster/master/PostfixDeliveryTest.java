package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.testing.Await;
import io.procmaster.testing.MailSink;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.PostfixInstance;
import io.procmaster.testing.PostfixMail;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.SmtpClient;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
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
 * here are in docs/postfix-master.md §12. Run it alone with
 * {@code mvn -B -q -pl java verify -Dtest='PostfixDeliveryTest' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("soak")
class PostfixDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LOCAL_USER = "nobody"; // local(8) delivers as the recipient, never as root
    private static final int NOBODY = 65534; // Debian's nobody and nogroup

    @TempDir
    Path dir;
    private Map<Integer, String> fdsBefore;

    @AfterEach
    void nothingIsLeftBehind() throws Exception {
        if (fdsBefore == null) {
            return; // skipped
        }
        assertThat(ProcSelf.zombies()).as("zombies").isEmpty();
        assertThat(ProcSelf.openedSince(fdsBefore)).as("descriptors left open").isEmpty();
    }

    @BeforeEach
    void postfixIsThere() throws IOException {
        PostfixInstance.assumeAvailable("qmgr", "pickup", "cleanup", "trivial-rewrite", "local", "virtual",
                "smtp", "lmtp", "error", "discard", "bounce", "verify", "flush", "scache", "anvil", "smtpd",
                "postscreen", "postlogd", "proxymap", "showq");
        for (String command : List.of("postqueue", "postfix")) {
            assumeTrue(Files.isExecutable(Path.of("/usr/sbin", command)), "/usr/sbin/" + command + " is missing");
        }
        assumeTrue(Files.readAllLines(Path.of("/etc/passwd")).stream()
                .anyMatch(l -> l.startsWith(LOCAL_USER + ":x:" + NOBODY + ":" + NOBODY + ":")),
                "no user " + LOCAL_USER + " with uid and gid " + NOBODY + " (Debian's) to deliver to");
        // The instances live below it; the daemons (mail_owner, nobody) must get through.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        MasterFixture.freePort(); // after the first socket the JDK keeps a descriptor of its own
        fdsBefore = ProcSelf.descriptors();
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

    /**
     * verify(8) with {@code reject_unverified_recipient}: smtpd asks verify, verify sends a probe
     * through cleanup and qmgr to local(8), which only says whether it could deliver; smtpd
     * accepts a real user and rejects an unknown one. A probe delivers nothing.
     */
    @Test
    void verifyProbesRecipientsBeforeSmtpdAcceptsThem() throws Exception {
        int port = MasterFixture.freePort();
        PostfixInstance p = instance("a", PostfixInstance.HOSTNAME,
                "smtpd_recipient_restrictions = reject_unverified_recipient", "unverified_recipient_reject_code = 550",
                "address_verify_poll_delay = 1s", "address_verify_poll_count = 15");
        try (MasterFixture m = start(p, port, false); SmtpClient c = SmtpClient.connect(port)) {
            assertThat(c.reply()).startsWith("220 ");
            assertThat(c.send("EHLO client.test")).startsWith("250");
            assertThat(c.send("MAIL FROM:<root@" + PostfixInstance.HOSTNAME + ">")).startsWith("250");
            assertThat(c.send("RCPT TO:<nobody@" + PostfixInstance.HOSTNAME + ">")).startsWith("250 ");
            assertThat(c.send("RCPT TO:<ghost@" + PostfixInstance.HOSTNAME + ">")).startsWith("550 ")
                    .contains("Recipient address rejected: undeliverable address: unknown user: \"ghost\"");
            assertThat(c.send("QUIT")).startsWith("221");
            String log = p.awaitLog(l -> l.contains("disconnect from"));
            assertThat(log)
                    .containsPattern("postfix/local\\[\\d+\\]: \\w+: to=<nobody@" + PostfixInstance.HOSTNAME
                            + ">.*status=deliverable")
                    .containsPattern("postfix/local\\[\\d+\\]: \\w+: to=<ghost@" + PostfixInstance.HOSTNAME
                            + ">.*status=undeliverable");
            assertThat(PostfixMail.maildir(maildir(p))).as("a probe is not delivered").isEmpty();
            assertThat(m.status("private/verify").counts().spawns()).isEqualTo(1);
            assertClean(p);
        }
    }

    /**
     * scache(8): smtp(8) keeps the connection to a cached destination in the connection cache
     * after the first message and takes it out again for the second; the server sees one
     * connection, the second delivery is logged {@code conn_use=2}.
     */
    @Test
    void scacheCarriesTheSecondMessageOverTheFirstConnection() throws Exception {
        try (MailSink sink = MailSink.smtp(MasterFixture.freePort())) {
            // smtp_connection_cache_destinations names the bare host: no [] and no port (smtp_connect.c).
            PostfixInstance p = instance("a", PostfixInstance.HOSTNAME,
                    "smtp_connection_cache_destinations = 127.0.0.1", "smtp_connection_cache_time_limit = 20s");
            transport(p, "cache.example smtp:[127.0.0.1]:" + sink.port());
            try (MasterFixture m = start(p, MasterFixture.freePort(), false)) {
                sendmail(p, "first", "a@cache.example");
                assertThat(sink.awaitMessages(1, WAIT)).hasSize(1);
                sendmail(p, "second", "b@cache.example");
                List<MailSink.Message> got = sink.awaitMessages(2, WAIT);
                assertThat(got).hasSize(2);
                assertThat(got).extracting(MailSink.Message::connection).containsExactly(1, 1);
                assertThat(sink.connections()).isEqualTo(1);
                assertThat(p.awaitLog(l -> l.contains("to=<b@cache.example>"))).containsPattern(
                        "postfix/smtp\\[\\d+\\]: \\w+: to=<b@cache.example>, relay=127.0.0.1\\[127.0.0.1\\]:" + sink.port()
                                + ", conn_use=2,.*status=sent");
                assertThat(m.status("private/scache").counts().spawns()).isEqualTo(1);
                assertClean(p);
            }
        }
    }

    /**
     * anvil(8) limits: with {@code smtpd_client_connection_count_limit = 1} a second concurrent
     * connection from the same client gets 421 from a second smtpd (the master spawned it while
     * the first was taken); once the first has left, a connection is greeted again.
     */
    @Test
    void anvilRefusesASecondConcurrentConnectionWith421() throws Exception {
        int port = MasterFixture.freePort();
        PostfixInstance p = instance("a", PostfixInstance.HOSTNAME, "smtpd_client_connection_count_limit = 1");
        try (MasterFixture m = start(p, port, false)) {
            try (SmtpClient first = SmtpClient.connect(port)) {
                assertThat(first.reply()).startsWith("220 ");
                try (SmtpClient second = SmtpClient.connect(port)) {
                    assertThat(second.reply()).startsWith("421 4.7.0 " + PostfixInstance.HOSTNAME
                            + " Error: too many connections from 127.0.0.1");
                }
                assertThat(first.send("QUIT")).startsWith("221");
            }
            // anvil hears of the first one's end when its smtpd has closed the session.
            String again = Await.poll(WAIT, Duration.ofMillis(200), () -> {
                try (SmtpClient third = SmtpClient.connect(port)) {
                    String banner = third.reply();
                    third.send("QUIT");
                    return banner;
                }
            }, b -> b.startsWith("220 "));
            assertThat(again).startsWith("220 ");
            String log = p.awaitLog(l -> l.contains("Connection concurrency limit exceeded"));
            assertThat(log).contains("warning: Connection concurrency limit exceeded: 2 from unknown[127.0.0.1] for service "
                    + "127.0.0.1:" + port);
            assertThat(m.status("[127.0.0.1]:" + port).counts().spawns()).as("one smtpd per concurrent client")
                    .isEqualTo(2);
            assertThat(m.status("private/anvil").counts().spawns()).isEqualTo(1);
            assertThat(log.replace("warning: Connection concurrency limit exceeded", "")).doesNotContain("warning:")
                    .doesNotContain("fatal:").doesNotContain("panic:");
        }
    }

    /**
     * {@code postfix flush} (postfix-script runs {@code postqueue -f}): qmgr is told to forget
     * dead destinations and scan the whole deferred queue regardless of time stamps, so a message
     * deferred with a 300 s back-off goes out at once.
     */
    @Test
    void postfixFlushRetriesDeferredMailAtOnce() throws Exception {
        int later = MasterFixture.freePort(); // nothing listens there until the test says so
        PostfixInstance p = deferring("a", later);
        try (MasterFixture m = start(p, MasterFixture.freePort(), false)) {
            deferOnce(p, later);
            try (MailSink sink = MailSink.smtp(later)) {
                TimeUnit.SECONDS.sleep(1);
                assertThat(sink.messages()).as("nothing retries it on its own within the back-off").isEmpty();
                PostfixMail.Result flush = PostfixMail.command(p, "postfix", "-c", p.conf.toString(), "flush");
                assertThat(flush.exit()).as(flush.output()).isZero();
                List<MailSink.Message> got = sink.awaitMessages(1, WAIT);
                assertThat(got).hasSize(1);
                assertThat(got.get(0).data()).contains("deferred at first");
                assertThat(p.awaitLog(l -> l.contains("status=sent"))).containsPattern(
                        "postfix/smtp\\[\\d+\\]: \\w+: to=<x@later.example>, relay=127.0.0.1\\[127.0.0.1\\]:" + later
                                + ",.*status=sent");
                assertThat(queueFiles(p, "deferred")).isEmpty();
                assertClean(p);
            }
        }
    }

    /**
     * {@code postqueue -s SITE}: flush(8) keeps a per-site log of deferred mail for
     * fast_flush_domains; asked for the site, it makes those messages eligible again and wakes
     * qmgr, which delivers them at once.
     */
    @Test
    void postqueueSiteFlushRetriesTheSitesDeferredMail() throws Exception {
        int later = MasterFixture.freePort();
        PostfixInstance p = deferring("a", later);
        p.configure("fast_flush_domains = later.example");
        try (MasterFixture m = start(p, MasterFixture.freePort(), false)) {
            deferOnce(p, later);
            assertThat(Await.poll(WAIT, Duration.ofMillis(100), () -> queueFiles(p, "flush"), f -> !f.isEmpty()))
                    .as("flush logged the deferred message for its site").hasSize(1);
            try (MailSink sink = MailSink.smtp(later)) {
                TimeUnit.SECONDS.sleep(1);
                assertThat(sink.messages()).as("nothing retries it on its own within the back-off").isEmpty();
                PostfixMail.Result flush = PostfixMail.command(p, "postqueue", "-c", p.conf.toString(), "-s",
                        "later.example");
                assertThat(flush.exit()).as(flush.output()).isZero();
                List<MailSink.Message> got = sink.awaitMessages(1, WAIT);
                assertThat(got).hasSize(1);
                assertThat(got.get(0).data()).contains("deferred at first");
                assertThat(queueFiles(p, "deferred")).isEmpty();
                // The first spawn (smtp's flush_add at the deferral) starts flush's conditional
                // wakeup (1000?), whose first trigger comes at once (§5.5) and may need a second
                // flush while the first is busy: so under Postfix's master too.
                assertThat(m.status("public/flush").counts().spawns()).isBetween(1L, 2L);
                // The trigger is held until flush has taken it (docs/postfix-master.md §5.8), so its
                // announcement no longer fails: no warning at all, as under Postfix's master.
                assertThat(p.log()).doesNotContain("warning:").doesNotContain("fatal:").doesNotContain("panic:");
            }
        }
    }

    /**
     * postscreen's after-220 tests (pipelining, bare newline): a first connection is answered by
     * postscreen's own SMTP engine, which passes the client and, unable to hand over mid-session,
     * turns the recipient away with 450; the next connection of the passed client goes straight
     * to the real smtpd on the {@code pass} service, and its mail is delivered.
     */
    @Test
    void postscreenRunsItsAfter220TestsThenTheClientReachesTheRealSmtpd() throws Exception {
        int port = MasterFixture.freePort();
        String rcpt = "RCPT TO:<nobody@" + PostfixInstance.HOSTNAME + ">";
        PostfixInstance p = instance("a", PostfixInstance.HOSTNAME, "postscreen_access_list =",
                "postscreen_greet_wait = 1s", "postscreen_pipelining_enable = yes", "postscreen_bare_newline_enable = yes");
        try (MasterFixture m = start(p, port, true)) {
            try (SmtpClient c = SmtpClient.connect(port)) {
                assertThat(c.reply()).contains("220 " + PostfixInstance.HOSTNAME);
                assertThat(c.send("EHLO client.test")).startsWith("250");
                assertThat(c.send("MAIL FROM:<root@" + PostfixInstance.HOSTNAME + ">")).startsWith("250");
                assertThat(c.send(rcpt)).startsWith("450 4.3.2 Service currently unavailable");
                assertThat(c.send("QUIT")).startsWith("221");
            }
            assertThat(p.awaitLog(l -> l.contains("PASS NEW"))).contains("postfix/postscreen").contains("PASS NEW [127.0.0.1]:");
            assertThat(m.status("private/smtpd").counts().spawns()).as("postscreen answered alone").isZero();
            try (SmtpClient c = SmtpClient.connect(port)) {
                assertThat(c.reply()).startsWith("220 " + PostfixInstance.HOSTNAME + " ESMTP");
                assertThat(c.send("EHLO client.test")).startsWith("250");
                assertThat(c.send("MAIL FROM:<root@" + PostfixInstance.HOSTNAME + ">")).startsWith("250");
                assertThat(c.send(rcpt)).startsWith("250");
                assertThat(c.send("DATA")).startsWith("354");
                assertThat(c.data("Subject: past postscreen\n\npast postscreen")).startsWith("250 2.0.0 Ok: queued as");
                assertThat(c.send("QUIT")).startsWith("221");
            }
            List<String> got = PostfixMail.awaitMaildir(maildir(p), 1);
            assertThat(got).hasSize(1);
            assertThat(got.get(0)).contains("past postscreen");
            assertThat(p.awaitLog(l -> l.contains("PASS OLD"))).contains("PASS OLD [127.0.0.1]:")
                    .containsPattern("postfix/smtpd\\[\\d+\\]: connect from unknown\\[127.0.0.1\\]");
            assertThat(m.status("private/smtpd").counts().spawns()).isEqualTo(1);
            assertClean(p);
        }
    }

    /** An instance whose later.example mail goes to {@code port} and waits 300 s between attempts. */
    private PostfixInstance deferring(String name, int port) throws Exception {
        PostfixInstance p = instance(name, PostfixInstance.HOSTNAME, "queue_run_delay = 300s",
                "minimal_backoff_time = 300s", "maximal_backoff_time = 600s");
        transport(p, "later.example smtp:[127.0.0.1]:" + port);
        return p;
    }

    /** One message to later.example, deferred because nothing listens on {@code port}. */
    private static void deferOnce(PostfixInstance p, int port) throws Exception {
        sendmail(p, "deferred at first", "x@later.example");
        assertThat(p.awaitLog(l -> l.contains("status=deferred"))).containsPattern(
                "to=<x@later.example>, relay=none, .*status=deferred \\(connect to 127.0.0.1\\[127.0.0.1\\]:" + port
                        + ": Connection refused\\)");
        // smtp logs before qmgr moves the file from active/ to deferred/.
        assertThat(Await.poll(WAIT, Duration.ofMillis(100), () -> queueFiles(p, "deferred"), f -> !f.isEmpty()))
                .hasSize(1);
    }

    /**
     * An instance in {@code dir/name}: final destination for {@code hostname}, local(8) delivering
     * into maildirs {@code mail/USER/} (any user may create one there), routes from a
     * {@code texthash:} transport_maps (no postmap), retries after a second, no DNS; then
     * {@code settings} over that.
     */
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
