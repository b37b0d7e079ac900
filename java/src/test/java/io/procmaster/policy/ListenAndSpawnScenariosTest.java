package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.LISTEN;
import static io.procmaster.policy.RecordingActions.Type.SIGNAL;
import static io.procmaster.policy.RecordingActions.Type.SPAWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import org.junit.jupiter.api.Test;

/** docs/postfix-master.md §2.2-2.5 and §9 scenarios 1, 4, 10, 14, 15, 16 at the policy level. */
class ListenAndSpawnScenariosTest {

    private final PolicyHarness h = new PolicyHarness();

    @Test
    void scenario01_lazyStart_listensOnEveryServiceAndSpawnsNothing() {
        h.start(svc("private/foo").build(), svc("25").publicInet().build());

        assertThat(h.actions.of(SPAWN)).isEmpty();
        assertThat(h.actions.of(LISTEN)).extracting(RecordingActions.Call::service, RecordingActions.Call::flag)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("private/foo", true),
                        org.assertj.core.groups.Tuple.tuple("25", true));
        assertThat(h.status("private/foo").total()).isZero();
    }

    @Test
    void scenario03_onDemandSpawn_oneChildPerConnectionAndListeningStops() {
        h.start(svc("foo").build());
        h.requestPending("foo");

        assertThat(h.actions.spawnCount("foo")).isEqualTo(1);
        assertThat(h.listening("foo")).isFalse();
        ServiceStatus st = h.status("foo");
        assertThat(st.total()).isEqualTo(1);
        assertThat(st.avail()).isEqualTo(1);
        assertThat(st.spawns()).isEqualTo(1);
        // The new child is AVAIL from birth: further readiness spawns nothing until it is TAKEN.
        h.policy.onListenReady("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(1);
        assertThat(h.status("foo").counts().staleReadiness()).isEqualTo(1);
    }

    @Test
    void scenario04_generationNumbering_countsEverySpawnAcrossServicesAndSurvivesReload() {
        ServicePolicySpec a = svc("a").maxProc(0).build();
        ServicePolicySpec b = svc("b").maxProc(0).build();
        h.start(a, b);
        for (int i = 0; i < 9; i++) {
            String id = i % 2 == 0 ? "a" : "b";
            if (i == 5) {
                h.policy.reload(java.util.List.of(a, b));
            }
            h.connect(id);
            h.taken(id, h.lastPid());
        }
        assertThat(h.actions.of(SPAWN)).extracting(c -> GenerationCounter.toOctal(c.generation()))
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "10", "11");
    }

    @Test
    void scenario04_failedSpawnAttemptAlsoUsesAGenerationNumber() {
        h.start(svc("foo").build());
        h.actions.failNextSpawnWith = "fork: Resource temporarily unavailable";
        h.requestPending("foo");
        h.advanceSeconds(60);
        assertThat(h.actions.of(SPAWN)).extracting(RecordingActions.Call::generation).containsExactly(1L, 2L);
        assertThat(h.generationOf(h.lastPid())).isEqualTo(2L);
    }

    @Test
    void scenario10_processLimit_neverMoreThanMaxProcChildren() {
        h.start(svc("foo").maxProc(2).build());
        h.requestPending("foo");
        h.taken("foo", h.pid(0));
        h.requestPending("foo"); // second client: first child busy, so one more
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
        h.taken("foo", h.pid(1));
        h.requestPending("foo"); // third client waits in the backlog

        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
        assertThat(h.listening("foo")).isFalse();
        assertThat(h.status("foo").total()).isEqualTo(2);

        // A child finishes its session and becomes AVAIL: it serves the queued client itself.
        h.avail("foo", h.pid(0));
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
        assertThat(h.status("foo").avail()).isEqualTo(1);
    }

    @Test
    void scenario14_takenMakesTheMasterListen_availStopsIt() {
        h.start(svc("foo").maxProc(5).build());
        h.requestPending("foo");
        h.serveRequest("foo");
        h.taken("foo", h.pid(0));
        assertThat(h.listening("foo")).isTrue();

        h.requestPending("foo"); // second connection while the first child is busy
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
        h.serveRequest("foo");
        h.taken("foo", h.pid(1));
        h.avail("foo", h.pid(0));
        h.avail("foo", h.pid(1));
        assertThat(h.listening("foo")).isFalse();

        h.requestPending("foo"); // third connection: children are available, no spawn
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
    }

    @Test
    void scenario15_maxUse_normalExitAfterServingDoesNotThrottle_nextConnectionGetsNewChild() {
        h.start(svc("foo").build());
        h.requestPending("foo");
        h.serveRequest("foo");
        int pid = h.pid(0);
        for (int i = 0; i < 3; i++) {
            h.taken("foo", pid);
            h.avail("foo", pid);
        }
        assertThat(h.policy.child(pid).orElseThrow().useCount()).isEqualTo(3);
        h.exit(pid, ChildExit.exited(0));

        assertThat(h.status("foo").throttled()).isFalse();
        assertThat(h.listening("foo")).isTrue();
        h.requestPending("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
    }

    @Test
    void scenario16_maxIdle_idleExitIsReapedAndTheMasterListensAgain() {
        h.start(svc("foo").build());
        h.requestPending("foo");
        h.serveRequest("foo");
        assertThat(h.listening("foo")).isFalse();
        h.exit(h.pid(0), ChildExit.exited(0)); // idle timeout: exit 0 without ever serving

        ServiceStatus st = h.status("foo");
        assertThat(st.total()).isZero();
        assertThat(st.avail()).isZero();
        assertThat(st.throttled()).isFalse();
        assertThat(st.badStartups()).isZero();
        assertThat(h.listening("foo")).isTrue();
        assertThat(h.actions.of(SIGNAL)).isEmpty();
    }

    @Test
    void listenRule_unlimitedServiceAlwaysUnderTheLimit() {
        h.start(svc("foo").maxProc(0).build());
        for (int i = 0; i < 50; i++) {
            h.connect("foo");
            h.taken("foo", h.lastPid());
        }
        assertThat(h.actions.spawnCount("foo")).isEqualTo(50);
        assertThat(h.listening("foo")).isTrue();
    }

    @Test
    void listenRule_onlyChangesReachTheLoop() {
        h.start(svc("foo").build());
        h.requestPending("foo");
        h.serveRequest("foo");
        h.taken("foo", h.pid(0));
        h.taken("foo", h.pid(0)); // redundant
        h.avail("foo", h.pid(0));
        h.avail("foo", h.pid(0)); // redundant
        assertThat(h.actions.of(LISTEN)).extracting(RecordingActions.Call::flag)
                .containsExactly(true, false, true, false);
    }

    @Test
    void theSpawnedChildIsRecordedWhenTheSpawnReturns_availableFromBirth() {
        h.actions.nextPid = 4242;
        h.start(svc("foo").build());
        h.requestPending("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(1);
        assertThat(h.status("foo").avail()).isEqualTo(1);
        assertThat(h.listening("foo")).isFalse();
        assertThat(h.status("foo").total()).isEqualTo(1);
        assertThat(h.policy.child(4242)).isPresent();
        assertThat(h.generationOf(4242)).isEqualTo(h.actions.of(SPAWN).get(0).generation());
    }
}
