package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.MasterFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master call racing the master's close gets an answer: its future completes, normally or
 * exceptionally (a rejection naming the closed loop), and no call throws instead or waits out a
 * timeout. Bounded in rounds and time; each future is given 10 s only so that a lost one fails
 * the test instead of hanging it.
 */
class MasterLoopCloseRaceTest {
    private static final int ROUNDS = 30;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void callsAfterCloseFailTheirFutures(@TempDir Path queue) throws Exception {
        MasterFixture m = MasterFixture.start(MasterFixture.config(queue), "");
        m.close();
        List<CompletableFuture<?>> calls = List.of(m.master.status(), m.master.counters(), m.master.childPids(),
                m.master.reload(MasterFixture.table(m.config, "")));
        for (CompletableFuture<?> f : calls) {
            assertThat(f).isCompletedExceptionally();
            assertThat(causeOf(f)).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("is closed");
        }
        assertThat(m.master.stop()).isDone();
    }

    @Test
    void everyCallRacingCloseCompletes(@TempDir Path queue) throws Exception {
        long start = System.nanoTime();
        int rounds = 0, answered = 0, failed = 0;
        for (; rounds < ROUNDS && (rounds < 5 || System.nanoTime() - start < BUDGET_NANOS); rounds++) {
            Path q = Files.createDirectory(queue.resolve("r" + rounds));
            MasterFixture m = MasterFixture.start(MasterFixture.config(q), "");
            List<CompletableFuture<?>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CountDownLatch ready = new CountDownLatch(2);
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                Thread t = new Thread(() -> {
                    ready.countDown();
                    try {
                        while (true) { // until a call fails: the close has reached this caller
                            CompletableFuture<?> f = m.master.status();
                            futures.add(f);
                            if (f.isCompletedExceptionally()) {
                                return;
                            }
                            f.get(10, TimeUnit.SECONDS);
                        }
                    } catch (ExecutionException e) {
                        // the close reached a call already accepted: a failed future is an answer
                    } catch (Throwable t2) {
                        thrown.compareAndSet(null, t2);
                    }
                });
                callers.add(t);
                t.start();
            }
            ready.await();
            m.close();
            for (Thread t : callers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(thrown.get()).as("round %d: a call threw or its future hung", rounds).isNull();
            for (CompletableFuture<?> f : futures) {
                assertThat(f).as("round %d", rounds).isDone();
                if (f.isCompletedExceptionally()) {
                    failed++;
                } else {
                    answered++;
                }
            }
        }
        System.out.printf("master close race: %d rounds, %d answered, %d failed%n", rounds, answered, failed);
        assertThat(failed).as("every caller saw the close").isGreaterThanOrEqualTo(2 * rounds);
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }
}
