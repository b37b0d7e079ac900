package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.PostfixInstance;
import io.procmaster.testing.ProcSelf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, acceptance 1: Debian's tlsmgr and flush under procmaster take the master's wakeups
 * without a warning (docs/postfix-master.md §5.8). Both announce their protocol when they accept;
 * a master that writes the trigger and closes at once makes that write fail, and the daemon logs
 * {@code warning: end-of-input while reading request from tlsmgr socket: Broken pipe} (so did
 * procmaster before the fix: see the commit that added this test).
 *
 * <p>The services as master.cf.dist has them ({@code tlsmgr unix - - y 1000? 1 tlsmgr},
 * {@code flush unix n - y 1000? 0 flush}), chrooted into the queue directory (both open what they
 * need outside it, the PRNG device, the session cache, main.cf, before they chroot; inside they use
 * only {@code public/postlog} and {@code flush/}, so the jail needs no preparation), with two
 * changes: a 2 s wakeup instead of 1000 s (the test waits two periods), and {@code -v}, so that the
 * daemons log what they do with a trigger. smtpd (not chrooted here) gives the STARTTLS session
 * that starts tlsmgr (a session cache makes smtpd ask it); {@code postqueue -s} starts flush; their
 * conditional wakeups start at that first spawn (§5.5).
 *
 * <p>Skipped (JUnit assumptions, saying why) unless run as root with Debian's postfix and openssl.
 */
@Tag("soak")
class PostfixWakeupsTest {
    private static final int WAKEUP_SECONDS = 2;

    @Test
    void tlsmgrAndFlushTakeTheirWakeupsWithoutAWarning(@TempDir Path dir) throws Exception {
        PostfixInstance.assumeAvailable("smtpd", "anvil", "postlogd", "proxymap", "trivial-rewrite", "tlsmgr", "flush");
        Path postqueue = Path.of("/usr/sbin/postqueue");
        assumeTrue(Files.isExecutable(postqueue), postqueue + " is missing");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is missing (it makes smtpd's certificate)");
        int smtpPort = MasterFixture.freePort();
        Map<Integer, String> fdsBefore = ProcSelf.descriptors();
        PostfixInstance postfix = PostfixInstance.create(dir);
        Path key = postfix.conf.resolve("key.pem");
        Path cert = postfix.conf.resolve("cert.pem");
        run(dir, "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=" + PostfixInstance.HOSTNAME, "-keyout", key.toString(), "-out", cert.toString());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        // flush keeps its per-site logs here (postfix-files: flush, 0700 mail_owner).
        Path flushDir = Files.createDirectories(postfix.queue.resolve("flush"));
        Files.setOwner(flushDir, flushDir.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(PostfixInstance.MAIL_OWNER));
        Files.setPosixFilePermissions(flushDir, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(postfix.conf.resolve("main.cf"), """
                smtpd_tls_security_level = may
                smtpd_tls_cert_file = %s
                smtpd_tls_key_file = %s
                smtpd_tls_session_cache_database = btree:%s
                fast_flush_domains = example.com
                """.formatted(cert, key, postfix.data.resolve("smtpd_scache")),
                java.nio.file.StandardOpenOption.APPEND);
        String masterCf = """
                postlog      unix-dgram n - n -   1 postlogd
                anvil        unix       - - n -   1 anvil
                proxymap     unix       - - n -   - proxymap
                rewrite      unix       - - n -   - trivial-rewrite
                127.0.0.1:%d inet       n - n -   - smtpd
                tlsmgr       unix       - - y %d? 1 tlsmgr -v
                flush        unix       n - y %d? 0 flush -v
                """.formatted(smtpPort, WAKEUP_SECONDS, WAKEUP_SECONDS);

        try (MasterFixture m = MasterFixture.start(postfix.masterConfig("services_file=", "service_drain_time=2s"),
                masterCf)) {
            List<String> session;
            try {
                session = startTlsSession(smtpPort);
            } catch (IOException e) {
                throw new AssertionError("STARTTLS session failed: " + e + "; maillog:\n" + postfix.log(), e);
            }
            assertThat(session).as("the SMTP session").anyMatch(l -> l.startsWith("220 ") && l.contains("TLS"));
            run(dir, postqueue.toString(), "-c", postfix.conf.toString(), "-s", "example.com");

            ServiceStatus tlsmgr = m.awaitStatus("private/tlsmgr", s -> s.counts().spawns() >= 1, 30_000);
            assertThat(tlsmgr.counts().spawns()).as("tlsmgr started by the STARTTLS session").isEqualTo(1);
            ServiceStatus flush = m.awaitStatus("public/flush", s -> s.counts().spawns() >= 1, 30_000);
            assertThat(flush.counts().spawns()).as("flush started by postqueue -s").isGreaterThanOrEqualTo(1);
            for (String daemon : List.of("tlsmgr", "flush")) {
                for (int pid : pidsOf(m, daemon)) {
                    assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")))
                            .as(daemon + " pid " + pid + " chrooted as master.cf says").isEqualTo(postfix.queue);
                }
            }
            // The first trigger at the spawn, then one every period: wait for two periods past the spawn.
            m.awaitStatus("private/tlsmgr", s -> s.counts().wakeupsSent() >= 3, 30_000);
            m.awaitStatus("public/flush", s -> s.counts().wakeupsSent() >= 3, 30_000);
            String log = postfix.awaitLog(l -> count(l, "postfix/tlsmgr", "received master trigger") >= 3
                    && flushWakeupsAnswered(l) >= 3);

            assertThat(log).as("the maillog").doesNotContain("end-of-input").doesNotContain("Broken pipe");
            assertThat(count(log, "postfix/tlsmgr", "received master trigger"))
                    .as("tlsmgr handled each wakeup (it logs it at -v)").isGreaterThanOrEqualTo(3);
            assertThat(flushWakeupsAnswered(log))
                    .as("flush answered each wakeup after its refresh (at -v it logs the status it sends); its lines:\n"
                            + String.join("\n", log.lines().filter(l -> l.contains("postfix/flush")).toList()))
                    .isGreaterThanOrEqualTo(3);
            for (String id : List.of("private/tlsmgr", "public/flush")) {
                ServiceStatus s = m.status(id);
                assertThat(s.counts().wakeupFailures()).as(id + " wakeup failures").isZero();
                assertThat(s.counts().wakeupsSkipped()).as(id + ": every trigger taken before the next").isZero();
                assertThat(s.throttled()).as(id).isFalse();
            }
        }
        assertThat(ProcSelf.zombies()).as("zombies").isEmpty();
        assertThat(ProcSelf.openedSince(fdsBefore)).as("descriptors left open").isEmpty();
    }

    /** The pids of the master's live children whose command is {@code daemon}. */
    private static List<Integer> pidsOf(MasterFixture m, String daemon) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int pid : m.master.childPids().get(10, TimeUnit.SECONDS)) {
            try {
                String argv0 = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0")[0];
                if (argv0.equals(daemon)) {
                    out.add(pid);
                }
            } catch (IOException gone) {
                // exited since the list was taken
            }
        }
        assertThat(out).as("live " + daemon + " processes").isNotEmpty();
        return out;
    }

