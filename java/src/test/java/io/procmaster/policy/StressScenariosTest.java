package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.RESTART_CHANNEL;
import static io.procmaster.policy.RecordingActions.Type.SPAWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.ServiceType;
import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/postfix-master.md §2.3-2.4, R3 busy warnings, and §9 scenarios 11, 12, 36. */
class StressScenariosTest {

    private final PolicyHarness h = new PolicyHarness();

    private List<Boolean> stressFlags(String id) {
        return h.actions.of(SPAWN, id).stream().map(RecordingActions.Call::flag).toList();
    }

    @Test
    void scenario11_spawnFillingTheLastSlotRestartsTheServiceAndStartsStress() {
        h.start(svc("smtp").publicInet().maxProc(2).build());
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        int mark = h.actions.mark();
        h.connect("smtp"); // the 2nd child fills the last slot

        List<RecordingActions.Type> order = PolicyHarness.types(h.actions.since(mark));
        assertThat(order).containsSubsequence(RESTART_CHANNEL, SPAWN);
        assertThat(stressFlags("smtp")).containsExactly(false, true);
        ServiceStatus st = h.status("smtp");
        assertThat(st.stress()).isTrue();
        assertThat(st.stressRemaining()).isEqualTo(Duration.ofSeconds(1000));
        assertThat(st.counts().stressStarts()).isEqualTo(1);
        assertThat(st.oldEpochChildren()).isEqualTo(1); // the 1st child was told to leave (fd 5 EOF)
        assertThat(h.actions.signals()).isEmpty();
    }

    @Test
    void scenario11_busyWarningsOncePer1000Seconds() {
        h.start(svc("smtp").publicInet().maxProc(2).build());
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        h.connect("smtp");
        h.taken("smtp", h.pid(1)); // at the limit, nobody available: R3
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(1);

        for (int i = 0; i < 5; i++) { // the limit is hit again and again within 1000 s
            h.avail("smtp", h.pid(1));
            h.taken("smtp", h.pid(1));
            h.advanceSeconds(100);
        }
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(1);
        h.avail("smtp", h.pid(1));
        h.advanceSeconds(500); // now t = 1000: still not "more than" 1000 s
        h.taken("smtp", h.pid(1));
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(1);
        h.avail("smtp", h.pid(1));
        h.advanceMillis(1);
        h.taken("smtp", h.pid(1));
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(2);
    }

    @Test
    void scenario11_childrenSpawnedWithin1000sOfTheLastSpawnAtTheLimitGetStress() {
        h.start(svc("smtp").publicInet().maxProc(3).build());
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        h.connect("smtp");
        h.taken("smtp", h.pid(1));
        h.connect("smtp"); // fills the last slot at t = 0: stress until 1000
        h.taken("smtp", h.pid(2));
        h.advanceSeconds(100);
        h.exit(h.pid(1), ChildExit.exited(0));
        h.exit(h.pid(2), ChildExit.exited(0));
        h.connect("smtp"); // t = 100, not at the limit, but within the stress period
        h.taken("smtp", h.pid(3));
        h.exit(h.pid(3), ChildExit.exited(0));
        h.advanceSeconds(900); // t = 1000: stress over
        h.connect("smtp");

        assertThat(stressFlags("smtp")).containsExactly(false, false, true, true, false);
        assertThat(h.status("smtp").stress()).isFalse();
        assertThat(h.actions.of(RESTART_CHANNEL, "smtp")).hasSize(1);
    }

    @Test
    void scenario11_furtherSpawnsAtTheLimitExtendStressWithoutAnotherRestart() {
        h.start(svc("smtp").publicInet().maxProc(2).build());
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        h.connect("smtp"); // t = 0: stress starts, until 1000
        h.taken("smtp", h.pid(1));
        h.advanceSeconds(600);
        h.exit(h.pid(0), ChildExit.exited(0));
        h.connect("smtp"); // t = 600: at the limit again, extends to 1600
        h.advanceSeconds(900);

        ServiceStatus st = h.status("smtp");
        assertThat(st.stress()).isTrue();
        assertThat(st.stressRemaining()).isEqualTo(Duration.ofSeconds(100));
        assertThat(st.counts().stressStarts()).isEqualTo(1);
        assertThat(h.actions.of(RESTART_CHANNEL, "smtp")).hasSize(1);
        assertThat(stressFlags("smtp")).containsExactly(false, true, true);
    }

    @Test
    void scenario12_noStressForLocalServicesOrMaxProcOne() {
        h.start(svc("private/cleanup").maxProc(2).build(),
                svc("[127.0.0.1]:10025").type(ServiceType.INET).stressEligible(false).maxProc(2).build(),
                svc("submission").publicInet().maxProc(1).build());
        for (String id : List.of("private/cleanup", "[127.0.0.1]:10025", "submission")) {
            h.connect(id);
            h.taken(id, h.lastPid());
            h.connect(id);
            if (h.status(id).total() == 2) {
                h.taken(id, h.lastPid());
            }
            ServiceStatus st = h.status(id);
            assertThat(st.stress()).as(id).isFalse();
            assertThat(st.counts().busyWarnings()).as(id).isZero();
            assertThat(st.counts().stressStarts()).as(id).isZero();
            assertThat(st.total()).as(id).isEqualTo(Math.max(1, st.maxProc()));
            assertThat(h.actions.of(RESTART_CHANNEL, id)).as(id).isEmpty();
            assertThat(stressFlags(id)).as(id).containsOnly(false);
        }
    }

    @Test
    void unlimitedServiceIsNeverStressEligible() {
        h.start(svc("smtp").publicInet().maxProc(0).build());
        for (int i = 0; i < 10; i++) {
            h.connect("smtp");
            h.taken("smtp", h.lastPid());
        }
        assertThat(stressFlags("smtp")).containsOnly(false);
        assertThat(h.status("smtp").counts().busyWarnings()).isZero();
    }

    @Test
    void scenario36_reloadAtTheLimitInStress_stressSurvivesAndLaterSpawnsGetStress() {
        ServicePolicySpec smtp = svc("smtp").publicInet().maxProc(2).build();
        h.start(smtp);
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        h.connect("smtp");
        h.taken("smtp", h.pid(1));
        h.advanceSeconds(100);
        h.policy.reload(List.of(smtp));

        ServiceStatus st = h.status("smtp");
        assertThat(st.stress()).isTrue();
        assertThat(st.stressRemaining()).isEqualTo(Duration.ofSeconds(900));
        assertThat(st.total()).isEqualTo(2);
        assertThat(st.oldEpochChildren()).isEqualTo(2);

        h.exit(h.pid(0), ChildExit.exited(0));
        h.connect("smtp");
        assertThat(stressFlags("smtp")).containsExactly(false, true, true);
        // The busy-warning timestamp survived too: no second set of warnings within 1000 s.
        h.taken("smtp", h.lastPid());
        assertThat(h.status("smtp").counts().busyWarnings()).isEqualTo(1);
    }
}
