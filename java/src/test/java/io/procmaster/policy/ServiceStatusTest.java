package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The read-only snapshot the CLI status command prints. */
class ServiceStatusTest {

    private final PolicyHarness h = new PolicyHarness();

    @Test
    void snapshotOfAnIdleService() {
        h.start(svc("foo").name("foo-ext").maxProc(3).build());
        ServiceStatus st = h.status("foo");
        assertThat(st.id()).isEqualTo("foo");
        assertThat(st.name()).isEqualTo("foo-ext");
        assertThat(st.maxProc()).isEqualTo(3);
        assertThat(st.total()).isZero();
        assertThat(st.listening()).isTrue();
        assertThat(st.throttled()).isFalse();
        assertThat(st.throttledUntilNanos()).isNull();
        assertThat(st.throttleRemaining()).isNull();
        assertThat(st.stress()).isFalse();
        assertThat(st.stressRemaining()).isNull();
        assertThat(st.draining()).isFalse();
        assertThat(st.spawns()).isZero();
    }

    @Test
    void snapshotOfAThrottledServiceCountsDown() {
        h.start(svc("foo").build());
        h.connect("foo");
        h.exit(h.pid(0), ChildExit.exited(2));
        h.advanceSeconds(15);
        ServiceStatus st = h.status("foo");
        assertThat(st.throttled()).isTrue();
        assertThat(st.throttledUntilNanos()).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(st.throttleRemaining()).isEqualTo(Duration.ofSeconds(45));
        assertThat(st.spawns()).isEqualTo(1);
        assertThat(st.badStartups()).isEqualTo(1);
        assertThat(st.counts().exits()).isEqualTo(1);
    }

    @Test
    void snapshotIsImmutableAgainstLaterChanges() {
        h.start(svc("foo").build());
        ServiceStatus before = h.status("foo");
        h.connect("foo");
        assertThat(before.total()).isZero();
        assertThat(h.status("foo").total()).isEqualTo(1);
    }

    @Test
    void statusAllListsServicesInConfigurationOrder_andMasterCountersTrackGenerations() {
        h.start(svc("b").build(), svc("a").build());
        h.connect("a");
        assertThat(h.policy.statusAll()).extracting(ServiceStatus::id).containsExactly("b", "a");
        MasterCounters m = h.policy.masterCounters();
        assertThat(m.lastGeneration()).isEqualTo(1);
        assertThat(m.services()).isEqualTo(2);
        assertThat(m.children()).isEqualTo(1);
        assertThat(m.shuttingDown()).isFalse();
        assertThat(h.policy.status("zzz")).isEmpty();
    }
}
