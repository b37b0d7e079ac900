package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.metrics.Jmx;
import io.procmaster.testing.Await;
import io.procmaster.testing.TestBin;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * A helper pool of real pm-helper processes, read through the platform MBeanServer by ObjectName
 * (docs/metrics.md): requests are counted after real requests, two pools of one name never clash,
 * shutdown and loop close unregister, the opt-out registers nothing, and a getter does not hang
 * while the pool's loop is blocked.
 */
class HelperPoolMXBeanTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static HelperSpec spec() {
        return HelperSpec.builder("jmx", TestBin.path("pm-helper")).build();
    }

    private static long longAttr(ObjectName name, String attribute) throws Exception {
        return ((Number) SERVER.getAttribute(name, attribute)).longValue();
    }

    private static HelperPool startedAndRegistered(HelperPools.Running r) throws Exception {
        // The pool starts (and registers) on its loop thread: wait for that.
        return Await.until("pool registered", Duration.ofSeconds(10), () -> r.pool(), p -> p.objectName() != null);
    }

    @Test
    void requestsAreCountedAfterRealRequestsAndShutdownUnregisters() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("jmx-counted").children(2).startup(2).queueLimit(100).build();
        ObjectName name = new ObjectName("io.procmaster:type=HelperPool,name=jmx-counted");
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, spec())) {
            HelperPool pool = startedAndRegistered(r);
            assertThat(pool.objectName()).isEqualTo(name);
            assertThat(SERVER.isRegistered(name)).isTrue();
            List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                replies.add(pool.submit("r" + i));
            }
            for (CompletableFuture<HelperReply> f : replies) {
                assertThat(f.get(20, TimeUnit.SECONDS).status()).isEqualTo(HelperReply.Status.OK);
            }
            Await.until("Replies == 20 over JMX", Duration.ofSeconds(10), () -> longAttr(name, "Replies"), n -> n == 20);
            assertThat(longAttr(name, "Submitted")).isEqualTo(20);
            assertThat(longAttr(name, "Sent")).isEqualTo(20);
            assertThat(longAttr(name, "CompletedOk")).isEqualTo(20);
            assertThat(longAttr(name, "Failed")).isZero();
            assertThat(longAttr(name, "Started")).isGreaterThanOrEqualTo(2);
            assertThat(longAttr(name, "Running")).isEqualTo(2);
            assertThat(longAttr(name, "QueueLength")).isZero();
            // Every request answered: both helpers idle, none busy.
            Await.until("idle helpers", Duration.ofSeconds(10), () -> longAttr(name, "IdleHelpers"), n -> n == 2);
            assertThat(longAttr(name, "BusyHelpers")).isZero();
            long p50 = longAttr(name, "ServiceTimeP50Micros");
            long p90 = longAttr(name, "ServiceTimeP90Micros");
            long p99 = longAttr(name, "ServiceTimeP99Micros");
            assertThat(p50).isPositive();
            assertThat(p90).isBetween(p50, p99);
            assertThat(longAttr(name, "DuplicateCompletions")).isZero();
            assertThat(SERVER.getAttribute(name, "Name")).isEqualTo("jmx-counted");
            assertThat(pool.metrics().getReplies()).isEqualTo(20);

            pool.shutdown(Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
            assertThat(SERVER.isRegistered(name)).as("unregistered when the shutdown completes").isFalse();
            assertThat(pool.objectName()).isNull();
            assertThat(pool.metrics().getReplies()).as("the last figures stay readable").isEqualTo(20);
        }
    }

    @Test
    void twoPoolsOfOneNameNeverClashAndTheLoopsCloseUnregistersBoth() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("jmx-twin").children(1).startup(1).build();
        ObjectName n1;
        ObjectName n2;
        try (HelperPools.Running a = HelperPools.startWithOwnLoop(config, spec());
             HelperPools.Running b = HelperPools.startWithOwnLoop(config, spec())) {
            n1 = startedAndRegistered(a).objectName();
            n2 = startedAndRegistered(b).objectName();
            assertThat(n1).isNotEqualTo(n2);
            assertThat(SERVER.queryNames(new ObjectName("io.procmaster:type=HelperPool,name=jmx-twin,*"), null))
                    .containsExactlyInAnyOrder(n1, n2);
            assertThat(a.pool().submit("x").get(20, TimeUnit.SECONDS).text()).isEqualTo("x");
            Await.until("pool a counted it", Duration.ofSeconds(10), () -> a.pool().metrics().getReplies(), n -> n == 1);
            assertThat(b.pool().metrics().getReplies()).isZero();
        }
        assertThat(SERVER.isRegistered(n1)).isFalse();
        assertThat(SERVER.isRegistered(n2)).isFalse();
    }

    @Test
    void theOptOutRegistersNoPool() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("jmx-opted-out").children(1).startup(1).build();
        Jmx.setEnabled(false);
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, spec())) {
            assertThat(r.pool().submit("x").get(20, TimeUnit.SECONDS).text()).isEqualTo("x");
            assertThat(r.pool().objectName()).isNull();
            assertThat(SERVER.queryNames(new ObjectName("io.procmaster:type=HelperPool,name=jmx-opted-out,*"), null)).isEmpty();
            Await.until("counted without JMX", Duration.ofSeconds(10), () -> r.pool().metrics().getReplies(), n -> n == 1);
        } finally {
            Jmx.setEnabled(null);
        }
    }

    @Test
    void aGetterOnThePoolsLoopThreadDoesNotWaitAndSeesTheCurrentFigures() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("jmx-own-thread").children(1).startup(1).build();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, spec())) {
            HelperPool pool = startedAndRegistered(r);
            // Nobody reads the figures here: the cache holds the snapshot the pool offered at start (no reply).
            assertThat(pool.submit("x").get(20, TimeUnit.SECONDS).text()).isEqualTo("x");
            Thread.sleep(1100); // older than the snapshot's max age (1 s): a reader elsewhere would ask the loop
            CompletableFuture<long[]> read = new CompletableFuture<>();
            r.loop().execute(() -> { // as pool.submit(x).thenAccept(reply -> pool.metrics()...) runs
                long start = System.nanoTime();
                long replies = pool.metrics().getReplies();
                read.complete(new long[] {replies, System.nanoTime() - start, r.loop().inLoop() ? 1 : 0});
            });
            long[] got = read.get(20, TimeUnit.SECONDS);
            assertThat(got[2]).as("read on the pool's loop thread").isEqualTo(1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(got[1])).as("the loop thread never waits for itself").isLessThan(500L);
            assertThat(got[0]).as("the pool's current figures, not the start snapshot").isEqualTo(1);
        }
    }

    @Test
    void aGetterDoesNotHangWhileThePoolsLoopIsBlocked() throws Exception {
        HelperPoolConfig config = HelperPoolConfig.builder("jmx-blocked").children(1).startup(1).build();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(config, spec())) {
            ObjectName name = startedAndRegistered(r).objectName();
            assertThat(r.pool().submit("x").get(20, TimeUnit.SECONDS).text()).isEqualTo("x");
            Await.until("counted", Duration.ofSeconds(10), () -> longAttr(name, "Replies"), n -> n == 1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            r.loop().execute(() -> {
                blocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(1100); // older than the snapshot's max age: the getter must ask the (blocked) loop
                long start = System.nanoTime();
                assertThat(longAttr(name, "Replies")).as("the last snapshot, served after a bounded wait").isEqualTo(1);
                long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                start = System.nanoTime();
                assertThat(longAttr(name, "Submitted")).isEqualTo(1);
                long secondMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(firstMillis).isBetween(1500L, 5000L); // waited up to the bound (2 s), not for ever
                assertThat(secondMillis).as("a late loop is not waited for twice").isLessThan(500L);
            } finally {
                release.countDown();
            }
        }
    }
}
