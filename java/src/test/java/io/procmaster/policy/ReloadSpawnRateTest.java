package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 defect 11 (bounds): children retired by a reload counted against spawn_rate_limit, so a
 * reload storm throttled a healthy service (3 connections waited 2 s). Only a child that exited
 * on its own without serving is a wasted start: one that took a connection served, and one whose
 * status channel a reload closed was sent away.
 */
class ReloadSpawnRateTest {

    private static final int LIMIT = 3;

    private static PolicyHarness harness() {
        // As the master runs it: spawn_rate_limit per one-second window, with back-off.
        return new PolicyHarness(PolicySettings.defaults().withSpawnRateLimit(LIMIT, Duration.ofSeconds(1)));
    }

    @Test
    void defect11_reloadStormWithChildrenThatServedDoesNotThrottle() {
        PolicyHarness h = harness();
        ServicePolicySpec spec = svc("smtp").maxProc(10).build();
        h.start(spec);
        for (int round = 0; round < LIMIT; round++) {
            h.connect("smtp");
            int busy = h.lastPid();
            h.taken("smtp", busy);              // serving a connection
            h.policy.reload(List.of(spec));    // the reload closes its status channel
            h.exit(busy, ChildExit.exited(0)); // it finishes, cannot report AVAIL, and leaves
            h.advanceMillis(100);
        }
        int spawnsBefore = h.actions.spawnCount("smtp");

        h.connect("smtp"); // a new client, still within the same second

        assertThat(h.actions.spawnCount("smtp")).as("a child is spawned at once").isEqualTo(spawnsBefore + 1);
        ServiceStatus st = h.status("smtp");
        assertThat(st.throttled()).isFalse();
        assertThat(st.counts().rateLimitThrottles()).isZero();
    }

    @Test
    void defect11_idleChildrenRetiredByAReloadAreNotWastedStarts() {
        PolicyHarness h = harness();
        ServicePolicySpec spec = svc("smtp").maxProc(10).build();
        h.start(spec);
        for (int round = 0; round < LIMIT; round++) {
            h.connect("smtp");                 // spawned for a client another child took first
            int idle = h.lastPid();
            h.policy.reload(List.of(spec));
            h.exit(idle, ChildExit.exited(0)); // the reload sent it away before it served
            h.advanceMillis(100);
        }
        int spawnsBefore = h.actions.spawnCount("smtp");

        h.connect("smtp");

        assertThat(h.actions.spawnCount("smtp")).isEqualTo(spawnsBefore + 1);
        assertThat(h.status("smtp").counts().rateLimitThrottles()).isZero();
    }

    @Test
    void defect11_childrenOfTheCurrentEpochThatExitWithoutServingStillThrottle() {
        // The intended catch stays: a daemon that exits 0 at once, with no reload involved.
        PolicyHarness h = harness();
        h.start(svc("smtp").maxProc(10).build());
        for (int i = 0; i < LIMIT; i++) {
            h.connect("smtp");
            h.exit(h.lastPid(), ChildExit.exited(0));
        }
        h.connect("smtp");

        assertThat(h.actions.spawnCount("smtp")).isEqualTo(LIMIT);
        assertThat(h.status("smtp").throttled()).isTrue();
        assertThat(h.status("smtp").counts().rateLimitThrottles()).isEqualTo(1);
    }
}
