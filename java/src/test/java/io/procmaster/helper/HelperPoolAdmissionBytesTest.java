package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static io.procmaster.helper.PoolFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Review 12 item 7: the admission limit counted requests, not bytes, so 10 000 requests of 64 KiB
 * (about 640 MB) were admitted under QUEUE before the first refusal. The admission byte budget
 * ({@link HelperPoolConfig#admissionByteLimit()}, 64 MiB by default) bounds the bytes of the
 * requests held: a request that would take the held bytes beyond it is refused at submit by the
 * overload policy, naming the budget; one that reaches it exactly is admitted; completion gives the
 * bytes back.
 *
 * <p>Before: {@code theDefaultBudgetRefusesRequestsBeyondSixtyFourMebibytes} failed (the third 24 MiB
 * request was admitted: "Expecting CompletableFuture to be completed exceptionally").
 */
class HelperPoolAdmissionBytesTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void theDefaultBudgetRefusesRequestsBeyondSixtyFourMebibytes() {
        // No helper ever starts: every admitted request stays held. One String instance, counted per
        // request (24 Mi chars each): 48 Mi fit the default 64 MiB, 72 Mi do not.
        PoolFixture f = new PoolFixture(config().build());
        f.launcher.failAll = true;
        f.start();
        String big = "a".repeat(24 * MIB);
        CompletableFuture<HelperReply> first = f.submit(big);
        CompletableFuture<HelperReply> second = f.submit(big);
        CompletableFuture<HelperReply> third = f.submit(big);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(failure(third)).isInstanceOf(HelperException.Overload.class)
                .hasMessageContaining("admission byte limit " + 64 * MIB);
        assertThat(HelperPoolConfig.builder("x").build().admissionByteLimit()).isEqualTo(64L * MIB);
        assertThat(f.stats().overloadRejected()).isEqualTo(1);
    }

    @Test
    void refusedBeyondTheBudgetNotBelowAndGivenBackOnCompletion() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).admissionByteLimit(100).build()).start();
        FakeHelper h = f.launcher.helper(0);
        CompletableFuture<HelperReply> a = f.submit(new String(new byte[60], StandardCharsets.ISO_8859_1).replace('\0', 'a'));
        CompletableFuture<HelperReply> tooMuch = f.pool.submit(bytes(41));
        assertThat(failure(tooMuch)).isInstanceOf(HelperException.Overload.class)
                .hasMessageContaining("admission byte limit 100").hasMessageContaining("41 bytes");
        CompletableFuture<HelperReply> exactly = f.track(f.pool.submit(bytes(40))); // 60 + 40 = the budget: admitted
        assertThat(exactly).isNotDone();
        CompletableFuture<HelperReply> reservation = f.submit("");
        assertThat(reservation).as("an empty request fits a full budget").isNotDone();
        assertThat(failure(f.pool.submit(bytes(1)))).isInstanceOf(HelperException.Overload.class);
        h.reply("OK");
        f.run();
        assertThat(a).isCompleted();
        CompletableFuture<HelperReply> again = f.track(f.pool.submit(bytes(60)));
        assertThat(again).as("the 60 bytes came back on completion").isNotDone();
        h.reply("OK");
        h.reply("OK");
        h.reply("OK");
        f.run();
        assertThat(exactly).isCompleted();
        assertThat(again).isCompleted();
        assertThat(f.pool.submit(bytes(100))).as("everything given back").isNotDone();
    }

    @Test
    void aRequestLargerThanTheBudgetIsRefusedAlone() {
        PoolFixture f = new PoolFixture(config().admissionByteLimit(10).build()).start();
        assertThat(failure(f.pool.submit(bytes(11)))).isInstanceOf(HelperException.Overload.class)
                .hasMessageContaining("admission byte limit 10");
    }

    @Test
    void batchesAndBypassFollowTheBudget() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).admissionByteLimit(100).build()).start();
        List<CompletableFuture<HelperReply>> batch = f.pool.submitAll(List.of("x".repeat(50), "y".repeat(50), "z".repeat(50)));
        assertThat(batch.get(0)).isNotDone();
        assertThat(batch.get(1)).isNotDone();
        assertThat(failure(batch.get(2))).isInstanceOf(HelperException.Overload.class).hasMessageContaining("admission byte limit");

        PoolFixture b = new PoolFixture(config().children(1).startup(1).overloadPolicy(OverloadPolicy.BYPASS)
                .admissionByteLimit(10).build()).start();
        assertThat(b.pool.submit(bytes(11)).join().isBypassed()).isTrue();
    }

    @Test
    void theBudgetMustBePositive() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config().admissionByteLimit(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("admissionByteLimit must be >= 1, got 0");
        HelperPoolConfig c = config().admissionByteLimit(12345).build();
        assertThat(c.toBuilder().build().admissionByteLimit()).isEqualTo(12345);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 'b');
        return b;
    }
}
