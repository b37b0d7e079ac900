package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.process.HelperTesting;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.ProcSelf;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
        ChaosLoad.warmUp(); // outside the baseline
        int fds = ProcSelf.fdCount();
        int threads = ProcSelf.threadCount();

        EventLoop loop = new EventLoop("helper-chaos");
        loop.start();
        HelperPool pool = HelperPools.start(loop, ChaosLoad.config("chaos"), ChaosLoad.spec("chaos"));

        ChaosLoad.Outcomes outcomes = new ChaosLoad.Outcomes();
        ChaosLoad.Submits submits = new ChaosLoad.Submits();
        long start = System.nanoTime();
        submits.run(pool, new Random(42), 64, start, start + TimeUnit.SECONDS.toNanos(seconds), outcomes);
        submits.awaitAll();
        HelperPoolStats stats = pool.statsAsync().get(10, TimeUnit.SECONDS);
        pool.shutdown(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
        loop.close();

        System.out.printf("chaos: elapsed %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(submits.completions.values()).allMatch(c -> c.get() == 1);
        outcomes.check("chaos", seconds, submits.seq, submits.kills, stats);
        HelperTesting.assertNoLeaks(fds, threads);
        System.out.printf("chaos: fds %d -> %d, threads %d -> %d, zombies %s%n", fds, ProcSelf.fdCount(), threads,
                ProcSelf.threadCount(), ProcSelf.zombies());
    }
}
