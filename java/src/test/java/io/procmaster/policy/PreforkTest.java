package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/postfix-master.md §10 W12: optional per-service minimum of idle children, off by default. */
class PreforkTest {

    private final PolicyHarness h = new PolicyHarness();

    @Test
    void W12_offByDefault_noChildBeforeDemand() {
        h.start(svc("smtp").build());
        assertThat(h.actions.spawnCount("smtp")).isZero();
    }

    @Test
    void W12_minIdleChildrenAreSpawnedAtStart() {
        h.start(svc("smtp").maxProc(10).minIdle(3).build());
        ServiceStatus st = h.status("smtp");
        assertThat(st.total()).isEqualTo(3);
        assertThat(st.avail()).isEqualTo(3);
        assertThat(h.listening("smtp")).isFalse(); // R1: children watch the socket themselves
    }

    @Test
    void W12_aChildTurningBusyIsReplacedToKeepTheMinimumIdle() {
        h.start(svc("smtp").maxProc(10).minIdle(2).build());
        h.taken("smtp", h.pid(0));
        assertThat(h.status("smtp").total()).isEqualTo(3);
        assertThat(h.status("smtp").avail()).isEqualTo(2);
        h.exit(h.pid(1), ChildExit.exited(0)); // idle timeout: replaced too
        assertThat(h.status("smtp").avail()).isEqualTo(2);
        assertThat(h.actions.spawnCount("smtp")).isEqualTo(4);
    }

    @Test
    void W12_preforkRespectsTheProcessLimit() {
        h.start(svc("smtp").maxProc(2).minIdle(5).build());
        assertThat(h.status("smtp").total()).isEqualTo(2);
        h.taken("smtp", h.pid(0));
        h.taken("smtp", h.pid(1));
        assertThat(h.actions.spawnCount("smtp")).isEqualTo(2);
    }

    @Test
    void W12_preforkStopsWhileThrottled() {
        h.start(svc("smtp").maxProc(10).minIdle(1).build());
        h.exit(h.pid(0), ChildExit.exited(1)); // bad startup
        assertThat(h.status("smtp").throttled()).isTrue();
        assertThat(h.actions.spawnCount("smtp")).isEqualTo(1);
        h.advanceSeconds(60);
        assertThat(h.actions.spawnCount("smtp")).isEqualTo(2);
    }

    @Test
    void W12_enabledAtReload() {
        ServicePolicySpec smtp = svc("smtp").maxProc(10).build();
        h.start(smtp);
        h.policy.reload(List.of(PolicyHarness.like(smtp).minIdle(2).build()));
        assertThat(h.status("smtp").avail()).isEqualTo(2);
    }
}
