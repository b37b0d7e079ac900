package io.procmaster.metrics.registry;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
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
 * <p>The owner's own thread (a callback of a future the loop completes) never waits: the answer it
 * would wait for can only be produced by that same thread, after the getter returns. There the
 * cache takes the owner's current figures itself ({@code takeOnOwner}, valid on that thread only)
 * and publishes them as the new snapshot; which thread is the owner's, the creator says
 * ({@code onOwnerThread}).
 *
 * <p>Interface: {@link #get()} returns a snapshot at most {@code maxAge} old if the owner answers
 * within {@code maxWait} (on the owner's thread: at once), else the last one it has ({@code null}
 * only before any snapshot); {@link #takeNow()} does the same ignoring the age; {@link #refresh()}
 * asks for a new one now (at most one request is in flight); {@link #offer} publishes a snapshot the
 * owner thread took itself; {@link #close()} stops asking (the last snapshot stays readable). Any
 * thread; lock-free. Public for {@code io.procmaster.helper} (the pool's metrics); this package is
 * not exported.
 *
 * <p>Failure modes: a source that throws or fails its future leaves the previous snapshot in place;
 * a refresh that has already waited {@code maxWait} is not waited for again (a hung loop costs each
 * reader nothing more); a request the owner has not answered within {@link #IN_FLIGHT_EXPIRY} times
 * {@code maxWait} is abandoned, so a later reader asks again (a future that never completes does not
 * freeze the figures for ever); an answer that arrives after a newer snapshot is not published. The
 * waits are on {@link System#nanoTime} by default: they bound a real thread's wait, which no fake
 * clock can drive (docs/DESIGN.md §5.6).
 */
public final class SnapshotCache<T> {
    /** Default: a snapshot younger than this is served without asking the loop. */
    public static final long DEFAULT_MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Default: how long a reader waits for the loop's answer before it takes the last snapshot. */
    public static final long DEFAULT_MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A request unanswered for this many {@code maxWait}s is abandoned (the next reader asks again). */
    public static final int IN_FLIGHT_EXPIRY = 5;

    /** One snapshot with when it was received: {@code nanos} on the cache's clock, {@code epochMillis} wall time. */
    public record Taken<T>(T value, long nanos, long epochMillis) {
    }

    private record Request<T>(CompletableFuture<Taken<T>> future, long startedNanos) {
    }

    private final Supplier<CompletableFuture<T>> source;
    private final BooleanSupplier onOwnerThread;
    private final Supplier<T> takeOnOwner;
    private final long maxAgeNanos;
    private final long maxWaitNanos;
    private final LongSupplier nanoClock;
    private final AtomicReference<Request<T>> inFlight = new AtomicReference<>();
    private final AtomicReference<Taken<T>> latest = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * With the defaults (1 s, 2 s, {@link System#nanoTime}).
     *
     * @param source        asks the owner for a snapshot (any thread; completes on the owner's thread)
     * @param onOwnerThread whether the calling thread is the owner's
     * @param takeOnOwner   the owner's current figures, called on the owner's thread only
     */
    public SnapshotCache(Supplier<CompletableFuture<T>> source, BooleanSupplier onOwnerThread, Supplier<T> takeOnOwner) {
        this(source, onOwnerThread, takeOnOwner, DEFAULT_MAX_AGE_NANOS, DEFAULT_MAX_WAIT_NANOS, System::nanoTime);
    }

    /** As above with the bounds and the clock given (tests drive them with a fake clock). */
    public SnapshotCache(Supplier<CompletableFuture<T>> source, BooleanSupplier onOwnerThread, Supplier<T> takeOnOwner,
                         long maxAgeNanos, long maxWaitNanos, LongSupplier nanoClock) {
        this.source = Objects.requireNonNull(source, "source");
        this.onOwnerThread = Objects.requireNonNull(onOwnerThread, "onOwnerThread");
        this.takeOnOwner = Objects.requireNonNull(takeOnOwner, "takeOnOwner");
        this.maxAgeNanos = maxAgeNanos;
        this.maxWaitNanos = maxWaitNanos;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** The current snapshot (see the class comment); null only if none was ever received. */
    public Taken<T> get() {
        Taken<T> t = latest.get();
        if (closed || (t != null && nanoClock.getAsLong() - t.nanos() < maxAgeNanos)) {
            return t;
        }
        return takeNow();
    }

    /**
     * A new snapshot whatever the age of the last one: on the owner's thread taken there, elsewhere
     * asked for and waited for at most {@code maxWait}; else (or once closed) the last one.
     */
    public Taken<T> takeNow() {
        if (closed) {
            return latest.get();
        }
        if (onOwnerThread.getAsBoolean()) {
            return takeHere();
        }
        Request<T> r = request();
        long waited = nanoClock.getAsLong() - r.startedNanos();
        if (waited >= maxWaitNanos) {
            return latest.get(); // the owner is already late for this request: do not make this reader wait too
        }
        try {
            return r.future().get(maxWaitNanos - waited, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // keep serving the last snapshot
        }
        return latest.get();
    }

    /** Asks the owner for a new snapshot now (or joins the request in flight); completes with it, or fails. */
    public CompletableFuture<Taken<T>> refresh() {
        return request().future();
    }

    /** Publishes a snapshot the owner took on its own thread (at start, before any reader asked). */
    public void offer(T value) {
        if (value != null) {
            latest.set(new Taken<>(value, nanoClock.getAsLong(), System.currentTimeMillis()));
        }
    }

    /** The last snapshot received, without asking for a new one. */
    public Taken<T> latest() {
        return latest.get();
    }

    /** Stops asking the owner; {@link #get()} serves the last snapshot from now on. Idempotent. */
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    /** On the owner's thread: its current figures, published; the last snapshot if taking them fails. */
    private Taken<T> takeHere() {
        try {
            offer(takeOnOwner.get());
        } catch (RuntimeException e) {
            // keep serving the last snapshot
        }
        return latest.get();
    }

    private Request<T> request() {
        while (true) {
            Request<T> current = inFlight.get();
            long now = nanoClock.getAsLong();
            if (current != null && now - current.startedNanos() < IN_FLIGHT_EXPIRY * maxWaitNanos) {
                return current;
            }
            Request<T> mine = new Request<>(new CompletableFuture<>(), now);
            // Replaces an expired request too: its answer, if it ever comes, still completes its own future.
            if (!inFlight.compareAndSet(current, mine)) {
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
                    Taken<T> received = new Taken<>(value, nanoClock.getAsLong(), System.currentTimeMillis());
                    // Not over a snapshot that arrived after this request was made (an abandoned request answering late).
                    latest.updateAndGet(last -> last == null || last.nanos() <= mine.startedNanos() ? received : last);
                    t = received;
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
