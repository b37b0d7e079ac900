package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.PostfixInstance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * postfix(1) on an instance whose master is procmaster ({@code procmaster run} in a JVM of its own,
 * as an operator starts it): {@code postfix -c DIR status} says it runs, with procmaster's pid;
 * {@code reload} (SIGHUP to that pid) reloads it, {@code stop} (SIGTERM) stops it, {@code start} is
 * refused while it runs, and so are a second procmaster and Postfix's own master, while the first
 * keeps answering SMTP. A master killed with SIGKILL leaves a stale pid file that blocks nothing.
 * docs/postfix-master.md §7.4.
 *
 * <p>Skipped unless run as root with Debian's postfix installed (as {@link PostfixInstance}). The
 * postfix-script messages go to the instance's maillog (postlog), the exit status says the rest.
 */
@Tag("soak") // real Postfix daemons and a JVM per master: about 30 s
class PostfixCommandTest {
    private static final Path POSTFIX_MASTER = PostfixInstance.DAEMONS.resolve("master");

    private PostfixInstance postfix;
    private int smtpPort;
    private final List<Process> masters = new ArrayList<>();

    @BeforeEach
    void layOut(@TempDir Path dir) throws Exception {
        PostfixInstance.assumeAvailable("smtpd", "anvil", "postlogd", "master");
        assumeTrue(Files.isExecutable(PostfixInstance.POSTFIX), PostfixInstance.POSTFIX + " is missing");
        smtpPort = MasterFixture.freePort();
        postfix = PostfixInstance.create(dir);
        // postfix(1) reads master.cf from the configuration directory too (postconf checks it).
        Files.writeString(postfix.conf.resolve("master.cf"), """
                postlog      unix-dgram n - n -  1 postlogd
                anvil        unix       - - n -  1 anvil
                proxymap     unix       - - n -  - proxymap
                rewrite      unix       - - n -  - trivial-rewrite
                127.0.0.1:%d inet       n - n -  - smtpd
                """.formatted(smtpPort));
    }

    @AfterEach
    void stopMasters() throws Exception {
        for (Process p : masters) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void statusReportsProcmasterRunningWithItsPid() throws Exception {
        assertThat(postfix("status")).as("before: no master").isEqualTo(1);
        assertThat(postfix.log()).contains("the Postfix mail system is not running");

        Process m = startMaster("a");
        assertThat(postfix("status")).as("postfix status while procmaster runs").isZero();
        assertThat(postfix.awaitLog(l -> l.contains("is running")))
                .contains("the Postfix mail system is running: PID: " + m.pid());
        // Postfix's format: the pid right-aligned in 32 columns, a newline; the same in data_directory.
        String line = String.format("%32d", m.pid()) + "\n";
        assertThat(Files.readString(postfix.queue.resolve("pid/master.pid"))).isEqualTo(line);
        assertThat(Files.readString(postfix.data.resolve("master.lock"))).isEqualTo(line);
        assertThat(Files.getAttribute(postfix.data.resolve("master.lock"), "unix:uid"))
                .as("data_directory/master.lock belongs to mail_owner").isEqualTo(postfix.mailOwnerUid());
    }

    @Test
    void reloadSendsSighupToProcmaster() throws Exception {
        Process m = startMaster("a");
        Path log = logOf("a");
        assertThat(Files.readString(log)).doesNotContain("reload:");
        assertThat(postfix("reload")).as("postfix reload").isZero();
        assertThat(awaitFile(log, "reloaded:")).contains("reload: restarted ").contains("reloaded: no changes; unchanged: 5");
        assertThat(m.isAlive()).isTrue();
        assertThat(smtpBanner()).startsWith("220 " + PostfixInstance.HOSTNAME);
    }

    @Test
    void stopSendsSigtermAndProcmasterStops() throws Exception {
        Process m = startMaster("a");
        assertThat(smtpBanner()).startsWith("220 ");
        assertThat(postfix("stop")).as("postfix stop").isZero();
        assertThat(m.waitFor(30, TimeUnit.SECONDS)).as("procmaster ends").isTrue();
        assertThat(m.exitValue()).isZero();
        assertThat(Files.readString(logOf("a"))).contains("terminating on signal 15").contains("master stopped");
        assertThat(postfix.awaitLog(l -> l.contains("stopping the Postfix mail system")))
                .doesNotContain("stopping the Postfix mail system with force");
        assertThat(postfix("status")).as("after the stop").isEqualTo(1);
    }

    @Test
    void startIsRefusedWhileProcmasterRuns() throws Exception {
        Process m = startMaster("a");
        assertThat(postfix("start")).as("postfix start").isEqualTo(1);
        assertThat(postfix.awaitLog(l -> l.contains("already running")))
                .contains("fatal: the Postfix mail system is already running");
        assertThat(m.isAlive()).isTrue();
        assertThat(smtpBanner()).startsWith("220 ");
        // Postfix's master itself, started by hand, fails on pid/master.pid and changes nothing.
        Process postfixMaster = new ProcessBuilder(POSTFIX_MASTER.toString(), "-c", postfix.conf.toString(), "-d")
                .redirectErrorStream(true).redirectOutput(postfix.conf.resolve("master.out").toFile()).start();
        assertThat(postfixMaster.waitFor(30, TimeUnit.SECONDS)).as("Postfix's master gives up").isTrue();
        assertThat(postfixMaster.exitValue()).isNotZero();
        assertThat(Files.readString(postfix.queue.resolve("pid/master.pid")).strip()).isEqualTo("" + m.pid());
        assertThat(smtpBanner()).startsWith("220 ");
    }

    @Test
    void secondProcmasterIsRefusedAndTheFirstKeepsServing() throws Exception {
        Process first = startMaster("a");
        assertThat(smtpBanner()).startsWith("220 ");
        Process second = launch("b");
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second master ends").isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(Files.readString(logOf("b"))).contains("queue_directory " + postfix.queue
                + ": a master is already running (pid " + first.pid() + ", lock pid/master.lock)");
        assertThat(first.isAlive()).isTrue();
        assertThat(smtpBanner()).startsWith("220 " + PostfixInstance.HOSTNAME);
        assertThat(postfix("status")).isZero();
        assertThat(Files.readString(postfix.queue.resolve("pid/master.pid")).strip()).isEqualTo("" + first.pid());
    }

