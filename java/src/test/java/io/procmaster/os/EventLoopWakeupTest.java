package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The wake-up handshake of {@link EventLoop#execute}: the eventfd is written only for a loop that is
 * about to sleep, and no command is ever left waiting. The loops here sleep up to a minute when
 * nothing is due, so a lost wake-up shows as a command that does not run, not as a short delay.
 */
class EventLoopWakeupTest {
    private static final int NO_PERIODIC_WAKE = 60_000;

    @Test
    void commandsFromManyThreadsAtOnceAllRunExactlyOnce() throws Exception {
        int threads = 4;
        int perThread = 50_000;
        int[] runs = new int[threads * perThread]; // written on the loop thread only
        CountDownLatch done = new CountDownLatch(runs.length);
        try (EventLoop loop = new EventLoop("test-wakeup-many", System::nanoTime, NO_PERIODIC_WAKE)) {
            loop.start();
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                Thread c = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int index = base + i;
                        loop.execute(() -> {
                            runs[index]++;
                            done.countDown();
                        });
                        if (i % 1000 == 0) {
                            LockSupport.parkNanos(50_000); // let the loop catch up and fall asleep now and then
                        }
                    }
                });
                callers.add(c);
                c.start();
            }
            for (Thread c : callers) {
                c.join();
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("every command ran").isTrue();
            CompletableFuture<int[]> seen = new CompletableFuture<>();
            loop.execute(() -> seen.complete(runs.clone()));
            for (int r : seen.get(30, TimeUnit.SECONDS)) {
                assertThat(r).isEqualTo(1);
            }
        }
    }

    @Test
    void aCommandSentToASleepingLoopWakesIt() throws Exception {
        try (EventLoop loop = new EventLoop("test-wakeup-sleeping", System::nanoTime, NO_PERIODIC_WAKE)) {
            loop.start();
            for (int round = 0; round < 2_000; round++) {
                if (round % 2 == 0) {
                    LockSupport.parkNanos(20_000); // the loop is asleep in epoll_wait by now, most rounds
                }
                CompletableFuture<Integer> ran = new CompletableFuture<>();
                int r = round;
                loop.execute(() -> ran.complete(r));
                assertThat(ran.get(30, TimeUnit.SECONDS)).isEqualTo(round);
            }
        }
    }

    @Test
    void aCommandQueuedByACommandRunsInTheSameWakeUp() throws Exception {
        try (EventLoop loop = new EventLoop("test-wakeup-self", System::nanoTime, NO_PERIODIC_WAKE)) {
            loop.start();
            CompletableFuture<Boolean> second = new CompletableFuture<>();
            loop.execute(() -> loop.execute(() -> second.complete(loop.inLoop())));
            assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
