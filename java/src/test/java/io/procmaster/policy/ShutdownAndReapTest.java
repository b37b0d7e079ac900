package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.ALL_GONE;
import static io.procmaster.policy.RecordingActions.Type.LISTEN;
import static io.procmaster.policy.RecordingActions.Type.SPAWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shutdown (docs/postfix-master.md §7.3, §9 scenario 26 as far as policy goes) and reaping corner cases (docs/postfix-master.md §3.5, docs/postfix-master.md §9 scenario 34). */
class ShutdownAndReapTest {

    private final PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
            .withDrainTime(Duration.ofSeconds(5)));

    @Test
    void scenario26_shutdown_sigtermToEveryChildStopListeningReportWhenAllGone() {
        h.start(svc("foo").maxProc(5).build(), svc("pickup").maxProc(1).wakeup(60, false).build());
        h.connect("foo");
        h.taken("foo", h.pid(0));
        h.connect("foo");
        h.connect("pickup");

        h.policy.shutdown();

        assertThat(h.actions.signals()).extracting(RecordingActions.Call::signal).containsOnly(Signal.TERM).hasSize(3);
        assertThat(h.listening("foo")).isFalse();
        assertThat(h.listening("pickup")).isFalse();
        h.advanceSeconds(4);
        assertThat(h.actions.wakeupCount("pickup")).isEqualTo(1); // no wakeups while shutting down
        h.exit(h.pid(0), ChildExit.killed(15));
        h.exit(h.pid(1), ChildExit.exited(0));
        assertThat(h.actions.of(ALL_GONE)).isEmpty();
        h.exit(h.pid(2), ChildExit.killed(15));
        assertThat(h.actions.of(ALL_GONE)).hasSize(1);
        assertThat(h.status("foo").badStartups()).isZero();
    }

    @Test
    void scenario26_shutdown_stuckChildGetsSigkillAfterTheDeadline() {
        h.start(svc("foo").build());
        h.connect("foo");
        h.policy.shutdown();
        h.advanceSeconds(5);
        assertThat(h.actions.signals()).extracting(RecordingActions.Call::signal).containsExactly(Signal.TERM, Signal.KILL);
        h.exit(h.pid(0), ChildExit.killed(9));
        assertThat(h.actions.of(ALL_GONE)).hasSize(1);
        assertThat(h.timers.pendingCount()).isZero();
    }

    @Test
    void shutdownWithNoChildrenReportsAtOnce_andIgnoresLaterReadinessAndReloads() {
        h.start(svc("foo").build());
        h.policy.shutdown();
        assertThat(h.actions.of(ALL_GONE)).hasSize(1);
        h.policy.onListenReady("foo");
        h.policy.reload(List.of(svc("bar").build()));
        h.policy.shutdown();
        assertThat(h.actions.of(SPAWN)).isEmpty();
        assertThat(h.actions.of(ALL_GONE)).hasSize(1);
        assertThat(h.policy.status("bar")).isEmpty();
    }

    @Test
    void scenario34_unknownChildExitIsLoggedCountedAndIgnored() {
        h.start(svc("foo").build());
        h.connect("foo");
        int mark = h.actions.mark();
        h.policy.onChildExit(31337, ChildExit.exited(0));
        h.policy.onChildExit(-5, ChildExit.killed(9));

        assertThat(h.policy.masterCounters().unknownPidExits()).isEqualTo(2);
        assertThat(h.actions.since(mark)).isEmpty();
        assertThat(h.status("foo").total()).isEqualTo(1);
    }

    @Test
    void stoppedChildKeepsItsRecord() {
        h.start(svc("foo").build());
        h.connect("foo");
        h.exit(h.pid(0), ChildExit.stopped(19));
        assertThat(h.status("foo").total()).isEqualTo(1);
        assertThat(h.status("foo").counts().exits()).isZero();
    }

    @Test
    void exitOfATakenChildDropsTotalButNotAvail() {
        h.start(svc("foo").maxProc(5).build());
        h.connect("foo");
        h.taken("foo", h.pid(0));
        h.connect("foo");
        h.exit(h.pid(0), ChildExit.exited(0));
        ServiceStatus st = h.status("foo");
        assertThat(st.total()).isEqualTo(1);
        assertThat(st.avail()).isEqualTo(1);
        assertThat(h.actions.of(LISTEN)).extracting(RecordingActions.Call::flag).containsExactly(true, false, true, false);
    }
}
