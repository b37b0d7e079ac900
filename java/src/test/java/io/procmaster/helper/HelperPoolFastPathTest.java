package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.helper.process.HelperTesting;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.Await;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synchronous fast path ({@link HelperPool#request}; docs/helpers.md "The synchronous fast
 * path") against real helpers: the blocking path and the loop path interleaving without loss, and
 * each hand-back to the loop (BH retry, timeout, a helper killed or the loop closed while a caller
 * waits, a shutdown while a caller holds a helper).
 */
class HelperPoolFastPathTest {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 1500;

    @Test
    void requestAndSubmitInterleaveWithoutLossOnCatClassic() throws Exception {
        interleave(HelperPoolConfig.builder("fast-cat").children(4).startup(4).requestTimeout(Duration.ofSeconds(30)).build(),
                HelperSpec.builder("fast-cat", "/bin/cat").build());
    }

    @Test
    void requestAndSubmitInterleaveWithoutLossOnChannelIdHelpers() throws Exception {
        interleave(HelperPoolConfig.builder("fast-ids").children(3).startup(3).concurrency(8)
                        .requestTimeout(Duration.ofSeconds(30)).build(),
                HelperSpec.builder("fast-ids", TestBin.path("pm-helper")).args("--ids").build());
    }

    @Test
    void requestAndSubmitInterleaveWithoutLossOnFifoChannels() throws Exception {
        interleave(HelperPoolConfig.builder("fast-fifo").children(2).startup(2).requestTimeout(Duration.ofSeconds(30)).build(),
                HelperSpec.builder("fast-fifo", TestBin.path("pm-helper")).channelType(HelperChannelType.FIFO).build());
    }

    /**
     * {@code THREADS} threads, each mixing {@code request} (3 in 4) and {@code submit}, every text its
     * own: every request answered exactly once with its own reply, the counters add up, both paths
     * were taken, and no descriptor, thread or zombie is left.
     */
    private void interleave(HelperPoolConfig config, HelperSpec spec) throws Exception {
        warmUp();
        int fds = ProcSelf.fdCount();
        int threads = ProcSelf.threadCount();
        EventLoop loop = new EventLoop("fast-interleave");
        loop.start();
        HelperPool pool = HelperPools.start(loop, config, spec);
        ExecutorService callers = Executors.newFixedThreadPool(THREADS);
        AtomicInteger wrong = new AtomicInteger();
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            done.add(callers.submit(() -> {
                int answered = 0;
                List<CompletableFuture<HelperReply>> async = new ArrayList<>();
                List<String> asyncTexts = new ArrayList<>();
                for (int i = 0; i < PER_THREAD; i++) {
                    String text = "t" + thread + "-" + i;
                    if (i % 4 == 3) {
                        async.add(pool.submit(text));
                        asyncTexts.add(text);
                    } else {
                        HelperReply r = pool.request(text);
                        if (!r.text().equals(text)) wrong.incrementAndGet();
                        answered++;
                    }
                    if (async.size() == 8) answered += drain(async, asyncTexts, wrong);
                }
                return answered + drain(async, asyncTexts, wrong);
            }));
        }
        int answered = 0;
        for (Future<Integer> f : done) answered += f.get(120, TimeUnit.SECONDS);
        callers.shutdown();
        HelperPoolStats stats = pool.statsAsync().get(10, TimeUnit.SECONDS);
        long[] fast = pool.fastPathCounts();
        pool.shutdown(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
        loop.close();
        int total = THREADS * PER_THREAD;
        System.out.printf("%s: fast path served %d, handed back %d, of %d%n", config.name(), fast[0], fast[1], total);
        assertThat(wrong.get()).as("replies given to the wrong request").isZero();
        assertThat(answered).isEqualTo(total);
        assertThat(stats.submitted()).isEqualTo(total);
        assertThat(stats.sent()).isEqualTo(total);
        assertThat(stats.replies()).isEqualTo(total);
        assertThat(stats.completedOk()).isEqualTo(total);
        assertThat(stats.failed()).isZero();
        assertThat(stats.duplicateCompletions()).isZero();
        assertThat(stats.helpers().stream().mapToLong(HelperStats::requests).sum()).isEqualTo(total);
        assertThat(stats.helpers().stream().mapToLong(HelperStats::replies).sum()).isEqualTo(total);
        assertThat(fast[0]).as("requests the fast path answered").isPositive();
        assertThat(fast[0]).isLessThanOrEqualTo(total - total / 4);
        assertThat(pool.admittedCount()).isZero();
        HelperTesting.assertNoLeaks(fds, threads);
    }

    private static int drain(List<CompletableFuture<HelperReply>> async, List<String> texts, AtomicInteger wrong) throws Exception {
        int n = 0;
        for (int i = 0; i < async.size(); i++) {
            if (!async.get(i).get(30, TimeUnit.SECONDS).text().equals(texts.get(i))) wrong.incrementAndGet();
            n++;
        }
        async.clear();
        texts.clear();
        return n;
    }

    private static void warmUp() throws Exception {
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("warm-up").build(),
                HelperSpec.builder("warm-up", TestBin.path("pm-helper")).build())) {
            r.pool().request("x");
            r.pool().submit("x").get(20, TimeUnit.SECONDS);
        }
    }

    /** A BH answer read by the caller goes back to the loop, which retries it on another helper. */
    @Test
    void bhReadOnTheFastPathIsRetriedByTheLoop(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("answered-bh");
        // The first request any helper reads is answered BH (and leaves the marker); all later ones OK.
        String script = "while IFS= read -r l; do if [ -e '" + marker + "' ]; then echo \"OK $l\"; "
                + "else : > '" + marker + "'; echo 'BH try another'; fi; done";
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(
                HelperPoolConfig.builder("fast-bh").children(2).startup(2).bhRetries(2).requestTimeout(Duration.ofSeconds(30)).build(),
                HelperSpec.builder("fast-bh", "/bin/sh").args("-c", script).build())) {
            HelperPool pool = r.pool();
            awaitReady(pool, 2);
            HelperReply reply = pool.request("first");
            assertThat(reply.status()).isEqualTo(HelperReply.Status.OK);
            assertThat(reply.text()).isEqualTo("first");
            HelperPoolStats stats = pool.statsAsync().get(10, TimeUnit.SECONDS);
            assertThat(stats.retries()).isEqualTo(1);
            assertThat(stats.completedOk()).isEqualTo(1);
            assertThat(pool.fastPathCounts()[1]).as("handed back").isEqualTo(1);
            assertThat(pool.request("second").text()).isEqualTo("second");
        }
    }

    /** The caller hands back at its deadline; the loop times the request out, kills the classic helper, and the next request is served. */
    @Test
    void timeoutOnTheFastPathKillsTheClassicHelperAndTheNextRequestIsServed() throws Exception {
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(
                HelperPoolConfig.builder("fast-timeout").children(1).startup(1).requestTimeout(Duration.ofMillis(300)).build(),
                HelperSpec.builder("fast-timeout", TestBin.path("pm-helper")).build())) {
            HelperPool pool = r.pool();
            awaitReady(pool, 1);
            assertThatThrownBy(() -> pool.request("sleep 5000")).isInstanceOf(HelperException.Timeout.class);
            HelperReply next = Await.poll(Duration.ofSeconds(20), () -> {
                try {
                    return pool.request("after");
                } catch (HelperException e) {
                    return null; // the replacement may still be starting
                }
            }, x -> x != null);
            assertThat(next.text()).isEqualTo("after");
            HelperPoolStats stats = pool.statsAsync().get(10, TimeUnit.SECONDS);
            assertThat(stats.timeouts()).isEqualTo(1);
            assertThat(stats.deaths()).as("a timeout kill is not a death").isZero();
            assertThat(pool.fastPathCounts()[1]).as("handed back at the deadline").isEqualTo(1);
        }
    }

    /** A SIGKILLed helper ends the waiting caller's request with Died; the pool replaces it. */
    @Test
    void helperKilledWhileACallerWaitsFailsItsRequestWithDied() throws Exception {
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(
                HelperPoolConfig.builder("fast-kill").children(1).startup(1).requestTimeout(Duration.ofSeconds(30)).build(),
                HelperSpec.builder("fast-kill", TestBin.path("pm-helper")).build())) {
            HelperPool pool = r.pool();
            long pid = awaitReady(pool, 1).get(0).pid();
            CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    return pool.request("sleep 20000");
                } catch (HelperException e) {
                    return e;
                }
            });
            Await.until("the caller's request sent", Duration.ofSeconds(10), () -> pool.statsAsync().get().sent(), n -> n == 1);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            assertThat(outcome.get(20, TimeUnit.SECONDS)).isInstanceOf(HelperException.Died.class);
            assertThat(pool.fastPathCounts()[1]).as("handed back at EOF").isEqualTo(1);
            Await.until("a replacement", Duration.ofSeconds(20), () -> pool.statsAsync().get().active(), n -> n == 1);
            assertThat(pool.request("again").text()).isEqualTo("again");
        }
    }

    /** The loop closing while a caller waits: the helper is killed, the caller gets Closed, nothing leaks. */
    @Test
    void loopClosedWhileACallerWaitsEndsItWithClosedAndLeaksNothing() throws Exception {
        warmUp();
        int fds = ProcSelf.fdCount();
        int threads = ProcSelf.threadCount();
        EventLoop loop = new EventLoop("fast-close");
        loop.start();
        HelperPool pool = HelperPools.start(loop,
                HelperPoolConfig.builder("fast-close").children(1).startup(1).requestTimeout(Duration.ofSeconds(60)).build(),
                HelperSpec.builder("fast-close", TestBin.path("pm-helper")).build());
        awaitReady(pool, 1);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        Future<Object> outcome = caller.submit(() -> {
            try {
                return pool.request("sleep 60000");
            } catch (HelperException e) {
                return e;
            }
        });
        Await.until("the caller's request sent", Duration.ofSeconds(10), () -> pool.statsAsync().get().sent(), n -> n == 1);
        loop.close();
        assertThat(outcome.get(20, TimeUnit.SECONDS)).isInstanceOf(HelperException.Closed.class);
        assertThat(pool.fastPathCounts()[1]).as("handed back, the loop refusing").isEqualTo(1);
        caller.shutdown();
        assertThat(caller.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> pool.request("late")).isInstanceOf(HelperException.Closed.class);
        HelperTesting.assertNoLeaks(fds, threads);
    }

    /** A graceful shutdown waits for the claimed helper's request to be answered, then ends the helper. */
    @Test
    void shutdownWhileACallerHoldsAHelperLetsItsRequestFinish() throws Exception {
        EventLoop loop = new EventLoop("fast-shutdown");
        loop.start();
        try {
            HelperPool pool = HelperPools.start(loop,
                    HelperPoolConfig.builder("fast-shutdown").children(1).startup(1).requestTimeout(Duration.ofSeconds(30)).build(),
                    HelperSpec.builder("fast-shutdown", TestBin.path("pm-helper")).build());
            awaitReady(pool, 1);
            CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    return pool.request("sleep 700");
                } catch (HelperException e) {
                    return e;
                }
            });
            Await.until("the caller's request sent", Duration.ofSeconds(10), () -> pool.statsAsync().get().sent(), n -> n == 1);
            CompletableFuture<Void> shut = pool.shutdown(Duration.ofSeconds(20));
            Object got = outcome.get(20, TimeUnit.SECONDS);
            assertThat(got).isInstanceOf(HelperReply.class);
            assertThat(((HelperReply) got).text()).isEqualTo("sleep 700");
            assertThat(pool.fastPathCounts()).as("answered on the fast path, none handed back").containsExactly(1, 0);
            shut.get(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> pool.request("late")).isInstanceOf(HelperException.Closed.class);
        } finally {
            loop.close();
        }
    }

    /** A reconfigure retires the published helpers (taken back from the fast path and closed); the new generation serves it. */
    @Test
    void reconfigureRetiresPublishedHelpersAndTheNewGenerationServesTheFastPath() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("fast-reconf").children(2).startup(2).build();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, HelperSpec.builder("fast-reconf", "/bin/cat").build())) {
            HelperPool pool = r.pool();
            awaitReady(pool, 2);
            assertThat(pool.request("before").text()).isEqualTo("before");
            pool.reconfigure(config).get(10, TimeUnit.SECONDS);
            Await.until("only the new generation left", Duration.ofSeconds(20), () -> pool.statsAsync().get().helpers(),
                    hs -> hs.size() == 2 && hs.stream().allMatch(h -> h.generation() == 1 && h.state() == HelperState.READY));
            assertThat(pool.request("after").text()).isEqualTo("after");
            assertThat(pool.fastPathCounts()).as("both answered on the fast path").containsExactly(2, 0);
        }
    }

    /**
     * The blocking path goes through the same admission as {@code submit}: with the one admission
     * slot held by a waiting caller, the next request is refused at once (Overload), and an invalid
     * request is refused as {@code submit} refuses it; the slot is given back when the first ends.
     */
    @Test
    void requestsAreAdmittedAndRefusedAsSubmitsAre() throws Exception {
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(
                HelperPoolConfig.builder("fast-admit").children(1).startup(1).queueLimit(0).admissionLimit(1)
                        .overloadPolicy(OverloadPolicy.FAIL).requestTimeout(Duration.ofSeconds(30)).build(),
                HelperSpec.builder("fast-admit", TestBin.path("pm-helper")).build())) {
            HelperPool pool = r.pool();
            awaitReady(pool, 1);
            CompletableFuture<HelperReply> first = CompletableFuture.supplyAsync(() -> pool.request("sleep 500"));
            Await.until("the first request admitted", Duration.ofSeconds(10), pool::admittedCount, n -> n == 1);
            assertThatThrownBy(() -> pool.request("second")).isInstanceOf(HelperException.Overload.class);
            assertThatThrownBy(() -> pool.request("a\nb")).isInstanceOf(HelperException.InvalidRequest.class);
            assertThat(first.get(20, TimeUnit.SECONDS).text()).isEqualTo("sleep 500");
            assertThat(pool.admittedCount()).isZero();
            assertThat(pool.request("third").text()).isEqualTo("third");
            assertThat(pool.fastPathCounts()).as("answered on the fast path, none handed back").containsExactly(2, 0);
        }
    }

    /** The byte form sends the bytes as given (a Latin-1 byte here) on the fast path too. */
    @Test
    void byteRequestsGoTheFastPathAsGiven() throws Exception {
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(
                HelperPoolConfig.builder("fast-bytes").children(1).startup(1).build(),
                HelperSpec.builder("fast-bytes", "/bin/cat").build())) {
            HelperPool pool = r.pool();
            awaitReady(pool, 1);
            byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
            HelperReply reply = pool.request(latin1);
            assertThat(reply.raw()).containsExactly(latin1);
            assertThat(pool.fastPathCounts()[0]).isEqualTo(1);
        }
    }

    private static List<HelperStats> awaitReady(HelperPool pool, int n) throws Exception {
        return Await.until(n + " helpers ready", Duration.ofSeconds(20), () -> pool.statsAsync().get().helpers(),
                hs -> hs.stream().filter(h -> h.state() == HelperState.READY).count() == n);
    }
}
