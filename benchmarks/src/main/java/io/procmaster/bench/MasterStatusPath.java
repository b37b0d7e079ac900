package io.procmaster.bench;

import io.procmaster.config.ServiceType;
import io.procmaster.loop.StatusPackets;
import io.procmaster.os.EventSink;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.NativeIoException;
import io.procmaster.policy.ChildExit;
import io.procmaster.policy.MasterActions;
import io.procmaster.policy.MasterPolicy;
import io.procmaster.policy.PolicySettings;
import io.procmaster.policy.ServicePolicySpec;
import io.procmaster.policy.Signal;
import io.procmaster.status.ServiceStatus;
import io.procmaster.time.Clock;
import io.procmaster.time.TimerQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The master's own cost per status record and per spawn through the real policy (issue 11, "the
 * master's own CPU"; BENCHMARKS.md §5): run with {@code -prof gc}, {@code gc.alloc.rate.norm} is the
 * bytes allocated per record (target 0 in the steady state) and per spawn.
 *
 * <ul>
 *   <li>{@code statusRecord}: the path of benchmark 5's records minus the epoll wake-up: TAKEN and
 *       AVAIL records written into a real SEQPACKET status channel (from this thread, so the
 *       kernel's sender is this JVM, and the policy's one child has this JVM's pid: the forgery
 *       check passes as for a real child), pulled in one {@code recvmmsg} batch by
 *       {@link io.procmaster.os.EventLoopCore#poll}, delivered by {@link StatusPackets#deliver} (the
 *       master's status handler) to {@link MasterPolicy#onStatus}, which moves the child between
 *       TAKEN and AVAIL and re-evaluates the listen rule (it flips listening on every record: one
 *       child of maxproc 50). One op = one record; the writes are in the time (the master does not
 *       pay them) but allocate nothing.</li>
 *   <li>{@code policyStatus}: the same records straight into {@link MasterPolicy#onStatus}: the
 *       policy's share alone.</li>
 *   <li>{@code policySpawn}: one on-demand spawn's life in the policy: listen readiness, spawn (the
 *       actions return a fresh fake pid at once), TAKEN, AVAIL, exit 0. One op = one spawn. The
 *       mechanism's share of a spawn (the spawn request, clone3, the watch) is
 *       {@link SpawnRoundTrip}'s.</li>
 * </ul>
 *
 * <p>Uses the policy's and the loop's public classes from the class path (they are not exported by
 * the module: no user calls them). The fake {@link MasterActions} only counts.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class MasterStatusPath {
    static final String ID = "127.0.0.1:10026/inet";
    static final int PAIRS = 32; // 64 records per invocation, well within the channel's buffer
    static final int FAKE_PID_BASE = 4_000_000; // above pid_max's default: never this JVM's pid

    /** Counts what the policy asks for; spawns answer with {@link #nextPid}, or this JVM's pid first. */
    static final class CountingActions implements MasterActions {
        final int ownPid = (int) ProcessHandle.current().pid();
        int nextPid;
        long lastGeneration;
        long spawns;
        long listenFlips;

        @Override
        public int spawn(String serviceId, long generation, boolean stress) {
            spawns++;
            lastGeneration = generation;
            if (spawns == 1) {
                return ownPid;
            }
            nextPid = nextPid >= FAKE_PID_BASE + 1_000_000 || nextPid < FAKE_PID_BASE ? FAKE_PID_BASE : nextPid + 1;
            return nextPid;
        }

        @Override
        public void setListening(String serviceId, boolean listening) {
            listenFlips++;
        }

        @Override
        public boolean sendWakeup(String serviceId, ServiceType type, byte[] triggerBytes) {
            return true;
        }

        @Override
        public void signal(int pid, Signal signal) {
        }

        @Override
        public int signalNumber(Signal signal) {
            return signal == Signal.KILL ? 9 : 15;
        }

        @Override
        public void restartStatusChannel(String serviceId) {
        }

        @Override
        public void closeStatusChannel(String serviceId) {
        }

        @Override
        public void serviceGone(String serviceId) {
        }

        @Override
        public void allChildrenGone() {
        }
    }

    /** The master's status handler as MasterLoop registers it, minus the loop's fd-to-handler lookup. */
    static final class ToPolicy implements EventSink {
        final MasterPolicy policy;
        long records;

        ToPolicy(MasterPolicy policy) {
            this.policy = policy;
        }

        @Override
        public void onStatus(int fd, int tag, int pid, int generation, int status, int senderPid, int flags,
                             int length) {
            records++;
            StatusPackets.deliver(policy, ID, pid, generation, status, senderPid, flags, length);
        }

        @Override
        public void onExit(int pidfd, int tag, ExitStatus status) {
        }
    }

    private StatusChannelLoop channel;
    private CountingActions actions;
    private MasterPolicy policy;
    private ToPolicy sink;
    private ByteBuffer taken;
    private ByteBuffer avail;
    private int pid;
    private int generation;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        channel = new StatusChannelLoop(256);
        actions = new CountingActions();
        TimerQueue timers = new TimerQueue(Clock.system());
        PolicySettings settings = PolicySettings.postfixCompatible().withSpawnRateLimit(0, Duration.ofSeconds(1));
        policy = new MasterPolicy(settings, timers, actions);
        policy.start(List.of(new ServicePolicySpec(ID, "127.0.0.1:10026", "pm-echo", List.of("pm-echo"),
                ServiceType.INET, 50, 0, false, false, 0)));
        policy.onListenReady(ID); // the first child: this JVM's pid, AVAIL from birth
        if (actions.spawns != 1) {
            throw new IllegalStateException("the policy did not spawn the first child");
        }
        pid = actions.ownPid;
        generation = (int) actions.lastGeneration;
        taken = record(0);
        avail = record(1);
        sink = new ToPolicy(policy);
    }

    private ByteBuffer record(int status) {
        ByteBuffer b = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        b.putInt(0, pid).putInt(4, generation).putInt(8, status);
        return b;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.close();
        ServiceStatus.Counts c = policy.status(ID).orElseThrow().counts();
        // Every record must have been a state change: none judged forged, malformed, unknown or redundant.
        if (c.forgedRecords() != 0 || c.malformedRecords() != 0 || c.unknownPidRecords() != 0
                || c.redundantRecords() != 0) {
            throw new IllegalStateException("records rejected: " + c);
        }
    }

    @Benchmark
    @OperationsPerInvocation(2 * PAIRS)
    public long statusRecord() throws NativeIoException {
        for (int i = 0; i < PAIRS; i++) {
            write(taken);
            write(avail);
        }
        long before = sink.records;
        channel.loop.poll(0, sink);
        if (sink.records - before != 2 * PAIRS) {
            throw new IllegalStateException("pulled " + (sink.records - before) + " records, wrote " + 2 * PAIRS);
        }
        return actions.listenFlips;
    }

    private void write(ByteBuffer record) throws NativeIoException {
        record.clear();
        if (channel.channel.child().write(record) != 12) {
            throw new IllegalStateException("status channel full");
        }
    }

    @Benchmark
    @OperationsPerInvocation(2 * PAIRS)
    public long policyStatus() {
        for (int i = 0; i < PAIRS; i++) {
            policy.onStatus(ID, pid, pid, generation & 0xffffffffL, 0);
            policy.onStatus(ID, pid, pid, generation & 0xffffffffL, 1);
        }
        return actions.listenFlips;
    }

    @Benchmark
    public long policySpawn() {
        policy.onStatus(ID, pid, pid, generation & 0xffffffffL, 0); // the first child busy: none avail
        long spawns = actions.spawns;
        policy.onListenReady(ID);
        if (actions.spawns != spawns + 1) {
            throw new IllegalStateException("no spawn on listen readiness");
        }
        int child = actions.nextPid;
        long gen = actions.lastGeneration;
        policy.onStatus(ID, child, child, gen, 0);
        policy.onStatus(ID, child, child, gen, 1);
        policy.onChildExit(child, ChildExit.exited(0));
        policy.onStatus(ID, pid, pid, generation & 0xffffffffL, 1);
        return actions.spawns;
    }
}
