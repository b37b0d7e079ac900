package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.LISTEN;
import static io.procmaster.policy.RecordingActions.Type.SPAWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/postfix-master.md §3.4-3.6, §2.6 and §9 scenarios 5-9, 21, 35; docs/postfix-master.md §10 W11 back-off and spawn-rate limit. */
class ThrottleScenariosTest {

    private static final long T = 60; // service_throttle_time, seconds

    @Test
    void scenario05_badStartupThrottle_oneAttemptPerThrottlePeriod() {
        PolicyHarness h = new PolicyHarness();
        h.actions.afterSpawn = pid -> h.policy.onChildExit(pid, ChildExit.exited(1));
        h.start(svc("foo").build());
        h.requestPending("foo"); // a client keeps a connection pending

        assertThat(h.status("foo").throttled()).isTrue();
        assertThat(h.status("foo").throttleRemaining()).isEqualTo(Duration.ofSeconds(T));
        h.advance(Duration.ofSeconds(T).minusMillis(1));
        assertThat(h.actions.spawnCount("foo")).isEqualTo(1); // no second child for T

        h.advance(Duration.ofSeconds(2 * T + 2).plusMillis(1)); // now 3T + 2 s
        assertThat(h.actions.spawnTimes).containsExactly(0L, sec(T), sec(2 * T), sec(3 * T));
        ServiceStatus st = h.status("foo");
        assertThat(st.badStartups()).isEqualTo(4);
        assertThat(st.counts().abnormalExits()).isEqualTo(4);
        assertThat(st.counts().throttles()).isEqualTo(4);
        assertThat(st.total()).isZero();
    }

