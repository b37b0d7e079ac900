package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HelperPoolConfigTest {
    @Test
    void defaults() {
        HelperPoolConfig c = HelperPoolConfig.builder("url_rewriter").build();
        assertThat(c.children()).isEqualTo(5);
        assertThat(c.startup()).isZero();
        assertThat(c.idle()).isEqualTo(1);
        assertThat(c.concurrency()).isZero();
        assertThat(c.queueLimit()).isEqualTo(10); // 2 × children
        assertThat(c.maxReplyLine()).isEqualTo(128 * 1024);
        assertThat(c.bhRetries()).isEqualTo(2);
        assertThat(c.reservationTimeout()).isEqualTo(Duration.ofSeconds(64));
        assertThat(c.channelIdDialect()).isEqualTo(ChannelIdDialect.MONOTONIC);
        // Squid's, issue 12 items 6-8 (docs/helpers.md "Overload", "Restart", "Timeouts").
        assertThat(c.overloadPolicy()).isEqualTo(OverloadPolicy.QUEUE);
        assertThat(c.persistentOverloadAfter()).isEqualTo(Duration.ofMinutes(3));
        assertThat(c.onPersistentOverload()).isEqualTo(PersistentOverloadAction.DIE);
        assertThat(c.admissionLimit()).isEqualTo(HelperPoolConfig.DEFAULT_QUEUED_ADMISSION_LIMIT);
        assertThat(c.deadHelperReplacement()).isEqualTo(DeadHelperReplacement.AT_ONCE);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ZERO);
        assertThat(c.onTimeout()).isEqualTo(TimeoutAction.FAIL);
    }

    @Test
    void eachHelperKindStartsFromSquidsDefaultSizing() {
        // Squid 5.7 src/cf.data.pre and its SchemeConfig / external_acl defaults (docs/helpers.md, "squid.conf → procmaster").
        record Sizing(int children, int startup, int idle, int concurrency, boolean stateful, int queueLimit) {}
        java.util.Map<HelperKind, Sizing> squid = new java.util.EnumMap<>(HelperKind.class);
        squid.put(HelperKind.GENERIC, new Sizing(5, 0, 1, 0, false, 10));
        squid.put(HelperKind.BASIC_AUTH, new Sizing(20, 0, 1, 0, false, 40));
        squid.put(HelperKind.DIGEST_AUTH, new Sizing(20, 0, 1, 0, false, 40));
        squid.put(HelperKind.NTLM_AUTH, new Sizing(20, 0, 1, 0, true, 40));
        squid.put(HelperKind.NEGOTIATE_AUTH, new Sizing(20, 0, 1, 0, true, 40));
        squid.put(HelperKind.EXTERNAL_ACL, new Sizing(5, 0, 1, 0, false, 10));
        squid.put(HelperKind.URL_REWRITE, new Sizing(20, 0, 1, 0, false, 40));
        squid.put(HelperKind.STORE_ID, new Sizing(20, 0, 1, 0, false, 40));
        squid.put(HelperKind.SSL_CERT_GENERATOR, new Sizing(32, 5, 1, 0, false, 64));
        squid.put(HelperKind.SSL_CERT_VALIDATOR, new Sizing(32, 5, 1, 1, false, 64));
        assertThat(squid.keySet()).containsExactlyInAnyOrder(HelperKind.values());
        squid.forEach((kind, want) -> {
            HelperPoolConfig c = HelperPoolConfig.builder("k", kind).build();
            assertThat(new Sizing(c.children(), c.startup(), c.idle(), c.concurrency(), c.stateful(), c.queueLimit()))
                    .as("%s", kind).isEqualTo(want);
        });
    }

    @Test
    void aKindsStartupTheCallerNeverSetIsCappedToChildren() {
        // Review 12 item 10: SSL_CERT_VALIDATOR's startup 5 made children(2) throw "startup must be within 0..2, got 5".
        HelperPoolConfig v = HelperPoolConfig.builder("v", HelperKind.SSL_CERT_VALIDATOR).children(2).build();
        assertThat(v.children()).isEqualTo(2);
        assertThat(v.startup()).isEqualTo(2);
        assertThat(HelperPoolConfig.builder("g", HelperKind.SSL_CERT_GENERATOR).children(1).build().startup()).isEqualTo(1);
        assertThat(HelperPoolConfig.builder("g", HelperKind.SSL_CERT_GENERATOR).build().startup()).as("uncapped when it fits").isEqualTo(5);
        // Values the caller set stay strict, whatever the order of the calls.
        assertThatThrownBy(() -> HelperPoolConfig.builder("v", HelperKind.SSL_CERT_VALIDATOR).startup(5).children(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startup must be within 0..2, got 5");
        assertThatThrownBy(() -> HelperPoolConfig.builder("v", HelperKind.SSL_CERT_VALIDATOR).children(2).startup(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startup must be within 0..2, got 3");
        // toBuilder (reconfigure) keeps who set it: the kind's default follows the new children.
        HelperPoolConfig fits = HelperPoolConfig.builder("g", HelperKind.SSL_CERT_GENERATOR).build();
        assertThat(fits.toBuilder().children(2).build().startup()).isEqualTo(2);
        assertThat(v.toBuilder().children(32).build().startup()).isEqualTo(5);
        HelperPoolConfig set = HelperPoolConfig.builder("g", HelperKind.SSL_CERT_GENERATOR).startup(4).build();
        assertThatThrownBy(() -> set.toBuilder().children(2).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startup must be within 0..2, got 4");
    }

    @Test
    void invalidSettingsAreAllReportedNotCapped() {
        assertThatThrownBy(() -> HelperPoolConfig.builder("x").children(0).startup(3).idle(0).concurrency(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("children (maximum processes) must be at least 1, got 0")
                .hasMessageContaining("startup must be within 0..0, got 3")
                .hasMessageContaining("idle must be within")
                .hasMessageContaining("concurrency must be >= 0");
        assertThatThrownBy(() -> HelperPoolConfig.builder("x").stateful(true).concurrency(2).build())
                .hasMessageContaining("stateful helpers take one request at a time");
        assertThatThrownBy(() -> HelperPoolConfig.builder("x").restartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .hasMessageContaining("below initial");
        assertThatThrownBy(() -> HelperPoolConfig.builder("x").requestTimeout(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("requestTimeout must be a non-negative duration");
    }

    @Test
    void admissionLimitIsTheQueueLimitPlusEveryHelpersInFlightSlots() {
        // Under FAIL and BYPASS, which refuse beyond the queue limit (under QUEUE: SquidOverloadTest).
        assertThat(HelperPoolConfig.builder("x").overloadPolicy(OverloadPolicy.FAIL).build().admissionLimit())
                .isEqualTo(10 + 5); // classic: one per helper
        assertThat(HelperPoolConfig.builder("x").children(4).concurrency(8).queueLimit(10).overloadPolicy(OverloadPolicy.BYPASS)
                .build().admissionLimit()).isEqualTo(10 + 4 * 8);
        assertThat(HelperPoolConfig.builder("x").children(2).queueLimit(0).stateful(true).overloadPolicy(OverloadPolicy.FAIL)
                .build().admissionLimit()).isEqualTo(2);
        assertThat(HelperPoolConfig.builder("x").overloadPolicy(OverloadPolicy.FAIL).admissionLimit(3).build().admissionLimit())
                .isEqualTo(3);
        assertThatThrownBy(() -> HelperPoolConfig.builder("x").admissionLimit(0).build())
                .hasMessageContaining("admissionLimit must be >= 1, got 0");
        assertThat(HelperPoolConfig.builder("x").children(1000).concurrency(Integer.MAX_VALUE).queueLimit(Integer.MAX_VALUE)
                .build().admissionLimit()).isEqualTo(Integer.MAX_VALUE); // saturates, never wraps
    }

    @Test
    void toBuilderRoundTrips() {
        HelperPoolConfig c = HelperPoolConfig.builder("x").children(7).concurrency(3).queueLimit(0)
                .overloadPolicy(OverloadPolicy.BYPASS).build();
        HelperPoolConfig d = c.toBuilder().build();
        assertThat(d.toString()).isEqualTo(c.toString());
    }
}