    @Test
    void aStalePidFileOfAKilledMasterBlocksNoRestart() throws Exception {
        Process first = startMaster("a");
        first.destroyForcibly(); // SIGKILL: nothing cleans up, the kernel drops the locks
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(postfix.queue.resolve("pid/master.pid")).strip()).as("the stale pid")
                .isEqualTo("" + first.pid());
        assertThat(postfix("status")).as("a stale pid file is not a running master").isEqualTo(1);

        Process second = startMaster("b");
        assertThat(postfix("status")).isZero();
        assertThat(postfix.awaitLog(l -> l.contains("PID: " + second.pid())))
                .contains("the Postfix mail system is running: PID: " + second.pid());
        assertThat(Files.readString(postfix.queue.resolve("pid/master.pid"))).isEqualTo(
                String.format("%32d", second.pid()) + "\n");
        assertThat(smtpBanner()).startsWith("220 ");
    }

    // ---- helpers ----

    /** Runs {@code postfix -c DIR command} and returns its exit status. */
    private int postfix(String command) throws Exception {
        Process p = new ProcessBuilder(PostfixInstance.POSTFIX.toString(), "-c", postfix.conf.toString(), command)
                .redirectErrorStream(true).redirectOutput(postfix.conf.resolve("postfix-" + command + ".out").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("postfix " + command + " finishes").isTrue();
        return p.exitValue();
    }

    /** {@code procmaster run} on the instance, waiting until it serves. */
    private Process startMaster(String name) throws Exception {
        Process p = launch(name);
        String log = awaitFile(logOf(name), "daemon started");
        assertThat(log).as("procmaster " + name).contains("daemon started");
        return p;
    }

    private Process launch(String name) throws IOException {
        List<String> cmd = ChildJvm.procmaster("run", "--main=" + postfix.conf.resolve("main.cf"),
                "-o", "services_file=", "-o", "service_drain_time=2s", postfix.conf.resolve("master.cf").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logOf(name).toFile()).start();
        masters.add(p);
        return p;
    }

    private Path logOf(String name) {
        return postfix.conf.getParent().resolve("procmaster-" + name + ".log");
    }

    private static String awaitFile(Path file, String text) throws Exception {
        return Await.poll(Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> Files.exists(file) ? Files.readString(file) : "", s -> s.contains(text));
    }

    private String smtpBanner() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", smtpPort), 10_000);
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String banner = String.valueOf(in.readLine());
            s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            in.readLine();
            return banner;
        }
    }
}
