package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.ProcSelf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    @Test
    void childrenWatchedByTheLoopAreReapedOnTheLoopThread() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop")) {
            loop.start();
            CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    ChildProcess c = Spawner.spawn(SpawnSpec.builder("/bin/sh").argv("sh", "-c", "exit 5").build());
                    loop.watch(c, st -> {
                        onLoop.complete(loop.inLoop());
                        exit.complete(st);
                    });
                } catch (Exception e) {
                    exit.completeExceptionally(e);
                }
            });
            assertThat(exit.get(10, TimeUnit.SECONDS).code()).isEqualTo(5);
            assertThat(onLoop.get()).isTrue();
        }
        assertThat(ProcSelf.zombies()).isEmpty();
    }

    @Test
    void deadlineSourcesFireWithoutBusyWaiting() throws Exception {
        try (EventLoop loop = new EventLoop("test-timers")) {
            CompletableFuture<Long> fired = new CompletableFuture<>();
            long start = System.nanoTime();
            long due = start + TimeUnit.MILLISECONDS.toNanos(50);
            loop.addDeadlineSource(new EventLoop.DeadlineSource() {
                boolean done;

                @Override
                public long nextDeadlineNanos() {
                    return done ? Long.MAX_VALUE : due;
                }

                @Override
                public void onDeadline() {
                    done = true;
                    fired.complete(System.nanoTime());
                }
            });
            loop.start();
            long at = fired.get(10, TimeUnit.SECONDS);
            assertThat(at - due).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void closingTheLoopKillsAndReapsWatchedChildren() throws Exception {
        var fds = ProcSelf.descriptors();
        EventLoop loop = new EventLoop("test-close");
        loop.start();
        CompletableFuture<ChildProcess> started = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                ChildProcess c = Spawner.spawn(SpawnSpec.builder("/bin/sleep").argv("sleep", "60").build());
                loop.watch(c, st -> { });
                started.complete(c);
            } catch (Exception e) {
                started.completeExceptionally(e);
            }
        });
        ChildProcess child = started.get(10, TimeUnit.SECONDS);
        loop.close();
        assertThat(child.exitStatus()).isNotNull();
        assertThat(child.exitStatus().signal()).isEqualTo(9);
        assertThat(ProcSelf.zombies()).isEmpty();
        assertThat(ProcSelf.openedSince(fds)).as("descriptors left open").isEmpty();
    }
}
