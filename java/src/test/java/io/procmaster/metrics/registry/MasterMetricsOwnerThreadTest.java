package io.procmaster.metrics.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.MasterStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A getter of a master's metrics called on the master's own loop thread (a callback of a future the
 * loop completes) must not wait for a snapshot only that thread can take (docs/metrics.md,
 * "Threading"): a single-thread executor stands for the loop, answering the snapshot requests.
 */
class MasterMetricsOwnerThreadTest {

    @Test
    void aGetterOnTheOwnerThreadDoesNotWaitAndSeesTheCurrentFigures() throws Exception {
        ExecutorService owner = Executors.newSingleThreadExecutor();
        try {
            Thread ownerThread = owner.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
            AtomicInteger children = new AtomicInteger(1);
            Supplier<MasterStatus> take = () -> new MasterStatus(1, children.get(), false, 0, 0, 0, 0, 0, List.of());
            SnapshotMasterMetrics metrics = SnapshotMasterMetrics.start("owner-thread-test",
                    () -> CompletableFuture.supplyAsync(take, owner), () -> Thread.currentThread() == ownerThread, take,
                    () -> Duration.ofSeconds(1), false);
            assertThat(metrics.master().getChildren()).isEqualTo(1);
            children.set(2);
            Thread.sleep(1100); // older than the snapshot's max age (1 s): a reader elsewhere would ask the owner
            Future<long[]> read = owner.submit(() -> {
                long start = System.nanoTime();
                int c = metrics.master().getChildren();
                return new long[] {c, System.nanoTime() - start, Thread.currentThread() == ownerThread ? 1 : 0};
            });
            long[] got = read.get(20, TimeUnit.SECONDS);
            assertThat(got[2]).isEqualTo(1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(got[1])).as("the owner thread never waits for itself").isLessThan(500L);
            assertThat(got[0]).as("the owner's current figures").isEqualTo(2);
            metrics.close();
        } finally {
            owner.shutdownNow();
        }
    }
}
