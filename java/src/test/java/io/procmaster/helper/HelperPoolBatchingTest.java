package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static io.procmaster.helper.PoolFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.FakeClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Requests dispatched while the loop works through one batch of commands and events leave in one
 * write per helper (docs/helper-ipc.md §2.4), and batching changes nothing else: every reply reaches its own
 * request, timeouts fire, order holds. The test is the loop: commands wait in a queue until
 * {@link #runCommands()}, as they do in the real loop until it drains its command queue.
 */
class HelperPoolBatchingTest {
    private final ArrayDeque<Runnable> commands = new ArrayDeque<>();
    private final FakeClock clock = new FakeClock(1_000_000_000L);
    private final FakeLauncher launcher = new FakeLauncher();

    private HelperPool pool(HelperPoolConfig config) {
        HelperPool pool = new HelperPool(config, launcher, clock, commands::add);
        pool.start();
        return pool;
    }

    private void runCommands() {
        Runnable r;
        while ((r = commands.poll()) != null) r.run();
    }

    @Test
    void requestsSubmittedInOneBatchLeaveInOneWritePerHelper() {
        launcher.onStart = h -> h.responder = FakeHelper.okTagged();
        HelperPool pool = pool(config().children(2).startup(2).concurrency(8).build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 16; i++) replies.add(pool.submit("q" + i));
        runCommands();
        for (FakeHelper h : launcher.started) {
            assertThat(h.writes).as("writes to helper #%d", h.id).isEqualTo(1);
            assertThat(h.lines).hasSize(8);
        }
        launcher.run();   // the helpers answer, each reply in a chunk of its own
        runCommands();
        for (int i = 0; i < 16; i++) {
            assertThat(replies.get(i).join().kv().get("echo")).as("reply %d", i).isEqualTo("q" + i);
        }
    }

    @Test
    void classicRequestsOfOneBatchGoOneToEachFreeHelperAndTheRestWait() {
        HelperPool pool = pool(config().children(3).startup(3).queueLimit(10).build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 5; i++) replies.add(pool.submit("c" + i));
        runCommands();
        assertThat(launcher.started).extracting(h -> h.lines.size()).containsExactly(1, 1, 1);
        assertThat(launcher.started).extracting(h -> h.writes).containsExactly(1, 1, 1);
        // One reply frees helper 0: the oldest waiting request goes there, then the next one.
        launcher.helper(0).reply("OK first");
        runCommands();
        assertThat(launcher.helper(0).lines).containsExactly("c0", "c3");
        launcher.helper(1).reply("OK second");
        runCommands();
        assertThat(launcher.helper(1).lines).containsExactly("c1", "c4");
        assertThat(replies.get(0).join().text()).isEqualTo("first");
        assertThat(replies.get(1).join().text()).isEqualTo("second");
        assertThat(replies.subList(2, 5)).allMatch(f -> !f.isDone());
    }

    @Test
    void repliesReadTogetherReleaseTheQueuedRequestsInOneWrite() {
        HelperPool pool = pool(config().children(1).startup(1).concurrency(4).queueLimit(100).build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 8; i++) replies.add(pool.submit("r" + i));
        runCommands();
        FakeHelper h = launcher.helper(0);
        assertThat(h.lines).containsExactly("1 r0", "2 r1", "3 r2", "4 r3");
        // Four replies in one read, out of order: each completes its own request.
        pool.onData(h.id, ByteBuffer.wrap("3 OK three\n1 OK one\n4 OK four\n2 OK two\n".getBytes(StandardCharsets.UTF_8)));
        runCommands();
        assertThat(replies.subList(0, 4)).extracting(f -> f.join().text()).containsExactly("one", "two", "three", "four");
        assertThat(h.writes).isEqualTo(2);
        assertThat(h.lines).containsExactly("1 r0", "2 r1", "3 r2", "4 r3", "5 r4", "6 r5", "7 r6", "8 r7");
    }

    @Test
    void batchedRequestsStillTimeOut() {
        HelperPool pool = pool(config().children(1).startup(1).concurrency(4).requestTimeout(Duration.ofSeconds(1))
                .build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) replies.add(pool.submit("t" + i));
        runCommands();
        assertThat(launcher.helper(0).writes).isEqualTo(1);
        clock.advance(Duration.ofMillis(999));
        pool.onTick();
        assertThat(replies).noneMatch(CompletableFuture::isDone);
        clock.advance(Duration.ofMillis(1));
        pool.onTick();
        for (CompletableFuture<HelperReply> f : replies) assertThat(failure(f)).isInstanceOf(HelperException.Timeout.class);
        assertThat(pool.stats().timeouts()).isEqualTo(3);
    }

    @Test
    void aHelperLostBeforeTheFlushGetsNothingAndItsRequestsFailOnce() {
        HelperPool pool = pool(config().children(1).startup(1).concurrency(4).build());
        CompletableFuture<HelperReply> a = pool.submit("a");
        commands.poll().run(); // a is dispatched and waits for the flush
        CompletableFuture<HelperReply> b = pool.submit("b"); // reaches the loop after the crash
        launcher.helper(0).crash(); // the helper dies before the batch is written
        runCommands();
        assertThat(launcher.helper(0).lines).isEmpty();
        assertThat(failure(a)).isInstanceOf(HelperException.Died.class);
        assertThat(b).isNotDone(); // queued, waits for the replacement
        assertThat(pool.stats().duplicateCompletions()).isZero();
    }

    @Test
    void submitAllIsOneCommandAndEachRequestGetsItsOwnReply() {
        launcher.onStart = h -> h.responder = FakeHelper.okTagged();
        HelperPool pool = pool(config().children(2).startup(2).concurrency(8).build());
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) texts.add("bulk" + i);
        List<CompletableFuture<HelperReply>> replies = pool.submitAll(texts);
        assertThat(commands).hasSize(1);
        runCommands();
        assertThat(launcher.started).extracting(h -> h.writes).containsExactly(1, 1);
        launcher.run();
        runCommands();
        assertThat(replies).hasSize(12);
        for (int i = 0; i < 12; i++) assertThat(replies.get(i).join().kv().get("echo")).isEqualTo("bulk" + i);
    }

    @Test
    void submitAllKeepsTheOrderAndJudgesEachRequestOnItsOwn() {
        HelperPool pool = pool(config().children(1).startup(1).queueLimit(2).overloadPolicy(OverloadPolicy.FAIL).build());
        List<CompletableFuture<HelperReply>> replies = pool.submitAll(List.of("one", "bad\nline", "two", "three", "four"));
        runCommands();
        FakeHelper h = launcher.helper(0);
        assertThat(h.lines).containsExactly("one"); // classic: one at a time, the rest queued in order
        assertThat(failure(replies.get(1))).isInstanceOf(HelperException.InvalidRequest.class);
        assertThat(failure(replies.get(4))).isInstanceOf(HelperException.Overload.class); // beyond the queue limit
        h.reply("OK 1");
        runCommands();
        h.reply("OK 2");
        runCommands();
        h.reply("OK 3");
        runCommands();
        assertThat(h.lines).containsExactly("one", "two", "three");
        assertThat(replies.get(0).join().text()).isEqualTo("1");
        assertThat(replies.get(2).join().text()).isEqualTo("2");
        assertThat(replies.get(3).join().text()).isEqualTo("3");
        assertThat(pool.stats().duplicateCompletions()).isZero();
    }

    @Test
    void submitAllOnAStoppedLoopFailsEveryRequestAsClosed() {
        HelperPool pool = new HelperPool(config().build(), launcher, clock,
                c -> { throw new java.util.concurrent.RejectedExecutionException("stopped"); });
        List<CompletableFuture<HelperReply>> replies = pool.submitAll(List.of("a", "b"));
        for (CompletableFuture<HelperReply> f : replies) assertThat(failure(f)).isInstanceOf(HelperException.Closed.class);
        assertThat(pool.submitAll(List.of())).isEmpty();
    }

    @Test
    void submitAllWithANullSubmitsNothing() {
        HelperPool pool = pool(config().children(1).startup(1).build());
        List<String> withNull = new ArrayList<>(List.of("a"));
        withNull.add(null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.submitAll(withNull))
                .isInstanceOf(NullPointerException.class);
        assertThat(commands).isEmpty();
    }
}
