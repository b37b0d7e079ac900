package io.procmaster.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import io.procmaster.loop.MasterLoop;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ConfiguredWindowsTest - stress_window_time and busy_warning_time from main.cf reach the policy
 * through {@link MasterLoop#settings(MasterConfig)} and set the two windows, observed on the fake
 * clock (before this test the loop dropped both and the policy always used 1000 s).
 */
class ConfiguredWindowsTest {

    private static PolicyHarness harness(String stress, String busy) throws Exception {
        MasterConfig config = MasterConfig.of(Map.of(
                MasterConfig.STRESS_WINDOW_TIME, stress, MasterConfig.BUSY_WARNING_TIME, busy));
        return new PolicyHarness(MasterLoop.settings(config));
    }

    @Test
    void stressWindowTimeSetsHowLongStressLasts() throws Exception {
        PolicyHarness h = harness("30s", "1000s");
        h.start(PolicyHarness.svc("smtp").publicInet().maxProc(2).build());
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        h.connect("smtp"); // fills the last slot: stress starts
        assertThat(h.status("smtp").stressRemaining()).isEqualTo(Duration.ofSeconds(30));
        h.advanceSeconds(30);
        assertThat(h.status("smtp").stress()).isFalse();
    }

    @Test
    void busyWarningTimeSetsTheIntervalBetweenWarnings() throws Exception {
        PolicyHarness h = harness("1000s", "20s");
        h.start(PolicyHarness.svc("smtp").publicInet().maxProc(2).build());
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        h.connect("smtp");
        h.taken("smtp", h.pid(1)); // at the limit, nobody available: the first warning
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(1);
        h.avail("smtp", h.pid(1));
        h.advanceSeconds(20); // not "more than" 20 s yet
        h.taken("smtp", h.pid(1));
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(1);
        h.avail("smtp", h.pid(1));
        h.advanceMillis(1);
        h.taken("smtp", h.pid(1));
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(2);
    }
}
