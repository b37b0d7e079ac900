package io.procmaster.metrics;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * SnapshotCache - the latest immutable snapshot of a loop-owned state, for readers on other threads
 * (JMX clients, a metrics registry's scrape), refreshed on demand at a bounded rate.
 *
 * <p>Why this model (docs/metrics.md, "Threading"): the master's and a pool's state belong to their
 * loop thread (docs/DESIGN.md §4), so a getter must not read it; a reader asks the owner for a
 * snapshot through the future it already offers ({@code MasterLoop.masterStatus},
 * {@code HelperPool.statsAsync}), which the loop answers between two events. Asking on demand
 * instead of publishing periodically means no timer wakes a loop that nobody watches; caching means
 * the many getters of one JMX read (one per attribute) cost the loop one command, not dozens, and
 * see one consistent snapshot; the bounded wait means a busy or hung loop delays a JMX client by at
 * most {@code maxWait}, once, and then the last snapshot is served as it is.
 *
 * <p>Interface: {@link #get()} returns a snapshot at most {@code maxAge} old if the owner answers
 * within {@code maxWait}, else the last one it has ({@code null} only before any snapshot);
 * {@link #refresh()} asks for a new one now (at most one request is in flight); {@link #offer}
 * publishes a snapshot the owner thread took itself; {@link #close()} stops asking (the last
 * snapshot stays readable). Any thread; lock-free.
 *
 * <p>Failure modes: a source that throws, fails its future or never completes leaves the previous
 * snapshot in place; a refresh that has already waited {@code maxWait} is not waited for again (a
 * hung loop costs each reader nothing more). The waits are on {@link System#nanoTime} by default:
 * they bound a real thread's wait, which no fake clock can drive (docs/DESIGN.md §5.6).
 */
public final class SnapshotCache<T> {
    /** Default: a snapshot younger than this is served without asking the loop. */
    public static final long DEFAULT_MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Default: how long a reader waits for the loop's answer before it takes the last snapshot. */
    public static final long DEFAULT_MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** One snapshot with when it was received: {@code nanos} on the cache's clock, {@code epochMillis} wall time. */
    public record Taken<T>(T value, long nanos, long epochMillis) {
    }

    private record Request<T>(CompletableFuture<Taken<T>> future, long startedNanos) {
    }

    private final Supplier<CompletableFuture<T>> source;
    private final long maxAgeNanos;
    private final long maxWaitNanos;
    private final LongSupplier nanoClock;
    private final AtomicReference<Request<T>> inFlight = new AtomicReference<>();
    private volatile Taken<T> latest;
    private volatile boolean closed;

    /** With the defaults (1 s, 2 s, {@link System#nanoTime}). */
    public SnapshotCache(Supplier<CompletableFuture<T>> source) {
        this(source, DEFAULT_MAX_AGE_NANOS, DEFAULT_MAX_WAIT_NANOS, System::nanoTime);
    }

    public SnapshotCache(Supplier<CompletableFuture<T>> source, long maxAgeNanos, long maxWaitNanos, LongSupplier nanoClock) {
        this.source = Objects.requireNonNull(source, "source");
        this.maxAgeNanos = maxAgeNanos;
        this.maxWaitNanos = maxWaitNanos;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** The current snapshot (see the class comment); null only if none was ever received. */
    public Taken<T> get() {
        Taken<T> t = latest;
        if (closed || (t != null && nanoClock.getAsLong() - t.nanos() < maxAgeNanos)) {
            return t;
        }
        Request<T> r = request();
        long waited = nanoClock.getAsLong() - r.startedNanos();
        if (waited >= maxWaitNanos) {
            return latest; // the owner is already late for this request: do not make this reader wait too
        }
        try {
            return r.future().get(maxWaitNanos - waited, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // keep serving the last snapshot
        }
        return latest;
    }

    /** Asks the owner for a new snapshot now (or joins the request in flight); completes with it, or fails. */
    public CompletableFuture<Taken<T>> refresh() {
        return request().future();
    }

    /** Publishes a snapshot the owner took on its own thread (at start, before any reader asked). */
    public void offer(T value) {
        if (value != null) {
            latest = new Taken<>(value, nanoClock.getAsLong(), System.currentTimeMillis());
        }
    }

    /** The last snapshot received, without asking for a new one. */
    public Taken<T> latest() {
        return latest;
    }

    /** Stops asking the owner; {@link #get()} serves the last snapshot from now on. Idempotent. */
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    private Request<T> request() {
        while (true) {
            Request<T> current = inFlight.get();
            if (current != null) {
                return current;
            }
            Request<T> mine = new Request<>(new CompletableFuture<>(), nanoClock.getAsLong());
            if (!inFlight.compareAndSet(null, mine)) {
                continue;
            }
            CompletableFuture<T> answer;
            try {
                answer = closed ? CompletableFuture.failedFuture(new IllegalStateException("closed")) : source.get();
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((value, error) -> {
                Taken<T> t = null;
                if (error == null && value != null) {
                    t = new Taken<>(value, nanoClock.getAsLong(), System.currentTimeMillis());
                    latest = t;
                }
                inFlight.compareAndSet(mine, null); // before completing: a reader woken by it may ask again
                if (t != null) {
                    mine.future().complete(t);
                } else {
                    mine.future().completeExceptionally(error != null ? error : new IllegalStateException("no snapshot"));
                }
            });
            return mine;
        }
    }
}
