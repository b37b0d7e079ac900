package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the master makes of systemd's variables (docs/systemd.md): a usable NOTIFY_SOCKET (a path,
 * an @name), the refusals that name the variable and the value, the watchdog interval at half of
 * WATCHDOG_USEC only for the process WATCHDOG_PID names, and none of them in a child's environment.
 */
class NotifyEnvironmentTest {
    private static final long PID = 4242;

    @Test
    void anAbsolutePathAndAnAbstractNameAreUsable() {
        assertThat(NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"), PID).socket())
                .isEqualTo("/run/systemd/notify");
        NotifyEnvironment abs = NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", "@/org/freedesktop/systemd1/notify/1"), PID);
        assertThat(abs.socket()).isEqualTo("@/org/freedesktop/systemd1/notify/1");
        assertThat(abs.errors()).isEmpty();
        NotifyEnvironment none = NotifyEnvironment.of(Map.of(), PID);
        assertThat(none.notifying()).isFalse();
        assertThat(none.errors()).isEmpty();
    }

    @Test
    void anyOtherNotifySocketIsRefusedNamingVariableAndValue() {
        assertRefused("run/notify", "it is neither an absolute path nor an @name abstract socket");
        assertRefused("", "it is empty");
        assertRefused("@", "an abstract name after the @ is empty");
        assertRefused("vsock:2:1234", "vsock addresses are not supported");
        assertRefused("/" + "d".repeat(107), "the path is longer than 107 bytes");
        assertRefused("@" + "n".repeat(108), "the abstract name is longer than 107 bytes");
        // The longest that fit: 107 bytes of path (its NUL makes 108), 107 of name (after its NUL).
        assertThat(NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", "/" + "d".repeat(106)), PID).notifying()).isTrue();
        assertThat(NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", "@" + "n".repeat(107)), PID).notifying()).isTrue();
    }

    private static void assertRefused(String value, String why) {
        NotifyEnvironment e = NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", value, "WATCHDOG_USEC", "1000000"), PID);
        assertThat(e.notifying()).as(value).isFalse();
        assertThat(e.watchdogIntervalNanos()).as("no watchdog without a socket").isZero();
        assertThat(e.errors()).containsExactly("NOTIFY_SOCKET=\"" + value + "\" refused: " + why
                + "; running without systemd notify");
    }

    @Test
    void theWatchdogPingsAtHalfTheTimeoutForThisProcessOnly() {
        assertThat(watchdog("30000000", null).watchdogIntervalNanos()).isEqualTo(15_000_000_000L);
        assertThat(watchdog("30000000", String.valueOf(PID)).watchdogIntervalNanos()).isEqualTo(15_000_000_000L);
        NotifyEnvironment other = watchdog("30000000", "1");
        assertThat(other.watchdogIntervalNanos()).isZero();
        assertThat(other.errors()).isEmpty();
        assertThat(other.notes()).containsExactly("WATCHDOG_PID=1 is not this process (4242): no watchdog pings");
        assertThat(watchdog(null, null).watchdogIntervalNanos()).isZero();
    }

    @Test
    void aBadWatchdogValueIsAnErrorAndNoPings() {
        for (String bad : new String[] {"", "0", "-5", "30s", "1e6", "9999999999999999"}) {
            NotifyEnvironment e = watchdog(bad, null);
            assertThat(e.watchdogIntervalNanos()).as(bad).isZero();
            assertThat(e.errors()).containsExactly("WATCHDOG_USEC=\"" + bad
                    + "\" refused: not a positive number of microseconds; no watchdog pings");
            assertThat(e.notifying()).as("notify itself still on").isTrue();
        }
        NotifyEnvironment pid = watchdog("1000000", "12x");
        assertThat(pid.watchdogIntervalNanos()).isZero();
        assertThat(pid.errors()).containsExactly("WATCHDOG_PID=\"12x\" refused: not a process id; no watchdog pings");
    }

    private static NotifyEnvironment watchdog(String usec, String pid) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("NOTIFY_SOCKET", "/run/n"));
        if (usec != null) {
            env.put("WATCHDOG_USEC", usec);
        }
        if (pid != null) {
            env.put("WATCHDOG_PID", pid);
        }
        return NotifyEnvironment.of(env, PID);
    }

    @Test
    void noChildGetsTheNotifyVariablesEvenWhenImportEnvironmentNamesThem() throws Exception {
        MasterConfig config = MasterConfig.of(Map.of("import_environment",
                "NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID TZ KEPT=1"));
        Map<String, String> parent = Map.of("NOTIFY_SOCKET", "/run/n", "WATCHDOG_USEC", "1000000",
                "WATCHDOG_PID", "7", "TZ", "UTC");
        assertThat(ServiceViews.childEnvironment(config, parent)).containsOnlyKeys("TZ", "KEPT");
    }
}
