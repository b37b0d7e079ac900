package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.CLOSE_CHANNEL;
import static io.procmaster.policy.RecordingActions.Type.GONE;
import static io.procmaster.policy.RecordingActions.Type.LISTEN;
import static io.procmaster.policy.RecordingActions.Type.RESTART_CHANNEL;
import static io.procmaster.policy.RecordingActions.Type.SIGNAL;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ReloadSummary;
import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/postfix-master.md §7.2 reload decisions, §3.7 / docs/postfix-master.md §10 W3 asynchronous removal, §9 scenarios 17-20, 29, 30, 32. */
class ReloadScenariosTest {

    private final PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
            .withDrainTime(Duration.ofSeconds(10)));

    private final ServicePolicySpec foo = svc("foo").maxProc(5).build();
    private final ServicePolicySpec pickup = svc("pickup").maxProc(1).wakeup(60, false).build();
    private final ServicePolicySpec smtp = svc("25").name("smtp").publicInet().maxProc(5).build();

    @Test
    void scenario17_unchangedReload_restartsChannelsKeepsListenersAndCountsSendsNoSignal() {
        h.start(foo, pickup);
        h.connect("foo");
        h.taken("foo", h.pid(0)); // busy child
        h.connect("foo");         // idle child
        int mark = h.actions.mark();

        ReloadSummary r = h.policy.reload(List.of(foo, pickup));

        assertThat(r.restarted()).containsExactly("foo", "pickup");
        assertThat(r.added()).isEmpty();
        assertThat(r.removing()).isEmpty();
        List<RecordingActions.Call> calls = h.actions.since(mark);
        assertThat(calls).noneMatch(c -> c.type() == SIGNAL || c.type() == CLOSE_CHANNEL || c.type() == GONE);
        assertThat(calls).filteredOn(c -> c.type() == RESTART_CHANNEL).extracting(RecordingActions.Call::service)
                .containsExactly("foo", "pickup");
        assertThat(calls).filteredOn(c -> c.type() == RecordingActions.Type.WAKEUP).hasSize(1); // pickup: immediate W
        ServiceStatus st = h.status("foo");
        assertThat(st.total()).isEqualTo(2);
        assertThat(st.avail()).isEqualTo(1);
        assertThat(st.oldEpochChildren()).isEqualTo(2);

        // The old children leave at their convenience (fd 5 EOF), with exit 0: no throttle.
        h.exit(h.pid(1), ChildExit.exited(0));
        h.exit(h.pid(0), ChildExit.exited(0));
        assertThat(h.status("foo").throttled()).isFalse();
        assertThat(h.listening("foo")).isTrue();
    }

    @Test
    void scenario18_removingAService_sigtermToAllChildren_goneWhenTheLastIsReaped() {
        h.start(foo, pickup);
        h.connect("foo");
        h.taken("foo", h.pid(0));
        h.connect("foo");
        int mark = h.actions.mark();

        ReloadSummary r = h.policy.reload(List.of(pickup));

        assertThat(r.removing()).containsExactly("foo");
        List<RecordingActions.Call> calls = h.actions.since(mark);
        assertThat(calls).filteredOn(c -> c.type() == SIGNAL).extracting(RecordingActions.Call::pid, RecordingActions.Call::signal)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(h.pid(0), Signal.TERM),
                        org.assertj.core.groups.Tuple.tuple(h.pid(1), Signal.TERM));
        assertThat(calls).anyMatch(c -> c.type() == CLOSE_CHANNEL && c.service().equals("foo"));
        assertThat(h.status("foo").draining()).isTrue();
        assertThat(h.listening("foo")).isFalse();

        h.exit(h.pid(0), ChildExit.killed(15));
        assertThat(h.actions.of(GONE)).isEmpty();
        h.exit(h.pid(1), ChildExit.killed(15));
        assertThat(h.actions.of(GONE)).extracting(RecordingActions.Call::service).containsExactly("foo");
        assertThat(h.policy.status("foo")).isEmpty();
        assertThat(h.policy.masterCounters().services()).isEqualTo(1);
        // SIGTERM that the master sent is neither a bad startup nor a throttle (and not a warning).
        assertThat(h.timers.pendingCount()).isEqualTo(1); // only pickup's wakeup is left
    }

    @Test
    void scenario18_removingAServiceWithoutChildrenIsImmediate() {
        h.start(foo, pickup);
        h.policy.reload(List.of(pickup));
        assertThat(h.actions.of(GONE)).extracting(RecordingActions.Call::service).containsExactly("foo");
        assertThat(h.actions.of(LISTEN, "foo")).extracting(RecordingActions.Call::flag).containsExactly(true, false);
    }

    @Test
    void W3_childIgnoringSigtermGetsSigkillAfterTheDrainDeadline_otherServicesKeepRunning() {
        h.start(foo, smtp);
        h.connect("foo");
        h.taken("foo", h.pid(0)); // ignores SIGTERM
        h.policy.reload(List.of(smtp));

        // Meanwhile the loop keeps serving the other service.
        h.connect("25");
        h.taken("25", h.lastPid());
        h.connect("25");
        assertThat(h.actions.spawnCount("25")).isEqualTo(2);

        h.advance(Duration.ofSeconds(10).minusMillis(1));
        assertThat(h.actions.signals()).extracting(RecordingActions.Call::signal).containsExactly(Signal.TERM);
        h.advanceMillis(1);
        assertThat(h.actions.signals()).extracting(RecordingActions.Call::pid, RecordingActions.Call::signal)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(h.pid(0), Signal.TERM),
                        org.assertj.core.groups.Tuple.tuple(h.pid(0), Signal.KILL));
        assertThat(h.status("foo").counts().killsAfterDrain()).isEqualTo(1);

        h.exit(h.pid(0), ChildExit.killed(9));
        assertThat(h.actions.of(GONE)).extracting(RecordingActions.Call::service).containsExactly("foo");
        assertThat(h.status("25").total()).isEqualTo(2);
        assertThat(h.status("25").draining()).isFalse();
    }

    @Test
    void W3_serviceBackInTheConfigurationWhileDraining_isRevivedNotDuplicated() {
        h.start(foo);
        h.connect("foo");
        h.policy.reload(List.of());
        ReloadSummary r = h.policy.reload(List.of(foo));

        assertThat(r.restarted()).containsExactly("foo");
        assertThat(h.status("foo").draining()).isFalse();
        h.advanceSeconds(60); // no SIGKILL from the cancelled drain deadline
        assertThat(h.actions.signals()).extracting(RecordingActions.Call::signal).containsExactly(Signal.TERM);
        h.exit(h.pid(0), ChildExit.killed(15)); // our SIGTERM: no bad-startup throttle
        assertThat(h.status("foo").throttled()).isFalse();
        assertThat(h.listening("foo")).isTrue();
        assertThat(h.actions.of(GONE)).isEmpty();
    }

    @Test
    void scenario19_reloadAddingAService_listensLazily() {
        h.start(pickup);
        ReloadSummary r = h.policy.reload(List.of(pickup, foo));
        assertThat(r.added()).containsExactly("foo");
        assertThat(h.listening("foo")).isTrue();
        assertThat(h.actions.spawnCount("foo")).isZero();
        h.connect("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(1);
    }

    @Test
    void scenario20_reloadLoweringMaxProcBelowTheCount_noKillsNoSpawnUntilBelow() {
        h.start(foo);
        for (int i = 0; i < 5; i++) {
            h.connect("foo");
            h.taken("foo", h.lastPid());
        }
        assertThat(h.status("foo").total()).isEqualTo(5);
        h.policy.reload(List.of(PolicyHarness.like(foo).maxProc(2).build()));

        assertThat(h.actions.signals()).isEmpty();
        assertThat(h.listening("foo")).isFalse();
        h.exit(h.pid(0), ChildExit.exited(0));
        h.exit(h.pid(1), ChildExit.exited(0));
        h.exit(h.pid(2), ChildExit.exited(0));
        h.connect("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(5); // 2 left: still at the new limit
        h.exit(h.pid(3), ChildExit.exited(0));
        h.connect("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(6);
    }

    @Test
    void scenario29_duplicateEntries_theLaterOneWins() {
        ReloadSummary r = h.policy.start(List.of(svc("foo").maxProc(1).build(), svc("foo").maxProc(7).build()));
        assertThat(r.added()).containsExactly("foo");
        assertThat(h.status("foo").maxProc()).isEqualTo(7);
        assertThat(h.policy.masterCounters().duplicateSpecs()).isEqualTo(1);
    }

    @Test
    void scenario30_sameIdentityUnderANewExternalName_isARestartNotRemoveAndAdd() {
        h.start(smtp);
        h.connect("25");
        ReloadSummary r = h.policy.reload(List.of(PolicyHarness.like(smtp).name("25").build()));
        assertThat(r.restarted()).containsExactly("25");
        assertThat(h.actions.signals()).isEmpty();
        assertThat(h.actions.of(GONE)).isEmpty();
        assertThat(h.status("25").name()).isEqualTo("25");
        assertThat(h.status("25").total()).isEqualTo(1);
    }

    @Test
    void scenario32_disablingAllInetServicesRemovesThem_revertingBringsThemBackAsNew() {
        h.start(foo, smtp);
        h.connect("25");
        h.policy.reload(List.of(foo)); // master_service_disable = inet
        h.exit(h.lastPid(), ChildExit.killed(15));
        assertThat(h.actions.of(GONE)).extracting(RecordingActions.Call::service).containsExactly("25");

        ReloadSummary r = h.policy.reload(List.of(foo, smtp));
        assertThat(r.added()).containsExactly("25");
        assertThat(h.status("25").spawns()).isZero(); // a new service: fresh counters
        assertThat(h.listening("25")).isTrue();
    }

    @Test
    void reloadKeepsCountersThrottleAndOldChildren() {
        h.start(foo);
        h.connect("foo");
        h.exit(h.pid(0), ChildExit.exited(1));
        h.policy.reload(List.of(foo));
        ServiceStatus st = h.status("foo");
        assertThat(st.spawns()).isEqualTo(1);
        assertThat(st.badStartups()).isEqualTo(1);
        assertThat(st.throttled()).isTrue();
        assertThat(st.epoch()).isEqualTo(1);
    }
}