    /** EHLO, STARTTLS, the TLS handshake, EHLO again and QUIT; returns the lines read. */
    private static List<String> startTlsSession(int port) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            plain.setSoTimeout(30_000);
            BufferedReader in = reader(plain);
            OutputStream out = plain.getOutputStream();
            lines.addAll(reply(in));
            send(out, "EHLO client.localdomain");
            lines.addAll(reply(in));
            send(out, "STARTTLS");
            lines.addAll(reply(in));
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new TrustingManager()}, null);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", port, true)) {
                s.startHandshake();
                BufferedReader tin = reader(s);
                OutputStream tout = s.getOutputStream();
                send(tout, "EHLO client.localdomain");
                lines.addAll(reply(tin));
                send(tout, "QUIT");
                lines.addAll(reply(tin));
            }
        }
        return lines;
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One SMTP reply: lines up to the one whose code is followed by a space. */
    private static List<String> reply(BufferedReader in) throws IOException {
        List<String> r = new ArrayList<>();
        String l;
        do {
            l = in.readLine();
            if (l == null) {
                throw new IOException("connection closed after " + r);
            }
            r.add(l);
        } while (l.length() > 3 && l.charAt(3) == '-');
        return r;
    }

    /**
     * flush answers every request with a status, a wakeup too (after flush_refresh_service), so the
     * status lines beyond those of the send_site requests are the wakeups it took. Before the fix
     * its announcement failed and it logged the end-of-input warning instead.
     */
    private static int flushWakeupsAnswered(String log) {
        return count(log, "postfix/flush", "send attr status = ") - count(log, "postfix/flush", "flush_send_service: ");
    }

    private static int count(String log, String tag, String text) {
        return (int) log.lines().filter(l -> l.contains(tag) && l.contains(text)).count();
    }

    private static void run(Path dir, String... command) throws Exception {
        Path out = Files.createTempFile(dir, "run", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " finishes").isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + Files.readString(out)).isZero();
    }

    /** smtpd's certificate is made by the test: any certificate will do. */
    private static final class TrustingManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
