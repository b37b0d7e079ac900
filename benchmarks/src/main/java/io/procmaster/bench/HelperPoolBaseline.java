package io.procmaster.bench;

import io.procmaster.helper.HelperPool;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 6, the baseline half: what a Java program does today for a Squid-style helper pool:
 * {@code helpers} (default {@value #HELPERS}) {@code /bin/cat} helpers started with ProcessBuilder, each driven through a
 * BufferedWriter/BufferedReader pair over its pipes, handed out from a blocking queue. One
 * request = take an idle helper, write one line, flush, read the echoed line, return it.
 *
 * <p>{@code request}: one caller, every request timed (SampleTime: the median is the latency).
 * {@code request4}: four callers at once (Throughput: requests/s with the whole pool busy).
 * {@link HelperPoolBench} runs procmaster's {@code HelperPool} in the same two shapes, with the
 * same helpers, line and number of callers (see BENCHMARKS.md, benchmark 6).
 */
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class HelperPoolBaseline {
    /** The default number of helpers ({@code helpers} parameter) on both sides of benchmark 6. */
    static final int HELPERS = 4;
    static final String LINE = "http://example.com/some/url 127.0.0.1/- - GET -";

    /** One helper: the process and its two buffered pipe ends. */
    static final class Helper {
        final Process process;
        final BufferedWriter in;
        final BufferedReader out;

        Helper(Process p) {
            process = p;
            in = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
            out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        }

        String ask(String line) throws IOException {
            in.write(line);
            in.newLine();
            in.flush();
            String reply = out.readLine();
            if (reply == null) {
                throw new IOException("helper " + process.pid() + " closed its output");
            }
            return reply;
        }
    }

    @State(Scope.Benchmark)
    public static class Pool {
        /** Helpers in the pool, as {@link HelperPoolBench.Pool#helpers}: 4 by default, 8 for the issue-11 table. */
        @Param({"4"})
        public int helpers;
        final List<Helper> all = new ArrayList<>();
        BlockingQueue<Helper> idle;

        @Setup(Level.Trial)
        public void start() throws IOException {
            if (helpers < 1) {
                throw new IllegalArgumentException("helpers must be >= 1: " + helpers);
            }
            idle = new ArrayBlockingQueue<>(helpers);
            for (int i = 0; i < helpers; i++) {
                Helper h = new Helper(new ProcessBuilder("/bin/cat")
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
                if (!LINE.equals(h.ask(LINE))) {
                    throw new IllegalStateException("cat did not echo");
                }
                all.add(h);
                idle.add(h);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            for (Helper h : all) {
                try {
                    h.in.close();
                } catch (IOException e) {
                    h.process.destroy();
                }
                h.process.waitFor(5, TimeUnit.SECONDS);
                h.process.destroyForcibly();
            }
        }

        String request() throws IOException, InterruptedException {
            Helper h = idle.take();
            try {
                return h.ask(LINE);
            } finally {
                idle.put(h);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public String request(Pool pool) throws IOException, InterruptedException {
        return pool.request();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public String request4(Pool pool) throws IOException, InterruptedException {
        return pool.request();
    }
}
