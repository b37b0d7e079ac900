package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.TestBin;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Status packets arrive whole, judged against the kernel's word on the sender. */
class StatusChannelTest {
    record Status(int pid, int generation, int status, int sender, int flags, int length) {
    }

    @Test
    void forgedPartialAndOversizedRecordsAreFlagged() throws Exception {
        List<Status> got = new ArrayList<>();
        List<ExitStatus> exits = new ArrayList<>();
        try (EventLoopCore loop = new EventLoopCore(64); FdPair ch = Channels.open(Channels.Kind.STATUS)) {
            loop.register(ch.master().intValue(), EventLoopCore.Kind.STATUS, 42, 0);
            ChildProcess child = Spawner.spawn(SpawnSpec.builder(TestBin.path("pm-status-writer"))
                    .argv("pm-status-writer", "avail", "forge:1", "short:8", "long:20", "taken")
                    .env("GENERATION", "10")
                    .fd(5, ch.child().intValue())
                    .build());
            loop.watch(child, 7);
            EventSink sink = new EventSink() {
                @Override
                public void onStatus(int fd, int tag, int pid, int gen, int status, int sender, int flags, int len) {
                    assertThat(tag).isEqualTo(42);
                    got.add(new Status(pid, gen, status, sender, flags, len));
                }

                @Override
                public void onExit(int pidfd, int tag, ExitStatus st) {
                    assertThat(tag).isEqualTo(7);
                    exits.add(st);
                    loop.exited(child, st);
                }
            };
            for (int i = 0; i < 100 && (got.size() < 5 || exits.isEmpty()); i++) {
                loop.poll(100, sink);
            }
            int pid = child.pid();
            assertThat(exits).hasSize(1);
            assertThat(exits.get(0).success()).isTrue();
            assertThat(got).hasSize(5);
            assertThat(got.get(0)).isEqualTo(new Status(pid, 8, 1, pid, 0, 12));
            assertThat(StatusFlags.forged(got.get(1).flags())).isTrue();
            assertThat(got.get(1).pid()).isEqualTo(1);
            assertThat(got.get(1).sender()).isEqualTo(pid);
            assertThat(StatusFlags.malformed(got.get(2).flags())).isTrue();
            assertThat(got.get(2).length()).isEqualTo(8);
            assertThat(StatusFlags.malformed(got.get(3).flags())).isTrue();
            assertThat(got.get(3).length()).isEqualTo(20);
            assertThat(got.get(4)).isEqualTo(new Status(pid, 8, 0, pid, 0, 12));
        }
    }

    @Test
    void wakeupInterruptsAPoll() throws Exception {
        try (EventLoopCore loop = new EventLoopCore(8)) {
            int[] wakeups = {0};
            Thread t = new Thread(loop::wakeup);
            t.start();
            t.join();
            loop.poll(5_000, new EventSink() {
                @Override
                public void onWakeup() {
                    wakeups[0]++;
                }
            });
            assertThat(wakeups[0]).isEqualTo(1);
        }
    }
}
