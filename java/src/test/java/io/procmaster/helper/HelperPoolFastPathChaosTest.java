package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.process.HelperTesting;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.ProcSelf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link HelperPoolChaosTest}'s chaos on the synchronous fast path ({@link HelperPool#request};
 * docs/helpers.md "The synchronous fast path"): 4 helpers at concurrency 8, 6 caller threads calling
 * the blocking {@code request} beside the main thread's stream of {@code submit}s (2 in flight, so that
 * helpers are often idle and claimed), while helpers are
 * SIGKILLed at random, for {@code procmaster.chaos.seconds} (default 20): every request completes
 * exactly once (reply, timeout or error), no reply reaches the wrong request, the fast path answered
 * some and handed some back, and the JVM's descriptors, threads and zombies return to the baseline.
 */
@Tag("soak") // a 20 s soak: skipped by the quick run (README, "Tests"), run by ci/test.sh
class HelperPoolFastPathChaosTest {
    private static final int CALLERS = 6;

    @Test
    void randomKillsUnderBlockingAndAsyncLoadCompleteEveryRequestExactlyOnce() throws Exception {
        long seconds = Long.getLong("procmaster.chaos.seconds", 20);
        ChaosLoad.warmUp(); // outside the baseline
        int fds = ProcSelf.fdCount();
        int threads = ProcSelf.threadCount();

        EventLoop loop = new EventLoop("helper-fast-chaos");
        loop.start();
        HelperPool pool = HelperPools.start(loop, ChaosLoad.config("fast-chaos"), ChaosLoad.spec("fast-chaos"));

        ChaosLoad.Outcomes outcomes = new ChaosLoad.Outcomes();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        // The blocking callers: each request's outcome is counted exactly as the futures' below.
        AtomicLong blockingIssued = new AtomicLong();
        List<Thread> callers = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
            int caller = c;
            Thread t = new Thread(() -> {
                Random rnd = new Random(caller);
                for (long i = 0; System.nanoTime() < end; i++) {
                    String text = ChaosLoad.text(rnd, "b" + caller + "-" + i);
                    blockingIssued.incrementAndGet();
                    try {
                        outcomes.record(text, pool.request(text), null);
                    } catch (HelperException.Timeout | HelperException.Died | HelperException.Overload e) {
                        outcomes.record(text, null, e);
                    } catch (RuntimeException e) {
                        outcomes.record(text, null, e);
                        e.printStackTrace();
                    }
                }
            }, "fast-chaos-caller-" + c);
            t.start();
            callers.add(t);
        }
        // Few submitted requests in flight, so that helpers are often idle and the blocking callers claim them.
        ChaosLoad.Submits submits = new ChaosLoad.Submits();
        submits.run(pool, new Random(42), 2, start, end, outcomes);
        for (Thread t : callers) t.join(TimeUnit.SECONDS.toMillis(60));
        for (Thread t : callers) assertThat(t.isAlive()).as(t.getName() + " still waiting").isFalse();
        submits.awaitAll();
        long[] fast = pool.fastPathCounts();
        HelperPoolStats stats = pool.statsAsync().get(10, TimeUnit.SECONDS);
        pool.shutdown(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
        loop.close();

        System.out.printf("fast-path chaos: %d blocking requests, fast path answered %d, handed back %d; elapsed %d ms%n",
                blockingIssued.get(), fast[0], fast[1], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(submits.completions.values()).allMatch(c -> c.get() == 1);
        assertThat(fast[0]).as("answered on the fast path").isPositive();
        assertThat(fast[1]).as("handed back to the loop (timeouts, kills)").isPositive();
        assertThat(pool.admittedCount()).as("admission given back").isZero();
        outcomes.check("chaos", seconds, submits.seq + blockingIssued.get(), submits.kills, stats);
        HelperTesting.assertNoLeaks(fds, threads);
        System.out.printf("chaos: fds %d -> %d, threads %d -> %d, zombies %s%n", fds, ProcSelf.fdCount(), threads,
                ProcSelf.threadCount(), ProcSelf.zombies());
    }
}
