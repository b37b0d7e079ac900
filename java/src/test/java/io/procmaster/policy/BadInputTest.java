package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.SPAWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.procmaster.status.ReloadSummary;
import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.FakeClock;
import io.procmaster.time.TimerQueue;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input is logged and counted, never an exception into the loop, never silent. */
class BadInputTest {

    private final PolicyHarness h = new PolicyHarness();

    @Test
    void negativeAndNullSpecValuesAreSanitizedAndCounted() {
        // maxproc is not among them: the config model validates it and the policy trusts it.
        ServicePolicySpec bad = new ServicePolicySpec("foo", null, null, null, null, 1, -60, true, false, -1);
        h.start(bad);
        ServiceStatus st = h.status("foo");
        assertThat(st.maxProc()).isEqualTo(1);
        assertThat(st.name()).isEqualTo("foo");
        assertThat(st.conditionalWakeupPending()).isFalse();
        assertThat(h.policy.masterCounters().badSpecValues()).isEqualTo(5);
        h.connect("foo");
        h.exit(h.pid(0), ChildExit.exited(1));
        assertThat(st.throttleRemaining()).isNull();
        assertThat(h.status("foo").throttleRemaining()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void specsWithoutIdAndNullSpecsAreRejectedOthersStillStart() {
        ReloadSummary r = h.policy.start(Arrays.asList(null, svc(" ").build(), svc("ok").build()));
        assertThat(r.rejected()).hasSize(2);
        assertThat(r.added()).containsExactly("ok");
        assertThat(h.policy.masterCounters().badSpecValues()).isEqualTo(2);
        assertThatCode(() -> h.policy.reload(null)).doesNotThrowAnyException();
    }

    @Test
    void eventsForUnknownServicesAreCountedNotThrown() {
        h.start(svc("foo").build());
        assertThatCode(() -> {
            h.policy.onListenReady("nope");
            h.policy.onListenReady(null);
            h.policy.onStatus("nope", 1, 1, 1, 0);
            h.policy.onMalformedStatus("nope", 1, 2);
            h.policy.onStatusReadError("nope", "EIO");
            h.policy.onWakeupFailed("nope", "ECONNREFUSED");
            h.policy.unthrottle("nope");
        }).doesNotThrowAnyException();
        assertThat(h.policy.masterCounters().unknownServiceEvents()).isEqualTo(7);
        assertThat(h.actions.of(SPAWN)).isEmpty();
    }

    @Test
    void spawnReturningABadOrDuplicatePidIsAFailedSpawn() {
        h.start(svc("foo").maxProc(0).build());
        h.actions.nextResult = -1;
        h.connect("foo");
        assertThat(h.policy.masterCounters().unexpectedSpawnReports()).isEqualTo(1);
        assertThat(h.status("foo").total()).isZero();
        assertThat(h.status("foo").throttled()).isTrue();
        assertThat(h.status("foo").counts().spawnFailures()).isEqualTo(1);
    }

    @Test
    void spawnReturningAPidAlreadyRecordedIsAFailedSpawn() {
        h.start(svc("foo").maxProc(0).build(), svc("bar").maxProc(0).build());
        h.connect("foo");
        h.actions.nextResult = h.pid(0);
        h.connect("bar");
        assertThat(h.policy.masterCounters().unexpectedSpawnReports()).isEqualTo(1);
        assertThat(h.status("foo").total()).isEqualTo(1);
        assertThat(h.status("bar").total()).isZero();
        assertThat(h.status("bar").throttled()).isTrue();
    }

    @Test
    void spawnActionThatThrowsIsHandledAsASpawnFailure() {
        RecordingActions throwing = new RecordingActions() {
            @Override
            public int spawn(String serviceId, long generation, boolean stress) {
                throw new IllegalStateException("clone3: ENOSYS");
            }
        };
        FakeClock clock = new FakeClock();
        MasterPolicy p = new MasterPolicy(PolicySettings.postfixCompatible(), new TimerQueue(clock), throwing);
        p.start(List.of(svc("foo").build()));
        assertThatCode(() -> p.onListenReady("foo")).doesNotThrowAnyException();
        ServiceStatus st = p.status("foo").orElseThrow();
        assertThat(st.throttled()).isTrue();
        assertThat(st.total()).isZero();
        assertThat(st.counts().spawnFailures()).isEqualTo(1);
    }

    @Test
    void nullExitIsTreatedAsAbnormal() {
        h.start(svc("foo").build());
        h.connect("foo");
        assertThatCode(() -> h.policy.onChildExit(h.pid(0), null)).doesNotThrowAnyException();
        assertThat(h.status("foo").total()).isZero();
        assertThat(h.status("foo").badStartups()).isEqualTo(1);
    }

    @Test
    void settingsAreSanitizedNotRejected() {
        PolicySettings s = new PolicySettings(Duration.ofMillis(5), Duration.ofMillis(1), -3, null, null,
                Duration.ofSeconds(-1), null, false, false);
        assertThat(s.throttleDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.throttleMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.spawnRateLimit()).isZero();
        assertThat(s.spawnRateWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.stressWindow()).isEqualTo(Duration.ofSeconds(1000));
        assertThat(s.busyWarnInterval()).isEqualTo(Duration.ZERO);
        assertThat(s.drainTime()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void defaultsEnableBackoffAndRateLimit_postfixCompatibleDoesNot() {
        assertThat(PolicySettings.defaults().throttleMax()).isGreaterThan(PolicySettings.defaults().throttleDelay());
        assertThat(PolicySettings.defaults().spawnRateLimit()).isPositive();
        assertThat(PolicySettings.postfixCompatible().throttleMax()).isEqualTo(Duration.ofSeconds(60));
        assertThat(PolicySettings.postfixCompatible().spawnRateLimit()).isZero();
    }

    @Test
    void initModeUnknownPidIsStillCountedAndIgnored() {
        PolicyHarness init = new PolicyHarness(PolicySettings.postfixCompatible().withInitMode(true));
        init.start(svc("foo").build());
        init.policy.onChildExit(1, ChildExit.exited(0));
        assertThat(init.policy.masterCounters().unknownPidExits()).isEqualTo(1);
    }
}
