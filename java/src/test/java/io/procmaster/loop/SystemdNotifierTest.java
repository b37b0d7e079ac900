package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.os.jni.Native;
import io.procmaster.status.ReloadResult;
import io.procmaster.status.ReloadSummary;
import io.procmaster.testing.FakeClock;
import io.procmaster.time.TimerQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The notify policy on a fake clock with a recording sender: what each message holds, that a
 * reload is bracketed once by RELOADING and READY (applied or refused), that the watchdog is a
 * timer of the loop's queue firing at half WATCHDOG_USEC and not before, and that failed sends are
 * counted and never thrown.
 */
class SystemdNotifierTest {
    private static final long PID = 777;

    private final FakeClock clock = new FakeClock();
    private final TimerQueue timers = new TimerQueue(clock);
    private final List<String> sent = new ArrayList<>();
    private int errno; // what the fake socket answers

    private SystemdNotifier notifier(Map<String, String> env) {
        SystemdNotifier.Sender recorder = new SystemdNotifier.Sender() {
            @Override
            public int send(byte[] datagram) {
                sent.add(new String(datagram, StandardCharsets.UTF_8));
                return errno;
            }

            @Override
            public void close() {
            }
        };
        return new SystemdNotifier(NotifyEnvironment.of(env, PID), recorder, PID, timers, () -> 3, () -> 1);
    }

    @Test
    void readyCarriesMainPidAndAOneLineStatus() {
        notifier(Map.of("NOTIFY_SOCKET", "/run/n")).ready();
        assertThat(sent).containsExactly("READY=1\nMAINPID=777\nSTATUS=running: 3 services, 1 process");
    }

    @Test
    void aReloadIsReloadingWithMonotonicUsecThenReadyWhetherAppliedOrRefused() throws Exception {
        SystemdNotifier n = notifier(Map.of("NOTIFY_SOCKET", "/run/n"));
        n.ready(); // a reload tells systemd something only once it has heard READY
        sent.clear();
        long before = System.nanoTime() / 1000;
        n.reloading();
        n.reloading(); // Master.reload() sent it before reading master.cf; the loop's reload does not repeat it
        ReloadSummary summary = new ReloadSummary(List.of("public/new"), List.of(), List.of(), List.of());
        n.aroundReload(() -> new ReloadResult(summary, List.of()));
        long after = System.nanoTime() / 1000;
        assertThat(sent).hasSize(2);
        String[] reloading = sent.get(0).split("\n");
        assertThat(reloading[0]).isEqualTo("RELOADING=1");
        long usec = Long.parseLong(reloading[1].substring("MONOTONIC_USEC=".length()));
        assertThat(usec).as("CLOCK_MONOTONIC in µs, not the fake clock").isBetween(before, after);
        assertThat(sent.get(1)).isEqualTo("READY=1\nSTATUS=reloaded (added public/new): 3 services, 1 process");

        sent.clear();
        assertThatThrownBy(() -> n.aroundReload(() -> {
            throw new IOException("service 127.0.0.1:25/inet: bind: Address already in use\nsecond line");
        })).isInstanceOf(IOException.class);
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).startsWith("RELOADING=1\nMONOTONIC_USEC=");
        assertThat(sent.get(1)).isEqualTo("READY=1\nSTATUS=reload refused, old configuration kept: service "
                + "127.0.0.1:25/inet: bind: Address already in use: 3 services, 1 process");
    }

    @Test
    void afterStoppingNoReadyOrReloadingGoesOutButTheWatchdogStillPings() {
        SystemdNotifier n = notifier(Map.of("NOTIFY_SOCKET", "/run/n", "WATCHDOG_USEC", "4000000"));
        n.ready();
        n.stopping();
        sent.clear();
        // A reload that reaches the loop after STOPPING=1 (systemd is deactivating the unit): READY
        // or RELOADING would tell systemd the master is up again.
        n.reloading();
        n.reloadRefused("the master is stopping");
        n.reloaded(new ReloadSummary(List.of(), List.of(), List.of(), List.of()));
        n.ready();
        assertThat(sent).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        timers.runDue();
        assertThat(sent).as("the loop still runs until the children are gone: systemd's watchdog still applies")
                .containsExactly("WATCHDOG=1");
    }

    @Test
    void aReloadBeforeTheFirstReadySendsNothingSoReadyStillWaitsForTheCaller() throws Exception {
        // procmaster run: READY=1 waits for the control socket (readyAtStart false); a SIGHUP that
        // came during the start is carried out once the master is there, before that READY.
        SystemdNotifier n = notifier(Map.of("NOTIFY_SOCKET", "/run/n"));
        n.reloading();
        n.aroundReload(() -> new ReloadResult(new ReloadSummary(List.of(), List.of(), List.of(), List.of()), List.of()));
        n.reloadRefused("master.cf, line 3: bad");
        assertThat(sent).as("no READY=1 before the caller's: systemd would start what is ordered after too early").isEmpty();
        n.ready();
        n.reloading();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).startsWith("READY=1\nMAINPID=777");
        assertThat(sent.get(1)).startsWith("RELOADING=1");
    }

    @Test
    void theWatchdogIsALoopTimerAtHalfTheTimeout() {
        SystemdNotifier n = notifier(Map.of("NOTIFY_SOCKET", "/run/n", "WATCHDOG_USEC", "2000000"));
        assertThat(timers.pendingCount()).as("no pings before READY").isZero();
        n.ready();
        sent.clear();
        clock.advance(Duration.ofMillis(999));
        timers.runDue();
        assertThat(sent).as("999 ms into a 1 s interval").isEmpty();
        clock.advance(Duration.ofMillis(1));
        timers.runDue();
        assertThat(sent).containsExactly("WATCHDOG=1");
        clock.advance(Duration.ofSeconds(1));
        timers.runDue();
        assertThat(sent).containsExactly("WATCHDOG=1", "WATCHDOG=1");
        n.ready(); // after a reload: READY again, but still one timer
        assertThat(timers.pendingCount()).isEqualTo(1);
        n.close();
        assertThat(timers.pendingCount()).as("closed: no more pings").isZero();
    }

    @Test
    void noNotifySocketMeansNothingIsSentAndNoTimer() throws Exception {
        SystemdNotifier n = notifier(Map.of("WATCHDOG_USEC", "2000000"));
        n.ready();
        n.reloading();
        n.stopping();
        assertThat(sent).isEmpty();
        assertThat(timers.pendingCount()).isZero();
    }

    @Test
    void aFailedSendIsCountedAndNeverThrown() {
        SystemdNotifier n = notifier(Map.of("NOTIFY_SOCKET", "/run/n", "WATCHDOG_USEC", "2000000"));
        errno = Native.EBADF;
        n.ready();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            timers.runDue();
        }
        n.stopping();
        assertThat(sent).hasSize(7);
        assertThat(n.failedSends()).isEqualTo(7);
        assertThat(n.failureLinesLogged()).as("the first failure at once, then at most one line a minute").isEqualTo(1);
        assertThat(timers.pendingCount()).as("the watchdog goes on").isEqualTo(1);
        clock.advance(Duration.ofSeconds(55)); // a minute after the first line
        timers.runDue();
        assertThat(n.failedSends()).isEqualTo(8);
        assertThat(n.failureLinesLogged()).isEqualTo(2);
    }
}
