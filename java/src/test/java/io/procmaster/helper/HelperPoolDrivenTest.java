package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.process.HelperTesting;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.EventSink;
import io.procmaster.os.LoopDriver;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;
import io.procmaster.testing.ProcSelf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A helper pool on the caller's own loop ({@link HelperPools#startOnCallerLoop}): the test's thread
 * drives it and no procmaster thread exists. Real {@code /bin/cat} and {@code /bin/sleep} helpers;
 * every wait is bounded and awaits a condition, nothing is timed.
 */
class HelperPoolDrivenTest {
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(Driving.PATIENCE_SECONDS);

    /** What the JDK starts lazily once (a reaper, a cleaner) is in the baseline after this. */
    @BeforeAll
    static void warmUp() throws Exception {
        try (HelperPools.Driven d = HelperPools.startOnCallerLoop(HelperPoolConfig.builder("warm-up").build(), Driving.cat())) {
            CompletableFuture<HelperReply> f = d.pool().submit("x");
            Driving.drive(d.driver(), f::isDone);
        }
    }

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    @Test
    void aPoolDrivenByTheTestThreadAnswersRestartsAKilledHelperAndLeavesNothingBehind() throws Exception {
        Set<Thread> before = liveThreads();
        int fds = ProcSelf.fdCount();
        Thread me = Thread.currentThread();
        HelperPoolConfig config = HelperPoolConfig.builder("driven-cat").children(3).startup(3).queueLimit(1000)
                .requestTimeout(Duration.ofSeconds(30)).build();
        HelperPools.Driven d = HelperPools.startOnCallerLoop(config, Driving.cat());
        HelperPool pool = d.pool();
        Set<Thread> completedOn = new HashSet<>();
        List<CompletableFuture<HelperReply>> first = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            CompletableFuture<HelperReply> f = pool.submit("r" + i);
            f.whenComplete((r, e) -> completedOn.add(Thread.currentThread()));
            first.add(f);
        }
        Driving.drive(d.driver(), () -> first.stream().allMatch(CompletableFuture::isDone));
        for (int i = 0; i < first.size(); i++) {
            assertThat(first.get(i).join().text()).isEqualTo("r" + i);
        }
        assertThat(completedOn).as("futures complete on the driving thread").containsExactly(me);

        HelperPoolStats s = Driving.stats(d);
        assertThat(s.running()).isEqualTo(3);
        long victim = s.helpers().get(0).pid();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL, while more requests are submitted
        List<CompletableFuture<HelperReply>> second = new ArrayList<>();
        for (int i = 0; i < 100; i++) second.add(pool.submit("s" + i));
        Driving.drive(d.driver(), () -> second.stream().allMatch(CompletableFuture::isDone));
        int replied = 0, died = 0;
        for (int i = 0; i < second.size(); i++) {
            CompletableFuture<HelperReply> f = second.get(i);
            if (f.isCompletedExceptionally()) {
                Throwable t = f.handle((r, e) -> e).join();
                assertThat(t).isInstanceOf(HelperException.class);
                assertThat(((HelperException) t).kind()).isEqualTo(HelperException.Kind.DIED);
                died++;
            } else {
                assertThat(f.join().text()).isEqualTo("s" + i);
                replied++;
            }
        }
        assertThat(replied + died).isEqualTo(100);
        long[] deathsAndRunning = new long[2];
        Driving.drive(d.driver(), () -> {
            HelperPoolStats t = Driving.stats(d);
            deathsAndRunning[0] = t.deaths();
            deathsAndRunning[1] = t.running();
            return t.deaths() >= 1 && t.running() == 3 && t.helpers().stream().noneMatch(h -> h.pid() == victim);
        });
        CompletableFuture<HelperReply> after = pool.submit("after-restart");
        Driving.drive(d.driver(), after::isDone);
        assertThat(after.join().text()).isEqualTo("after-restart");

        Set<Thread> during = liveThreads();
        during.removeAll(before);
        assertThat(during).as("threads started for a driven pool").isEmpty();

