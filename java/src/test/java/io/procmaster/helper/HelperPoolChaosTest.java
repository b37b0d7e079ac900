package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.process.HelperTesting;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 4 helpers at concurrency 8 under a steady stream of requests while helpers are SIGKILLed at
 * random, for {@code procmaster.chaos.seconds} (default 60): every request completes exactly once
 * (reply, timeout or error), no reply reaches the wrong request, and the JVM's descriptors, threads
 * and zombies return to the baseline.
 */
@Tag("soak") // a 60 s soak: skipped by the quick run (README, "Tests"), run by ci/test.sh
class HelperPoolChaosTest {
    @Test
    void randomKillsUnderLoadCompleteEveryRequestExactlyOnce() throws Exception {
        long seconds = Long.getLong("procmaster.chaos.seconds", 60);
        // Warm-up outside the baseline: the JDK opens a few things lazily once.
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("warm-up").build(),
                HelperSpec.builder("warm-up", TestBin.path("pm-helper")).build())) {
            r.pool().submit("x").get(20, TimeUnit.SECONDS);
        }
        int fds = ProcSelf.fdCount();
        int threads = ProcSelf.threadCount();

        EventLoop loop = new EventLoop("helper-chaos");
        loop.start();
        HelperPoolConfig config = HelperPoolConfig.builder("chaos").children(4).startup(4).concurrency(8)
                .queueLimit(64).requestTimeout(Duration.ofSeconds(5))
                .restartBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .breaker(1_000_000, Duration.ofSeconds(1)).build();
        HelperPool pool = HelperPools.start(loop, config,
                HelperSpec.builder("chaos", TestBin.path("pm-helper")).args("--ids").build());

        Random random = new Random(42);
        Semaphore window = new Semaphore(64); // requests in flight from this client
        Map<Long, AtomicInteger> completions = new ConcurrentHashMap<>();
        List<CompletableFuture<HelperReply>> all = new ArrayList<>();
        AtomicLong ok = new AtomicLong(), wrong = new AtomicLong(), timeouts = new AtomicLong(), died = new AtomicLong(),
                overload = new AtomicLong(), other = new AtomicLong();
        long kills = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long nextKill = start + 200_000_000L;
        long seq = 0;
        while (System.nanoTime() < end) {
            if (System.nanoTime() > nextKill) {
                nextKill = System.nanoTime() + 100_000_000L + random.nextInt(400_000_000);
                List<HelperStats> running = pool.statsAsync().get(10, TimeUnit.SECONDS).helpers();
                if (!running.isEmpty()) {
                    long pid = running.get(random.nextInt(running.size())).pid();
                    if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) kills++;
                }
            }
            if (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) continue;
            long id = seq++;
            int r = random.nextInt(1000);
            String text = r < 2 ? "sleep 6000" : r < 100 ? "sleep " + random.nextInt(20) : "q" + id;
            AtomicInteger count = new AtomicInteger();
            completions.put(id, count);
            CompletableFuture<HelperReply> f = pool.submit(text);
            all.add(f);
            f.whenComplete((reply, error) -> {
                count.incrementAndGet();
                if (error == null) {
                    if (reply.text().equals(text)) ok.incrementAndGet();
                    else wrong.incrementAndGet();
                } else if (error instanceof HelperException.Timeout) {
                    timeouts.incrementAndGet();
                } else if (error instanceof HelperException.Died) {
                    died.incrementAndGet();
                } else if (error instanceof HelperException.Overload) {
                    overload.incrementAndGet();
                } else {
                    other.incrementAndGet();
                }
                window.release();
            });
        }
        for (CompletableFuture<HelperReply> f : all) f.handle((x, e) -> null).get(30, TimeUnit.SECONDS);
        HelperPoolStats stats = pool.statsAsync().get(10, TimeUnit.SECONDS);
        pool.shutdown(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
        loop.close();

        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("chaos: %d s, %d requests (ok %d, wrong %d, timeout %d, died %d, overload %d, other %d), "
                        + "%d SIGKILLs, pool deaths %d restarts %d, duplicate completions %d; elapsed %d ms%n",
                seconds, seq, ok.get(), wrong.get(), timeouts.get(), died.get(), overload.get(), other.get(), kills,
                stats.deaths(), stats.restarts(), stats.duplicateCompletions(), elapsed);
        assertThat(completions.values()).allMatch(c -> c.get() == 1);
        assertThat(ok.get() + wrong.get() + timeouts.get() + died.get() + overload.get() + other.get()).isEqualTo(seq);
        assertThat(wrong.get()).as("replies matched to the wrong request").isZero();
        assertThat(other.get()).as("unexpected failures").isZero();
        assertThat(stats.duplicateCompletions()).isZero();
        assertThat(kills).isPositive();
        assertThat(ok.get()).isPositive();
        HelperTesting.assertNoLeaks(fds, threads);
        System.out.printf("chaos: fds %d -> %d, threads %d -> %d, zombies %s%n", fds, ProcSelf.fdCount(), threads,
                ProcSelf.threadCount(), ProcSelf.zombies());
    }
}
