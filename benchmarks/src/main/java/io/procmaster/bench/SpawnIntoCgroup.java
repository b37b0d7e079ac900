package io.procmaster.bench;

import io.procmaster.os.Cgroup2;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.Fd;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.Spawner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The spawn round trip into a per-service cgroup (docs/cgroups.md) beside the plain one, in the
 * same fork: {@code pm-exit0} started with {@link Spawner#spawn} and waited for
 * ({@link io.procmaster.os.ChildProcess#waitFor}), as {@link SpawnBase#procmasterWaitFor}, once
 * without a cgroup and once with clone3's {@code CLONE_INTO_CGROUP} into a cgroup this benchmark
 * makes under the cgroup2 mount (and removes at the end). The difference is what a master with
 * {@code service_cgroups = yes} pays per child: the kernel's move of the new task into another
 * css_set at clone, and its leaving that cgroup at exit.
 *
 * <p>Needs a writable cgroup2 mount (root, or a delegated subtree); without one the setup fails
 * with the reason, and JMH goes on with the other benchmarks. Pinned like the other spawn
 * benchmarks ({@link Pin}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@State(Scope.Thread)
public class SpawnIntoCgroup {
    private Path cgroup;
    private Fd cgroupFd;
    private SpawnSpec plain;
    private SpawnSpec intoCgroup;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Pin.self();
        Cgroup2.Mount mount = Cgroup2.mountPoint().orElseThrow(
                () -> new IllegalStateException("no cgroup2 mount in /proc/self/mountinfo"));
        Path parent = mount.directoryOf(Cgroup2.ownCgroup(Files.readString(Cgroup2.PROC_SELF_CGROUP))
                .orElseThrow(() -> new IllegalStateException("no 0:: line in /proc/self/cgroup")));
        cgroup = parent.resolve("procmaster-bench-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(cgroup);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the benchmark's cgroup " + cgroup
                    + " (root or a delegated cgroup2 subtree is needed): " + e, e);
        }
        cgroupFd = Cgroup2.open(cgroup);
        String exit0 = Bins.path("pm-exit0");
        plain = SpawnSpec.builder(exit0).argv("pm-exit0").build();
        intoCgroup = SpawnSpec.builder(exit0).argv("pm-exit0").cgroup(cgroupFd).build();
        check(plain());
        check(intoCgroup());
    }

    private static void check(ExitStatus s) {
        if (!s.success()) {
            throw new IllegalStateException("pm-exit0 ended with " + s);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        cgroupFd.close();
        Files.deleteIfExists(cgroup); // every child was reaped by waitFor: the cgroup is empty
    }

    @Benchmark
    public ExitStatus plain() throws Exception {
        return Spawner.spawn(plain).waitFor();
    }

    @Benchmark
    public ExitStatus intoCgroup() throws Exception {
        return Spawner.spawn(intoCgroup).waitFor();
    }
}
