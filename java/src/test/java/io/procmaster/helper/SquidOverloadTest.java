package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.TestBin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 6, "Overload": the default pool behaves as Squid 5.7's helper.cc does. A request
 * beyond the queue limit is queued, not refused; the pool warns (rate limited, as Squid's Enqueue
 * warns once per 10 minutes); only when the queue has stayed over its limit for longer than
 * {@code persistentOverloadAfter} (Squid: 180 s, {@code prepSubmit}) does the persistent-overload
 * action apply: {@code ERR} answers new requests at once as ERR (Squid's SubmissionFailure),
 * {@code DIE} fails the pool (Squid's fatalf). docs/helpers.md "Overload".
 */
class SquidOverloadTest {
    /** A helper that never answers until the test says so. */
    private static PoolFixture hanging(HelperPoolConfig config) {
        return new PoolFixture(config).start();
    }

    private static void answerAll(PoolFixture f) {
        for (FakeHelper h : f.launcher.started) h.responder = FakeHelper.okClassic();
        // What the helpers already hold: answer each line once.
        for (FakeHelper h : f.launcher.started) for (String line : new ArrayList<>(h.lines)) if (!h.ended) h.reply("OK echo=" + line);
        f.run();
    }

    @Test
    void burstOf40IntoTwoChildrenIsQueuedNotRefused() {
        PoolFixture f = hanging(HelperPoolConfig.builder("squid-overload").children(2).build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 40; i++) replies.add(f.submit("r" + i));

        HelperPoolStats s = f.stats();
        assertThat(replies).as("nothing refused, nothing answered yet").noneMatch(CompletableFuture::isDone);
        assertThat(s.overloadRejected()).isZero();
        assertThat(s.queueLength()).isEqualTo(38); // 2 in flight on the 2 helpers, the rest queued
        assertThat(s.running()).isEqualTo(2);
        assertThat(s.overloadWarnings()).as("Squid's 'all helpers are busy' warning, once: rate limited").isEqualTo(1);

        answerAll(f);
        for (int i = 0; i < 40; i++) assertThat(replies.get(i).join().text()).isEqualTo("echo=r" + i);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void theOverloadWarningIsRateLimitedAsSquidsOncePer10Minutes() {
        PoolFixture f = hanging(HelperPoolConfig.builder("squid-warn").children(1).queueLimit(1)
                .persistentOverload(Duration.ofHours(1), PersistentOverloadAction.DIE).build());
        f.submit("in-flight");
        f.submit("queued");
        assertThat(f.stats().overloadWarnings()).as("the queue reached its limit").isEqualTo(1);
        f.submit("over");
        f.advance(Duration.ofMinutes(9));
        f.submit("9-min");
        assertThat(f.stats().overloadWarnings()).as("within 10 minutes of the last").isEqualTo(1);
        f.advance(Duration.ofMinutes(1));
        f.submit("10-min");
        assertThat(f.stats().overloadWarnings()).as("10 minutes after the last").isEqualTo(2);
        assertThat(f.stats().overloadRejected()).isZero();
        answerAll(f);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void failAndBypassKeepTheImmediateRefusalAtTheQueueLimit() {
        for (OverloadPolicy policy : new OverloadPolicy[] {OverloadPolicy.FAIL, OverloadPolicy.BYPASS}) {
            PoolFixture f = hanging(HelperPoolConfig.builder("old-" + policy).children(2).overloadPolicy(policy).build());
            List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
            for (int i = 0; i < 40; i++) replies.add(f.submit("r" + i));
            // 2 in flight, 4 queued (2 × children): the other 34 refused at once, as before issue 12.
            assertThat(replies.stream().filter(CompletableFuture::isDone).count()).as("%s", policy).isEqualTo(34);
            assertThat(f.pool.config().admissionLimit()).isEqualTo(4 + 2);
            assertThat(f.stats().overloadWarnings()).isZero();
        }
    }

    @Test
    void theAdmissionLimitStaysAHardCapAndCanBeSet() {
        assertThat(HelperPoolConfig.builder("d").children(4).build().admissionLimit())
                .isEqualTo(HelperPoolConfig.DEFAULT_QUEUED_ADMISSION_LIMIT);
        assertThat(HelperPoolConfig.builder("big").children(4).queueLimit(20_000).build().admissionLimit()).isEqualTo(20_004);
        PoolFixture f = hanging(HelperPoolConfig.builder("capped").children(2).admissionLimit(10).build());
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 11; i++) replies.add(f.submit("r" + i));
        assertThat(replies.subList(0, 10)).noneMatch(CompletableFuture::isDone);
        assertThat(PoolFixture.failure(replies.get(10))).isInstanceOf(HelperException.Overload.class)
                .hasMessageContaining("admission limit 10");
        answerAll(f);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void burstOf1000IntoFourHelpersIsNotRefused() {
        PoolFixture f = new PoolFixture(HelperPoolConfig.builder("squid-burst").children(4).build());
        f.launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        f.start();
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 1000; i++) replies.add(f.submit("r" + i)); // all before the helpers answer one

        assertThat(replies).noneMatch(CompletableFuture::isCompletedExceptionally);
        f.run();
        for (int i = 0; i < 1000; i++) assertThat(replies.get(i).join().text()).isEqualTo("echo=r" + i);
        HelperPoolStats s = f.stats();
        assertThat(s.overloadRejected()).isZero();
        assertThat(s.started()).isEqualTo(4);
        assertThat(s.maxQueueLength()).isGreaterThan(s.queueLength()).isGreaterThan(900);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void burstOf1000IntoFourRealHelpersOnTheRealLoopIsNotRefused() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("squid-burst-e2e").children(4).build(); // every other setting default
        try (HelperPools.Running running = HelperPools.startWithOwnLoop(config, HelperSpec.builder("burst", TestBin.path("pm-helper")).build())) {
            HelperPool pool = running.pool();
            List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
            for (int i = 0; i < 1000; i++) replies.add(pool.submit("r" + i)); // as fast as one thread submits
            for (int i = 0; i < 1000; i++) assertThat(replies.get(i).get(60, TimeUnit.SECONDS).text()).isEqualTo("r" + i);
            HelperPoolStats s = pool.statsAsync().get(10, TimeUnit.SECONDS);
            assertThat(s.overloadRejected()).isZero();
            assertThat(s.completedOk()).isEqualTo(1000);
            assertThat(s.running()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void persistentOverloadWithErrAnswersNewRequestsErrOnlyAfterTheLimitPersisted() {
        PoolFixture f = hanging(HelperPoolConfig.builder("squid-err").children(1).queueLimit(2)
                .persistentOverload(Duration.ofMinutes(3), PersistentOverloadAction.ERR).build());
        List<CompletableFuture<HelperReply>> early = new ArrayList<>();
        for (int i = 0; i < 4; i++) early.add(f.submit("early" + i)); // 1 in flight, 3 queued: over the limit of 2
        f.advance(Duration.ofMinutes(3)); // Squid acts only when more than 180 s have passed
        CompletableFuture<HelperReply> atThreeMinutes = f.submit("at-3-min");
        assertThat(atThreeMinutes).isNotDone();

        f.advance(Duration.ofSeconds(1));
        CompletableFuture<HelperReply> dropped = f.submit("dropped");
        assertThat(dropped).isCompleted();
        assertThat(dropped.join().status()).isEqualTo(HelperReply.Status.ERR);
        assertThat(f.stats().overloadRejected()).isEqualTo(1);
        assertThat(f.launcher.helper(0).lines).doesNotContain("dropped");

        answerAll(f); // the queue drains: the overload is over
        assertThat(early).allMatch(r -> r.join().status() == HelperReply.Status.OK);
        assertThat(atThreeMinutes.join().status()).isEqualTo(HelperReply.Status.OK);
        CompletableFuture<HelperReply> after = f.submit("after");
        f.run();
        assertThat(after.join().text()).isEqualTo("echo=after");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void persistentOverloadWithDieFailsWhatThePoolHeldAndRestartsItsHelpers() {
        // Squid's fatalf ends the process and its supervisor starts Squid and its helpers again; a
        // library pool does both itself (review finding 2): no permanent outage.
        PoolFixture f = hanging(HelperPoolConfig.builder("squid-die").children(1).queueLimit(2).build()); // default: 3 min, DIE
        List<CompletableFuture<HelperReply>> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) held.add(f.submit("held" + i));
        f.advance(Duration.ofMinutes(3).plusSeconds(1));
        f.launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        CompletableFuture<HelperReply> last = f.submit("last");
        f.run();

        for (CompletableFuture<HelperReply> r : held) {
            Throwable t = PoolFixture.failure(r);
            assertThat(t).isInstanceOf(HelperException.Overload.class).hasMessageContaining("persistent overload")
                    .hasMessageContaining("on-persistent-overload");
        }
        assertThat(PoolFixture.failure(last)).isInstanceOf(HelperException.Overload.class);
        assertThat(f.launcher.helper(0).ended).as("the old generation's helper ended").isTrue();
        HelperPoolStats s = f.stats();
        assertThat(s.generation()).as("a new generation of helpers").isEqualTo(1);
        assertThat(s.deaths()).as("the pool's own kills are no crashes").isZero();
        CompletableFuture<HelperReply> later = f.submit("later");
        f.run();
        assertThat(later.join().text()).as("the restarted pool serves").isEqualTo("echo=later");
        assertThat(f.launcher.started).as("on a helper of the new generation").hasSize(2);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void aShortDieThresholdRestartsThePoolAtMostOncePerSecond() {
        // A 20 ms threshold under sustained overload would otherwise kill and restart every helper
        // every 20 ms (review 12b finding 1); Squid's fixed 180 s cannot be set this low.
        PoolFixture f = hanging(HelperPoolConfig.builder("squid-die-storm").children(1).queueLimit(1)
                .persistentOverload(Duration.ofMillis(20), PersistentOverloadAction.DIE).build());
        for (int step = 0; step < 50; step++) { // 50 × 21 ms of sustained overload: about one second
            f.submit("a" + step);
            f.submit("b" + step);
            f.submit("c" + step);
            f.advance(Duration.ofMillis(21));
            f.submit("d" + step);
            f.run();
        }
        assertThat(f.stats().generation()).as("restarts within ~1 s of overload").isBetween(1, 2);
        f.advance(Duration.ofSeconds(1));
        f.submit("e");
        f.submit("f");
        f.submit("g");
        f.advance(Duration.ofMillis(21));
        f.submit("h");
        f.run();
        assertThat(f.stats().generation()).as("the overload persists past the floor: another restart").isGreaterThan(1);
    }
}
