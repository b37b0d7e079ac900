package io.procmaster.metrics.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The cache's rules (its class comment): a young snapshot is served without asking the owner, an
 * old one is refreshed with one request however many readers ask, a silent or failing owner leaves
 * the last snapshot served after a bounded wait, a request never answered expires, the owner's own
 * thread takes its snapshot without asking or waiting, and a closed cache stops asking.
 */
class SnapshotCacheTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<CompletableFuture<String>> asked = new ArrayList<>();
    private final SnapshotCache<String> cache = new SnapshotCache<>(() -> {
        CompletableFuture<String> f = new CompletableFuture<>();
        asked.add(f);
        return f;
    }, () -> false, () -> "taken on the owner", TimeUnit.SECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(50), now::get);

    @Test
    void aYoungSnapshotIsServedWithoutAskingAnOldOneIsRefreshedOnce() {
        cache.offer("first");
        assertThat(cache.get().value()).isEqualTo("first");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
        assertThat(cache.get().value()).isEqualTo("first");
        assertThat(asked).isEmpty();

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        CompletableFuture<SnapshotCache.Taken<String>> a = cache.refresh();
        CompletableFuture<SnapshotCache.Taken<String>> b = cache.refresh();
        assertThat(asked).as("readers at once share one request").hasSize(1);
        assertThat(a).isSameAs(b);
        asked.get(0).complete("second");
        assertThat(a.join().value()).isEqualTo("second");
        assertThat(cache.get().value()).isEqualTo("second");
        assertThat(asked).hasSize(1);
    }

    @Test
    void aSilentOwnerLeavesTheLastSnapshotAfterABoundedWaitAndIsNotWaitedForAgain() {
        cache.offer("last");
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        long start = System.nanoTime();
        assertThat(cache.get().value()).isEqualTo("last"); // waits 50 ms (real time) for the silent owner
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(asked).hasSize(1);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(60)); // the request is now older than the wait bound
        start = System.nanoTime();
        assertThat(cache.get().value()).isEqualTo("last");
        assertThat(System.nanoTime() - start).as("no second wait").isLessThan(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(asked).as("still the one request").hasSize(1);
        asked.get(0).complete("late");
        assertThat(cache.latest().value()).isEqualTo("late");
    }

    @Test
    void aFailingOrThrowingOwnerKeepsTheLastSnapshotAndAskingResumes() {
        cache.offer("kept");
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        CompletableFuture<SnapshotCache.Taken<String>> r = cache.refresh();
        asked.get(0).completeExceptionally(new IllegalStateException("closed loop"));
        assertThat(r).isCompletedExceptionally();
        assertThat(cache.get()).isNotNull();
        assertThat(asked).as("a failed request does not block the next").hasSize(2);
        asked.get(1).complete("fresh");
        assertThat(cache.get().value()).isEqualTo("fresh");

        SnapshotCache<String> throwing = new SnapshotCache<>(() -> {
            throw new IllegalStateException("rejected");
        }, () -> false, () -> "taken on the owner", 0, TimeUnit.MILLISECONDS.toNanos(50), now::get);
        assertThat(throwing.get()).isNull();
        throwing.offer("offered");
        assertThat(throwing.get().value()).isEqualTo("offered");
    }

    @Test
    void aRequestTheOwnerNeverAnswersExpiresSoALaterReaderAsksAgain() {
        cache.offer("old");
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        cache.refresh(); // the owner never answers this one
        assertThat(asked).hasSize(1);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100)); // past maxWait (50 ms), not yet expired
        assertThat(cache.get().value()).isEqualTo("old");
        assertThat(asked).as("a late request is joined, not repeated").hasSize(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(10)); // far past any multiple of maxWait
        assertThat(cache.get().value()).isEqualTo("old");
        assertThat(asked).as("the hung request expired: a later reader asks again").hasSize(2);
        asked.get(1).complete("fresh");
        assertThat(cache.get().value()).isEqualTo("fresh");
        asked.get(0).complete("ancient"); // the abandoned request answers at last
        assertThat(cache.latest().value()).as("an answer older than the one served does not replace it").isEqualTo("fresh");
    }

    @Test
    void onTheOwnersThreadAStaleSnapshotIsTakenThereWithoutAskingOrWaiting() {
        AtomicBoolean onOwner = new AtomicBoolean(true);
        AtomicInteger taken = new AtomicInteger();
        SnapshotCache<String> owned = new SnapshotCache<>(() -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            asked.add(f);
            return f;
        }, onOwner::get, () -> "here#" + taken.incrementAndGet(), TimeUnit.SECONDS.toNanos(1),
                TimeUnit.SECONDS.toNanos(30), now::get);
        owned.offer("start");
        assertThat(owned.get().value()).as("young: served as it is").isEqualTo("start");
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(owned.get().value()).isEqualTo("here#1");
        assertThat(owned.takeNow().value()).isEqualTo("here#2");
        assertThat(asked).as("the owner is not asked for what it can take itself").isEmpty();
        onOwner.set(false);
        assertThat(owned.get().value()).as("the owner's snapshot is the cache's latest").isEqualTo("here#2");
    }

    @Test
    void aClosedCacheStopsAskingAndServesTheLastSnapshot() {
        cache.offer("final");
        cache.close();
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertThat(cache.get().value()).isEqualTo("final");
        assertThat(asked).isEmpty();
        assertThat(cache.isClosed()).isTrue();
    }
}
