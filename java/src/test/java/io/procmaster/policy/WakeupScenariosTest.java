package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.WAKEUP;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.ServiceType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/postfix-master.md §5 wakeup timers and §9 scenarios 2, 22, 23, 24. */
class WakeupScenariosTest {

    private final PolicyHarness h = new PolicyHarness();

    @Test
    void scenario02_immediateInitialWakeupThenEveryPeriod() {
        h.start(svc("public/pickup").type(ServiceType.FIFO).maxProc(1).wakeup(60, false).build());
        assertThat(h.actions.wakeupCount("public/pickup")).isEqualTo(1);
        h.connect("public/pickup"); // the trigger makes the socket readable: first child
        assertThat(h.actions.spawnCount("public/pickup")).isEqualTo(1);

        h.advanceMillis(59_999);
        assertThat(h.actions.wakeupCount("public/pickup")).isEqualTo(1);
        h.advanceMillis(1);
        assertThat(h.actions.wakeupCount("public/pickup")).isEqualTo(2);
        h.advanceSeconds(60);
        assertThat(h.actions.wakeupCount("public/pickup")).isEqualTo(3);
        assertThat(h.status("public/pickup").counts().wakeupsSent()).isEqualTo(3);
    }

    @Test
    void scenario22_conditionalWakeup_nothingUntilFirstSpawnThenImmediateAndPeriodic() {
        ServicePolicySpec flush = svc("flush").wakeup(5, true).build();
        h.start(flush);
        h.advanceSeconds(30);
        assertThat(h.actions.wakeupCount("flush")).isZero();
        assertThat(h.status("flush").conditionalWakeupPending()).isTrue();

        h.connect("flush"); // first spawn, whatever caused it
        assertThat(h.actions.wakeupCount("flush")).isEqualTo(1);
        assertThat(h.status("flush").conditionalWakeupPending()).isFalse();
        h.advanceSeconds(10);
        assertThat(h.actions.wakeupCount("flush")).isEqualTo(3);
    }

    @Test
    void scenario22_afterReloadTriggersStopUntilTheNextSpawn() {
        ServicePolicySpec flush = svc("flush").wakeup(5, true).build();
        h.start(flush);
        h.connect("flush");
        h.advanceSeconds(5);
        assertThat(h.actions.wakeupCount("flush")).isEqualTo(2);

        h.policy.reload(List.of(flush));
        h.advanceSeconds(60);
        assertThat(h.actions.wakeupCount("flush")).isEqualTo(2);

        h.exit(h.pid(0), ChildExit.exited(0)); // the old child leaves after the channel restart
        h.connect("flush"); // next spawn
        assertThat(h.actions.wakeupCount("flush")).isEqualTo(3);
        h.advanceSeconds(5);
        assertThat(h.actions.wakeupCount("flush")).isEqualTo(4);
    }

    @Test
    void scenario22_zeroConditionalMeansNoWakeupAtAll() {
        h.start(svc("flush").wakeup(0, true).build());
        h.connect("flush");
        h.advanceSeconds(3600);
        assertThat(h.actions.of(WAKEUP)).isEmpty();
        assertThat(h.timers.pendingCount()).isZero();
    }

    @Test
    void scenario23_throttledServiceGetsNoTrigger_triggersResumeAfterUnthrottle() {
        h.start(svc("qmgr").maxProc(1).wakeup(10, false).build());
        h.connect("qmgr");
        h.exit(h.pid(0), ChildExit.exited(1)); // bad startup at t = 0: throttled until 60
        int sentBefore = h.actions.wakeupCount("qmgr");

        h.advanceSeconds(59);
        assertThat(h.actions.wakeupCount("qmgr")).isEqualTo(sentBefore);
        assertThat(h.status("qmgr").counts().wakeupsSkipped()).isEqualTo(5); // t = 10 .. 50
        h.advanceSeconds(1); // t = 60: unthrottle first, then the wakeup is due
        assertThat(h.actions.wakeupCount("qmgr")).isEqualTo(sentBefore + 1);
        h.advanceSeconds(10);
        assertThat(h.actions.wakeupCount("qmgr")).isEqualTo(sentBefore + 2);
    }

    @Test
    void scenario24_triggerBytesByTransportType() {
        h.start(svc("u").type(ServiceType.UNIX).wakeup(60, false).build(),
                svc("i").type(ServiceType.INET).wakeup(60, false).build(),
                svc("p").type(ServiceType.PASS).wakeup(60, false).build(),
                svc("f").type(ServiceType.FIFO).wakeup(60, false).build());
        byte[] wNul = {'W', 0};
        assertThat(h.actions.of(WAKEUP, "u").get(0).bytes()).isEqualTo(wNul);
        assertThat(h.actions.of(WAKEUP, "i").get(0).bytes()).isEqualTo(wNul);
        assertThat(h.actions.of(WAKEUP, "p").get(0).bytes()).isEqualTo(wNul);
        assertThat(h.actions.of(WAKEUP, "f").get(0).bytes()).isEqualTo(new byte[] {'W'});
    }

    @Test
    void scenario24_unixDgramWakeupIsNotSupported_warningEveryPeriodAndNothingSent() {
        h.start(svc("postlog").type(ServiceType.UNIX_DGRAM).wakeup(60, false).build());
        h.advanceSeconds(180);
        assertThat(h.actions.of(WAKEUP)).isEmpty();
        assertThat(h.status("postlog").counts().wakeupFailures()).isEqualTo(4); // t = 0, 60, 120, 180
    }

    @Test
    void wakeupDeliveryFailureReportedByTheLoopIsCounted_timerKeepsRunning() {
        h.start(svc("pickup").wakeup(60, false).build());
        h.policy.onWakeupFailed("pickup", "Connection refused");
        h.advanceSeconds(60);
        assertThat(h.status("pickup").counts().wakeupFailures()).isEqualTo(1);
        assertThat(h.actions.wakeupCount("pickup")).isEqualTo(2);
    }

    @Test
    void wakeupSetToZeroAtReloadStopsTheTimer() {
        ServicePolicySpec pickup = svc("pickup").wakeup(60, false).build();
        h.start(pickup);
        h.policy.reload(List.of(PolicyHarness.like(pickup).wakeup(0, false).build()));
        h.advanceSeconds(600);
        assertThat(h.actions.wakeupCount("pickup")).isEqualTo(1);
    }

    @Test
    void stressStartRestartsTheWakeup_immediateTrigger() {
        h.start(svc("smtp").publicInet().maxProc(2).wakeup(100, false).build());
        h.connect("smtp");
        h.taken("smtp", h.pid(0));
        h.advanceSeconds(30);
        h.connect("smtp"); // stress starts: restart, wakeup re-armed from now
        assertThat(h.actions.wakeupCount("smtp")).isEqualTo(2);
        h.advanceSeconds(99);
        assertThat(h.actions.wakeupCount("smtp")).isEqualTo(2);
        h.advanceSeconds(1);
        assertThat(h.actions.wakeupCount("smtp")).isEqualTo(3);
    }
}
