package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.process.HelperTesting;
import io.procmaster.os.LoopDriver;
import io.procmaster.testing.ProcSelf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link HelperPoolChaosTest} on the caller's own loop ({@link HelperPools#startOnCallerLoop}): the
 * test's thread submits and drives the pool itself, with no procmaster thread, while helpers are
 * SIGKILLed at random, for {@code procmaster.chaos.seconds} (default 20): every request completes
 * exactly once (reply, timeout or error), on the driving thread, no reply reaches the wrong request,
 * no thread is started, and the JVM's descriptors and zombies return to the baseline.
 */
@Tag("soak") // a soak: skipped by the quick run (README, "Tests"), run by ci/test.sh
class HelperPoolDrivenChaosTest {
    @Test
    void randomKillsUnderLoadOnTheCallersLoopCompleteEveryRequestExactlyOnce() throws Exception {
        long seconds = Long.getLong("procmaster.chaos.seconds", 20);
        HelperSpec spec = ChaosLoad.spec("chaos");
        try (HelperPools.Driven w = HelperPools.startOnCallerLoop(HelperPoolConfig.builder("warm-up").build(), spec)) {
            CompletableFuture<HelperReply> f = w.pool().submit("x");
            Driving.drive(w.driver(), f::isDone, 20);
        }
        int fds = ProcSelf.fdCount();
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        Thread me = Thread.currentThread();

        HelperPools.Driven d = HelperPools.startOnCallerLoop(ChaosLoad.config("driven-chaos"), spec);
        LoopDriver driver = d.driver();
        HelperPool pool = d.pool();

        Random random = new Random(42);
        int window = 64; // requests in flight from this client
        int[] inFlight = new int[1];
        List<int[]> completions = new ArrayList<>();
        List<CompletableFuture<HelperReply>> all = new ArrayList<>();
        ChaosLoad.Outcomes outcomes = new ChaosLoad.Outcomes();
        long[] offThread = new long[1];
        long kills = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long nextKill = start + 200_000_000L;
        long seq = 0;
        while (System.nanoTime() < end) {
            if (System.nanoTime() > nextKill) {
                nextKill = System.nanoTime() + 100_000_000L + random.nextInt(400_000_000);
                if (ChaosLoad.killOne(random, Driving.stats(d).helpers())) kills++;
            }
            if (inFlight[0] >= window) {
                assertThat(driver.runOnce(50)).isNotEqualTo(LoopDriver.CLOSED);
                continue;
            }
            long id = seq++;
            String text = ChaosLoad.text(random, "q" + id);
            int[] count = new int[1];
            completions.add(count);
            inFlight[0]++;
            CompletableFuture<HelperReply> f = pool.submit(text);
            all.add(f);
            f.whenComplete((reply, error) -> {
                count[0]++;
                if (Thread.currentThread() != me) offThread[0]++;
                outcomes.record(text, reply, error);
                inFlight[0]--;
            });
            if ((id & 7) == 0) {
                driver.runOnce(0); // a server's loop does its own work between two turns of the pool
            }
        }
        Driving.drive(driver, () -> all.stream().allMatch(CompletableFuture::isDone), 30);
        HelperPoolStats stats = Driving.stats(d);
        Set<Thread> during = new HashSet<>(Thread.getAllStackTraces().keySet());
        during.removeAll(before);
        d.close(Duration.ofSeconds(5));

        assertThat(completions).allMatch(c -> c[0] == 1);
        assertThat(offThread[0]).as("completions off the driving thread").isZero();
        outcomes.check("driven chaos", seconds, seq, kills, stats);
        assertThat(during).as("threads started for a driven pool").isEmpty();
        HelperTesting.assertNoLeaks(fds, 0);
    }
}
