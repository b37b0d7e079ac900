package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.os.jni.Native;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link EventLoop#execute} against {@link EventLoop#close()}: every command either runs or its
 * {@code execute} throws {@link RejectedExecutionException}, never neither, counted exactly over
 * many rounds of several callers racing a close; and a closed loop answers every later call from
 * any thread clearly (a rejection, a "closed" exception) instead of reaching freed native state.
 * The loops sleep up to a minute when nothing is due, so a lost wake-up shows as a hang.
 */
class EventLoopCloseRaceTest {
    private static final int NO_PERIODIC_WAKE = 60_000;
    private static final int ROUNDS = 200;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int CALLERS = 3;

    @Test
    void everyCommandExecutedAgainstCloseRunsOrIsRejected() throws Exception {
        long start = System.nanoTime();
        long accepted = 0, rejected = 0, ran = 0;
        int rounds = 0;
        for (; rounds < ROUNDS && (rounds < 20 || System.nanoTime() - start < BUDGET_NANOS); rounds++) {
            String name = "test-close-race-" + rounds;
            EventLoop loop = new EventLoop(name, System::nanoTime, NO_PERIODIC_WAKE);
            loop.start();
            AtomicLong runs = new AtomicLong();
            AtomicLong accepts = new AtomicLong();
            AtomicLong rejects = new AtomicLong();
            AtomicLong tries = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch ready = new CountDownLatch(CALLERS);
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                Thread t = new Thread(() -> {
                    ready.countDown();
                    try {
                        while (true) { // until the first rejection: each caller sees the close
                            tries.incrementAndGet();
                            try {
                                loop.execute(runs::incrementAndGet);
                                accepts.incrementAndGet();
                            } catch (RejectedExecutionException e) {
                                rejects.incrementAndGet();
                                return;
                            }
                        }
                    } catch (Throwable t2) {
                        failure.set(t2);
                    }
                }, name + "-caller-" + c);
                callers.add(t);
                t.start();
            }
            ready.await();
            long closeAfter = (rounds * 97L) % 3000; // close at a different moment each round
            while (tries.get() < closeAfter) {
                Thread.onSpinWait();
            }
            loop.close();
            for (Thread t : callers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(t.isAlive()).as("caller %s ended", t.getName()).isFalse();
            }
            assertThat(failure.get()).as("a caller failed").isNull();
            assertThat(rejects.get()).as("each caller ended by a rejection").isEqualTo(CALLERS);
            assertThat(runs.get()).as("round %d: every accepted command ran, exactly once", rounds)
                    .isEqualTo(accepts.get());
            assertThat(accepts.get() + rejects.get()).isEqualTo(tries.get());
            assertNoThreadNamed(name);
            accepted += accepts.get();
            rejected += rejects.get();
            ran += runs.get();
        }
        System.out.printf("close race: %d rounds, %d accepted, %d ran, %d rejected%n", rounds, accepted, ran, rejected);
        assertThat(ran).isEqualTo(accepted);
    }

    @Test
    void aClosedLoopAnswersEveryCallClearlyFromAnyThread() throws Exception {
        try (FdPair pipe = Channels.open(Channels.Kind.PIPE_NONBLOCKING)) {
            int fd = pipe.master().intValue();
            EventLoop loop = new EventLoop("test-closed-loop", System::nanoTime, NO_PERIODIC_WAKE);
            loop.start();
            CountDownLatch registered = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    loop.register(fd, EventLoopCore.Kind.FD, Native.EPOLLIN, new EventLoop.Handler() { });
                    registered.countDown();
                } catch (NativeIoException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(registered.await(10, TimeUnit.SECONDS)).isTrue();
            loop.close();
            loop.close(); // twice: a no-op
            // A new loop may now get the old one's descriptor numbers (and, before handles, its memory).
            try (EventLoop next = new EventLoop("test-next-loop", System::nanoTime, NO_PERIODIC_WAKE)) {
                next.start();
                AtomicReference<Throwable> execute = new AtomicReference<>();
                AtomicReference<Throwable> register = new AtomicReference<>();
                Thread other = new Thread(() -> {
                    try {
                        loop.execute(() -> { });
                    } catch (Throwable t) {
                        execute.set(t);
                    }
                    try {
                        loop.register(fd, EventLoopCore.Kind.FD, Native.EPOLLIN, new EventLoop.Handler() { });
                    } catch (Throwable t) {
                        register.set(t);
                    }
                    loop.unregister(fd); // nothing registered any more: a no-op
                });
                other.start();
                other.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(execute.get()).isInstanceOf(RejectedExecutionException.class)
                        .hasMessageContaining("test-closed-loop");
                assertThat(register.get()).as("register after close").isInstanceOf(NativeIoException.class)
                        .hasMessageContaining("test-closed-loop").hasMessageContaining("closed");
                CountDownLatch alive = new CountDownLatch(1);
                next.execute(alive::countDown);
                assertThat(alive.await(10, TimeUnit.SECONDS)).as("the next loop still works").isTrue();
            }
        }
    }

    @Test
    void startAfterCloseAndExecuteBeforeStartAreRefused() throws Exception {
        EventLoop loop = new EventLoop("test-never-started", System::nanoTime, NO_PERIODIC_WAKE);
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        loop.close();
        loop.close();
        assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("closed");
        assertNoThreadNamed("test-never-started");
    }

    @Test
    void closeRacingStartEitherStopsTheLoopOrKeepsItFromRunning() throws Exception {
        int started = 0, refused = 0;
        for (int round = 0; round < 100; round++) {
            String name = "test-start-close-" + round;
            EventLoop loop = new EventLoop(name, System::nanoTime, NO_PERIODIC_WAKE);
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> startResult = new AtomicReference<>();
            Thread starter = new Thread(() -> {
                try {
                    go.await();
                    loop.start();
                } catch (Throwable t) {
                    startResult.set(t);
                }
            });
            starter.start();
            go.countDown();
            for (int spin = (round % 10) * 20_000; spin > 0; spin--) { // let the start get ahead, by varying amounts
                Thread.onSpinWait();
            }
            loop.close();
            starter.join(TimeUnit.SECONDS.toMillis(10));
            loop.close(); // if start won, this one waits for the loop thread to end
            if (startResult.get() == null) {
                started++;
            } else {
                assertThat(startResult.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
                refused++;
            }
            assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
            assertNoThreadNamed(name);
        }
        System.out.printf("start/close race: %d started then closed, %d refused%n", started, refused);
        assertThat(started + refused).isEqualTo(100);
    }

    @Test
    void closeFromTheLoopThreadRunsWhatWasQueuedBeforeIt() throws Exception {
        EventLoop loop = new EventLoop("test-self-close", System::nanoTime, NO_PERIODIC_WAKE);
        loop.start();
        CountDownLatch after = new CountDownLatch(1);
        CountDownLatch queued = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                queued.await(); // the next command is in the queue before this one closes the loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.close(); // from the loop thread: returns at once, the loop ends after this command
        });
        loop.execute(after::countDown);
        queued.countDown();
        assertThat(after.await(10, TimeUnit.SECONDS)).as("the command queued before the close ran").isTrue();
        loop.close(); // from here: waits for the loop thread
        assertNoThreadNamed("test-self-close");
    }

    private static void assertNoThreadNamed(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertThat(t.getName().equals(name) && t.isAlive()).as("loop thread %s still alive", name).isFalse();
        }
    }
}
