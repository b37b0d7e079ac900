package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.Await;
import io.procmaster.testing.FakeClock;
import io.procmaster.testing.MasterFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real master on a FakeClock: its timers fire when the test moves the clock and not before, so
 * "this does not happen yet" is asserted without sleeping. The loop runs due timers right after
 * the commands of each round, so after a move the second of two status queries sees their effect.
 */
class MasterLoopClockTest {

    @Test
    void aThrottledServiceIsRetriedOnlyWhenTheClockPassesTheThrottleTime(@TempDir Path queue) throws Exception {
        var config = MasterFixture.config(queue, "service_throttle_time=60s", "spawn_rate_limit=0");
        FakeClock clock = new FakeClock();
        // A prefork minimum makes the master spawn without a client; the command cannot be
        // executed, so each try fails at once and throttles the service.
        try (MasterFixture m = MasterFixture.start(config, "pre unix n - n - 1 no-such-daemon -o procmaster_min_idle=1\n",
                clock)) {
            ServiceStatus first = settled(m);
            assertThat(first.throttled()).isTrue();
            assertThat(first.counts().spawnFailures()).isEqualTo(1);

            clock.advanceSeconds(59);
            ServiceStatus before = settled(m);
            assertThat(before.throttled()).as("59 s into a 60 s throttle").isTrue();
            assertThat(before.counts().spawnFailures()).as("no retry before the throttle time").isEqualTo(1);

            clock.advanceSeconds(1);
            // The retry may take the loop more than one pass after the query that woke it (the
            // throttle ends, then the spawn runs), so the second try is awaited, not counted at once.
            ServiceStatus after = Await.until("the retry once the throttle time passed", Duration.ofSeconds(10),
                    () -> m.status("public/pre"), s -> s.counts().spawnFailures() >= 2);
            assertThat(after.counts().spawnFailures()).as("retried exactly once").isEqualTo(2);
            assertThat(after.throttled()).isTrue();
            assertThat(after.throttleLevel()).isEqualTo(2);
        }
    }

    /** Two queries: the first lets the loop run what the clock made due, the second reads the result. */
    private static ServiceStatus settled(MasterFixture m) throws Exception {
        m.status("public/pre");
        return m.status("public/pre");
    }
}
