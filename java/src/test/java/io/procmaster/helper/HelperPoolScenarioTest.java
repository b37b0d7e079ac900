package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static io.procmaster.helper.PoolFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The pool and protocol scenarios of docs/helper-ipc.md §4, in their "(new)" form. Channel
 * scenarios (1–4, 6–10, 31, 32) belong to the spawn layer; 5 is covered here from the pool's side.
 */
class HelperPoolScenarioTest {

    @Test
    void scenario05_startFailureIsReportedSynchronouslyAndCountedAsDeath() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).breaker(3, Duration.ofSeconds(30)).build());
        f.launcher.failAll = true;
        f.start();
        assertThat(f.stats().startFailures()).isEqualTo(1);
        assertThat(f.stats().running()).isZero();
        f.advance(Duration.ofMillis(100)); // backoff 100 ms, then 200 ms
        f.advance(Duration.ofMillis(200));
        assertThat(f.stats().startFailures()).isEqualTo(3);
        assertThat(f.stats().breakerOpen()).isTrue();
        Throwable t = failure(f.submit("x"));
        assertThat(t).isInstanceOf(HelperException.Unavailable.class).hasMessageContaining("crash-loop breaker open");
        assertThat(t.getCause()).isInstanceOf(HelperException.Start.class).hasMessageContaining("No such file");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario11_poolStartStartsExactlyStartupProcesses() {
        PoolFixture f = new PoolFixture(config().children(3).startup(3).build()).start();
        assertThat(f.launcher.started).hasSize(3);
        assertThat(f.stats().running()).isEqualTo(3);
        assertThat(f.stats().active()).isEqualTo(3);
        assertThat(f.stats().helpers()).extracting(HelperStats::state).containsOnly(HelperState.READY);
    }

    @Test
    void scenario12_classicDispatchOneLinePerHelperAndQueueing() {
        PoolFixture f = new PoolFixture(config().children(3).startup(3).build()).start();
        List<String> order = new ArrayList<>();
        List<CompletableFuture<HelperReply>> r = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String name = "req" + i;
            r.add(f.submit(name).whenComplete((v, e) -> order.add(name)));
        }
        assertThat(f.launcher.started).allSatisfy(h -> assertThat(h.lines).hasSize(1));
        assertThat(f.stats().queueLength()).isEqualTo(1);
        FakeHelper second = f.launcher.helper(1);
        second.reply("OK a=2");
        assertThat(second.lines).containsExactly("req2", "req4");
        assertThat(f.stats().queueLength()).isZero();
        second.reply("OK a=4");
        f.launcher.helper(0).reply("OK a=1");
        f.launcher.helper(2).reply("OK a=3");
        assertThat(order).containsExactly("req2", "req4", "req1", "req3");
        assertThat(r.get(3).join().kv()).containsEntry("a", "4");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario13_newlineContractRejectsEmbeddedLineFeedAndAppendsTerminator() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        assertThat(failure(f.submit("a\nb"))).isInstanceOf(HelperException.InvalidRequest.class)
                .hasMessageContaining("must not contain a line feed");
        assertThat(failure(f.submit("trailing\n"))).isInstanceOf(HelperException.InvalidRequest.class);
        f.submit("no terminator");
        assertThat(f.launcher.helper(0).lines).containsExactly("no terminator"); // a complete line
        f.launcher.helper(0).reply("OK");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario14_slotChannelIdsAreReusedLuscaStyle() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(2)
                .channelIdDialect(ChannelIdDialect.SLOT).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var a = f.submit("a");
        f.submit("b");
        var c = f.submit("c");
        assertThat(h.lines).containsExactly("0 a", "1 b");
        assertThat(f.stats().queueLength()).isEqualTo(1);
        h.reply("0 OK");
        assertThat(a.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(h.lines).containsExactly("0 a", "1 b", "0 c");
        h.reply("1 OK");
        h.reply("0 ERR");
        assertThat(c.join().status()).isEqualTo(HelperReply.Status.ERR);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario15_monotonicChannelIdsNeverReusedAndOutOfOrderReplies() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(2)
                .channelIdDialect(ChannelIdDialect.MONOTONIC).build()).start();
        FakeHelper h = f.launcher.helper(0);
        List<String> order = new ArrayList<>();
        f.submit("a").thenRun(() -> order.add("a"));
        f.submit("b").thenRun(() -> order.add("b"));
        f.submit("c").thenRun(() -> order.add("c"));
        assertThat(h.lines).containsExactly("1 a", "2 b");
        h.reply("2 OK");
        assertThat(order).containsExactly("b");
        assertThat(h.lines).containsExactly("1 a", "2 b", "3 c");
        h.reply("1 OK");
        h.reply("3 OK");
        assertThat(order).containsExactly("b", "a", "c");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario16_replyOnUnknownChannelIsLoggedAndCountedHelperStays() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(2)
                .channelIdDialect(ChannelIdDialect.SLOT).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var a = f.submit("a");
        h.reply("7 foo");
        h.reply("not-an-id foo");
        h.reply("-1 OK");
        assertThat(f.stats().unknownChannelReplies()).isEqualTo(3);
        assertThat(a).isNotDone();
        assertThat(h.killed || h.closed).isFalse();
        assertThat(f.stats().helpers().get(0).pending()).isEqualTo(1);
        h.reply("0 OK");
        assertThat(a).isCompleted();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario17_framingCrLfSeveralLinesPerReadAndSplitLines() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(3).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var a = f.submit("a");
        var b = f.submit("b");
        var c = f.submit("c");
        h.send("1 a\r\n");
        assertThat(a.join().text()).isEqualTo("a");
        assertThat(a.join().status()).isEqualTo(HelperReply.Status.UNKNOWN); // legacy free text
        h.send("2 OK x=1\n3 OK y=");
        assertThat(b.join().kv()).containsEntry("x", "1");
        assertThat(c).isNotDone();
        h.send("%41");
        h.send("B\n");
        assertThat(c.join().kv()).containsEntry("y", "AB");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario18_unsolicitedOutputOfClassicHelperKillsAndReplacesIt() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        FakeHelper h = f.launcher.helper(0);
        h.reply("hello");
        assertThat(h.killed).isTrue();
        assertThat(f.stats().unsolicitedReplies()).isEqualTo(1);
        f.run();
        f.advance(Duration.ofMillis(100)); // restart backoff
        assertThat(f.launcher.started).hasSize(2);
        assertThat(f.stats().restarts()).isEqualTo(1);
        assertThat(f.stats().recentExits()).extracting(HelperStats::lastExit).containsExactly(HelperExit.killed(9));
    }

    @Test
    void scenario19_deathWithWorkInFlightFailsEachRequestOnceQueuedOnesSurvive() {
        PoolFixture f = new PoolFixture(config().children(2).startup(2).concurrency(2).build()).start();
        List<CompletableFuture<HelperReply>> r = new ArrayList<>();
        for (int i = 0; i < 5; i++) r.add(f.submit("q" + i));
        assertThat(f.stats().queueLength()).isEqualTo(1);
        FakeHelper dying = f.launcher.helper(0);
        dying.crash();
        assertThat(failure(r.get(0))).isInstanceOf(HelperException.Died.class).hasMessageContaining("#1");
        assertThat(failure(r.get(2))).isInstanceOf(HelperException.Died.class);
        assertThat(r.get(4)).isNotDone(); // queued: waits for a helper, is not failed
        f.advance(Duration.ofMillis(100));
        FakeHelper replacement = f.launcher.helper(2);
        assertThat(replacement.lines).containsExactly("1 q4");
        replacement.reply("1 OK");
        FakeHelper other = f.launcher.helper(1);
        other.reply("1 OK");
        other.reply("2 OK");
        assertThat(f.stats().recentExits().get(0).lastExit()).isEqualTo(HelperExit.killed(11));
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario20_restartsOneForOneWithBackoffAndBreakerInsteadOfFatal() {
        PoolFixture f = new PoolFixture(config().children(5).startup(5).breaker(5, Duration.ofSeconds(30)).build());
        f.launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        f.start();
        for (int i = 0; i < 3; i++) f.launcher.alive().get(0).crash();
        assertThat(f.stats().running()).isEqualTo(2);
        f.advance(Duration.ofSeconds(1)); // backoff 100, 200, 400 ms: all owed restarts happened
        assertThat(f.stats().running()).isEqualTo(5); // no overshoot: never more than children
        assertThat(f.stats().restarts()).isEqualTo(3);
        for (int i = 0; i < 2; i++) f.launcher.alive().get(0).crash();
        assertThat(f.stats().breakerOpen()).isTrue();
        // Open: one probe request may go to a live helper, everything else fails fast.
        var firstProbe = f.submit("probe on a survivor");
        assertThat(failure(f.submit("while open"))).isInstanceOf(HelperException.Unavailable.class)
                .hasMessageContaining("crash-loop breaker open");
        // Kill everything: the probe fails; the pool keeps one restart going with backoff, then probes again.
        for (FakeHelper h : f.launcher.alive()) h.crash();
        assertThat(failure(firstProbe)).isInstanceOf(HelperException.Died.class);
        f.advance(Duration.ofSeconds(10));
        assertThat(f.stats().running()).isEqualTo(1);
        var probe = f.submit("probe");
        var rejected = f.submit("second while probing");
        assertThat(failure(rejected)).isInstanceOf(HelperException.Unavailable.class);
        f.run();
        assertThat(probe.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(f.stats().breakerOpen()).isFalse();
        var after = f.submit("after");
        f.run();
        assertThat(after).isCompleted();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario21_dynamicSizingStartsOnDemandUpToChildren() {
        PoolFixture f = new PoolFixture(config().children(5).startup(0).idle(1).build()).start();
        assertThat(f.launcher.started).isEmpty();
        f.submit("1");
        assertThat(f.launcher.started).hasSize(1);
        for (int i = 2; i <= 5; i++) {
            f.submit(Integer.toString(i));
            assertThat(f.launcher.started).hasSize(i);
        }
        f.submit("6");
        f.submit("7");
        assertThat(f.launcher.started).hasSize(5);
        assertThat(f.stats().active()).isEqualTo(5);
        assertThat(f.stats().queueLength()).isEqualTo(2);
    }

    @Test
    void scenario22_boundedQueueRejectsInsteadOfFatal() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).queueLimit(7)
                .overloadPolicy(OverloadPolicy.FAIL).build()).start(); // the old immediate refusal (Squid's: SquidOverloadTest)
        List<CompletableFuture<HelperReply>> r = new ArrayList<>();
        for (int i = 1; i <= 8; i++) r.add(f.submit("r" + i));
        assertThat(f.stats().queueLength()).isEqualTo(7);
        f.advance(Duration.ofSeconds(30));
        var ninth = f.submit("r9");
        // Refused where the caller stands: 1 in flight + 7 queued is the pool's admission limit.
        assertThat(failure(ninth)).isInstanceOf(HelperException.Overload.class)
                .hasMessageContaining("8 requests admitted").hasMessageContaining("queue limit 7");
        assertThat(f.stats().overloadRejected()).isEqualTo(1);
        assertThat(r).noneMatch(CompletableFuture::isDone); // the pool lives on; nothing else affected
    }

    @Test
    void scenario23_persistentOverloadErrImmediatelyAndRecovery() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).queueLimit(2)
                .overloadPolicy(OverloadPolicy.FAIL).build()).start(); // the old immediate refusal (Squid's: SquidOverloadTest)
        FakeHelper h = f.launcher.helper(0);
        f.submit("inflight");
        f.submit("q1");
        f.submit("q2");
        assertThat(failure(f.submit("q3"))).isInstanceOf(HelperException.Overload.class);
        h.reply("OK");
        h.reply("OK");
        h.reply("OK");
        assertThat(f.stats().queueLength()).isZero();
        var later = f.submit("later");
        h.reply("OK");
        assertThat(later).isCompleted();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario23_overloadWithBypassPolicyAnswersBypassed() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).queueLimit(0)
                .overloadPolicy(OverloadPolicy.BYPASS).build()).start();
        f.submit("inflight");
        HelperReply r = f.submit("bypass me").join();
        assertThat(r.isBypassed()).isTrue();
        assertThat(r.status()).isEqualTo(HelperReply.Status.BYPASSED);
        assertThat(f.stats().bypassed()).isEqualTo(1);
        assertThat(f.launcher.helper(0).lines).containsExactly("inflight");
    }

    @Test
    void scenario24_timeoutWithChannelIdsDropsLateReplyQuietly() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).concurrency(2)
                .requestTimeout(Duration.ofSeconds(2)).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var slow = f.submit("slow");
        f.advance(Duration.ofSeconds(2));
        assertThat(failure(slow)).isInstanceOf(HelperException.Timeout.class).hasMessageContaining("2000 ms");
        h.reply("1 OK late");
        assertThat(f.stats().timeouts()).isEqualTo(1);
        assertThat(f.stats().lateReplies()).isEqualTo(1);
        assertThat(f.stats().unknownChannelReplies()).isZero();
        assertThat(h.killed).isFalse();
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario24_timeoutInClassicModeKillsAndReplacesHelper() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1)
                .requestTimeout(Duration.ofSeconds(2)).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var slow = f.submit("slow");
        var queued = f.submit("queued");
        f.advance(Duration.ofSeconds(2));
        assertThat(failure(slow)).isInstanceOf(HelperException.Timeout.class);
        assertThat(h.killed).isTrue();
        assertThat(failure(queued)).isInstanceOf(HelperException.Timeout.class).hasMessageContaining("queue");
        f.advance(Duration.ofMillis(100));
        assertThat(f.launcher.started).hasSize(2);
        var next = f.submit("next");
        f.launcher.helper(1).reply("OK");
        assertThat(next.join().status()).isEqualTo(HelperReply.Status.OK);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario25_bhRetriesThenDeliversBh() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).bhRetries(2).build());
        f.launcher.onStart = h -> h.responder = line -> "BH oops";
        f.start();
        var r = f.submit("req");
        f.run();
        assertThat(f.launcher.helper(0).lines).containsExactly("req", "req", "req");
        HelperReply reply = r.join();
        assertThat(reply.status()).isEqualTo(HelperReply.Status.BH);
        assertThat(reply.text()).isEqualTo("oops");
        assertThat(f.stats().retries()).isEqualTo(2);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario25_bhRetryPrefersAnotherHelper() {
        PoolFixture f = new PoolFixture(config().children(2).startup(2).bhRetries(1).build()).start();
        var r = f.submit("req");
        f.launcher.helper(0).reply("BH broken");
        assertThat(f.launcher.helper(1).lines).containsExactly("req");
        f.launcher.helper(1).reply("OK");
        assertThat(r.join().status()).isEqualTo(HelperReply.Status.OK);
    }

    @Test
    void scenario26_statefulReservationQueuesOthersUntilRelease() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).stateful(true).build()).start();
        FakeHelper h = f.launcher.helper(0);
        HelperReservation first = f.reserve().join();
        assertThat(first.toString()).startsWith("hlpRes");
        var step1 = f.submit(first, "YR token");
        h.reply("TT challenge");
        assertThat(step1.join().status()).isEqualTo(HelperReply.Status.TT); // Squid's challenge, its token a note
        assertThat(step1.join().token()).hasValue("challenge");
        var second = f.reserve();
        assertThat(second).isNotDone(); // the helper stays reserved after the reply
        assertThat(f.stats().helpers().get(0).reserved()).isTrue();
        f.pool.release(first);
        HelperReservation next = second.join();
        f.submit(next, "YR other");
        assertThat(h.lastLine()).isEqualTo("YR other");
        h.reply("OK user=bob");
        assertThat(failure(f.submit(first, "KK late"))).isInstanceOf(HelperException.Reservation.class)
                .hasMessageContaining("released");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario26_staleReservationExpires() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).stateful(true)
                .reservationTimeout(Duration.ofSeconds(64)).requestTimeout(Duration.ofSeconds(120)).build()).start();
        HelperReservation res = f.reserve().join();
        var waiting = f.reserve();
        f.advance(Duration.ofSeconds(64));
        assertThat(waiting).isCompleted(); // the expired reservation's helper was taken over
        assertThat(failure(f.submit(res, "KK token"))).isInstanceOf(HelperException.Reservation.class)
                .hasMessageContaining("expired");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario27_gracefulShutdownClosesIdleAtOnceBusyAfterLastReply() {
        PoolFixture f = new PoolFixture(config().children(2).startup(2).build()).start();
        FakeHelper busy = f.launcher.helper(0);
        FakeHelper idle = f.launcher.helper(1);
        var inflight = f.submit("working");
        var done = f.pool.shutdown(Duration.ofSeconds(30));
        assertThat(idle.closed).isTrue();
        assertThat(busy.closed).isFalse();
        assertThat(failure(f.submit("too late"))).isInstanceOf(HelperException.Closed.class);
        assertThat(busy.lines).containsExactly("working");
        busy.reply("OK");
        assertThat(inflight.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(busy.closed).isTrue();
        f.run();
        assertThat(done).isCompleted();
        assertThat(busy.killed || idle.killed).isFalse(); // no signal needed
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario28_reconfigureCarriesQueuedRequestsToNewHelpers() {
        PoolFixture f = new PoolFixture(config().children(3).startup(3).build()).start();
        List<CompletableFuture<HelperReply>> busy = new ArrayList<>();
        for (int i = 0; i < 3; i++) busy.add(f.submit("old" + i));
        var queued = f.submit("queued");
        f.pool.reconfigure(config().children(3).startup(3).concurrency(2).build(), f.launcher).join();
        assertThat(f.launcher.started).hasSize(6);
        FakeHelper fresh = f.launcher.helper(3);
        assertThat(fresh.lines).containsExactly("1 queued"); // the new generation's protocol
        fresh.reply("1 OK new");
        assertThat(queued.join().text()).isEqualTo("new");
        for (int i = 0; i < 3; i++) {
            FakeHelper old = f.launcher.helper(i);
            assertThat(old.closed).isFalse(); // draining its request first
            old.reply("OK old");
            assertThat(old.closed).isTrue();
        }
        f.run();
        assertThat(f.stats().running()).isEqualTo(3);
        assertThat(f.stats().deaths()).isZero(); // retirement is not death
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario29_oversizedReplyKillsHelperWithExplicitError() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).maxReplyLine(8192).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var r = f.submit("big");
        h.reply("OK " + "x".repeat(8200));
        assertThat(failure(r)).isInstanceOf(HelperException.ReplyTooLong.class).hasMessageContaining("8192-byte limit");
        assertThat(h.killed).isTrue();
        assertThat(f.stats().tooLongReplies()).isEqualTo(1);
        f.advance(Duration.ofMillis(100));
        assertThat(f.launcher.started).hasSize(2);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void scenario30_statsAverageAndCounters() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        FakeHelper h = f.launcher.helper(0);
        f.submit("a");
        f.clock.advance(Duration.ofMillis(10));
        h.reply("OK");
        assertThat(f.stats().serviceTimeMeanMicros()).isEqualTo(10_000);
        f.submit("b");
        f.clock.advance(Duration.ofMillis(20));
        h.reply("OK");
        assertThat(f.stats().serviceTimeMeanMicros()).isEqualTo(15_000);
        for (int i = 0; i < 8; i++) {
            f.submit("c" + i);
            h.reply("OK");
        }
        HelperPoolStats s = f.stats();
        assertThat(s.sent()).isEqualTo(10);
        assertThat(s.replies()).isEqualTo(10);
        assertThat(s.queueLength()).isZero();
        assertThat(s.helpers().get(0).requests()).isEqualTo(10);
        assertThat(s.serviceTimeP99Micros()).isEqualTo(20_000); // clamped to the largest sample
        f.assertEveryRequestCompletedExactlyOnce();
    }
}
