package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.TestBin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, defect 1, the pool's side: submissions racing the close of a pool and its loop must all
 * complete, with a reply or {@link HelperException.Closed} (or overload), never stay pending.
 * Two closes alternate: the orderly {@link HelperPools.Running#close(Duration)} (the pool's shutdown,
 * then the loop stops) and the loop's own {@link io.procmaster.os.EventLoop#close()} under a pool
 * that was never shut down (requests queued and in flight at that moment). Many short rounds,
 * several submitting threads each, bounded in rounds and in time.
 */
class HelperPoolCloseRaceTest {
    private static final int SUBMITTERS = 3;
    private static final int MAX_ROUNDS = 300;
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static final int PER_THREAD = 4_000;

    @Test
    void submitsRacingThePoolsCloseAllComplete() throws Exception {
        HelperSpec spec = HelperSpec.builder("close-race", TestBin.path("pm-helper")).args("--ids").build();
        HelperPoolConfig config = HelperPoolConfig.builder("close-race").children(2).startup(2).concurrency(8)
                .queueLimit(1000).requestTimeout(Duration.ofSeconds(30)).build();
        long start = System.nanoTime();
        int rounds = 0;
        long total = 0, replies = 0, closed = 0, overloaded = 0;
        List<String> stuck = new ArrayList<>();
        while (rounds < MAX_ROUNDS && System.nanoTime() - start < MAX_NANOS) {
            rounds++;
            HelperPools.Running running = HelperPools.startWithOwnLoop(config, spec);
            HelperPool pool = running.pool();
            pool.submit("ready").get(20, TimeUnit.SECONDS); // started: the race is with the close, not the start
            AtomicBoolean closedAlready = new AtomicBoolean();
            CountDownLatch go = new CountDownLatch(1);
            List<List<CompletableFuture<HelperReply>>> parts = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < SUBMITTERS; t++) {
                List<CompletableFuture<HelperReply>> mine = new ArrayList<>(PER_THREAD);
                parts.add(mine);
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    // Keep submitting through the close and a little beyond it.
                    int after = 0;
                    for (int i = 0; i < PER_THREAD && after < 50; i++) {
                        mine.add(pool.submit("r" + i));
                        if (closedAlready.get()) after++;
                    }
                }, "close-race-" + t);
                threads.add(th);
                th.start();
            }
            go.countDown();
            Thread.sleep(rounds % 3); // vary where the close falls
            boolean abrupt = rounds % 2 == 0;
            if (abrupt) running.loop().close();
            else running.close(Duration.ofMillis(rounds % 4 == 1 ? 0 : 20));
            closedAlready.set(true);
            for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(30));

            List<CompletableFuture<HelperReply>> all = new ArrayList<>();
            for (List<CompletableFuture<HelperReply>> p : parts) all.addAll(p);
            try {
                CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // counted below
            } catch (java.util.concurrent.ExecutionException e) {
                // some failed: expected; each is judged below
            }
            for (CompletableFuture<HelperReply> f : all) {
                total++;
                if (!f.isDone()) {
                    stuck.add("round " + rounds + (abrupt ? " (loop closed)" : " (pool closed)"));
                    continue;
                }
                try {
                    f.join();
                    replies++;
                } catch (CompletionException e) {
                    if (e.getCause() instanceof HelperException.Closed) closed++;
                    else if (e.getCause() instanceof HelperException.Overload) overloaded++;
                    else throw new AssertionError("round " + rounds + ": unexpected outcome", e.getCause());
                }
            }
        }
        long stuckAbrupt = stuck.stream().filter(x -> x.endsWith("(loop closed)")).count();
        System.out.printf("close race: %d rounds in %d ms, %d futures: %d replies, %d closed, %d overloaded, %d pending"
                        + " (%d after a loop close, %d after a pool close)%n",
                rounds, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), total, replies, closed, overloaded,
                stuck.size(), stuckAbrupt, stuck.size() - stuckAbrupt);
        assertThat(stuck).as("futures still pending after the close (of %d), first: %s", total,
                stuck.isEmpty() ? "-" : stuck.get(0)).isEmpty();
        assertThat(replies).as("some requests were answered before the close").isPositive();
        assertThat(closed).as("some requests met the close").isPositive();
    }
}
