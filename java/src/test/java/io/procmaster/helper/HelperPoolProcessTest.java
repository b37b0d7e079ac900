package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.process.HelperTesting;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.Await;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The pool end to end on real helper processes and the real loop (the pool rules themselves are tested with fakes). */
@SuppressWarnings("unchecked")
class HelperPoolProcessTest {
    private EventLoop loop;
    private int fds;

    /** One round first, so that what the JDK opens lazily once (random devices, a socket) is in the baseline. */
    @BeforeAll
    static void warmUp() throws Exception {
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("warm-up").build(), helper().build())) {
            get(r.pool().submit("x"));
            r.pool().submit("die").handle((x, e) -> e).get(20, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void startLoop() throws Exception {
        fds = ProcSelf.fdCount();
        loop = new EventLoop("helper-pool-e2e");
        loop.start();
    }

    @AfterEach
    void stopLoop() throws Exception {
        loop.close();
        HelperTesting.assertNoLeaks(fds, 0);
    }

    private static HelperSpec.Builder helper(String... args) {
        return HelperSpec.builder("e2e", TestBin.path("pm-helper")).args(args);
    }

    private static HelperReply get(CompletableFuture<HelperReply> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    @Test
    void scenario11_poolStartsItsHelpersAndAnswersClassicRequests() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("classic").children(3).startup(3).queueLimit(100).build();
        HelperPool pool = HelperPools.start(loop, config, helper().build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 30; i++) replies.add(pool.submit("r" + i));
        for (int i = 0; i < 30; i++) {
            HelperReply r = get(replies.get(i));
            assertThat(r.status()).isEqualTo(HelperReply.Status.OK);
            assertThat(r.text()).isEqualTo("r" + i);
        }
        HelperPoolStats s = pool.statsAsync().get(10, TimeUnit.SECONDS);
        assertThat(s.running()).isEqualTo(3);
        assertThat(s.replies()).isEqualTo(30);
        assertThat(s.helpers()).extracting(HelperStats::pid).doesNotHaveDuplicates().allMatch(p -> p > 0);
        pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
        assertThat(pool.statsAsync().get(10, TimeUnit.SECONDS).running()).isZero();
        assertThat(loop.watchedChildren()).isZero();
    }

    @Test
    void reconfigureKeepsTheProgramOrStartsTheNewSpecsProgram() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("reconf").children(1).startup(1).build();
        HelperPool pool = HelperPools.start(loop, config, helper().build());
        String firstPid = get(pool.submit("pid")).text();
        // Same program, new configuration: a new generation of the same helper answers.
        pool.reconfigure(config.toBuilder().children(2).build()).get(20, TimeUnit.SECONDS);
        String secondPid = get(pool.submit("pid")).text();
        assertThat(secondPid).isNotEqualTo(firstPid);
        assertThat(pool.config().children()).isEqualTo(2);
        // A new program: its helpers exit 3 at once, which the old program never does.
        pool.reconfigure(config, helper("--exit", "3").build()).get(20, TimeUnit.SECONDS);
        HelperPoolStats s = Await.poll(Duration.ofSeconds(20), () -> pool.statsAsync().get(10, TimeUnit.SECONDS),
                st -> st.recentExits().stream().anyMatch(h -> HelperExit.exited(3).equals(h.lastExit())));
        assertThat(s.recentExits()).extracting(HelperStats::lastExit).contains(HelperExit.exited(3));
        pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(ChannelIdDialect.class)
    void concurrencyEightChannelIdsAgainstARealHelper(ChannelIdDialect dialect) throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("ids").children(2).startup(2).concurrency(8)
                .channelIdDialect(dialect).queueLimit(1000).build();
        HelperPool pool = HelperPools.start(loop, config, helper("--ids").build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) replies.add(pool.submit(i % 10 == 0 ? "sleep 5" : "q" + i));
        for (int i = 0; i < 200; i++) {
            HelperReply r = get(replies.get(i));
            assertThat(r.status()).isEqualTo(HelperReply.Status.OK);
            assertThat(r.text()).isEqualTo(i % 10 == 0 ? "sleep 5" : "q" + i);
        }
        HelperPoolStats s = pool.statsAsync().get(10, TimeUnit.SECONDS);
        assertThat(s.unknownChannelReplies()).isZero();
        assertThat(s.unsolicitedReplies()).isZero();
        assertThat(s.helpers()).allMatch(h -> h.requests() > 0); // both helpers took work
        pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
    }

    /**
     * Callers on several threads at once, each keeping requests in flight: with the loop's wake-up
     * handshake and the batched writes, every request still gets exactly its own reply.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 8})
    void manyCallersAtOnceEachGetTheirOwnReply(int concurrency) throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("callers").children(4).startup(4).concurrency(concurrency)
                .queueLimit(1000).requestTimeout(Duration.ofSeconds(30)).build();
        HelperPool pool = HelperPools.start(loop, config, helper(concurrency > 0 ? new String[] {"--ids"} : new String[0]).build());
        int callers = 4;
        int perCaller = 2_000;
        int window = 8;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            CompletableFuture<Void> finished = new CompletableFuture<>();
            done.add(finished);
            Thread t = new Thread(() -> {
                try {
                    java.util.ArrayDeque<CompletableFuture<HelperReply>> inFlight = new java.util.ArrayDeque<>();
                    java.util.ArrayDeque<String> texts = new java.util.ArrayDeque<>();
                    for (int i = 0; i < perCaller; i++) {
                        String text = "c" + caller + "-" + i;
                        inFlight.add(pool.submit(text));
                        texts.add(text);
                        if (inFlight.size() == window || i == perCaller - 1) {
                            while (!inFlight.isEmpty()) {
                                if (!get(inFlight.poll()).text().equals(texts.poll())) wrong.incrementAndGet();
                            }
                        }
                    }
                    finished.complete(null);
                } catch (Throwable e) {
                    finished.completeExceptionally(e);
                }
            }, "caller-" + c);
            t.start();
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        assertThat(wrong.get()).as("replies that reached another request").isZero();
        HelperPoolStats s = pool.statsAsync().get(10, TimeUnit.SECONDS);
        assertThat(s.replies()).isEqualTo((long) callers * perCaller);
        assertThat(s.completedOk()).isEqualTo((long) callers * perCaller);
        assertThat(s.failed()).isZero();
        assertThat(s.duplicateCompletions()).isZero();
        assertThat(s.unknownChannelReplies() + s.unsolicitedReplies()).isZero();
        pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
    }

    /**
     * More than one read (64 KiB) of replies at once, and a request longer than one write, between
     * short ones. pm-helper answers with at most 60 000 bytes of the text.
     */
    @Test
    void burstsLongerThanOneReadOrWriteArriveWhole() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("long").children(1).startup(1).concurrency(8)
                .queueLimit(100).build();
        HelperPool pool = HelperPools.start(loop, config, helper("--ids").build());
        List<String> texts = new ArrayList<>(List.of("short-1", "w".repeat(100_000)));
        for (char c = 'a'; c <= 'e'; c++) texts.add(String.valueOf(c).repeat(60_000));
        texts.add("short-2");
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (String t : texts) replies.add(pool.submit(t));
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            assertThat(get(replies.get(i)).text()).isEqualTo(t.length() > 60_000 ? t.substring(0, 60_000) : t);
        }
        pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
    }

    @Test
    void helperDeathFailsItsRequestsOnceAndIsReplaced() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("deaths").children(1).startup(1).concurrency(4)
                .restartBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).build();
        HelperPool pool = HelperPools.start(loop, config, helper("--ids").build());
        assertThat(get(pool.submit("pid")).text()).matches("\\d+");
        // Both submitted from one loop command, so both are written before the loop polls again;
        // the helper exits at "die" without answering either.
        CompletableFuture<CompletableFuture<HelperReply>[]> both = new CompletableFuture<>();
        loop.execute(() -> both.complete(new CompletableFuture[] {pool.submit("die"), pool.submit("sleep 200")}));
        CompletableFuture<HelperReply> die = both.get(10, TimeUnit.SECONDS)[0];
        CompletableFuture<HelperReply> slow = both.get()[1];
        assertThat(slow).failsWithin(20, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(HelperException.Died.class);
        assertThat(die).failsWithin(20, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(HelperException.Died.class);
        assertThat(get(pool.submit("after")).text()).isEqualTo("after");
        HelperPoolStats s = pool.statsAsync().get(10, TimeUnit.SECONDS);
        assertThat(s.deaths()).isEqualTo(1);
        assertThat(s.recentExits()).singleElement().extracting(HelperStats::lastExit).isEqualTo(HelperExit.exited(3));
        assertThat(s.duplicateCompletions()).isZero();
        pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
    }

    @Test
    void missingProgramFeedsTheBreakerWithTheExecError() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("missing").children(1).startup(1)
                .restartBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).breaker(3, Duration.ofMinutes(1)).build();
        HelperPool pool = HelperPools.start(loop, config, HelperSpec.builder("missing", "/no/such/helper").build());
        CompletableFuture<HelperReply> f = pool.submit("x");
        Throwable t = f.handle((r, e) -> e).get(20, TimeUnit.SECONDS);
        assertThat(t).isNotNull();
        HelperPoolStats s = pool.statsAsync().get(10, TimeUnit.SECONDS);
        assertThat(s.startFailures()).isGreaterThanOrEqualTo(1);
        pool.shutdown(Duration.ofSeconds(1)).get(20, TimeUnit.SECONDS);
    }

    @Test
    void ownLoopVariantShutsDownEverything() throws Exception {
        int threads = ProcSelf.threadCount();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(
                HelperPoolConfig.builder("own").children(2).startup(1).build(), helper().hello("hi").args("--hello", "hi").build())) {
            assertThat(get(r.pool().submit("a")).text()).isEqualTo("a");
        }
        assertThat(ProcSelf.threadCountSettled(threads)).isLessThanOrEqualTo(threads);
    }
}
