package io.procmaster.bench;

import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperPool;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperSpec;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 6, procmaster's half: the same {@value HelperPoolBaseline#HELPERS} {@code /bin/cat}
 * helpers and the same line as {@link HelperPoolBaseline}, behind a {@link HelperPool} whose I/O
 * runs on one event-loop thread. {@code classic}: one request per helper at a time;
 * {@code channelIds}: concurrency 8 per helper with channel IDs (cat echoes the id back, so the
 * reply is matched to its request). The same two shapes as the baseline: {@code request} (one
 * caller, SampleTime) and {@code request4} (four callers, Throughput); {@code pipelined4} lets
 * each of four callers keep 8 requests in flight, which only a pool with channel IDs can use, with
 * one {@code submit} per request; {@code pipelinedBulk4} submits the same 8 with one
 * {@code submitAll}. {@code channel}: the pool's default channel (a socketpair, as Squid's
 * IPC_STREAM), or pipes ({@code fifo}), the transport the baseline's ProcessBuilder uses.
 */
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class HelperPoolBench {
    static final int IN_FLIGHT = 8;
    static final List<String> BURST = Collections.nCopies(IN_FLIGHT, HelperPoolBaseline.LINE);

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"classic", "channelIds"})
        public String mode;
        /** The helpers' channel: the pool's default (a socketpair), or pipes as the baseline has. */
        @Param({"stream", "fifo"})
        public String channel;
        HelperPools.Running running;
        HelperPool pool;

        @Setup(Level.Trial)
        public void start() throws Exception {
            int helpers = HelperPoolBaseline.HELPERS;
            HelperPoolConfig config = HelperPoolConfig.builder("bench-" + mode)
                    .children(helpers).startup(helpers).idle(helpers)
                    .concurrency(mode.equals("classic") ? 0 : IN_FLIGHT)
                    .queueLimit(4096)
                    .requestTimeout(Duration.ofSeconds(30))
                    .build();
            running = HelperPools.startWithOwnLoop(config, HelperSpec.builder("cat", "/bin/cat")
                    .channelType(channel.equals("fifo") ? HelperChannelType.FIFO : HelperChannelType.STREAM).build());
            pool = running.pool();
            HelperReply r = pool.submit(HelperPoolBaseline.LINE).get(10, TimeUnit.SECONDS);
            if (!r.text().contains("example.com")) {
                throw new IllegalStateException("cat did not echo: " + r);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            running.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public HelperReply request(Pool p) throws Exception {
        return p.pool.submit(HelperPoolBaseline.LINE).get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public HelperReply request4(Pool p) throws Exception {
        return p.pool.submit(HelperPoolBaseline.LINE).get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    @OperationsPerInvocation(IN_FLIGHT)
    @SuppressWarnings("unchecked")
    public Object pipelined4(Pool p) throws Exception {
        CompletableFuture<HelperReply>[] f = new CompletableFuture[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            f[i] = p.pool.submit(HelperPoolBaseline.LINE);
        }
        CompletableFuture.allOf(f).get(10, TimeUnit.SECONDS);
        return f[IN_FLIGHT - 1].get();
    }

    /** {@code pipelined4} through {@link HelperPool#submitAll}: the 8 requests as one command. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    @OperationsPerInvocation(IN_FLIGHT)
    public Object pipelinedBulk4(Pool p) throws Exception {
        List<CompletableFuture<HelperReply>> f = p.pool.submitAll(BURST);
        CompletableFuture.allOf(f.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        return f.get(IN_FLIGHT - 1).get();
    }
}
