package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.PostfixInstance;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, acceptance 3: the master's own lines reach the mail log as Postfix's master's do
 * (docs/postfix-master.md §11.1). A private Postfix instance with {@code maillog_file} (so the lines
 * go through postlogd's {@code public/postlog}); after {@code kill -9} of smtpd and of anvil the
 * maillog holds the master's line for each, worded as master_reap_child words it and tagged
 * {@code postfix/master[<the JVM's pid>]} with the host's first label, and the start line is there.
 * Before the change the master wrote these to its own log only, and this test found nothing.
 *
 * <p>Skipped, saying why, unless run as root with Debian's postfix installed (JUnit tag soak).
 */
@Tag("soak")
class PostfixMaillogTest {
    private static final long MASTER_PID = ProcessHandle.current().pid();
    private PostfixInstance postfix;
    private int smtpPort;

    @BeforeEach
    void layOut(@TempDir Path dir) throws Exception {
        PostfixInstance.assumeAvailable("smtpd", "anvil", "postlogd", "proxymap", "trivial-rewrite", "cleanup");
        smtpPort = MasterFixture.freePort();
        postfix = PostfixInstance.create(dir);
    }

    private MasterFixture start() throws Exception {
        return MasterFixture.start(postfix.masterConfig("services_file=", "service_drain_time=2s"), """
                postlog      unix-dgram n - n -  1 postlogd
                anvil        unix       - - n -  1 anvil
                proxymap     unix       - - n -  - proxymap
                rewrite      unix       - - n -  - trivial-rewrite
                cleanup      unix       n - n -  0 cleanup
                127.0.0.1:%d inet       n - n -  - smtpd
                """.formatted(smtpPort));
    }

    /** "Dec  1 23:21:15 pm-test postfix/master[123]: " as msg_logger frames the master's lines. */
    private static String masterPrefix() {
        String host = PostfixInstance.HOSTNAME.substring(0, PostfixInstance.HOSTNAME.indexOf('.'));
        return "[A-Z][a-z]{2} [0-3][0-9] \\d\\d:\\d\\d:\\d\\d " + host + " postfix/master\\[" + MASTER_PID + "\\]: ";
    }

    @Test
    void afterKill9OfADaemonTheMaillogHoldsTheMastersLineInPostfixsWords() throws Exception {
        try (MasterFixture m = start()) {
            // smtpd serves one session (so it is no bad startup), and asks anvil (so anvil runs).
            try (Socket s = new Socket()) { // (a failure here shows the maillog below)
                s.connect(new InetSocketAddress("127.0.0.1", smtpPort), 10_000);
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("220 ");
                OutputStream out = s.getOutputStream();
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).startsWith("221 ");
            }
            postfix.awaitLog(l -> l.contains("disconnect from"));
            int smtpd = child(m, "smtpd");
            int anvil = child(m, "anvil");
            ProcessHandle.of(smtpd).orElseThrow().destroyForcibly(); // SIGKILL
            ProcessHandle.of(anvil).orElseThrow().destroyForcibly();

            String smtpdLine = masterPrefix() + Pattern.quote("warning: process " + PostfixInstance.DAEMONS.resolve("smtpd")
                    + " pid " + smtpd + " killed by signal 9");
            String anvilLine = masterPrefix() + Pattern.quote("warning: process " + PostfixInstance.DAEMONS.resolve("anvil")
                    + " pid " + anvil + " killed by signal 9");
            String log = postfix.awaitLog(l -> has(l, smtpdLine) && has(l, anvilLine));
            assertThat(has(log, smtpdLine)).as("smtpd's line in\n%s", log).isTrue();
            assertThat(has(log, anvilLine)).as("anvil's line in\n%s", log).isTrue();
            assertThat(has(log, masterPrefix() + "daemon started -- version \\S+, configuration " + Pattern.quote(
                    postfix.conf.toString()))).as("the start line in\n%s", log).isTrue();
        }
    }

    private static boolean has(String log, String lineRegex) {
        return log.lines().anyMatch(l -> l.matches(lineRegex));
    }

    /** The pid of the live child whose argv[0] is {@code name}, waiting for it to be spawned. */
    private static int child(MasterFixture m, String name) throws Exception {
        return Await.until(name, Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            for (int pid : m.master.childPids().get()) {
                try {
                    List<String> argv = List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
                    if (argv.get(0).equals(name)) {
                        return pid;
                    }
                } catch (java.io.IOException gone) {
                    // exited since the list was taken
                }
            }
            return -1;
        }, pid -> pid > 0);
    }
}
