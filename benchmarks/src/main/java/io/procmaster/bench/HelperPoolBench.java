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
 * reply is matched to its request; more where {@code inFlight} needs it, see
 * {@link #concurrency}). The same two shapes as the baseline: {@code request} (one caller,
 * SampleTime) and {@code request4} (four callers, Throughput), both through the blocking
 * {@link HelperPool#request}, whose caller does the I/O itself on an idle helper (docs/helpers.md
 * "The synchronous fast path"); {@code submitGet} and {@code submitGet4} are the same shapes through
 * {@code submit(..).get()}, the loop path, which the fast path hands anything unusual to;
 * {@code pipelined4} lets each of four callers keep {@code inFlight} (default 8) requests in flight,
 * which only a pool with channel IDs can use, with one {@code submit} per request;
 * {@code pipelinedBulk4} submits each group of 8 with one {@code submitAll}. {@code channel}: the
 * pool's default channel (a socketpair, as Squid's IPC_STREAM), or pipes ({@code fifo}), the
 * transport the baseline's ProcessBuilder uses. {@code helpers}: 4 (default, as the baseline's
 * default) or 8. The issue-11 table is one command: {@code -p helpers=4,8 -p inFlight=8,16}
 * (BENCHMARKS.md §6, {@code benchmarks/helper-session.sh}).
 */
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class HelperPoolBench {
    /** Concurrency per helper with channel IDs at the default parameters (4 helpers, 8 in flight per caller). */
    static final int CONCURRENCY = 8;
    /** Caller threads of the pipelined shapes ({@code @Threads}). */
    static final int CALLERS = 4;
    /** Requests one pipelining caller submits per invocation (see {@link Window}). */
    static final int GROUP = 8;
    /** The largest {@code inFlight} parameter. */
    static final int MAX_IN_FLIGHT = 64;

    /**
     * Concurrency per helper with channel IDs: at least {@value #CONCURRENCY}, and enough that all
     * {@code CALLERS x inFlight} requests fit over the helpers without queueing in the pool (64 over
     * 4 helpers: 16 each), so the pipelined shapes measure the loop path, not the queue. The
     * default parameters keep the historical 8.
     */
    static int concurrency(int helpers, int inFlight) {
        return Math.max(CONCURRENCY, (CALLERS * inFlight + helpers - 1) / helpers);
    }

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"classic", "channelIds"})
        public String mode;
        /** The helpers' channel: the pool's default (a socketpair), or pipes as the baseline has. */
        @Param({"stream", "fifo"})
        public String channel;
        /** Helpers in the pool: 4 as the baseline's default, 8 for the issue-11 table. */
        @Param({"4"})
        public int helpers;
        /**
         * Requests each of the four pipelining callers keeps in flight ({@code pipelined4},
         * {@code pipelinedBulk4}): 8 (32 in flight, the historical shape) or 16 (64 in flight); a
         * multiple of {@link #GROUP} up to {@link #MAX_IN_FLIGHT}. The other shapes ignore it, so a
         * run given several values repeats them (helper-session.sh keeps them out of that run).
         */
        @Param({"8"})
        public int inFlight;
        List<String> burst;
        HelperPools.Running running;
        HelperPool pool;

        @Setup(Level.Trial)
        public void start() throws Exception {
            if (helpers < 1 || inFlight < GROUP || inFlight > MAX_IN_FLIGHT || inFlight % GROUP != 0) {
                throw new IllegalArgumentException("need helpers >= 1 and inFlight a multiple of " + GROUP + " up to "
                        + MAX_IN_FLIGHT + ": helpers=" + helpers + ", inFlight=" + inFlight);
            }
            burst = Collections.nCopies(GROUP, HelperPoolBaseline.LINE);
            HelperPoolConfig config = HelperPoolConfig.builder("bench-" + mode)
                    .children(helpers).startup(helpers).idle(helpers)
                    .concurrency(mode.equals("classic") ? 0 : concurrency(helpers, inFlight))
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
    public HelperReply request(Pool p) {
        return p.pool.request(HelperPoolBaseline.LINE);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public HelperReply request4(Pool p) {
        return p.pool.request(HelperPoolBaseline.LINE);
    }

    /** {@code request} through the loop path: {@code submit(..).get()}, the shape before the fast path. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public HelperReply submitGet(Pool p) throws Exception {
        return p.pool.submit(HelperPoolBaseline.LINE).get(10, TimeUnit.SECONDS);
    }

    /** {@code request4} through the loop path. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public HelperReply submitGet4(Pool p) throws Exception {
        return p.pool.submit(HelperPoolBaseline.LINE).get(10, TimeUnit.SECONDS);
    }

    /**
     * One pipelining caller's requests in flight: {@code inFlight / GROUP} groups of {@link #GROUP}.
     * An invocation submits a fresh group into the next slot, then waits for the oldest group; with
     * one group (the default {@code inFlight=8}) that is the group just submitted, the burst this
     * shape always measured; with two, 16 are in flight after each submit and the caller waits for
     * the 8 submitted one invocation earlier. JMH counts {@link #GROUP} operations per invocation
     * ({@code @OperationsPerInvocation} cannot follow a {@code @Param}), which holds for both.
     * Groups left in flight when an iteration ends are awaited in its tear-down, outside the timing.
     */
    @State(Scope.Thread)
    public static class Window {
        private CompletableFuture<HelperReply>[][] arrays;
        private List<CompletableFuture<HelperReply>>[] lists;
        /** The slot the next invocation fills; once all are filled, also the oldest group's. */
        private int next;
        /** Slots filled in this iteration, at most their number. */
        private int filled;

        @Setup(Level.Iteration)
        @SuppressWarnings("unchecked")
        public void size(Pool p) {
            arrays = new CompletableFuture[p.inFlight / GROUP][GROUP];
            lists = new List[p.inFlight / GROUP];
            next = 0;
            filled = 0;
        }

        /** Marks the current slot filled; true when the window is full, the oldest group at {@link #next}. */
        boolean advance() {
            next = next + 1 == arrays.length ? 0 : next + 1;
            if (filled < arrays.length) {
                filled++;
            }
            return filled == arrays.length;
        }

        @TearDown(Level.Iteration)
        public void drain() throws Exception {
            for (int g = 0; g < filled; g++) {
                if (lists[g] != null) {
                    awaitAll(lists[g]);
                } else {
                    awaitAll(arrays[g]);
                }
            }
        }
    }

    /**
     * Waits for every future of a group; the last submitted first, so a caller whose replies come
     * back in order parks once, as with {@code allOf} but without its tree of relay futures (their
     * bytes would count in {@code -prof gc}'s per-request figure, which is meant for the pool's).
     */
    static HelperReply awaitAll(CompletableFuture<HelperReply>[] group) throws Exception {
        HelperReply last = group[group.length - 1].get(10, TimeUnit.SECONDS);
        for (int i = 0; i < group.length - 1; i++) {
            group[i].get(10, TimeUnit.SECONDS);
        }
        return last;
    }

    static HelperReply awaitAll(List<CompletableFuture<HelperReply>> group) throws Exception {
        int n = group.size();
        HelperReply last = group.get(n - 1).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < n - 1; i++) {
            group.get(i).get(10, TimeUnit.SECONDS);
        }
        return last;
    }

    /** Four callers, each with {@code inFlight} requests in flight (see {@link Window}), one {@code submit} each. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    @OperationsPerInvocation(GROUP)
    public Object pipelined4(Pool p, Window w) throws Exception {
        CompletableFuture<HelperReply>[] f = w.arrays[w.next];
        for (int i = 0; i < GROUP; i++) {
            f[i] = p.pool.submit(HelperPoolBaseline.LINE);
        }
        return w.advance() ? awaitAll(w.arrays[w.next]) : null;
    }

    /** {@code pipelined4} through {@link HelperPool#submitAll}: each group of 8 as one command. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    @OperationsPerInvocation(GROUP)
    public Object pipelinedBulk4(Pool p, Window w) throws Exception {
        w.lists[w.next] = p.pool.submitAll(p.burst);
        return w.advance() ? awaitAll(w.lists[w.next]) : null;
    }
}
