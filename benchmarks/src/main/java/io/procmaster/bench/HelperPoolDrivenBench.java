package io.procmaster.bench;

import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperPool;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.LoopDriver;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 6, the pool on the caller's own loop ({@link HelperPools#startOnCallerLoop}): the same
 * {@value HelperPoolBaseline#HELPERS} {@code /bin/cat} helpers and line as {@link HelperPoolBaseline}
 * and {@link HelperPoolBench}, with no procmaster thread: the benchmark thread submits and then
 * drives the pool itself ({@code runOnce(-1)} until its future is done), as a single-threaded
 * server would from its own loop. So a lone request costs two wake-ups (caller to helper, helper to
 * caller), like the hand-rolled pool, instead of the loop thread's four. Only one thread may drive
 * a pool, so there is no four-caller shape: {@code request} (one caller, SampleTime) and
 * {@code pipelined} (one caller keeping {@value HelperPoolBench#GROUP} requests in flight with
 * channel IDs). Compare with {@code HelperPoolBench.request} and {@code HelperPoolBaseline.request}
 * in the same run (BENCHMARKS.md §6).
 *
 * <p>Failure modes: a reply that is not the echo fails the setup; a request not answered within
 * 10 s fails the iteration (IllegalStateException) instead of hanging it.
 */
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class HelperPoolDrivenBench {
    @State(Scope.Thread)
    public static class Driven {
        @Param({"classic", "channelIds"})
        public String mode;
        /** The helpers' channel: the pool's default (a socketpair), or pipes as the baseline has. */
        @Param({"stream", "fifo"})
        public String channel;
        HelperPools.Driven driven;
        HelperPool pool;
        LoopDriver driver;

        @Setup(Level.Trial)
        public void start() throws Exception {
            int helpers = HelperPoolBaseline.HELPERS;
            HelperPoolConfig config = HelperPoolConfig.builder("bench-driven-" + mode)
                    .children(helpers).startup(helpers).idle(helpers)
                    .concurrency(mode.equals("classic") ? 0 : HelperPoolBench.GROUP)
                    .queueLimit(4096)
                    .requestTimeout(Duration.ofSeconds(30))
                    .build();
            driven = HelperPools.startOnCallerLoop(config, HelperSpec.builder("cat", "/bin/cat")
                    .channelType(channel.equals("fifo") ? HelperChannelType.FIFO : HelperChannelType.STREAM).build());
            pool = driven.pool();
            driver = driven.driver();
            HelperReply r = await(pool.submit(HelperPoolBaseline.LINE));
            if (!r.text().contains("example.com")) {
                throw new IllegalStateException("cat did not echo: " + r);
            }
        }

        /** Drives the pool on this thread until {@code f} is done; bounded. */
        <T> T await(CompletableFuture<T> f) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!f.isDone()) {
                if (System.nanoTime() - end > 0 || driver.runOnce(10) == LoopDriver.CLOSED) {
                    throw new IllegalStateException("no reply within 10 s (or the loop closed)");
                }
            }
            return f.join();
        }

        @TearDown(Level.Trial)
        public void stop() {
            driven.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public HelperReply request(Driven d) {
        return d.await(d.pool.submit(HelperPoolBaseline.LINE));
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(HelperPoolBench.GROUP)
    @SuppressWarnings("unchecked")
    public Object pipelined(Driven d) {
        CompletableFuture<HelperReply>[] f = new CompletableFuture[HelperPoolBench.GROUP];
        for (int i = 0; i < f.length; i++) {
            f[i] = d.pool.submit(HelperPoolBaseline.LINE);
        }
        return d.await(CompletableFuture.allOf(f));
    }
}
