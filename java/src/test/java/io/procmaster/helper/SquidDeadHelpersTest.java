package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.SquidHelpers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 7, "Dead helpers": a helper that dies is replaced at once, without waiting for load,
 * as Squid 5.7's handleKilledServer starts {@code needNew()} helpers (ChildConfig.cc: {@code idle},
 * at most up to {@code children}); after the restart backoff and under the crash-loop breaker.
 * docs/helpers.md "Restart".
 */
class SquidDeadHelpersTest {
    private static final Duration BACKOFF = Duration.ofMillis(100); // PoolFixture's initial restart backoff

    private static long alive(PoolFixture f) {
        return f.launcher.alive().size();
    }

    @Test
    void aKilledHelperIsReplacedWithoutLoadKeepingIdle() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(4).build()); // startup 0, idle 1
        f.start();
        CompletableFuture<HelperReply> a = f.submit("a"); // starts helper 1 (idle=1 on demand)
        CompletableFuture<HelperReply> b = f.submit("b"); // helper 1 busy: starts helper 2
        f.launcher.helper(0).reply("OK");
        f.launcher.helper(1).reply("OK");
        f.run();
        assertThat(a.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(b.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(alive(f)).isEqualTo(2);

        f.launcher.helper(0).crash(); // no request anywhere
        f.run();
        f.advance(BACKOFF);
        // Squid's needNew() after a death: active(1) + idle(1) < children(4), so idle = 1 new helper.
        assertThat(f.launcher.started).hasSize(3);
        assertThat(alive(f)).isEqualTo(2);
        assertThat(f.stats().restarts()).isEqualTo(1);
        assertThat(f.stats().queueLength()).isZero();
    }

    @Test
    void onDemandReplacementWaitsForLoadAsBefore() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(4)
                .deadHelperReplacement(DeadHelperReplacement.ON_DEMAND).build());
        f.start();
        CompletableFuture<HelperReply> a = f.submit("a");
        f.launcher.helper(0).reply("OK");
        f.run();
        assertThat(a.join().status()).isEqualTo(HelperReply.Status.OK);
        f.launcher.helper(0).crash();
        f.advance(Duration.ofMinutes(1));
        assertThat(f.launcher.started).as("no load, no replacement").hasSize(1);
        CompletableFuture<HelperReply> b = f.submit("b"); // load asks for one
        assertThat(f.launcher.started).hasSize(2);
        f.launcher.helper(1).reply("OK");
        f.run();
        assertThat(b.join().status()).isEqualTo(HelperReply.Status.OK);
        assertThat(f.stats().restarts()).isEqualTo(1);
    }

    @Test
    void replacementsWaitForTheBackoffAndTheBreaker() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(2).startup(1).breaker(3, Duration.ofSeconds(30)).build());
        f.start();
        f.launcher.failAll = true;
        f.launcher.helper(0).crash();
        f.run();
        assertThat(f.launcher.attempts).as("not before the restart backoff").isEqualTo(1);
        f.advance(Duration.ofSeconds(5)); // backoff 100 ms, 200 ms, ... until the breaker opens at 3 deaths
        assertThat(f.stats().breakerOpen()).isTrue();
        int attempts = f.launcher.attempts;
        assertThat(attempts).isBetween(3, 6);
        f.launcher.failAll = false;
        f.advance(Duration.ofSeconds(30));
        assertThat(f.launcher.alive()).as("one helper, to probe with, while the breaker is open").hasSize(1);
    }

    @Test
    void killedHelpersAreReplacedToKeepStartup() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(4).startup(2).build());
        f.start();
        assertThat(alive(f)).isEqualTo(2);
        f.launcher.helper(0).crash();
        f.launcher.helper(1).crash();
        f.run();
        f.advance(BACKOFF.multipliedBy(4)); // two deaths: the backoff doubled once
        assertThat(alive(f)).isEqualTo(2);
        assertThat(f.launcher.started).hasSize(4);
        assertThat(f.stats().restarts()).isEqualTo(2);
    }

    @Test
    void aDeathStartsIdleHelpersAsSquidsNeedNew() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(5).startup(1).idle(2).build());
        f.start();
        assertThat(alive(f)).isEqualTo(1);
        f.launcher.helper(0).crash();
        f.run();
        f.advance(BACKOFF);
        // needNew(): active(0) + idle(2) < children(5): 2 helpers, as handleKilledServer starts them.
        assertThat(alive(f)).isEqualTo(2);
    }

    @Test
    void squidsBasicNcsaAuthKilledWithSigkillIsReplacedWithoutLoad(@TempDir Path dir) throws Exception {
        Path program = SquidHelpers.program("basic_ncsa_auth");
        Path passwd = Files.writeString(dir.resolve("passwd"), ""); // nobody: every login is ERR
        HelperPoolConfig config = HelperPoolConfig.builder("ncsa", HelperKind.BASIC_AUTH).children(3).build();
        HelperSpec spec = HelperSpec.builder("basic_ncsa_auth", program.toString()).args(passwd.toString()).build();
        try (HelperPools.Running running = HelperPools.startWithOwnLoop(config, spec)) {
            HelperPool pool = running.pool();
            HelperReply first = pool.submit("alice secret").get(20, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(HelperReply.Status.ERR);
            HelperPoolStats before = pool.statsAsync().get(10, TimeUnit.SECONDS);
            assertThat(before.helpers()).hasSize(1);
            long pid = before.helpers().get(0).pid();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL

            HelperPoolStats after = Await.until("a replacement for the killed helper, with no request submitted",
                    Duration.ofSeconds(20), () -> pool.statsAsync().get(10, TimeUnit.SECONDS),
                    s -> s.restarts() == 1 && s.active() == 1 && s.helpers().stream().noneMatch(h -> h.pid() == pid));
            assertThat(after.deaths()).isEqualTo(1);
            assertThat(after.submitted()).isEqualTo(1);
            assertThat(pool.submit("bob secret").get(20, TimeUnit.SECONDS).status()).isEqualTo(HelperReply.Status.ERR);
        }
    }
}