    @Test
    void scenario06a_crashDuringFirstRequestThrottles() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("foo").build());
        h.connect("foo");
        h.taken("foo", h.pid(0));
        h.exit(h.pid(0), ChildExit.killed(11));

        assertThat(h.status("foo").throttled()).isTrue();
        assertThat(h.status("foo").badStartups()).isEqualTo(1);
        h.requestPending("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(1);
    }

    @Test
    void scenario06b_crashAfterACompletedRequestDoesNotThrottle() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("foo").build());
        h.connect("foo");
        h.taken("foo", h.pid(0));
        h.avail("foo", h.pid(0));
        h.taken("foo", h.pid(0));
        h.exit(h.pid(0), ChildExit.killed(11));

        ServiceStatus st = h.status("foo");
        assertThat(st.throttled()).isFalse();
        assertThat(st.badStartups()).isZero();
        assertThat(st.counts().abnormalExits()).isEqualTo(1);
        h.connect("foo");
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
    }

    @Test
    void scenario07_execFailureThrottlesLikeABadStartup() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("foo").command("/no/such/daemon").build());
        h.actions.failNextSpawnWith = "exec /no/such/daemon: No such file or directory";
        h.requestPending("foo");

        ServiceStatus st = h.status("foo");
        assertThat(st.throttled()).isTrue();
        assertThat(st.counts().spawnFailures()).isEqualTo(1);
        assertThat(st.total()).isZero();
        assertThat(h.policy.masterCounters().children()).isZero();
        h.advance(Duration.ofSeconds(T).minusMillis(1));
        assertThat(h.actions.spawnCount("foo")).isEqualTo(1);
        h.advanceMillis(1);
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
    }

    @Test
    void scenario08_normalExitDoesNotThrottle_respawnsWhileTheRequestIsPending() {
        PolicyHarness h = new PolicyHarness(); // reference behaviour: no spawn-rate limit
        h.start(svc("foo").build());
        h.requestPending("foo");
        for (int i = 0; i < 5; i++) {
            h.exit(h.lastPid(), ChildExit.exited(0)); // exits 0 before serving
        }
        assertThat(h.actions.spawnCount("foo")).isEqualTo(6);
        assertThat(h.actions.spawnTimes).allMatch(t -> t == 0L); // without any delay
        assertThat(h.status("foo").throttled()).isFalse();
        assertThat(h.status("foo").badStartups()).isZero();
    }

    @Test
    void scenario08_W11_exitZeroLoopIsBoundedBySpawnRateLimit() {
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
                .withSpawnRateLimit(20, Duration.ofSeconds(10)));
        h.actions.afterSpawn = pid -> h.policy.onChildExit(pid, ChildExit.exited(0));
        h.start(svc("foo").build());
        h.requestPending("foo");

        assertThat(h.actions.spawnCount("foo")).isEqualTo(20);
        ServiceStatus st = h.status("foo");
        assertThat(st.throttled()).isTrue();
        assertThat(st.counts().rateLimitThrottles()).isEqualTo(1);
        assertThat(st.badStartups()).isZero();
        h.advance(Duration.ofSeconds(T).minusMillis(1));
        assertThat(h.actions.spawnCount("foo")).isEqualTo(20);
    }

    @Test
    void W11_spawnRateLimit_windowSlides_legitimateSpawnsSpreadOutAreNotThrottled() {
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
                .withSpawnRateLimit(3, Duration.ofSeconds(10)));
        h.start(svc("foo").build());
        for (int i = 0; i < 12; i++) {
            h.connect("foo");
            h.taken("foo", h.lastPid());
            h.avail("foo", h.lastPid());
            h.exit(h.lastPid(), ChildExit.exited(0)); // max_use reached
            h.advanceSeconds(4);
        }
        assertThat(h.actions.spawnCount("foo")).isEqualTo(12);
        assertThat(h.status("foo").counts().rateLimitThrottles()).isZero();
    }

    @Test
    void W11_spawnRateLimit_busyServiceReplacingChildrenAtMaxUseIsNeverHeldBack() {
        // 30 children in one second, each ending at max_use after serving: far above the limit of
        // 3 starts per 10 s, yet none was wasted, so nothing is throttled (found by benchmark 5).
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
                .withSpawnRateLimit(3, Duration.ofSeconds(10)));
        h.start(svc("foo").build());
        for (int i = 0; i < 30; i++) {
            h.connect("foo");
            h.taken("foo", h.lastPid());
            h.avail("foo", h.lastPid());
            h.exit(h.lastPid(), ChildExit.exited(0));
            h.advanceMillis(33);
        }
        assertThat(h.actions.spawnCount("foo")).isEqualTo(30);
        assertThat(h.status("foo").throttled()).isFalse();
        assertThat(h.status("foo").counts().rateLimitThrottles()).isZero();
    }

    @Test
    void scenario09_forkFailure_throttledForTAndNoRecord() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("foo").build());
        h.actions.failNextSpawnWith = "fork: Resource temporarily unavailable";
        h.requestPending("foo");

        ServiceStatus st = h.status("foo");
        assertThat(st.throttled()).isTrue();
        assertThat(st.throttleRemaining()).isEqualTo(Duration.ofSeconds(T));
        assertThat(st.total()).isZero();
        assertThat(st.avail()).isZero();
        assertThat(st.counts().spawnFailures()).isEqualTo(1);
        assertThat(h.policy.masterCounters().children()).isZero();
    }

    @Test
    void scenario21_reloadDoesNotUnthrottle() {
        PolicyHarness h = new PolicyHarness();
        ServicePolicySpec broken = svc("foo").build();
        h.start(broken);
        h.requestPending("foo");
        h.exit(h.pid(0), ChildExit.exited(1));
        assertThat(h.status("foo").throttled()).isTrue();

        h.advanceSeconds(T / 2);
        h.policy.reload(List.of(PolicyHarness.like(broken).command("/usr/libexec/procmaster/fixed").build()));
        h.pump();
        assertThat(h.status("foo").throttled()).isTrue();
        h.advance(Duration.ofSeconds(T / 2).minusMillis(1));
        assertThat(h.actions.spawnCount("foo")).isEqualTo(1);
        h.advanceMillis(1);
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
    }

    @Test
    void W11_reloadWithChangedCommandCanReleaseTheThrottle_whenEnabled() {
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible().withClearThrottleOnCommandChange(true));
        ServicePolicySpec broken = svc("foo").build();
        h.start(broken);
        h.requestPending("foo");
        h.exit(h.pid(0), ChildExit.exited(1));

        h.policy.reload(List.of(broken)); // same command: throttle stays
        assertThat(h.status("foo").throttled()).isTrue();
        h.policy.reload(List.of(PolicyHarness.like(broken).command("/usr/libexec/procmaster/fixed").build()));
        h.pump();
        assertThat(h.status("foo").throttled()).isFalse();
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
    }

    @Test
    void scenario35_daemonRequirementViolated_exitOneAtStartupThrottles() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("qmgr").maxProc(2).wakeup(300, false).build());
        // The wakeup makes the master spawn; the child dies: "requires a process limit of 1".
        h.requestPending("qmgr");
        h.exit(h.pid(0), ChildExit.exited(1));
        assertThat(h.status("qmgr").badStartups()).isEqualTo(1);
        assertThat(h.status("qmgr").throttled()).isTrue();
    }

    @Test
    void throttleIsSetBeforeTheCountsDrop_listeningNeverFlickersOn() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("foo").build());
        h.requestPending("foo");
        int mark = h.actions.mark();
        h.exit(h.pid(0), ChildExit.killed(6));

        assertThat(h.actions.since(mark)).noneMatch(c -> c.type() == LISTEN && c.flag());
        assertThat(h.actions.since(mark)).noneMatch(c -> c.type() == SPAWN);
    }

    @Test
    void exitOfAnAlreadyThrottledServiceDoesNotThrottleAgain() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("foo").maxProc(3).build());
        h.connect("foo");
        h.taken("foo", h.pid(0));
        h.connect("foo");
        h.exit(h.pid(0), ChildExit.exited(1));
        h.advanceSeconds(10);
        h.exit(h.pid(1), ChildExit.exited(1));
        ServiceStatus st = h.status("foo");
        assertThat(st.badStartups()).isEqualTo(1);
        assertThat(st.counts().throttles()).isEqualTo(1);
        assertThat(st.throttleRemaining()).isEqualTo(Duration.ofSeconds(T - 10));
    }

    @Test
    void W11_backoffDoublesPerConsecutiveThrottleUpToTheCap() {
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
                .withThrottle(Duration.ofSeconds(60), Duration.ofSeconds(240)));
        h.actions.afterSpawn = pid -> h.policy.onChildExit(pid, ChildExit.exited(1));
        h.start(svc("foo").build());
        h.requestPending("foo");
        h.advanceSeconds(60 + 120 + 240 + 240 + 1);
        assertThat(h.actions.spawnTimes).containsExactly(0L, sec(60), sec(180), sec(420), sec(660));
        assertThat(h.status("foo").throttleRemaining()).isEqualTo(Duration.ofSeconds(239));
    }

    @Test
    void W11_backoffMemoryIsClearedByAServedRequest() {
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
                .withThrottle(Duration.ofSeconds(60), Duration.ofSeconds(960)));
        h.start(svc("foo").build());
        h.requestPending("foo");
        h.exit(h.lastPid(), ChildExit.exited(1)); // 60 s
        h.advanceSeconds(60);
        h.exit(h.lastPid(), ChildExit.exited(1)); // 120 s
        assertThat(h.status("foo").throttleRemaining()).isEqualTo(Duration.ofSeconds(120));
        h.advanceSeconds(120);
        h.serveRequest("foo");
        h.taken("foo", h.lastPid());
        h.avail("foo", h.lastPid()); // the fixed daemon served one request
        h.taken("foo", h.lastPid());
        h.exit(h.lastPid(), ChildExit.killed(11)); // later crash: no throttle (6b)
        h.connect("foo");
        h.exit(h.lastPid(), ChildExit.exited(1)); // bad startup again: back to the base delay
        assertThat(h.status("foo").throttleRemaining()).isEqualTo(Duration.ofSeconds(60));
        assertThat(h.status("foo").throttleLevel()).isEqualTo(1);
    }

    @Test
    void W11_backoffMemoryIsClearedByAQuietSpell() {
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
                .withThrottle(Duration.ofSeconds(60), Duration.ofSeconds(240)));
        h.start(svc("foo").build());
        h.connect("foo");
        h.exit(h.lastPid(), ChildExit.exited(1)); // 60 s
        h.advanceSeconds(60);
        h.connect("foo");
        h.exit(h.lastPid(), ChildExit.exited(1)); // 120 s
        h.advanceSeconds(120 + 240); // unthrottled and quiet for the cap
        h.connect("foo");
        h.exit(h.lastPid(), ChildExit.exited(1));
        assertThat(h.status("foo").throttleRemaining()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theThrottleDelayIsTheMasterSetting() {
        PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
                .withThrottle(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        h.start(svc("foo").build());
        h.connect("foo");
        h.exit(h.pid(0), ChildExit.exited(1));
        assertThat(h.status("foo").throttleRemaining()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void explicitUnthrottle_releasesAtOnceAndCancelsTheTimer() {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("foo").build());
        h.requestPending("foo");
        h.exit(h.pid(0), ChildExit.exited(1));
        h.policy.unthrottle("foo");
        h.pump();
        assertThat(h.actions.spawnCount("foo")).isEqualTo(2);
        h.policy.unthrottle("foo"); // not throttled: no-op
        assertThat(h.timers.pendingCount()).isZero();
    }

    private static long sec(long s) {
        return Duration.ofSeconds(s).toNanos();
    }
}
