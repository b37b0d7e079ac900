package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.os.jni.Native;
import io.procmaster.testing.Await;
import io.procmaster.testing.ProcSelf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link LoopDriver}: an {@link EventLoop} with no thread, driven by its user's thread. The user's
 * own poll is played by a second epoll set (an {@link EventLoopCore}) watching the driver's
 * descriptor, as a server with its own epoll would. Nothing here is timed: every wait is a bounded
 * await of a condition.
 */
class LoopDriverTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    /** Records how many READY records a poll of the "user's own" epoll set delivered. */
    private static final class Readiness implements EventSink {
        int ready;

        @Override
        public void onReady(int fd, int tag, int events) {
            ready++;
        }
    }

    private static int readyIn(EventLoopCore outer, int timeoutMillis) throws NativeIoException {
        Readiness r = new Readiness();
        outer.poll(timeoutMillis, r);
        return r.ready;
    }

    @Test
    void startsNoThreadAndRunsCommandsTimersAndCloseHooksOnTheDrivingThread() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        int fds = ProcSelf.fdCount();
        Thread me = Thread.currentThread();
        List<Thread> ranOn = new ArrayList<>();
        AtomicReference<Thread> hookOn = new AtomicReference<>();
        try (LoopDriver driver = new LoopDriver("test-driven")) {
            EventLoop loop = driver.loop();
            long due = loop.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
            boolean[] fired = new boolean[1];
            loop.execute(() -> {
                ranOn.add(Thread.currentThread());
                assertThat(loop.inLoop()).isTrue();
                loop.addCloseHook(() -> hookOn.set(Thread.currentThread()));
                loop.addDeadlineSource(new EventLoop.DeadlineSource() {
                    @Override
                    public long nextDeadlineNanos() {
                        return fired[0] ? Long.MAX_VALUE : due;
                    }

                    @Override
                    public void onDeadline() {
                        fired[0] = true;
                        ranOn.add(Thread.currentThread());
                    }
                });
            });
            assertThat(loop.inLoop()).as("not inside runOnce: not the loop thread").isFalse();
            assertThat(driver.runOnce(0)).as("the command ran").isPositive();
            assertThat(driver.owner()).isSameAs(me);
            assertThat(driver.nextDeadlineNanos()).isEqualTo(due);
            assertThat(driver.millisUntilNextDeadline()).isBetween(0L, 30L);
            Await.until("the timer fired", PATIENCE, () -> driver.runOnce(1000), n -> fired[0]);
            assertThat(driver.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
            assertThat(driver.millisUntilNextDeadline()).isEqualTo(-1);
            assertThat(ranOn).containsExactly(me, me);
            Set<Thread> now = new HashSet<>(Thread.getAllStackTraces().keySet());
            now.removeAll(before);
            assertThat(now).as("threads started by the driven loop").isEmpty();
            assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("driven");
        }
        assertThat(hookOn.get()).as("close hook ran on the closing thread (nobody was driving)").isSameAs(me);
        Await.until("descriptors back", PATIENCE, ProcSelf::fdCount, n -> n <= fds);
    }

    @Test
    void descriptorIsReadableWhenACommandIsQueuedFromAnotherThreadAndNotOnceItRan() throws Exception {
        try (LoopDriver driver = new LoopDriver("test-driven-fd");
             EventLoopCore outer = new EventLoopCore("users-own-epoll", 8)) {
            outer.register(driver.descriptor(), EventLoopCore.Kind.FD, 1, Native.EPOLLIN);
            assertThat(readyIn(outer, 0)).as("new loop").isZero();
            AtomicInteger ran = new AtomicInteger();
            driver.loop().execute(ran::incrementAndGet); // before the first runOnce: a new loop counts as parked
            assertThat(readyIn(outer, (int) PATIENCE.toMillis())).as("readable for a command queued before the first runOnce").isEqualTo(1);
            assertThat(driver.runOnce(0)).isEqualTo(1);
            assertThat(driver.runOnce(0)).isZero();
            assertThat(readyIn(outer, 0)).as("idle loop").isZero();
            ran.set(0);
            Thread other = new Thread(() -> driver.loop().execute(ran::incrementAndGet), "test-other-submitter");
            other.start();
            other.join();
            assertThat(readyIn(outer, (int) PATIENCE.toMillis())).as("readable after a command from another thread").isEqualTo(1);
            assertThat(ran.get()).as("nothing runs outside runOnce").isZero();
            assertThat(driver.runOnce(0)).as("runOnce(0) did the work").isPositive();
            assertThat(ran.get()).isEqualTo(1);
            assertThat(readyIn(outer, 0)).as("readable again after the command ran").isZero();
            assertThat(driver.runOnce(0)).isZero();

            // A command queued from inside runOnce (by a handler or command) leaves it readable too.
            driver.loop().execute(() -> driver.loop().execute(ran::incrementAndGet));
            int rounds = 0;
            while (ran.get() < 2 && rounds++ < 10) {
                assertThat(readyIn(outer, (int) PATIENCE.toMillis())).isEqualTo(1);
                assertThat(driver.runOnce(0)).isPositive();
            }
            assertThat(ran.get()).isEqualTo(2);
        }
    }

    @Test
    void aSecondThreadAndAReentrantCallAreRefused() throws Exception {
        try (LoopDriver driver = new LoopDriver("test-driven-owner")) {
            driver.runOnce(0);
            AtomicReference<Throwable> refused = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    driver.runOnce(0);
                } catch (Throwable t) {
                    refused.set(t);
                }
            }, "test-intruder");
            other.start();
            other.join();
            assertThat(refused.get()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'" + Thread.currentThread().getName() + "'")
                    .hasMessageContaining("'test-intruder'");
            CompletableFuture<Throwable> inner = new CompletableFuture<>();
            driver.loop().execute(() -> {
                try {
                    driver.runOnce(0);
                    inner.complete(null);
                } catch (Throwable t) {
                    inner.complete(t);
                }
            });
            driver.runOnce(0);
            assertThat(inner.getNow(null)).isInstanceOf(IllegalStateException.class).hasMessageContaining("re-entrant");
            assertThat(driver.runOnce(0)).as("still usable by its owner").isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void closeFromAnotherThreadWakesTheDriverWhichDrainsAndCleansUp() throws Exception {
        LoopDriver driver = new LoopDriver("test-driven-close");
        AtomicReference<Thread> hookOn = new AtomicReference<>();
        AtomicInteger lastResult = new AtomicInteger(Integer.MIN_VALUE);
        CountDownLatch owned = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            driver.loop().execute(() -> driver.loop().addCloseHook(() -> hookOn.set(Thread.currentThread())));
            driver.runOnce(0);
            owned.countDown();
            int r;
            while ((r = driver.runOnce(-1)) != LoopDriver.CLOSED) {
                Thread.onSpinWait();
            }
            lastResult.set(r);
        }, "test-driver");
        t.start();
        owned.await();
        Await.until("the driver asleep in its poll", PATIENCE,
                () -> Arrays.stream(t.getStackTrace()).anyMatch(e -> e.getMethodName().equals("loopPoll0")), b -> b);
        AtomicInteger drained = new AtomicInteger();
        driver.loop().execute(drained::incrementAndGet); // accepted while RUNNING: must run before the end
        driver.close();
        t.join(PATIENCE.toMillis());
        assertThat(t.isAlive()).isFalse();
        assertThat(lastResult.get()).isEqualTo(LoopDriver.CLOSED);
        assertThat(drained.get()).isEqualTo(1);
        assertThat(hookOn.get()).as("the driver cleaned up").isSameAs(t);
        assertThatThrownBy(() -> driver.loop().execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(driver::descriptor).isInstanceOf(NativeIoException.class).hasMessageContaining("closed");
    }

    @Test
    void closeWithNobodyDrivingCleansUpOnTheCallerAndTheOwnersNextCallSeesClosed() throws Exception {
        LoopDriver driver = new LoopDriver("test-driven-idle-close");
        AtomicInteger drained = new AtomicInteger();
        AtomicReference<Thread> hookOn = new AtomicReference<>();
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger after = new AtomicInteger(Integer.MIN_VALUE);
        Thread owner = new Thread(() -> {
            driver.loop().execute(() -> driver.loop().addCloseHook(() -> hookOn.set(Thread.currentThread())));
            driver.runOnce(0);
            parked.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                return;
            }
            after.set(driver.runOnce(0));
        }, "test-idle-owner");
        owner.start();
        parked.await();
        driver.loop().execute(drained::incrementAndGet);
        driver.close(); // the owner is between two runOnce calls
        assertThat(drained.get()).as("the final drain ran on the closing thread").isEqualTo(1);
        assertThat(hookOn.get()).isSameAs(Thread.currentThread());
        closed.countDown();
        owner.join(PATIENCE.toMillis());
        assertThat(after.get()).isEqualTo(LoopDriver.CLOSED);

        // Never driven at all.
        LoopDriver never = new LoopDriver("test-driven-never");
        never.loop().execute(drained::incrementAndGet);
        never.close();
        assertThat(drained.get()).isEqualTo(2);
        assertThat(never.runOnce(0)).isEqualTo(LoopDriver.CLOSED);
        never.close(); // idempotent
    }

    @Test
    void commandsRacingCloseFromAnotherThreadRunExactlyOnceOrAreRejected() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int rounds = 0;
        while (rounds < 200 && System.nanoTime() < end) {
            rounds++;
            LoopDriver driver = new LoopDriver("test-driven-race");
            int perThread = 2_000;
            int[] runs = new int[2 * perThread]; // touched only by whoever holds the loop
            AtomicInteger accepted = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Thread drv = new Thread(() -> {
                go.countDown();
                while (driver.runOnce(5) != LoopDriver.CLOSED) {
                    Thread.onSpinWait();
                }
            }, "test-race-driver");
            List<Thread> submitters = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                int base = s * perThread;
                submitters.add(new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int index = base + i;
                        try {
                            driver.loop().execute(() -> runs[index]++);
                            accepted.incrementAndGet();
                        } catch (RejectedExecutionException e) {
                            // counted by what ran
                        }
                    }
                }, "test-race-submitter-" + s));
            }
            drv.start();
            go.await();
            submitters.forEach(Thread::start);
            if ((rounds & 1) == 0) {
                Thread.yield();
            }
            driver.close();
            for (Thread s : submitters) {
                s.join(PATIENCE.toMillis());
            }
            drv.join(PATIENCE.toMillis());
            assertThat(drv.isAlive()).isFalse();
            int ran = 0;
            for (int r : runs) {
                assertThat(r).as("a command ran twice").isLessThanOrEqualTo(1);
                ran += r;
            }
            assertThat(ran).as("round " + rounds + ": every accepted command ran").isEqualTo(accepted.get());
        }
        assertThat(rounds).isPositive();
    }

    /**
     * Whichever thread ends up doing the final cleanup (the driver, or a closer that claimed the loop
     * in the instant the driver let go of it), the runOnce that returns CLOSED returns after it: its
     * close hooks have run. The cleanup is made long (a close hook that takes a few milliseconds) so
     * that a runOnce returning while a closer still cleans up shows.
     */
    @Test
    void runOnceReturnsClosedOnlyOnceTheCleanupIsOverWhoeverDoesIt() throws Exception {
        for (int round = 0; round < 300; round++) {
            LoopDriver driver = new LoopDriver("test-close-race");
            EventLoop loop = driver.loop();
            CountDownLatch hookDone = new CountDownLatch(1);
            loop.execute(() -> loop.addCloseHook(() -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait(); // a slow cleanup, on whichever thread does it
                }
                hookDone.countDown();
            }));
            CompletableFuture<Boolean> cleanedWhenClosed = new CompletableFuture<>();
            Thread owner = new Thread(() -> {
                long end = System.nanoTime() + PATIENCE.toNanos();
                while (System.nanoTime() - end < 0) {
                    if (driver.runOnce(0) == LoopDriver.CLOSED) {
                        cleanedWhenClosed.complete(hookDone.getCount() == 0);
                        return;
                    }
                }
                cleanedWhenClosed.complete(false);
            }, "test-close-race-owner");
            owner.start();
            long started = System.nanoTime() + PATIENCE.toNanos();
            while (driver.owner() == null && System.nanoTime() - started < 0) {
                Thread.onSpinWait(); // the owner spinning in runOnce(0) is what the close races
            }
            driver.close();
            assertThat(cleanedWhenClosed.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("round %d: close hooks had run when runOnce returned CLOSED", round).isTrue();
            owner.join(PATIENCE.toMillis());
        }
    }
}
