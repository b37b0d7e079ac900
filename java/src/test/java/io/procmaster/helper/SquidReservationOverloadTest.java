package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 12, finding 9: Squid 5.7's statefulhelper::trySubmit (helper.cc) runs prepSubmit for
 * every stateful submission, a step on a reservation included: under a persistent overload with
 * {@code on-persistent-overload=ERR} the second leg of an NTLM handshake is answered ERR too, and
 * not sent. docs/helpers.md "Overload".
 */
class SquidReservationOverloadTest {

    @Test
    void aStepOnAReservationGetsThePersistentOverloadErrAsInSquid() {
        PoolFixture f = new PoolFixture(HelperPoolConfig.builder("ntlm-overload").children(2).startup(2).stateful(true).reservationTimeout(Duration.ofHours(1))
                .queueLimit(1).persistentOverload(Duration.ofMinutes(3), PersistentOverloadAction.ERR).build()).start();
        HelperReservation res = f.reserve().join();
        List<CompletableFuture<HelperReply>> plain = new ArrayList<>();
        for (int i = 0; i < 3; i++) plain.add(f.submit("plain" + i)); // 1 on the other helper, 2 queued: over the limit of 1
        f.advance(Duration.ofMinutes(3).plusSeconds(1));
        FakeHelper reserved = f.launcher.started.stream().filter(h -> h.lines.isEmpty()).findFirst().orElseThrow();

        CompletableFuture<HelperReply> step = f.submit(res, "YR token");
        assertThat(step).isCompleted();
        assertThat(step.join().status()).isEqualTo(HelperReply.Status.ERR);
        assertThat(reserved.lines).as("the step was not sent").isEmpty();
        assertThat(f.stats().overloadRejected()).isEqualTo(1);
    }

    @Test
    void aStepOnAReleasedReservationIsStillRefusedAsOneUnderPersistentOverload() {
        // The verdict is for requests the pool could serve: a step that cannot be (its reservation is
        // gone) gets the reservation's error, not an ERR reply (review 12b finding 4).
        PoolFixture f = new PoolFixture(HelperPoolConfig.builder("ntlm-overload").children(2).startup(2).stateful(true).reservationTimeout(Duration.ofHours(1))
                .queueLimit(1).persistentOverload(Duration.ofMinutes(3), PersistentOverloadAction.ERR).build()).start();
        HelperReservation res = f.reserve().join();
        f.pool.release(res);
        f.run();
        List<CompletableFuture<HelperReply>> plain = new ArrayList<>();
        for (int i = 0; i < 4; i++) plain.add(f.submit("plain" + i)); // 2 on the helpers, 2 queued: over the limit of 1
        f.advance(Duration.ofMinutes(3).plusSeconds(1));

        CompletableFuture<HelperReply> step = f.submit(res, "YR token");
        assertThat(step).isCompletedExceptionally();
        assertThat(PoolFixture.failure(step)).isInstanceOf(HelperException.Reservation.class);
        assertThat(f.stats().overloadRejected()).isZero();
    }
}
