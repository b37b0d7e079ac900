package io.procmaster.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The physical limit for benchmarks 2 and 3: the C program {@code pm-spawnloop} (native/bench)
 * spawns and reaps {@code pm-exit0} {@value #SPAWNS} times through the same C core, pinned to the
 * CPU of {@link Pin}, with {@code heapMb} MiB allocated and touched first, and prints its own
 * per-spawn percentiles. ProcessBuilder only launches the measurement tool.
 *
 * <p>Scores. The primary score is JMH's wall clock for one run of the tool divided by
 * {@value #SPAWNS} (SingleShotTime, one run per iteration): the mean per spawn, the tool's launch
 * and its {@value #WARMUP} warm-up spawns included (about 1%). The tool's own numbers are the
 * secondary metrics {@code p50Us}, {@code p10Us}, {@code p90Us}, {@code p99Us}, {@code meanUs}
 * (µs per spawn): JMH sums EVENTS counters over measurement iterations and forks, so each run
 * records its value divided by their product, and the sum is the mean over runs.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(RawSpawnLoop.SPAWNS)
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 0)
@Measurement(iterations = 3)
@State(Scope.Thread)
public class RawSpawnLoop extends ExternalToolBench {
    static final int SPAWNS = 20000;
    static final int WARMUP = 2000;

    @Param({"64", "8192"})
    public int heapMb;

    private List<String> command;

    /** The tool's percentiles, see the class comment for the scaling. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class ToolResult {
        public double p10Us;
        public double p50Us;
        public double p90Us;
        public double p99Us;
        public double meanUs;
    }

    @Setup(Level.Trial)
    public void setup() {
        command = List.of(Bins.path("pm-spawnloop"), "-n", Integer.toString(SPAWNS), "-w", Integer.toString(WARMUP),
                "-c", Integer.toString(Pin.cpu()), "-M", Integer.toString(heapMb), Bins.path("pm-exit0"));
    }

    @Benchmark
    public void clone3(ToolResult r) throws IOException, InterruptedException {
        Map<String, String> kv = run(command);
        r.p10Us = scaled(Long.parseLong(kv.get("p10_ns")) / 1e3);
        r.p50Us = scaled(Long.parseLong(kv.get("p50_ns")) / 1e3);
        r.p90Us = scaled(Long.parseLong(kv.get("p90_ns")) / 1e3);
        r.p99Us = scaled(Long.parseLong(kv.get("p99_ns")) / 1e3);
        r.meanUs = scaled(Long.parseLong(kv.get("mean_ns")) / 1e3);
    }
}
