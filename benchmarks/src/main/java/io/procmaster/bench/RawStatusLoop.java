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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The physical limit for benchmark 4: the C program {@code pm-statusloop} (native/bench) runs
 * {@value #ROUNDS} rounds of exactly what {@link StatusThroughput} does (two
 * {@code pm-status-writer count:50000} children, one SEQPACKET status channel, the same
 * {@code pm_loop_poll} with batches of 1 024 records), without the JVM and the JNI crossing, and
 * prints the median, minimum and maximum records per second of its rounds.
 *
 * <p>Scores. The primary score is JMH's wall clock for one run of the tool per record
 * (SingleShotTime, the tool's launch included, about 1%). The tool's own figures are the secondary
 * metrics {@code p50PerS}, {@code minPerS}, {@code maxPerS} (records per second), scaled as
 * {@link ExternalToolBench} says so that JMH's sum over the measurement iterations is their mean.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(RawStatusLoop.ROUNDS * StatusThroughput.WRITERS * StatusThroughput.RECORDS)
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 0)
@Measurement(iterations = 3)
@State(Scope.Thread)
public class RawStatusLoop extends ExternalToolBench {
    static final int ROUNDS = 20;

    private List<String> command;

    /** The tool's figures, see the class comment for the scaling. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class ToolResult {
        public double p50PerS;
        public double minPerS;
        public double maxPerS;
    }

    @Setup(Level.Trial)
    public void setup() {
        command = List.of(Bins.path("pm-statusloop"), "-r", Integer.toString(ROUNDS),
                "-w", Integer.toString(StatusThroughput.WRITERS), "-n", Integer.toString(StatusThroughput.RECORDS),
                Bins.path("pm-status-writer"));
    }

    @Benchmark
    public void records(ToolResult r) throws IOException, InterruptedException {
        Map<String, String> kv = run(command);
        r.p50PerS = scaled(Double.parseDouble(kv.get("p50_per_s")));
        r.minPerS = scaled(Double.parseDouble(kv.get("min_per_s")));
        r.maxPerS = scaled(Double.parseDouble(kv.get("max_per_s")));
    }
}
