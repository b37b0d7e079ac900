package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.NotifyReceiver;
import io.procmaster.testing.NotifyReceiver.Datagram;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `procmaster run` under a systemd that is a fake notify socket (pm-notify-recv): the master's JVM
 * has NOTIFY_SOCKET and WATCHDOG_USEC in its environment as systemd would set them, and is
 * reloaded by SIGHUP and stopped by SIGTERM as {@code Type=notify-reload} does (docs/systemd.md).
 */
class SystemdNotifyRunTest {

    private static Process launch(Path dir, Path masterCf, String notifySocket) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.procmaster(ChildJvm.runArguments(masterCf, dir.resolve("queue"),
                "import_environment=NOTIFY_SOCKET WATCHDOG_USEC TZ")));
        pb.environment().put("NOTIFY_SOCKET", notifySocket);
        pb.environment().put("WATCHDOG_USEC", "400000"); // a ping every 200 ms
        pb.environment().remove("WATCHDOG_PID");
        return pb.redirectErrorStream(true).redirectOutput(dir.resolve("master.log").toFile()).start();
    }

    private static void signal(Process p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
    }

    private static List<Datagram> messages(NotifyReceiver systemd) {
        return systemd.withoutPings();
    }

    @Test
    void readyWatchdogReloadingReadyStoppingFromTheMainProcess(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        int port2 = MasterFixture.freePort();
        Path cf = Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n");
        String address = "@procmaster-run-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifyReceiver systemd = NotifyReceiver.bind(address)) {
            Process master = launch(dir, cf, address);
            try {
                Datagram ready = systemd.await("READY", r -> !r.isEmpty()).get(0);
                assertThat(ready.kind()).isEqualTo("READY");
                assertThat(ready.get("MAINPID")).isEqualTo(String.valueOf(master.pid()));
                assertThat(ready.senderPid()).as("from the main process (NotifyAccess=main)").isEqualTo(master.pid());
                // READY=1 waits for the control socket: `systemctl start procmaster && procmaster status` works.
                StringWriter out = new StringWriter();
                int status = ProcmasterCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()),
                        "status", "--socket", dir.resolve("queue").resolve("procmaster.sock").toString());
                assertThat(status).as("status the moment READY=1 is out").isZero();
                assertThat(out.toString()).contains("procmaster is running: PID: " + master.pid());
                assertThat(MasterFixture.echo(port, "ready", 5000)).isEqualTo("ready");
                systemd.await("two watchdog pings", r -> r.stream().filter(d -> d.has("WATCHDOG")).count() >= 2);

                // The child of the echo service: none of systemd's variables, though import_environment names two.
                long child = master.toHandle().children().findFirst().orElseThrow().pid();
                String environ = new String(Files.readAllBytes(Path.of("/proc/" + child + "/environ")),
                        StandardCharsets.UTF_8);
                assertThat(environ).doesNotContain("NOTIFY_SOCKET").doesNotContain("WATCHDOG_USEC");

                Files.writeString(cf, "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n127.0.0.1:" + port2
                        + " inet n - n - 2 pm-echo\n");
                signal(master, "HUP");
                systemd.await("RELOADING, READY", r -> messages(systemd).size() >= 3);
                Files.writeString(cf, "127.0.0.1:" + port + " inet n - n - two pm-echo\n");
                signal(master, "HUP");
                systemd.await("RELOADING, READY again", r -> messages(systemd).size() >= 5);
                assertThat(MasterFixture.echo(port2, "kept", 5000)).as("the refused reload kept the last one").isEqualTo("kept");
                master.destroy(); // SIGTERM, as systemctl stop
                assertThat(master.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(master.exitValue()).isZero();
                List<Datagram> all = systemd.await("STOPPING", r -> r.stream().anyMatch(d -> d.has("STOPPING")));
                List<Datagram> m = messages(systemd);
                assertThat(m.stream().map(Datagram::kind)).containsExactly("READY", "RELOADING", "READY", "RELOADING",
                        "READY", "STOPPING");
                assertThat(m.get(1).get("MONOTONIC_USEC")).matches("[1-9][0-9]*");
                assertThat(m.get(2).get("STATUS")).startsWith("reloaded (added [127.0.0.1]:" + port2 + "/inet");
                assertThat(m.get(4).get("STATUS")).startsWith("reload refused, old configuration kept: ")
                        .contains(cf.toString()).contains("two");
                assertThat(all.stream().allMatch(d -> d.senderPid() == master.pid())).isTrue();
            } finally {
                master.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * systemd may send SIGHUP the moment READY=1 is out ({@code systemctl reload} queued during
     * start), before {@code Master.start} has even returned: the reload is carried out, and the
     * JVM's own SIGHUP action (exit) never runs.
     */
    @Test
    void aSighupTheMomentReadyIsOutIsAReload(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path cf = Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n");
        String address = dir.resolve("notify").toString();
        try (NotifyReceiver systemd = NotifyReceiver.bind(address)) {
            Process master = launch(dir, cf, address);
            try {
                systemd.await("READY", r -> !r.isEmpty());
                signal(master, "HUP");
                List<Datagram> m = Await.until("RELOADING, READY", Duration.ofSeconds(30), Duration.ofMillis(10),
                        () -> messages(systemd), r -> r.size() >= 3 || !master.isAlive());
                assertThat(master.isAlive()).as("alive after the SIGHUP").isTrue();
                assertThat(m.stream().map(Datagram::kind)).containsExactly("READY", "RELOADING", "READY");
                assertThat(MasterFixture.echo(port, "after", 5000)).isEqualTo("after");
            } finally {
                master.destroy();
                master.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBadNotifySocketIsReportedAndTheMasterRuns(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Path cf = Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n");
        Process master = launch(dir, cf, "notify.sock");
        try {
            Path log = dir.resolve("master.log");
            String text = Await.until("daemon started", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> Files.readString(log), s -> s.contains("daemon started") || !master.isAlive());
            assertThat(text).contains("NOTIFY_SOCKET=\"notify.sock\" refused: it is neither an absolute path nor an "
                    + "@name abstract socket; running without systemd notify");
            assertThat(MasterFixture.echo(port, "still serving", 5000)).isEqualTo("still serving");
        } finally {
            master.destroy();
            master.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
