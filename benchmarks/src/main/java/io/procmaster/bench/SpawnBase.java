package io.procmaster.bench;

import io.procmaster.os.ChildProcess;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.EventSink;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.Spawner;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmarks 2 and 3, the spawn round trip: start {@code pm-exit0} (static, no libc, exits 0 at
 * once), and return when its exit has been seen in Java. The subclasses fix the heap through
 * {@code @Fork} JVM arguments, so that the same methods run against a small and a large,
 * pre-touched heap.
 *
 * <ul>
 *   <li>{@code procmasterLoop}: {@link Spawner#spawn}, {@link EventLoopCore#watch}, then
 *       {@link EventLoopCore#poll} until the loop reports the exit (it reaps), then
 *       {@link EventLoopCore#close} of the pidfd: the path the master takes.</li>
 *   <li>{@code procmasterWaitFor}: {@link Spawner#spawn} then the blocking
 *       {@link ChildProcess#waitFor} (waitid on the pidfd).</li>
 *   <li>{@code processBuilder}: {@code new ProcessBuilder(...).inheritIO().start().waitFor()}
 *       with the JDK's default launch mechanism (posix_spawn through jspawnhelper on JDK 17);
 *       inheritIO so that no pipes are made, the fastest form of the default path.</li>
 * </ul>
 *
 * <p>SampleTime: every call is timed, and JMH reports the median (p0.50) and tail. The JVM is
 * pinned to one CPU at trial setup ({@link Pin}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@State(Scope.Thread)
public abstract class SpawnBase {
    private SpawnSpec spec;
    private EventLoopCore loop;
    private ProcessBuilder pb;
    private final ExitSink sink = new ExitSink();
    private int tag;

    /** Remembers the exit the loop reported. */
    static final class ExitSink implements EventSink {
        int pidfd = -1;
        ExitStatus status;

        @Override
        public void onExit(int fd, int tag, ExitStatus s) {
            pidfd = fd;
            status = s;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Pin.self();
        String exit0 = Bins.path("pm-exit0");
        spec = SpawnSpec.builder(exit0).argv("pm-exit0").build();
        loop = new EventLoopCore(64);
        pb = new ProcessBuilder(exit0).inheritIO();
        // One of each, so that a broken path fails here with its message, not as a timing.
        check(procmasterLoop());
        check(procmasterWaitFor());
        if (processBuilder() != 0) {
            throw new IllegalStateException("ProcessBuilder child failed");
        }
    }

    private static void check(ExitStatus s) {
        if (!s.success()) {
            throw new IllegalStateException("pm-exit0 ended with " + s);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    public ExitStatus procmasterLoop() throws Exception {
        ChildProcess c = Spawner.spawn(spec);
        int t = ++tag & 0xffffff;
        loop.watch(c, t);
        sink.status = null;
        while (sink.status == null) {
            loop.poll(-1, sink);
        }
        loop.close(sink.pidfd);
        return sink.status;
    }

    @Benchmark
    public ExitStatus procmasterWaitFor() throws Exception {
        return Spawner.spawn(spec).waitFor();
    }

    @Benchmark
    public int processBuilder() throws IOException, InterruptedException {
        return pb.start().waitFor();
    }
}
