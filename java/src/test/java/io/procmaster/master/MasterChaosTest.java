package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.ProcSelf;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least 2 000 echo connections (100 per second) to a service with maxproc 20 while a random child
 * is SIGKILLed every 50 ms, until at least 100 children were killed: every client gets its echo or a
 * clean connection error within its deadline, the master never runs more than 20 children, and
 * nothing is left behind. On a slow or loaded machine fewer kills fit into 20 s, so the run goes on
 * (up to {@value #MAX_CONNECTIONS} connections) rather than asserting a rate.
 *
 * <p>Each client holds its connection {@value #HOLD_MS} ms before it sends its line, so the load
 * wants about 30 sessions at once: more than maxproc, so that the limit is actually tested (with
 * fast clients one child served nearly every connection, and "at most 20" could not fail).
 */
@Tag("soak") // a 20 s soak: skipped by the quick run (README, "Tests"), run by ci/test.sh
class MasterChaosTest {
    private static final int CONNECTIONS = 2000;
    private static final int MAX_CONNECTIONS = 10 * CONNECTIONS;
    private static final int MIN_KILLS = 100;
    private static final int MAXPROC = 20;
    private static final int DEADLINE_MS = 15_000;
    private static final int HOLD_MS = 300;

    @Test
    void echoServiceSurvivesRandomKills(@TempDir Path queue) throws Exception {
        int port = MasterFixture.freePort();
        var fds = ProcSelf.descriptors();
        // Kills look like bad startups; keep the throttle short so that clients in the backlog are
        // served within their deadline (the throttle's own behaviour has its own tests).
        var config = MasterFixture.config(queue, "service_throttle_time=1s", "throttle_max_time=2s",
                "spawn_rate_limit=0");
        AtomicInteger echoed = new AtomicInteger();
        AtomicInteger cleanErrors = new AtomicInteger();
        AtomicInteger hung = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicLong kills = new AtomicLong();
        AtomicInteger connections = new AtomicInteger();
        AtomicReference<Throwable> samplerFailure = new AtomicReference<>();
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - " + MAXPROC + " pm-echo\n")) {
            ExecutorService clients = Executors.newFixedThreadPool(3 * MAXPROC); // more clients than children
            ExecutorService chaos = Executors.newFixedThreadPool(2);
            long start = System.nanoTime();
            Future<?> killer = chaos.submit(() -> {
                Random rnd = new Random(42);
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        List<Integer> pids = m.master.childPids().get(5, TimeUnit.SECONDS);
                        maxSeen.accumulateAndGet(pids.size(), Math::max);
                        if (!pids.isEmpty()) {
                            int pid = pids.get(rnd.nextInt(pids.size()));
                            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                            kills.incrementAndGet();
                        }
                        TimeUnit.MILLISECONDS.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        samplerFailure.compareAndSet(null, e);
                        return;
                    }
                }
            });
            Future<?> sampler = chaos.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        int total = m.status("[127.0.0.1]:" + port).total();
                        maxSeen.accumulateAndGet(total, Math::max);
                        TimeUnit.MILLISECONDS.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        samplerFailure.compareAndSet(null, e);
                        return;
                    }
                }
            });
            int sent = 0;
            for (int i = 0; i < MAX_CONNECTIONS && (i < CONNECTIONS || kills.get() < MIN_KILLS); i++) {
                long due = start + TimeUnit.MILLISECONDS.toNanos(10L * i); // 100 connections per second
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String line = "line-" + i;
                sent++;
                clients.submit(() -> {
                    try {
                        String got = MasterFixture.echo(port, line, DEADLINE_MS, HOLD_MS);
                        if (line.equals(got)) {
                            echoed.incrementAndGet();
                        } else if (got == null) {
                            cleanErrors.incrementAndGet(); // the child died: EOF
                        } else {
                            wrong.incrementAndGet();
                        }
                    } catch (SocketTimeoutException e) {
                        hung.incrementAndGet();
                    } catch (IOException e) {
                        cleanErrors.incrementAndGet(); // reset by a killed child
                    }
                });
            }
            connections.set(sent);
            clients.shutdown();
            assertThat(clients.awaitTermination(DEADLINE_MS * 2L, TimeUnit.MILLISECONDS)).isTrue();
            killer.cancel(true);
            sampler.cancel(true);
            chaos.shutdown();
            assertThat(chaos.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        System.out.printf("chaos: %d connections, %d echoed, %d clean errors, %d hung, %d kills, at most %d children%n",
                connections.get(), echoed.get(), cleanErrors.get(), hung.get(), kills.get(), maxSeen.get());
        assertThat(samplerFailure.get()).isNull();
        assertThat(hung.get()).as("clients that hung").isZero();
        assertThat(wrong.get()).as("wrong answers").isZero();
        assertThat(echoed.get() + cleanErrors.get()).isEqualTo(connections.get());
        assertThat(echoed.get()).as("most clients are served").isGreaterThan(connections.get() / 2);
        assertThat(kills.get()).as("children killed").isGreaterThanOrEqualTo(MIN_KILLS);
        assertThat(maxSeen.get()).as("most children at once").isLessThanOrEqualTo(MAXPROC);
        assertThat(maxSeen.get()).as("the slow clients needed more than one child at once").isGreaterThan(1);
        assertThat(ProcSelf.zombies()).isEmpty();
        assertThat(ProcSelf.openedSince(fds)).as("descriptors left open").isEmpty();
    }
}
