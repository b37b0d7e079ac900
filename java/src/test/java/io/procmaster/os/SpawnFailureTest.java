package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exec failures come back synchronously with the errno text and leave nothing behind. */
class SpawnFailureTest {

    @ParameterizedTest
    @EnumSource(value = SpawnSpec.Mechanism.class, names = {"CLONE3", "POSIX_SPAWN"})
    void execFailuresThrowTheErrnoText(SpawnSpec.Mechanism mechanism, @TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("not-executable"), "#!/bin/sh\n");
        var fds = ProcSelf.descriptors();
        String stage = mechanism == SpawnSpec.Mechanism.CLONE3 ? "execve" : "posix_spawn";

        assertThatThrownBy(() -> Spawner.spawn(SpawnSpec.builder("/no/such").mechanism(mechanism).build()))
                .isInstanceOf(SpawnException.class)
                .hasMessage(stage + " /no/such: No such file or directory")
                .satisfies(e -> assertThat(((SpawnException) e).errno()).isEqualTo(2));
        assertThatThrownBy(() -> Spawner.spawn(SpawnSpec.builder(plain.toString()).mechanism(mechanism).build()))
                .isInstanceOf(SpawnException.class)
                .hasMessage(stage + " " + plain + ": Permission denied");
        assertThatThrownBy(() -> Spawner.spawn(SpawnSpec.builder(dir.toString()).mechanism(mechanism).build()))
                .isInstanceOf(SpawnException.class)
                .hasMessage(stage + " " + dir + ": Permission denied");

        assertThat(ProcSelf.zombies()).isEmpty();
        assertThat(ProcSelf.openedSince(fds)).as("descriptors left open").isEmpty();
    }

    @Test
    void aClosedSourceDescriptorFailsAtDup2() {
        assertThatThrownBy(() -> Spawner.spawn(SpawnSpec.builder("/bin/true").fd(3, 1000)
                        .mechanism(SpawnSpec.Mechanism.CLONE3).build()))
                .isInstanceOf(SpawnException.class)
                .hasMessage("dup2 1000 -> 3 for /bin/true: Bad file descriptor")
                .satisfies(e -> {
                    assertThat(((SpawnException) e).stage()).isEqualTo("dup2");
                    assertThat(((SpawnException) e).operation()).isEqualTo("dup2 1000 -> 3");
                });
    }

    @Test
    void badSpecsAreRejectedBeforeAnySystemCall() {
        assertThatThrownBy(() -> SpawnSpec.builder("bin/true")).hasMessageContaining("absolute: \"bin/true\"");
        assertThatThrownBy(() -> SpawnSpec.builder("/bin/true").env("A=B", "x")).hasMessageContaining("\"A=B\"");
        assertThatThrownBy(() -> SpawnSpec.builder("/bin/true").argv("a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> SpawnSpec.builder("/bin/true").fd(3, 4).fd(3, 5)).hasMessageContaining("twice");
        assertThatThrownBy(() -> SpawnSpec.builder("/bin/true").fd(-1, 4)).hasMessageContaining("negative");
    }

    /** Issue 8 defect 11: fd Integer.MAX_VALUE reached the C core, where fd + 1 overflowed. */
    @Test
    void defect11_descriptorAboveTheMaximumIsRefusedNamingIt() {
        assertThatThrownBy(() -> SpawnSpec.builder("/bin/true").fd(Integer.MAX_VALUE, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target descriptor 2147483647");
        assertThatThrownBy(() -> SpawnSpec.builder("/bin/true").fd(3, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source descriptor 2147483647");
        assertThatThrownBy(() -> SpawnSpec.builder("/bin/true").fd(SpawnSpec.MAX_FD + 1, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + SpawnSpec.MAX_FD);
        assertThat(SpawnSpec.builder("/bin/true").fd(SpawnSpec.MAX_FD, 4).build().fdPlan())
                .containsEntry(SpawnSpec.MAX_FD, 4);
    }

    @Test
    void exitCodesAndSignalsAreReportedPerChild() throws Exception {
        ExitStatus seven = Spawner.spawn(SpawnSpec.builder("/bin/sh").argv("sh", "-c", "exit 7").build()).waitFor();
        assertThat(seven.exited()).isTrue();
        assertThat(seven.code()).isEqualTo(7);
        ChildProcess sleeper = Spawner.spawn(SpawnSpec.builder("/bin/sleep").argv("sleep", "30").build());
        assertThat(sleeper.signal(15)).isTrue();
        ExitStatus killed = sleeper.waitFor();
        assertThat(killed.signal()).isEqualTo(15);
        assertThat(killed.toString()).isEqualTo("killed by signal 15");
        assertThat(sleeper.signal(15)).as("signal after reap").isFalse();
    }

    @Test
    void resourceLimitsApplyInTheChild() throws Exception {
        Path out = Files.createTempFile("rlimit", ".txt");
        try {
            ExitStatus st = Spawner.spawn(SpawnSpec.builder("/bin/sh")
                    .argv("sh", "-c", "ulimit -n > " + out)
                    .rlimit(SpawnSpec.RLIMIT_NOFILE, 77, 77)
                    .mechanism(SpawnSpec.Mechanism.CLONE3)
                    .build()).waitFor();
            assertThat(st.success()).isTrue();
            assertThat(Files.readString(out).trim()).isEqualTo("77");
            assertThatThrownBy(() -> Spawner.spawn(SpawnSpec.builder("/bin/true")
                    .rlimit(SpawnSpec.RLIMIT_NOFILE, 77, 77).mechanism(SpawnSpec.Mechanism.POSIX_SPAWN).build()))
                    .hasMessageContaining("Operation not supported");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void tenThousandSpawnReapCyclesLeaveNothingBehind() throws Exception {
        String exit0 = TestBin.path("pm-exit0");
        SpawnSpec spec = SpawnSpec.builder(exit0).build();
        for (int i = 0; i < 200; i++) { // warm up: JIT threads and the like start now, not during the count
            Spawner.spawn(spec).waitFor();
        }
        var fds = ProcSelf.descriptors();
        int threads = ProcSelf.threadCount();
        for (int i = 0; i < 10_000; i++) {
            ExitStatus st = Spawner.spawn(spec).waitFor();
            if (!st.success()) {
                throw new AssertionError("cycle " + i + ": " + st);
            }
        }
        assertThat(ProcSelf.openedSince(fds)).as("descriptors left open").isEmpty();
        assertThat(ProcSelf.threadCountSettled(threads)).isLessThanOrEqualTo(threads);
        assertThat(ProcSelf.zombies()).isEmpty();
    }
}
