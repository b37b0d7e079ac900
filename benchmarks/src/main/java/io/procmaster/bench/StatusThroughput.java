package io.procmaster.bench;

import io.procmaster.os.ChildProcess;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.EventSink;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.Spawner;
import io.procmaster.os.StatusFlags;
import java.util.HashMap;
import java.util.Map;
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
 * Benchmark 4, status throughput: {@value #WRITERS} children ({@code pm-status-writer
 * count:N}) write {@value #RECORDS} 12-byte status records each into one SEQPACKET status channel
 * as fast as they can; the loop thread pulls them through {@link EventLoopCore#poll} (batches of
 * up to {@value #BATCH} records per JNI call) into a consumer until every record and both exits
 * have been seen. Score: records per second (Throughput, one op = one record; the two spawns are
 * included, about 0.1 ms of the 0.1 s an invocation takes).
 *
 * <p>The consumer is a stand-in for the policy's {@code onStatus}: it checks the flags (forged,
 * malformed), looks the sender up in a {@code HashMap<Integer, ...>} as the policy did until
 * issue 11 and flips its TAKEN/AVAIL state; the box of the pid is its 16 bytes per record under
 * {@code -prof gc}. The policy now keys its children by an {@code int} and allocates nothing per
 * record: {@link MasterStatusPath} measures the real path. Not pinned: the writers need the second
 * core.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(StatusThroughput.WRITERS * StatusThroughput.RECORDS)
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class StatusThroughput {
    static final int WRITERS = 2;
    static final int RECORDS = 50000;
    static final int BATCH = 1024;

    private StatusChannelLoop status;
    private EventLoopCore loop;
    private SpawnSpec spec;
    private final Consumer consumer = new Consumer();

    /** Stand-in for the policy: per-child state keyed by pid, flags checked, exits counted. */
    static final class Consumer implements EventSink {
        final Map<Integer, int[]> children = new HashMap<>();
        long records;
        long rejected;
        int exits;
        int badExits;

        @Override
        public void onStatus(int fd, int tag, int pid, int generation, int status, int senderPid, int flags,
                             int length) {
            if (StatusFlags.forged(flags) || StatusFlags.malformed(flags)) {
                rejected++;
                return;
            }
            int[] state = children.get(pid);
            if (state == null) {
                state = new int[2];
                children.put(pid, state);
            }
            if (state[0] != status) {
                state[0] = status;
                state[1]++;
            }
            records++;
        }

        @Override
        public void onExit(int pidfd, int tag, ExitStatus status) {
            exits++;
            if (!status.success()) {
                badExits++;
            }
            children.remove(status.pid());
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        status = new StatusChannelLoop(BATCH);
        loop = status.loop;
        String writer = Bins.path("pm-status-writer");
        spec = SpawnSpec.builder(writer).argv(writer, "count:" + RECORDS).env("GENERATION", "1")
                .fd(5, status.channel.child().intValue()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        status.close();
    }

    @Benchmark
    public long records() throws Exception {
        consumer.records = 0;
        consumer.exits = 0;
        int[] pidfds = new int[WRITERS];
        for (int i = 0; i < WRITERS; i++) {
            ChildProcess c = Spawner.spawn(spec);
            pidfds[i] = loop.watch(c, 100 + i);
        }
        long want = (long) WRITERS * RECORDS;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (consumer.records < want || consumer.exits < WRITERS) {
            loop.poll(1000, consumer);
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out: " + consumer.records + " of " + want + " records, "
                        + consumer.exits + " exits");
            }
        }
        for (int fd : pidfds) {
            loop.close(fd);
        }
        if (consumer.rejected != 0 || consumer.badExits != 0 || consumer.records != want) {
            throw new IllegalStateException("records " + consumer.records + ", rejected " + consumer.rejected
                    + ", failed writers " + consumer.badExits);
        }
        return consumer.records;
    }
}
