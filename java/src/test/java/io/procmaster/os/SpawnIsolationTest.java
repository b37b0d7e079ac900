package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.ChildReport;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A child gets exactly 0, 1, 2 and its planned descriptors at the planned numbers, exactly the
 * given environment, an empty signal mask and default dispositions: with both mechanisms, while
 * the JVM holds 50 descriptors opened without close-on-exec and ignores SIGHUP.
 */
class SpawnIsolationTest {
    private static final int O_CLOEXEC = 02000000;
    private static final List<FileInputStream> LEAKY = new ArrayList<>();
    private static SignalHandler oldHup;

    @BeforeAll
    static void holdInheritableDescriptorsAndIgnoreHup() throws Exception {
        for (int i = 0; i < 50; i++) {
            LEAKY.add(new FileInputStream("/dev/null"));
        }
        oldHup = Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN);
    }

    @AfterAll
    static void release() throws Exception {
        for (FileInputStream in : LEAKY) {
            in.close();
        }
        Signal.handle(new Signal("HUP"), oldHup);
    }

    @ParameterizedTest
    @EnumSource(value = SpawnSpec.Mechanism.class, names = {"CLONE3", "POSIX_SPAWN"})
    void childInheritsExactlyThePlan(SpawnSpec.Mechanism mechanism, @TempDir Path dir) throws Exception {
        // The precondition is real: the JVM holds descriptors a naive fork+exec would leak.
        long inheritable = 0;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                int fd = Integer.parseInt(p.getFileName().toString());
                try {
                    if (fd > 2 && (ProcSelf.fdFlags(fd) & O_CLOEXEC) == 0) {
                        inheritable++;
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        assertThat(inheritable).isGreaterThanOrEqualTo(50);

        Path report = dir.resolve("report");
        try (FdPair status = Channels.open(Channels.Kind.STATUS);
             FdPair flow = Channels.open(Channels.Kind.PIPE);
             Fd listener = Channels.listenInet("127.0.0.1", 0, 8)) {
            SpawnSpec spec = SpawnSpec.builder(TestBin.path("pm-dumpchild"))
                    .argv("pm-dumpchild", "two words", "", report.toString())
                    .env("GENERATION", "17")
                    .env("ONLY", "this")
                    .fd(3, flow.master().intValue())
                    .fd(4, flow.child().intValue())
                    .fd(5, status.child().intValue())
                    .fd(6, listener.intValue())
                    .mechanism(mechanism)
                    .build();
            ChildProcess child = Spawner.spawn(spec);
            assertThat(child.mechanism()).isEqualTo(mechanism);
            ExitStatus exit = child.waitFor();
            assertThat(exit.success()).as(exit.toString()).isTrue();

            ChildReport r = ChildReport.read(report);
            assertThat(r.fds.keySet()).containsExactly(0, 1, 2, 3, 4, 5, 6);
            assertThat(r.target(3)).isEqualTo(ProcSelf.fdTarget(flow.master().intValue()));
            assertThat(r.target(4)).isEqualTo(ProcSelf.fdTarget(flow.child().intValue()));
            assertThat(r.target(5)).isEqualTo(ProcSelf.fdTarget(status.child().intValue()));
            assertThat(r.fds.get(5)).contains("type=5"); // SOCK_SEQPACKET
            assertThat(r.target(6)).isEqualTo(ProcSelf.fdTarget(listener.intValue()));
            assertThat(r.env).containsExactly("GENERATION=17", "ONLY=this");
            assertThat(r.argv).containsExactly("pm-dumpchild", "two words", "", report.toString());
            assertThat(r.signals.get("SigBlk")).as("signal mask").isZero();
            assertThat(r.signals.get("SigIgn")).as("ignored signals (the JVM ignores SIGHUP)").isZero();
            assertThat(r.signals.get("SigCgt")).as("caught signals").isZero();
            assertThat(r.pid).isEqualTo(child.pid());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SpawnSpec.Mechanism.class, names = {"CLONE3", "POSIX_SPAWN"})
    void cyclesAndSourcesBelowTargetsLandRight(SpawnSpec.Mechanism mechanism, @TempDir Path dir) throws Exception {
        // Swap two descriptors and move a third up: targets are other pairs' sources.
        Path report = dir.resolve("report");
        try (FdPair a = Channels.open(Channels.Kind.PIPE); FdPair b = Channels.open(Channels.Kind.STREAM)) {
            int x = a.master().intValue();
            int y = b.child().intValue();
            SpawnSpec spec = SpawnSpec.builder(TestBin.path("pm-dumpchild"))
                    .argv("pm-dumpchild", report.toString())
                    .fd(x, y).fd(y, x).fd(y + 1, x).fd(3, y)
                    .mechanism(mechanism)
                    .setsid(true)
                    .cwd(dir.toString())
                    .build();
            ExitStatus exit = Spawner.spawn(spec).waitFor();
            assertThat(exit.success()).isTrue();
            ChildReport r = ChildReport.read(report);
            assertThat(r.fds.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3, x, y, y + 1);
            assertThat(r.target(x)).isEqualTo(ProcSelf.fdTarget(y));
            assertThat(r.target(y)).isEqualTo(ProcSelf.fdTarget(x));
            assertThat(r.target(y + 1)).isEqualTo(ProcSelf.fdTarget(x));
            assertThat(r.target(3)).isEqualTo(ProcSelf.fdTarget(y));
            assertThat(r.sid).as("setsid").isEqualTo(r.pid);
            assertThat(r.cwd).isEqualTo(dir.toRealPath().toString());
        }
    }
}
