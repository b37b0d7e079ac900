package io.procmaster.policy;

import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.FakeClock;
import io.procmaster.time.TimerQueue;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * PolicyHarness - a policy wired to a FakeClock, a TimerQueue and RecordingActions, plus the small bits
 * of a fake world the scenarios need: pending client requests (a listening service with a pending
 * request sees its socket readable when {@link #pump()} runs) and time that fires timers in order.
 */
class PolicyHarness {

    final FakeClock clock = new FakeClock();
    final TimerQueue timers = new TimerQueue(clock);
    final RecordingActions actions = new RecordingActions();
    final MasterPolicy policy;
    final Set<String> pendingRequests = new HashSet<>();

    PolicyHarness(PolicySettings settings) {
        this.policy = new MasterPolicy(settings, timers, actions);
        actions.clock = clock;
    }

    /** A harness whose rate-limited log lines go to {@code log} instead of slf4j. */
    PolicyHarness(PolicySettings settings, PolicyLog log) {
        this.policy = new MasterPolicy(settings, timers, actions, new GenerationCounter(), log);
        actions.clock = clock;
    }

    PolicyHarness() {
        this(PolicySettings.postfixCompatible());
    }

    PolicyHarness start(ServicePolicySpec... specs) {
        policy.start(Arrays.asList(specs));
        actions.settle();
        return this;
    }

    /** Whether the policy currently wants the loop to listen on the service. */
    boolean listening(String id) {
        return policy.status(id).map(ServiceStatus::listening).orElse(false);
    }

    ServiceStatus status(String id) {
        return policy.status(id).orElseThrow();
    }

    /** A client connects and stays queued in the backlog until {@link #serveRequest(String)}. */
    void requestPending(String id) {
        pendingRequests.add(id);
        pump();
    }

    /** One client connects: the socket turns readable once; the master spawns if it is listening. */
    void connect(String id) {
        if (listening(id)) {
            policy.onListenReady(id);
            actions.settle();
        }
    }

    void serveRequest(String id) {
        pendingRequests.remove(id);
    }

    /** Delivers listen readiness while a listening service has a request pending (bounded). */
    void pump() {
        for (int i = 0; i < 10_000; i++) {
            actions.settle();
            String ready = null;
            for (String id : pendingRequests) {
                if (listening(id)) {
                    ready = id;
                    break;
                }
            }
            if (ready == null) {
                return;
            }
            policy.onListenReady(ready);
        }
        throw new AssertionError("pump did not settle");
    }

    /** Runs time forward to {@code clock + d}, firing every timer at its own deadline, pumping after each. */
    void advance(Duration d) {
        long target = clock.nanoTime() + d.toNanos();
        while (true) {
            var next = timers.nextDeadline();
            if (next.isEmpty() || next.getAsLong() - target > 0) {
                break;
            }
            long step = next.getAsLong() - clock.nanoTime();
            if (step > 0) {
                clock.advance(Duration.ofNanos(step));
            }
            timers.runDue();
            pump();
        }
        long rest = target - clock.nanoTime();
        if (rest > 0) {
            clock.advance(Duration.ofNanos(rest));
        }
        timers.runDue();
        pump();
    }

    void advanceMillis(long ms) {
        advance(Duration.ofMillis(ms));
    }

    void advanceSeconds(long s) {
        advance(Duration.ofSeconds(s));
    }

    /** The pid of the n-th spawned child (0-based). */
    int pid(int n) {
        return actions.spawnedPids.get(n);
    }

    int lastPid() {
        return actions.spawnedPids.get(actions.spawnedPids.size() - 1);
    }

    long generationOf(int pid) {
        return policy.child(pid).orElseThrow().generation();
    }

    void taken(String id, int pid) {
        policy.onStatus(id, pid, pid, generationOf(pid), 0);
        pump();
    }

    void avail(String id, int pid) {
        policy.onStatus(id, pid, pid, generationOf(pid), 1);
        pump();
    }

    void exit(int pid, ChildExit how) {
        policy.onChildExit(pid, how);
        pump();
    }

    static PolicySpecBuilder svc(String id) {
        return new PolicySpecBuilder(id).command("/usr/libexec/procmaster/" + id);
    }

    /** A builder preloaded with {@code spec}, for "the same, but with ..." at reload. */
    static PolicySpecBuilder like(ServicePolicySpec spec) {
        return PolicySpecBuilder.from(spec);
    }

    static List<RecordingActions.Type> types(List<RecordingActions.Call> calls) {
        return calls.stream().map(RecordingActions.Call::type).toList();
    }
}
