package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * ChaosLoad - what the helper chaos tests share ({@link HelperPoolChaosTest}, its fast-path and
 * driven-loop siblings): the pool they load, the mix of requests, the random SIGKILL, and the tally
 * of outcomes with the assertions every one of them makes on it.
 *
 * <p>Interface: {@link #warmUp}, {@link #config}, {@link #spec}, {@link #text}, {@link #killOne}; a
 * {@link Submits} runs the stream of submits with the kills; an {@link Outcomes}
 * counts each request's end from any thread and checks the tally. Failure modes: the checks throw
 * AssertionError naming what did not add up.
 */
final class ChaosLoad {
    private ChaosLoad() {
    }

    /** One pool on its own loop, one request, closed: the JDK opens a few things lazily once, before a leak baseline. */
    static void warmUp() throws Exception {
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("warm-up").build(),
                HelperSpec.builder("warm-up", TestBin.path("pm-helper")).build())) {
            r.pool().submit("x").get(20, TimeUnit.SECONDS);
        }
    }

    /** 4 helpers at concurrency 8, a short timeout, a fast restart and a breaker that never opens. */
    static HelperPoolConfig config(String name) {
        return HelperPoolConfig.builder(name).children(4).startup(4).concurrency(8)
                .queueLimit(64).requestTimeout(Duration.ofSeconds(5))
                .restartBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .breaker(1_000_000, Duration.ofSeconds(1)).build();
    }

    /** pm-helper with channel ids: echoes a line, sleeps for {@code sleep N} (milliseconds). */
    static HelperSpec spec(String name) {
        return HelperSpec.builder(name, TestBin.path("pm-helper")).args("--ids").build();
    }

    /** The request mix: 0.2 % outlive the timeout, 9.8 % sleep up to 20 ms, the rest echo {@code id}. */
    static String text(Random random, String id) {
        int r = random.nextInt(1000);
        return r < 2 ? "sleep 6000" : r < 100 ? "sleep " + random.nextInt(20) : id;
    }

    /** SIGKILLs one of {@code running} at random; whether a kill was sent. */
    static boolean killOne(Random random, List<HelperStats> running) {
        if (running.isEmpty()) return false;
        long pid = running.get(random.nextInt(running.size())).pid();
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false);
    }

    /**
     * The main thread's stream of {@code submit}s: at most {@code window} in flight, and a random
     * helper SIGKILLed every 0.1-0.5 s, until the end; each request's completions are counted.
     */
    static final class Submits {
        final Map<Long, AtomicInteger> completions = new ConcurrentHashMap<>();
        final List<CompletableFuture<HelperReply>> all = new ArrayList<>();
        long seq, kills;

        void run(HelperPool pool, Random random, int window, long startNanos, long endNanos, Outcomes outcomes)
                throws Exception {
            Semaphore slots = new Semaphore(window);
            long nextKill = startNanos + 200_000_000L;
            while (System.nanoTime() < endNanos) {
                if (System.nanoTime() > nextKill) {
                    nextKill = System.nanoTime() + 100_000_000L + random.nextInt(400_000_000);
                    if (killOne(random, pool.statsAsync().get(10, TimeUnit.SECONDS).helpers())) kills++;
                }
                if (!slots.tryAcquire(50, TimeUnit.MILLISECONDS)) continue;
                long id = seq++;
                String text = text(random, "q" + id);
                AtomicInteger count = new AtomicInteger();
                completions.put(id, count);
                CompletableFuture<HelperReply> f = pool.submit(text);
                all.add(f);
                f.whenComplete((reply, error) -> {
                    count.incrementAndGet();
                    outcomes.record(text, reply, error);
                    slots.release();
                });
            }
        }

        /** Waits (bounded) until every submitted request has completed, one way or another. */
        void awaitAll() throws Exception {
            for (CompletableFuture<HelperReply> f : all) f.handle((x, e) -> null).get(30, TimeUnit.SECONDS);
        }
    }

    /** The outcomes of requests, counted from any thread. */
    static final class Outcomes {
        final AtomicLong ok = new AtomicLong(), wrong = new AtomicLong(), timeouts = new AtomicLong(),
                died = new AtomicLong(), overload = new AtomicLong(), other = new AtomicLong();

        /** Counts one request's end: its reply (which must echo {@code text}) or its error. */
        void record(String text, HelperReply reply, Throwable error) {
            if (error == null) {
                (reply.text().equals(text) ? ok : wrong).incrementAndGet();
            } else if (error instanceof HelperException.Timeout) {
                timeouts.incrementAndGet();
            } else if (error instanceof HelperException.Died) {
                died.incrementAndGet();
            } else if (error instanceof HelperException.Overload) {
                overload.incrementAndGet();
            } else {
                other.incrementAndGet();
            }
        }

        long total() {
            return ok.get() + wrong.get() + timeouts.get() + died.get() + overload.get() + other.get();
        }

        /** The summary line, then the checks: {@code issued} ends, none wrong or unexpected, kills and answers seen. */
        void check(String label, long seconds, long issued, long kills, HelperPoolStats stats) {
            System.out.printf("%s: %d s, %d requests (ok %d, wrong %d, timeout %d, died %d, overload %d, other %d), "
                            + "%d SIGKILLs, pool deaths %d restarts %d, duplicate completions %d%n",
                    label, seconds, issued, ok.get(), wrong.get(), timeouts.get(), died.get(), overload.get(),
                    other.get(), kills, stats.deaths(), stats.restarts(), stats.duplicateCompletions());
            assertThat(total()).isEqualTo(issued);
            assertThat(wrong.get()).as("replies matched to the wrong request").isZero();
            assertThat(other.get()).as("unexpected failures").isZero();
            assertThat(stats.duplicateCompletions()).isZero();
            assertThat(kills).isPositive();
            assertThat(ok.get()).isPositive();
        }
    }
}
