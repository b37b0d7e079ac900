package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.testing.Cgroup2Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SpawnIntoCgroupTest - {@link SpawnSpec.Builder#cgroup}: the child is in the cgroup when
 * {@link Spawner#spawn} returns, with each mechanism (clone3: CLONE_INTO_CGROUP; posix_spawn: moved
 * through cgroup.procs right after, docs/cgroups.md "The posix_spawn window"); a closed descriptor
 * is refused rather than spawning outside; cgroup.events raises EPOLLPRI when the cgroup empties;
 * and the pure parsers of {@link Cgroup2}.
 */
class SpawnIntoCgroupTest {
    @Tag("cgroup2")
    @ParameterizedTest
    @EnumSource(SpawnSpec.Mechanism.class)
    void theChildStartsInTheCgroup(SpawnSpec.Mechanism mechanism) throws Exception {
        try (Cgroup2Sandbox box = Cgroup2Sandbox.create(); Fd dir = Cgroup2.open(box.dir)) {
            ChildProcess c = Spawner.spawn(SpawnSpec.builder("/bin/sleep").argv("sleep", "30").cgroup(dir)
                    .mechanism(mechanism).build());
            try {
                assertThat(Cgroup2.procs(box.dir)).containsExactly(c.pid());
                String cg = Files.readString(Path.of("/proc/" + c.pid() + "/cgroup"));
                assertThat(cg).contains("0::").contains(box.dir.getFileName().toString());
            } finally {
                c.signal(Signals.kill());
                c.waitFor();
                c.close();
            }
        }
    }

    /**
     * What the master's removal of a service cgroup waits on: cgroup.events, registered for
     * {@link Cgroup2#eventsChanged()}, is ready with EPOLLPRI once its last process is gone, and
     * (edge-triggered) not again until something changes.
     */
    @Tag("cgroup2")
    @Test
    void cgroupEventsRaisesEpollpriWhenTheCgroupEmpties() throws Exception {
        try (Cgroup2Sandbox box = Cgroup2Sandbox.create(); Fd dir = Cgroup2.open(box.dir);
             EventLoopCore core = new EventLoopCore(16)) {
            ChildProcess c = Spawner.spawn(SpawnSpec.builder("/bin/sleep").argv("sleep", "30").cgroup(dir).build());
            // Opened after the spawn: a change since the open (populated 0 -> 1) would be reported at once.
            Fd events = Cgroup2.openEvents(box.dir);
            core.register(events.intValue(), EventLoopCore.Kind.FD, 7, Cgroup2.eventsChanged());
            int[] seen = new int[2]; // events, count
            EventSink sink = new EventSink() {
                @Override
                public void onReady(int fd, int tag, int ev) {
                    seen[0] |= ev;
                    seen[1]++;
                }
            };
            core.poll(0, sink);
            assertThat(seen[1]).as("nothing changed yet").isZero();
            assertThat(Cgroup2.populated(box.dir)).isTrue();
            c.signal(Signals.kill());
            c.waitFor();
            c.close();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen[1] == 0 && System.nanoTime() - deadline < 0) {
                core.poll(100, sink);
            }
            assertThat(seen[0] & io.procmaster.os.jni.Native.EPOLLPRI).as("EPOLLPRI once it emptied").isNotZero();
            assertThat(Cgroup2.populated(box.dir)).isFalse();
            int count = seen[1];
            core.poll(50, sink);
            assertThat(seen[1]).as("edge-triggered: no second report of the same change").isEqualTo(count);
            core.deregister(events.intValue());
            events.close();
        }
    }

    @Test
    void aClosedCgroupDescriptorIsRefused() throws Exception {
        Fd closed = Channels.devNull();
        closed.close();
        assertThatThrownBy(() -> Spawner.spawn(SpawnSpec.builder("/bin/true").cgroup(closed).build()))
                .isInstanceOf(SpawnException.class).hasMessageContaining("cgroup /bin/true: Bad file descriptor");
    }

    @Test
    void mountinfoAndProcCgroupAreParsed() {
        String mountinfo = "22 1 8:1 / / rw - ext4 /dev/vda rw\n"
                + "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
                + "31 25 0:27 / /sys/fs/cgroup/memory rw shared:11 - cgroup cgroup rw,memory\n";
        Cgroup2.Mount m = Cgroup2.mountPoint(mountinfo).orElseThrow();
        assertThat(m.path()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        assertThat(m.directoryOf("/")).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        assertThat(m.directoryOf("/system.slice/pm.service")).isEqualTo(Path.of("/sys/fs/cgroup/unified/system.slice/pm.service"));
        assertThat(Cgroup2.mountPoint("22 1 8:1 / / rw - ext4 /dev/vda rw\n")).isEmpty();
        // A container that sees a subtree bind-mounted: its paths are below the mount's root.
        Cgroup2.Mount sub = Cgroup2.mountPoint("40 30 0:26 /ctr /sys/fs/c\\040g rw - cgroup2 cgroup2 rw\n").orElseThrow();
        assertThat(sub.path()).isEqualTo(Path.of("/sys/fs/c g"));
        assertThat(sub.directoryOf("/ctr/app")).isEqualTo(Path.of("/sys/fs/c g/app"));
        assertThat(Cgroup2.ownCgroup("12:memory:/x\n0::/user.slice/a\n")).contains("/user.slice/a");
        assertThat(Cgroup2.ownCgroup("12:memory:/x\n")).isEmpty();
        assertThat(Cgroup2.hybrid("12:memory:/x\n0::/user.slice/a\n")).as("v1 lines beside 0::").isTrue();
        assertThat(Cgroup2.hybrid("0::/user.slice/a\n\n")).as("pure cgroup2").isFalse();
    }
}
