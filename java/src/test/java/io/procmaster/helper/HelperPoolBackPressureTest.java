package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.os.EventLoop;
import io.procmaster.testing.Await;
import io.procmaster.testing.FakeClock;
import io.procmaster.testing.TestBin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, defect 3 (no back-pressure): a flood of submissions must be bounded where the callers
 * stand. With {@code queueLimit(10)} the pool holds at most its admission limit (queue limit plus
 * the helpers' in-flight slots) of requests that are admitted and not yet completed; the surplus
 * fails at once with the overload policy's outcome, nothing is handed to the loop for it, and every
 * future completes.
 */
class HelperPoolBackPressureTest {
    private static final int THREADS = 4;

    /** A loop that is busy elsewhere: commands wait here until the test runs them. */
    private final ConcurrentLinkedQueue<Runnable> stalledLoop = new ConcurrentLinkedQueue<>();
    private final FakeLauncher launcher = new FakeLauncher();

    private HelperPool stalledPool(OverloadPolicy policy) {
        launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        HelperPoolConfig config = HelperPoolConfig.builder("flood").children(2).startup(2).queueLimit(10)
                .overloadPolicy(policy).build();
        HelperPool pool = new HelperPool(config, launcher, new FakeClock(1_000_000_000L), stalledLoop::add);
        pool.start(); // the test thread is the loop
        return pool;
    }

    /** Runs the loop until nothing is left to do. */
    private void runLoop() {
        for (int guard = 0; guard < 1_000_000; guard++) {
            Runnable r = stalledLoop.poll();
            if (r != null) {
                r.run();
                continue;
            }
            launcher.run();
            if (stalledLoop.isEmpty()) return;
        }
        throw new AssertionError("loop never idle");
    }

    /** {@code THREADS} threads submit {@code perThread} requests each, all at once. */
    private static List<CompletableFuture<HelperReply>> flood(HelperPool pool, int perThread) throws Exception {
        List<List<CompletableFuture<HelperReply>>> parts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < THREADS; t++) {
            List<CompletableFuture<HelperReply>> mine = new ArrayList<>(perThread);
            parts.add(mine);
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) mine.add(pool.submit("t" + id + "-" + i));
            }, "flood-" + t);
            threads.add(th);
            th.start();
        }
        go.countDown();
        for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(30));
        List<CompletableFuture<HelperReply>> all = new ArrayList<>();
        for (List<CompletableFuture<HelperReply>> p : parts) all.addAll(p);
        assertThat(all).hasSize(THREADS * perThread);
        return all;
    }

    private static Throwable cause(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void floodWhileTheLoopIsBusyFailsTheSurplusAtOnceAndHandsTheLoopNothingForIt() throws Exception {
        HelperPool pool = stalledPool(OverloadPolicy.FAIL);
        int limit = 10 + 2; // queue limit + 2 classic helpers with one request in flight each
        List<CompletableFuture<HelperReply>> all = flood(pool, 5_000);

        // The loop has not run a single command: whatever it holds is what the flood left behind.
        assertThat(stalledLoop.size()).as("commands handed to the busy loop").isLessThanOrEqualTo(limit);
        List<CompletableFuture<HelperReply>> pending = all.stream().filter(f -> !f.isDone()).toList();
        assertThat(pending).as("requests admitted while the loop was busy").hasSize(limit);
        for (CompletableFuture<HelperReply> f : all) {
            if (f.isDone()) assertThat(cause(f)).isInstanceOf(HelperException.Overload.class).hasMessageContaining("overloaded");
        }

        runLoop();
        assertThat(all).allMatch(CompletableFuture::isDone);
        assertThat(pending).allMatch(f -> !f.isCompletedExceptionally() && f.join().status() == HelperReply.Status.OK);
        HelperPoolStats s = pool.stats();
        assertThat(s.completedOk()).isEqualTo(limit);
        assertThat(s.overloadRejected()).isEqualTo(all.size() - limit);
        assertThat(s.completedOk() + s.failed()).isEqualTo(all.size());
        assertThat(s.duplicateCompletions()).isZero();
        assertThat(pool.admittedCount()).isZero();
    }

    @Test
    void bypassPolicyAnswersTheSurplusAtOnceWithBypassedReplies() throws Exception {
        HelperPool pool = stalledPool(OverloadPolicy.BYPASS);
        List<CompletableFuture<HelperReply>> all = flood(pool, 2_000);

        assertThat(stalledLoop.size()).as("commands handed to the busy loop").isLessThanOrEqualTo(12);
        long bypassed = all.stream().filter(CompletableFuture::isDone).peek(f -> assertThat(f.join().isBypassed()).isTrue()).count();
        assertThat(bypassed).isEqualTo(all.size() - 12);

        runLoop();
        assertThat(all).allMatch(CompletableFuture::isDone);
        HelperPoolStats s = pool.stats();
        assertThat(s.bypassed()).isEqualTo(bypassed);
        assertThat(s.completedOk()).isEqualTo(all.size()); // a bypassed reply is a reply
        assertThat(pool.admittedCount()).isZero();
    }

    @Test
    void floodOnTheRealLoopNeverHoldsMoreThanTheLimitAndCompletesEveryFuture() throws Exception {
        EventLoop loop = new EventLoop("back-pressure");
        loop.start();
        try {
            HelperPoolConfig config = HelperPoolConfig.builder("flood-e2e").children(2).startup(2).queueLimit(10)
                    .overloadPolicy(OverloadPolicy.FAIL).requestTimeout(Duration.ofSeconds(30)).build();
            HelperPool pool = HelperPools.start(loop, config, HelperSpec.builder("flood", TestBin.path("pm-helper")).build());
            assertThat(pool.submit("warm").get(20, TimeUnit.SECONDS).text()).isEqualTo("warm");
            int limit = config.admissionLimit();
            assertThat(limit).isEqualTo(12);

            // outstanding: futures handed out and whose callback has not run, as the callers see them.
            // It exceeds the pool's own count by the callers' requests counted but not yet submitted
            // (at most THREADS) and by requests completed whose callbacks still wait on the loop (at
            // most one limit's worth): bounded, where without admission it grows with the flood.
            AtomicInteger outstanding = new AtomicInteger();
            AtomicInteger maxOutstanding = new AtomicInteger();
            AtomicInteger maxAdmitted = new AtomicInteger();
            LongAdder ok = new LongAdder(), overload = new LongAdder(), other = new LongAdder();
            AtomicLong submitted = new AtomicLong();
            int perThread = 20_000;
            List<Thread> threads = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < THREADS; t++) {
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                        submitted.incrementAndGet();
                        pool.submit("q" + i).whenComplete((reply, error) -> {
                            outstanding.decrementAndGet();
                            if (error == null && reply.text().startsWith("q")) ok.increment();
                            else if (error instanceof HelperException.Overload) overload.increment();
                            else other.increment();
                        });
                        maxAdmitted.accumulateAndGet(pool.admittedCount(), Math::max);
                    }
                }, "flood-e2e-" + t);
                threads.add(th);
                th.start();
            }
            go.countDown();
            for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(60));
            Await.poll(Duration.ofSeconds(30), Duration.ofMillis(5), () -> ok.sum() + overload.sum() + other.sum(),
                    completed -> completed >= submitted.get());

            System.out.printf("back-pressure: %d submitted, %d ok, %d overloaded, %d other; max outstanding %d, max admitted %d (limit %d)%n",
                    submitted.get(), ok.sum(), overload.sum(), other.sum(), maxOutstanding.get(), maxAdmitted.get(), limit);
            assertThat(submitted.get()).isEqualTo((long) THREADS * perThread);
            assertThat(ok.sum() + overload.sum() + other.sum()).as("completed futures").isEqualTo(submitted.get());
            assertThat(other.sum()).as("neither a reply nor overload").isZero();
            assertThat(overload.sum()).as("the surplus was refused").isPositive();
            assertThat(maxAdmitted.get()).as("admitted and not completed").isLessThanOrEqualTo(limit);
            assertThat(maxOutstanding.get()).as("futures outstanding").isLessThanOrEqualTo(2 * limit + THREADS);
            pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
            assertThat(pool.admittedCount()).isZero();
        } finally {
            loop.close();
        }
    }
}