        d.close(); // on the owner, between two runOnce calls: it drives the shutdown itself
        assertThat(d.driver().runOnce(0)).isEqualTo(LoopDriver.CLOSED);
        HelperTesting.assertNoLeaks(fds, 0);
        Set<Thread> afterClose = liveThreads();
        afterClose.removeAll(before);
        assertThat(afterClose).isEmpty();
    }

    @Test
    void aSilentHelperTimesOutOnTheDrivenLoop() throws Exception {
        int fds = ProcSelf.fdCount();
        HelperPoolConfig config = HelperPoolConfig.builder("driven-silent").children(1).startup(1)
                .requestTimeout(Duration.ofMillis(200)).onTimeout(TimeoutAction.FAIL).build();
        HelperSpec silent = HelperSpec.builder("silent", "/bin/sleep").args("1000").build();
        try (HelperPools.Driven d = HelperPools.startOnCallerLoop(config, silent)) {
            CompletableFuture<HelperReply> f = d.pool().submit("anyone there?");
            Driving.drive(d.driver(), f::isDone);
            Throwable t = f.handle((r, e) -> e).join();
            assertThat(t).isInstanceOf(HelperException.class);
            assertThat(((HelperException) t).kind()).isEqualTo(HelperException.Kind.TIMEOUT);
        }
        HelperTesting.assertNoLeaks(fds, 0);
    }

    /** READY records a poll of the "user's own" epoll set delivered. */
    private static int readyIn(EventLoopCore outer, long timeoutMillis) throws NativeIoException {
        int[] ready = new int[1];
        outer.poll((int) timeoutMillis, new EventSink() {
            @Override
            public void onReady(int fd, int tag, int events) {
                ready[0]++;
            }
        });
        return ready[0];
    }

    @Test
    void driveOnlyWhenTheDescriptorIsReadableOrTheDeadlineIsDue() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("driven-fd").children(2).startup(2)
                .requestTimeout(Duration.ofSeconds(30)).build();
        try (HelperPools.Driven d = HelperPools.startOnCallerLoop(config, Driving.cat());
             EventLoopCore outer = new EventLoopCore("users-own-epoll", 8)) {
            LoopDriver driver = d.driver();
            outer.register(driver.descriptor(), EventLoopCore.Kind.FD, 1, Native.EPOLLIN);
            List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) replies.add(d.pool().submit("q" + i));
            // The user's loop: wait on its own epoll set (for the pool's descriptor) until the pool's
            // next deadline, and call runOnce(0) only when the descriptor is readable or the deadline
            // has come. Every readable report must lead to work done.
            long end = System.nanoTime() + PATIENCE_NANOS;
            int readable = 0;
            while (!replies.stream().allMatch(CompletableFuture::isDone)) {
                assertThat(System.nanoTime() - end).as("replies within the patience").isNegative();
                long wait = driver.millisUntilNextDeadline();
                int ready = readyIn(outer, wait < 0 ? 1000 : Math.min(wait, 1000));
                if (ready > 0) {
                    readable++;
                    assertThat(driver.runOnce(0)).as("readable, so runOnce(0) has work").isPositive();
                } else if (driver.millisUntilNextDeadline() == 0) {
                    driver.runOnce(0);
                }
            }
            assertThat(readable).isPositive();
            for (int i = 0; i < replies.size(); i++) assertThat(replies.get(i).join().text()).isEqualTo("q" + i);

            // One request from the driving thread itself: the command makes the descriptor readable,
            // and after it is written the helper's reply does.
            CompletableFuture<HelperReply> one = d.pool().submit("one");
            assertThat(readyIn(outer, 5000)).as("readable for the submitted command").isEqualTo(1);
            int rounds = 0;
            while (!one.isDone()) {
                assertThat(driver.runOnce(0)).isPositive();
                if (!one.isDone()) {
                    assertThat(readyIn(outer, 5000)).as("readable for the helper's reply").isEqualTo(1);
                }
                assertThat(rounds++).isLessThan(10);
            }
            assertThat(one.join().text()).isEqualTo("one");
        }
    }

    @Test
    void closeFromACallbackInsideRunOnceShutsDownGracefullyAndEndsTheLoop() throws Exception {
        int fds = ProcSelf.fdCount();
        HelperPoolConfig config = HelperPoolConfig.builder("driven-callback-close").children(2).startup(2)
                .concurrency(4).requestTimeout(Duration.ofSeconds(30)).build();
        HelperPools.Driven d = HelperPools.startOnCallerLoop(config, Driving.cat());
        CompletableFuture<HelperReply> first = d.pool().submit("first");
        List<CompletableFuture<HelperReply>> inFlight = new ArrayList<>();
        first.whenComplete((r, e) -> {
            for (int i = 0; i < 4; i++) inFlight.add(d.pool().submit("late" + i)); // queued behind the close
            d.close(Duration.ofSeconds(5)); // inside runOnce: starts the shutdown and returns at once
        });
        long end = System.nanoTime() + PATIENCE_NANOS;
        while (d.driver().runOnce(50) != LoopDriver.CLOSED) {
            assertThat(System.nanoTime() - end).as("the loop ends after the graceful shutdown").isNegative();
        }
        assertThat(first.join().text()).isEqualTo("first");
        assertThat(inFlight).hasSize(4).allMatch(CompletableFuture::isDone);
        for (CompletableFuture<HelperReply> f : inFlight) {
            // Submitted before the shutdown began, so answered by the graceful shutdown, or refused as closed.
            HelperReply reply = f.handle((x, e) -> {
                if (e != null) assertThat(((HelperException) e).kind()).isEqualTo(HelperException.Kind.CLOSED);
                return x;
            }).join();
            if (reply != null) assertThat(reply.text()).startsWith("late");
        }
        CompletableFuture<HelperReply> after = d.pool().submit("after");
        assertThat(after).isCompletedExceptionally();
        HelperTesting.assertNoLeaks(fds, 0);
    }

    @Test
    void submitsRacingCloseFromAnotherThreadCompleteExactlyOnce() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("driven-race").children(2).startup(2).concurrency(8)
                .queueLimit(1000).requestTimeout(Duration.ofSeconds(30)).build();
        HelperSpec spec = HelperSpec.builder("race", "/bin/cat").build();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        int rounds = 0;
        while (rounds < 20 && System.nanoTime() < end) {
            rounds++;
            HelperPools.Driven d = HelperPools.startOnCallerLoop(config, spec);
            CountDownLatch driving = new CountDownLatch(1);
            Thread driver = new Thread(() -> {
                driving.countDown();
                while (d.driver().runOnce(10) != LoopDriver.CLOSED) {
                    Thread.onSpinWait();
                }
            }, "test-race-driver");
            driver.start();
            driving.await();
            List<List<CompletableFuture<HelperReply>>> parts = new ArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                List<CompletableFuture<HelperReply>> mine = new ArrayList<>();
                parts.add(mine);
                submitters.add(new Thread(() -> {
                    for (int i = 0; i < 2_000; i++) mine.add(d.pool().submit("r" + i));
                }, "test-race-submitter-" + s));
            }
            submitters.forEach(Thread::start);
            Thread.yield();
            if ((rounds & 1) == 0) {
                d.close(Duration.ofMillis(200)); // the orderly close, from a thread that is not the driver's
            } else {
                d.driver().close(); // the loop's own close under a pool never shut down
            }
            for (Thread s : submitters) s.join(TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS));
            driver.join(TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS));
            assertThat(driver.isAlive()).isFalse();
            for (List<CompletableFuture<HelperReply>> mine : parts) {
                for (CompletableFuture<HelperReply> f : mine) {
                    // Completed (the loop is gone, so nothing can complete it later): a reply, or closed/overload.
                    assertThat(f).as("round " + rounds).isDone();
                    try {
                        f.join();
                    } catch (CompletionException e) {
                        assertThat(e.getCause()).isInstanceOf(HelperException.class);
                        assertThat(((HelperException) e.getCause()).kind())
                                .isIn(HelperException.Kind.CLOSED, HelperException.Kind.OVERLOAD, HelperException.Kind.DIED);
                    }
                }
            }
        }
        assertThat(rounds).isPositive();
    }
}
