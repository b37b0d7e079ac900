package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.config.MasterConfig;
import io.procmaster.testing.FakeClock;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.NotifyReceiver;
import io.procmaster.testing.NotifyReceiver.Datagram;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real master in this JVM, its environment given, talking to a fake notify socket
 * ({@link NotifyReceiver}, pm-notify-recv): READY once bound, RELOADING/READY around a reload
 * (applied and refused), WATCHDOG from the loop's timers (on a fake clock: a ping when the test
 * moves it by half of WATCHDOG_USEC), STOPPING at stop; at a path and at an abstract @name; and a
 * master whose NOTIFY_SOCKET is bad still runs and serves.
 */
class SystemdNotifyMasterTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void readyReloadingReadyWatchdogStoppingInOrderAtAPath(@TempDir Path dir) throws Exception {
        sequence(dir, dir.resolve("notify").toString());
    }

    @Test
    void theSameAtAnAbstractName(@TempDir Path dir) throws Exception {
        sequence(dir, "@procmaster-test-notify-" + SELF + "-" + System.nanoTime());
    }

    private static void sequence(Path dir, String address) throws Exception {
        int port = MasterFixture.freePort();
        MasterConfig config = MasterFixture.config(dir.resolve("queue"));
        String cf = "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n";
        FakeClock clock = new FakeClock();
        try (NotifyReceiver systemd = NotifyReceiver.bind(address)) {
            MasterLoop m = startNotifying(config, cf, clock, address);
            try {
                m.announceReady(); // what the facade does once it is up (Master.started), or its caller later
                List<Datagram> got = systemd.await("READY", r -> !r.isEmpty());
                Datagram ready = got.get(0);
                assertThat(ready.kind()).isEqualTo("READY");
                assertThat(ready.get("MAINPID")).isEqualTo(String.valueOf(SELF));
                assertThat(ready.senderPid()).as("sent by the main process itself (NotifyAccess=main)").isEqualTo(SELF);
                assertThat(ready.get("STATUS")).isEqualTo("running: 1 service, 0 processes");
                assertThat(MasterFixture.echo(port, "served", 5000)).as("READY meant it").isEqualTo("served");

                // The watchdog is a loop timer on the loop's clock: moving it by half of WATCHDOG_USEC
                // and letting the loop take one round (a status query) brings one ping.
                clock.advance(Duration.ofSeconds(2));
                m.status().get(10, TimeUnit.SECONDS);
                systemd.await("a WATCHDOG ping", r -> r.stream().anyMatch(d -> d.has("WATCHDOG")));

                long before = System.nanoTime() / 1000;
                int port2 = MasterFixture.freePort();
                m.reloadNotice(null);
                m.reload(MasterFixture.table(config, cf + "127.0.0.1:" + port2 + " inet n - n - 2 pm-echo\n"))
                        .get(10, TimeUnit.SECONDS);
                List<Datagram> reload = systemd.await("RELOADING then READY",
                        r -> r.stream().filter(d -> !d.has("WATCHDOG")).count() >= 3);
                long after = System.nanoTime() / 1000;
                List<Datagram> messages = reload.stream().filter(d -> !d.has("WATCHDOG")).toList();
                assertThat(messages.get(1).kind()).isEqualTo("RELOADING");
                assertThat(Long.parseLong(messages.get(1).get("MONOTONIC_USEC"))).isBetween(before, after);
                assertThat(messages.get(2).kind()).isEqualTo("READY");
                assertThat(messages.get(2).get("STATUS")).startsWith("reloaded (added [127.0.0.1]:" + port2 + "/inet; restarted [127.0.0.1]:" + port + "/inet)");

                // A refused reload (a new service's port is taken): READY again, with why; then one
                // refused before the loop saw a table (master.cf bad), as Master.reload() reports it.
                try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    m.reloadNotice(null);
                    assertThatThrownBy(() -> m.reload(MasterFixture.table(config, cf + "127.0.0.1:"
                            + taken.getLocalPort() + " inet n - n - 1 pm-echo\n")).get(10, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class);
                }
                m.reloadNotice(null);
                m.reloadNotice("master.cf, line 3: bad");
                m.stop().get(20, TimeUnit.SECONDS);
                List<Datagram> all = systemd.await("STOPPING", r -> r.stream().anyMatch(d -> d.has("STOPPING")));
                List<String> kinds = all.stream().filter(d -> !d.has("WATCHDOG")).map(Datagram::kind).toList();
                assertThat(kinds).containsExactly("READY", "RELOADING", "READY", "RELOADING", "READY", "RELOADING",
                        "READY", "STOPPING");
                List<Datagram> noPing = all.stream().filter(d -> !d.has("WATCHDOG")).toList();
                assertThat(noPing.get(4).get("STATUS")).startsWith("reload refused, old configuration kept: ")
                        .contains("Address already in use").matches(".*: 2 services, [0-9]+ process(es)?");
                // The processes: how many children of the restarted service have left yet varies.
                assertThat(noPing.get(6).get("STATUS")).matches("reload refused, old configuration kept: "
                        + "master.cf, line 3: bad: 2 services, [0-9]+ process(es)?");
                assertThat(all.stream().allMatch(d -> d.senderPid() == SELF)).isTrue();
                int firstPing = indexOf(all, "WATCHDOG");
                assertThat(firstPing).as("pings only after READY").isGreaterThan(indexOf(all, "READY"));
            } finally {
                m.close();
            }
        }
    }

    /** A master of {@code cf} whose NOTIFY_SOCKET is {@code address}, WATCHDOG_USEC 4 s: a ping per 2 s of {@code clock}. */
    private static MasterLoop startNotifying(MasterConfig config, String cf, FakeClock clock, String address)
            throws Exception {
        return MasterLoop.start(config, MasterFixture.table(config, cf), MasterLoop.settings(config), clock,
                Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "4000000"));
    }

    private static int indexOf(List<Datagram> all, String name) {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).has(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A reload that reaches the loop once stop has begun is refused: it binds nothing (a listener
     * bound then would outlive the stop, as nothing closes it after allChildrenGone) and systemd
     * hears no READY or RELOADING after STOPPING.
     */
    @Test
    void aReloadAfterStopIsRefusedBindsNothingAndSystemdHearsNoReady(@TempDir Path dir) throws Exception {
        String address = dir.resolve("notify").toString();
        int port = MasterFixture.freePort();
        MasterConfig config = MasterFixture.config(dir.resolve("queue"));
        String cf = "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n";
        FakeClock clock = new FakeClock();
        try (NotifyReceiver systemd = NotifyReceiver.bind(address)) {
            MasterLoop m = startNotifying(config, cf, clock, address);
            try {
                m.announceReady();
                m.stop().get(20, TimeUnit.SECONDS);
                int port2 = MasterFixture.freePort();
                m.reloadNotice(null);
                assertThatThrownBy(() -> m.reload(MasterFixture.table(config, cf + "127.0.0.1:" + port2
                        + " inet n - n - 2 pm-echo\n")).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasRootCauseInstanceOf(IllegalStateException.class)
                        .hasStackTraceContaining("stopping");
                try (ServerSocket free = new ServerSocket(port2, 1, InetAddress.getLoopbackAddress())) {
                    assertThat(free.getLocalPort()).as("the refused reload left nothing bound").isEqualTo(port2);
                }
                // A watchdog ping after the reload marks the end of what the loop sent for it (datagrams keep their order).
                clock.advance(Duration.ofSeconds(2));
                m.status().get(10, TimeUnit.SECONDS);
                List<Datagram> all = systemd.await("STOPPING, then a WATCHDOG ping",
                        r -> r.stream().dropWhile(d -> !d.has("STOPPING")).anyMatch(d -> d.has("WATCHDOG")));
                assertThat(all.stream().dropWhile(d -> !d.has("STOPPING")).skip(1).filter(d -> !d.has("WATCHDOG"))
                        .map(Datagram::kind).toList()).as("nothing but pings after STOPPING").isEmpty();
            } finally {
                m.close();
            }
        }
    }

    @Test
    void aBadNotifySocketLeavesAMasterThatServes(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        MasterConfig config = MasterFixture.config(dir.resolve("queue"));
        String cf = "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n";
        MasterLoop m = MasterLoop.start(config, MasterFixture.table(config, cf), MasterLoop.settings(config),
                new FakeClock(), Map.of("NOTIFY_SOCKET", "relative/notify", "WATCHDOG_USEC", "1000000"));
        try {
            assertThat(MasterFixture.echo(port, "still here", 5000)).isEqualTo("still here");
        } finally {
            m.close();
        }
    }
}
