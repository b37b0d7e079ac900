package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static io.procmaster.helper.PoolFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.FakeClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Features beyond the docs/helper-ipc.md §4 scenarios: write path, timers, breaker, reservations, threading seam. */
class HelperPoolFeatureTest {

    @Test
    void shortWritesAreBufferedUntilWritable() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(4).build()).start();
        FakeHelper h = f.launcher.helper(0);
        h.writeBudget = 3;
        f.submit("abcdef");
        f.submit("gh");
        assertThat(h.lines).isEmpty();
        assertThat(h.writableRequested).isTrue();
        h.grantWrite(6); // 3 + 6 = the 9 bytes of "1 abcdef\n"
        assertThat(h.lines).containsExactly("1 abcdef");
        assertThat(h.writableRequested).isTrue(); // still short: asked again
        h.grantWrite(Integer.MAX_VALUE);
        assertThat(h.lines).containsExactly("1 abcdef", "2 gh");
    }

    @Test
    void writeFailureKillsHelperAndFailsItsRequests() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        f.launcher.helper(0).failWrites = true;
        var r = f.submit("x");
        assertThat(failure(r)).isInstanceOf(HelperException.Died.class).hasMessageContaining("Broken pipe");
        assertThat(f.launcher.helper(0).killed).isTrue();
        f.run();
        f.advance(Duration.ofMillis(100));
        assertThat(f.launcher.started).hasSize(2);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void timedOutSlotIsNotReusedUntilItsLateReplyArrives() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(2)
                .channelIdDialect(ChannelIdDialect.SLOT).requestTimeout(Duration.ofSeconds(1)).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var a = f.submit("a");            // slot 0
        f.advance(Duration.ofMillis(500));
        var b = f.submit("b");            // slot 1
        f.advance(Duration.ofMillis(500)); // a times out: slot 0 quarantined
        assertThat(failure(a)).isInstanceOf(HelperException.Timeout.class);
        var c = f.submit("c");
        assertThat(h.lines).containsExactly("0 a", "1 b"); // c waits: the only free slot is quarantined
        h.reply("0 OK late for a");
        assertThat(f.stats().lateReplies()).isEqualTo(1);
        assertThat(h.lines).containsExactly("0 a", "1 b", "0 c");
        h.reply("0 OK");
        h.reply("1 OK");
        assertThat(c.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(b).isCompleted();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void helperWithEveryChannelTimedOutIsKilledAsHung() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(2)
                .requestTimeout(Duration.ofSeconds(1)).build()).start();
        f.submit("a");
        f.submit("b");
        f.advance(Duration.ofSeconds(1));
        assertThat(f.launcher.helper(0).killed).isTrue();
        assertThat(f.stats().timeouts()).isEqualTo(2);
        f.advance(Duration.ofMillis(100));
        assertThat(f.launcher.started).hasSize(2);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void restartBackoffIsExponentialAndCapped() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1)
                .restartBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).breaker(100, Duration.ofSeconds(1)).build());
        f.launcher.failAll = true;
        f.start();
        List<Long> attemptsAt = new ArrayList<>();
        long t0 = f.clock.nanoTime();
        int seen = f.launcher.attempts;
        for (int ms = 0; ms < 2000; ms += 10) {
            f.advance(Duration.ofMillis(10));
            if (f.launcher.attempts != seen) {
                seen = f.launcher.attempts;
                attemptsAt.add((f.clock.nanoTime() - t0) / 1_000_000);
            }
        }
        // first attempt at 0; then +100, +200, +400, +400 (cap), ...
        assertThat(attemptsAt).startsWith(100L, 300L, 700L, 1100L, 1500L);
        f.launcher.failAll = false;
        f.advance(Duration.ofMillis(400));
        assertThat(f.stats().running()).isEqualTo(1);
    }

    @Test
    void successfulReplyResetsBackoff() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build());
        f.launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        f.start();
        f.launcher.helper(0).crash();
        f.launcher.helper(0).crash(); // already ended: ignored
        f.advance(Duration.ofMillis(100));
        f.launcher.helper(1).crash();
        f.advance(Duration.ofMillis(200)); // second consecutive death: 200 ms
        assertThat(f.launcher.started).hasSize(3);
        f.submit("x");
        f.run();
        f.launcher.helper(2).crash();
        f.advance(Duration.ofMillis(100)); // reset by the reply: back to 100 ms
        assertThat(f.launcher.started).hasSize(4);
    }

    @Test
    void breakerOpeningFailsQueuedRequestsFast() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).breaker(2, Duration.ofSeconds(10)).build()).start();
        f.submit("in flight");
        var queued = f.submit("queued");
        f.launcher.helper(0).crash();
        assertThat(queued).isNotDone();
        f.advance(Duration.ofMillis(100));
        f.launcher.helper(1).crash(); // the queued one was in flight here
        f.run();
        var more = f.submit("more");
        assertThat(failure(more)).isInstanceOf(HelperException.Unavailable.class);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void breakerWindowForgetsOldDeaths() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).breaker(2, Duration.ofSeconds(10)).build()).start();
        f.launcher.helper(0).crash();
        f.advance(Duration.ofSeconds(11));
        f.launcher.helper(1).crash();
        assertThat(f.stats().breakerOpen()).isFalse();
    }

    @Test
    void releaseWhileRequestInFlightLetsItFinishThenFreesHelper() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).stateful(true).build()).start();
        FakeHelper h = f.launcher.helper(0);
        HelperReservation res = f.reserve().join();
        var step = f.submit(res, "YR");
        assertThat(failure(f.submit(res, "again"))).isInstanceOf(HelperException.InvalidRequest.class)
                .hasMessageContaining("already has a request in flight");
        f.pool.release(res);
        var other = f.submit("one-shot");
        assertThat(h.lines).containsExactly("YR");
        h.reply("TT x");
        assertThat(step.join().status()).isEqualTo(HelperReply.Status.TT); // Squid's challenge, its token a note
        assertThat(step.join().token()).hasValue("x");
        assertThat(h.lines).containsExactly("YR", "one-shot");
        h.reply("OK");
        assertThat(other).isCompleted();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void reservationLostWhenHelperDies() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).stateful(true).build()).start();
        HelperReservation res = f.reserve().join();
        f.launcher.helper(0).crash();
        assertThat(failure(f.submit(res, "KK"))).isInstanceOf(HelperException.Reservation.class)
                .hasMessageContaining("lost its helper");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void reservationsNeedAStatefulPool() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        assertThat(failure(f.reserve())).isInstanceOf(HelperException.InvalidRequest.class);
    }

    @Test
    void shutdownDeadlineFailsTheRestAndKillsStubbornHelpers() {
        PoolFixture f = new PoolFixture(config().children(2).startup(2).build()).start();
        f.launcher.started.forEach(h -> h.ignoreClose = true);
        var a = f.submit("a");
        var b = f.submit("b");
        var queued = f.submit("c");
        var done = f.pool.shutdown(Duration.ofSeconds(5));
        f.launcher.helper(1).reply("OK");
        assertThat(b).isCompleted();
        assertThat(f.launcher.helper(1).lines).containsExactly("b", "c"); // accepted work still served
        f.advance(Duration.ofSeconds(5));
        assertThat(failure(a)).isInstanceOf(HelperException.Closed.class).hasMessageContaining("deadline");
        assertThat(failure(queued)).isInstanceOf(HelperException.Closed.class);
        assertThat(f.launcher.started).allMatch(h -> h.killed);
        assertThat(done).isCompleted();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void shutdownFailsQueueWhenNoHelperIsLeft() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        f.submit("a");
        var queued = f.submit("b");
        var done = f.pool.shutdown(Duration.ofSeconds(60));
        f.launcher.helper(0).crash();
        assertThat(failure(queued)).isInstanceOf(HelperException.Closed.class).hasMessageContaining("no helper left");
        assertThat(done).isCompleted();
        assertThat(f.launcher.started).hasSize(1); // no restart during shutdown
        assertThat(failure(f.pool.reconfigure(config().build(), f.launcher))).isInstanceOf(HelperException.Closed.class);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void submitFromAnotherThreadGoesThroughTheLoopCommandQueue() {
        ArrayDeque<Runnable> commands = new ArrayDeque<>();
        Executor loop = commands::add; // the real loop adds an eventfd wake-up
        FakeLauncher launcher = new FakeLauncher();
        launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        HelperPool pool = new HelperPool(config().children(1).startup(1).build(), launcher, new FakeClock(), loop);
        pool.start();
        CompletableFuture<HelperReply> r = pool.submit("x");
        assertThat(r).isNotDone();
        assertThat(launcher.started.get(0).lines).isEmpty(); // nothing touched outside the loop
        while (!commands.isEmpty()) commands.poll().run();
        launcher.run();
        assertThat(r.join().status()).isEqualTo(HelperReply.Status.OK);
    }

    @Test
    void stoppedLoopRejectsSubmissionsWithClearError() {
        Executor stopped = c -> { throw new RejectedExecutionException("loop stopped"); };
        HelperPool pool = new HelperPool(config().build(), new FakeLauncher(), new FakeClock(), stopped);
        assertThat(failure(pool.submit("x"))).isInstanceOf(HelperException.Closed.class);
    }

    @Test
    void callbacksMaySubmitAgainReentrantly() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build());
        f.launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        f.start();
        List<String> got = new ArrayList<>();
        f.submit("first").thenAccept(r -> {
            got.add(r.kv().get("echo"));
            f.submit("second").thenAccept(r2 -> got.add(r2.kv().get("echo")));
        });
        f.run();
        assertThat(got).containsExactly("first", "second");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void eventsForUnknownHelpersAreIgnored() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        f.pool.onData(99, ByteBuffer.wrap("OK\n".getBytes()));
        f.pool.onEof(99);
        f.pool.onWritable(99);
        f.pool.onExit(99, HelperExit.exited(0));
        assertThat(f.stats().running()).isEqualTo(1);
    }

    @Test
    void nextDeadlineTracksTimers() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).requestTimeout(Duration.ofSeconds(3)).build()).start();
        assertThat(f.pool.nextDeadline()).isEmpty();
        f.submit("x");
        assertThat(f.pool.nextDeadline()).hasValue(f.clock.nanoTime() + Duration.ofSeconds(3).toNanos());
        f.launcher.helper(0).reply("OK");
        assertThat(f.pool.nextDeadline()).isEmpty(); // cancelled with the reply
    }

    @Test
    void perHelperStatsAndLastExit() {
        PoolFixture f = new PoolFixture(config().children(2).startup(2).build()).start();
        f.submit("a");
        f.launcher.helper(0).reply("OK");
        f.launcher.helper(1).end(HelperExit.exited(3));
        HelperPoolStats s = f.stats();
        assertThat(s.helpers()).hasSize(1);
        assertThat(s.helpers().get(0).requests()).isEqualTo(1);
        assertThat(s.helpers().get(0).replies()).isEqualTo(1);
        assertThat(s.recentExits()).singleElement().satisfies(h -> {
            assertThat(h.lastExit()).isEqualTo(HelperExit.exited(3));
            assertThat(h.state()).isEqualTo(HelperState.EXITED);
        });
        assertThat(s.deaths()).isEqualTo(1);
    }

    @Test
    void exitWithoutEofStillFailsInFlight() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        var r = f.submit("a");
        f.pool.onExit(f.launcher.helper(0).id, HelperExit.killed(9));
        assertThat(failure(r)).isInstanceOf(HelperException.Died.class).hasMessageContaining("killed by signal 9");
        f.pool.onEof(f.launcher.helper(0).id); // late EOF: ignored
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void shutdownEndsReservationsSoReservedHelpersCanClose() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).stateful(true).build()).start();
        FakeHelper h = f.launcher.helper(0);
        HelperReservation res = f.reserve().join();
        var step = f.submit(res, "YR");
        var done = f.pool.shutdown(Duration.ofSeconds(30));
        assertThat(h.closed).isFalse();
        h.reply("TT challenge");
        assertThat(step).isCompleted();
        assertThat(h.closed).isTrue();
        f.run();
        assertThat(done).isCompleted();
        assertThat(failure(f.submit(res, "KK"))).isInstanceOf(HelperException.Closed.class);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void annotationsKeepReplyOrder() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        var r = f.submit("x");
        f.launcher.helper(0).reply("OK z=1 a=2 m=3");
        assertThat(r.join().kv().keySet()).containsExactly("z", "a", "m");
    }
}
