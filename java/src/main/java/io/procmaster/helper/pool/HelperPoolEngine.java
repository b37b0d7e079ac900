package io.procmaster.helper.pool;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPoolStats;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperReservation;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.process.HelperEventSink;
import io.procmaster.helper.process.HelperLauncher;
import io.procmaster.log.Logs;
import io.procmaster.time.Clock;
import io.procmaster.time.Durations;
import io.procmaster.time.TimerQueue;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The engine behind {@link io.procmaster.helper.HelperPool}: the loop-side state of one pool and its
 * entry points (the facade's commands, the loop's events, the tick and the loop's close), with the
 * single completion path every request ends through. The work itself is done by one collaborator per
 * concern, all in this package and sharing this state: {@link Submission} (inbox drain and checks),
 * {@link PersistentOverload} (Squid's queue-and-warn overload and its persistent-overload action),
 * {@link Dispatcher} (reconcile, pick, dispatch), {@link HelperWriter} (batched writes),
 * {@link ReplyRouter} (replies to requests), {@link RequestTimeouts}, {@link Reservations},
 * {@link HelperLifecycle} (start, loss, death, backoff and breaker), {@link ShutdownAndReconfigure}
 * and {@link PoolStatistics}. The behaviour is documented in {@code docs/helpers.md}; the facade's
 * class comment states the threading, admission, closing and completion rules.
 *
 * <p>Interface: the facade's methods, one to one; {@link HelperEventSink} for the launcher's helpers.
 * Threading: all state belongs to the loop thread; the command methods may be called from any thread
 * (requests go through {@link HelperPoolAdmission}, the rest through the loop executor).
 *
 * <p>Failure modes: bad helper output is logged and counted, never thrown; an unexpected exception
 * while submitting completes that request with a {@link HelperException} of kind INTERNAL.
 */
public final class HelperPoolEngine implements HelperEventSink {
    /** The logger keeps the name it had before the engine left the API package: log settings name it. */
    static final Logger log = Logs.logger("io.procmaster.helper.HelperPool");

    final Clock clock;
    final Executor loop;
    final HelperPoolAdmission admission;
    final TimerQueue timers;
    final ArrayDeque<PendingRequest> queue = new ArrayDeque<>();
    final Map<Long, PooledHelper> helpers = new LinkedHashMap<>(); // start order
    /** helpers' values in start order, rebuilt when one is added or removed: dispatch walks it per request. */
    volatile PooledHelper[] ordered = new PooledHelper[0]; // volatile: the fast path's callers scan it
    /**
     * Futures to complete at the outermost {@link #exit()}, as pairs: the future, then its outcome
     * ({@link #VOID} for null, a Throwable to fail it with, else the value). Pairs rather than a
     * lambda per completion: no allocation per request on the loop path (BENCHMARKS.md §6).
     */
    private final ArrayDeque<Object> completions = new ArrayDeque<>();
    private static final Object VOID = new Object();

    volatile HelperPoolConfig config; // volatile: config() may be read from any thread
    HelperLauncher launcher;
    RestartBackoff backoff;
    CrashLoopBreaker breaker;
    int generation;
    private int depth;
    boolean started;
    boolean probeInFlight;
    CompletableFuture<Void> shutdownFuture;

    final PoolStatistics stats = new PoolStatistics(this);
    final HelperLifecycle lifecycle = new HelperLifecycle(this);
    final Submission submission = new Submission(this);
    final PersistentOverload overload = new PersistentOverload(this);
    final RequestTimeouts timeouts = new RequestTimeouts(this);
    final Dispatcher dispatcher = new Dispatcher(this);
    final HelperWriter writer = new HelperWriter(this);
    final ReplyRouter replies = new ReplyRouter(this);
    final Reservations reservations = new Reservations(this);
    final ShutdownAndReconfigure shutdown = new ShutdownAndReconfigure(this);
    final FastPath fast = new FastPath(this);

    /** See the facade's constructor for what {@code loop} must do. */
    public HelperPoolEngine(HelperPoolConfig config, HelperLauncher launcher, Clock clock, Executor loop) {
        this.config = Objects.requireNonNull(config, "config");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timers = new TimerQueue(clock);
        this.loop = Objects.requireNonNull(loop, "loop");
        this.admission = new HelperPoolAdmission(loop, submission::drainInbox);
        newPolicies();
    }

    void newPolicies() {
        backoff = new RestartBackoff(config.restartBackoffInitial().toNanos(), config.restartBackoffMax().toNanos());
        breaker = new CrashLoopBreaker(config.breakerDeaths(), config.breakerWindow().toNanos());
    }

    public HelperPoolConfig config() {
        return config;
    }

    /** Requests admitted and not yet completed (at most {@link HelperPoolConfig#admissionLimit()}). Any thread. */
    public int admittedCount() {
        return admission.admitted();
    }

    // ---------------------------------------------------------------- commands (any thread)

    public void start() {
        enter();
        try {
            if (started) return;
            started = true;
            log.info("helper pool '{}': starting {} of at most {} processes", config.name(), config.startup(), config.children());
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    /** The blocking request: the synchronous fast path where a helper is idle, else the loop path's future, awaited. */
    public HelperReply request(String request) {
        Objects.requireNonNull(request, "request");
        HelperReply reply = fast.request(request, null);
        return reply != null ? reply : FastPath.await(submit(request));
    }

    /** The blocking byte request; {@code request} is not copied on the fast path (the caller waits). */
    public HelperReply request(byte[] request) {
        Objects.requireNonNull(request, "request");
        HelperReply reply = fast.request(null, request);
        return reply != null ? reply : FastPath.await(submit(request));
    }

    public CompletableFuture<HelperReply> submit(String request) {
        Objects.requireNonNull(request, "request");
        return cast(command(new PendingRequest(0, request, new CompletableFuture<>(), null)));
    }

    /** A byte request: {@code request} is copied, then sent exactly as given. */
    public CompletableFuture<HelperReply> submit(byte[] request) {
        Objects.requireNonNull(request, "request");
        return cast(command(new PendingRequest(0, request.clone(), new CompletableFuture<>(), null)));
    }

    public List<CompletableFuture<HelperReply>> submitAll(List<String> requests) {
        for (String text : requests) Objects.requireNonNull(text, "request");
        List<PendingRequest> batch = new ArrayList<>(requests.size());
        List<CompletableFuture<HelperReply>> futures = new ArrayList<>(requests.size());
        for (String text : requests) {
            PendingRequest r = new PendingRequest(0, text, new CompletableFuture<>(), null);
            batch.add(r);
            futures.add(cast(r.future));
        }
        if (batch.isEmpty()) return futures;
        admission.submitAll(batch, config); // those admitted reach the loop in one drain
        return futures;
    }

    public CompletableFuture<HelperReservation> reserve() {
        return cast(command(new PendingRequest(0, (String) null, new CompletableFuture<>(), null)));
    }

    public CompletableFuture<HelperReply> submit(HelperReservation reservation, String request) {
        Objects.requireNonNull(reservation, "reservation");
        Objects.requireNonNull(request, "request");
        return cast(command(new PendingRequest(0, request, new CompletableFuture<>(), reservation)));
    }

    /** A byte request on a reservation: {@code request} is copied, then sent exactly as given. */
    public CompletableFuture<HelperReply> submit(HelperReservation reservation, byte[] request) {
        Objects.requireNonNull(reservation, "reservation");
        Objects.requireNonNull(request, "request");
        return cast(command(new PendingRequest(0, request.clone(), new CompletableFuture<>(), reservation)));
    }

    public void release(HelperReservation reservation) {
        onLoop(() -> reservations.release(reservation), () -> { });
    }

    public CompletableFuture<Void> shutdown(java.time.Duration grace) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(() -> shutdown.shutdown(grace).whenComplete((v, e) -> result.complete(null)),
                () -> result.complete(null));
        return result;
    }

    /** {@code newLauncher} null keeps the current one (same program, new configuration). */
    public CompletableFuture<Void> reconfigure(HelperPoolConfig newConfig, HelperLauncher newLauncher) {
        Objects.requireNonNull(newConfig, "newConfig");
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(() -> {
            enter();
            try {
                if (shutdownFuture != null) {
                    result.completeExceptionally(new HelperException.Closed(closedMessage()));
                    return;
                }
                // null: the same program; read on the loop, which owns the launcher field.
                shutdown.reconfigure(newConfig, newLauncher != null ? newLauncher : launcher);
                result.complete(null);
            } finally {
                exit();
            }
        }, () -> result.completeExceptionally(new HelperException.Closed(closedMessage())));
        return result;
    }

    public CompletableFuture<HelperPoolStats> statsAsync() {
        CompletableFuture<HelperPoolStats> result = new CompletableFuture<>();
        onLoop(() -> result.complete(stats()), () -> result.completeExceptionally(new HelperException.Closed(closedMessage())));
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<T> cast(CompletableFuture<Object> f) {
        return (CompletableFuture<T>) (CompletableFuture<?>) f;
    }

    private CompletableFuture<Object> command(PendingRequest req) {
        admission.submit(req, config);
        return req.future;
    }

    private void onLoop(Runnable action, Runnable rejected) {
        try {
            loop.execute(() -> {
                submission.drainInbox();
                action.run();
            });
        } catch (RejectedExecutionException e) {
            admission.close(HelperPoolAdmission.closedMessage(config, "its event loop no longer accepts commands (" + e.getMessage() + ")"));
            rejected.run();
        }
    }

    // ---------------------------------------------------------------- loop entry points

    /**
     * A fast-path caller's hand-back ({@link FastPath}): the helper is the loop's again, with
     * {@code r} in flight on it as if the loop had written it, {@code got} being what the caller read
     * of the reply so far. A helper the pool lost meanwhile fails {@code r} with the loss's error.
     */
    void takeBack(PooledHelper h, PendingRequest r, byte[] got) {
        enter();
        try {
            Runnable end = h.direct.handBack(); // the descriptor back in the set; an end deferred meanwhile, to run last
            if (h.lost) {
                h.framer.poison();
                h.output.clear();
                String why = h.lostWhy != null ? h.lostWhy : "helper " + h.describe() + " ended";
                finish(r, (h.lostError != null ? h.lostError : (Function<String, HelperException>) HelperException.Died::new)
                        .apply("helper pool '" + config.name() + "': " + why), false);
            } else {
                r.helper = h;
                h.inFlight.put(r.wireId, r);
                timeouts.arm(r); // from the caller's start: a deadline already passed fires at the next tick
                if (got.length > 0) onData(h.id, ByteBuffer.wrap(got));
                if (!h.lost && !h.output.isEmpty()) writer.flush(h); // a short write's rest
            }
            if (end != null) end.run();
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    /** A fast-path caller returned a helper the loop had asked for: dispatch to it, close it, whatever is due. */
    void onFastReturn() {
        enter();
        try {
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    @Override
    public void onData(long helperId, ByteBuffer data) {
        enter();
        try {
            PooledHelper h = helpers.get(helperId);
            if (h == null || h.lost) {
                // Output after we gave up on the helper (killed, EOF seen): nothing can be trusted.
                if (data.hasRemaining())
                    log.debug("helper pool '{}': ignoring {} bytes from ended helper #{}", config.name(), data.remaining(), helperId);
                data.position(data.limit());
                return;
            }
            if (h.lineSink == null) h.lineSink = (b, off, len) -> replies.onLine(h, b, off, len); // once, not per read
            if (!h.framer.feed(data, h.lineSink)) {
                stats.tooLongReplies++;
                String msg = "helper pool '" + config.name() + "': helper " + h.describe()
                        + " sent a reply line longer than the " + h.maxLine + "-byte limit; killing it";
                log.error(msg);
                lifecycle.kill(h, msg, HelperException.ReplyTooLong::new);
            }
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    @Override
    public void onWritable(long helperId) {
        enter();
        try {
            PooledHelper h = helpers.get(helperId);
            if (h == null) return;
            h.writeRequested = false;
            writer.flush(h);
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    @Override
    public void onEof(long helperId) {
        enter();
        try {
            PooledHelper h = helpers.get(helperId);
            if (h == null || h.lost) return;
            if (!h.expectedEnd || !h.inFlight.isEmpty())
                log.warn("helper pool '{}': helper {} closed its output with {} requests in flight", config.name(), h.describe(), h.inFlight.size());
            lifecycle.lose(h, "helper " + h.describe() + " closed its output before answering", HelperException.Died::new);
            h.channel.close(); // the helper's process escalates to SIGTERM/SIGKILL if it does not exit
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    @Override
    public void onExit(long helperId, HelperExit exit) {
        enter();
        try {
            lifecycle.onExit(helperId, exit);
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    public void onTick() {
        enter();
        try {
            timers.runDue();
            dispatcher.reconcile();
        } finally {
            exit();
        }
    }

    public void onLoopClosed() {
        enter();
        try {
            shutdown.onLoopClosed();
        } finally {
            exit();
        }
    }

    /** True once a shutdown has completed (every helper ended): the pool needs no more ticks. Loop thread. */
    public boolean isShutDown() {
        return shutdownFuture != null && shutdownFuture.isDone();
    }

    public OptionalLong nextDeadline() {
        return timers.nextDeadline();
    }

    public long nextDeadlineNanos() {
        return timers.nextDeadlineNanos();
    }

    /** Requests the synchronous fast path answered itself, and those it handed back to the loop (tests, docs). Any thread. */
    public long[] fastPathCounts() {
        return new long[] {fast.completedOk.sum(), fast.handedBack.sum()};
    }

    public HelperPoolStats stats() {
        return stats.snapshot();
    }

    // ---------------------------------------------------------------- shared by the collaborators

    void failQueued(Function<PendingRequest, HelperException> error) {
        List<PendingRequest> all = new ArrayList<>(queue);
        queue.clear();
        for (PendingRequest r : all) finish(r, error.apply(r), false);
    }

    String unavailableMessage() {
        return "helper pool '" + config.name() + "' unavailable: crash-loop breaker open after " + breaker.deathsInWindow()
                + " helper deaths within " + Durations.format(config.breakerWindow()) + " (restarts continue with backoff)";
    }

    String closedMessage() {
        return "helper pool '" + config.name() + "' is shut down";
    }

    /** Completes {@code f} once the outermost entry point is done (see {@link #exit()}). */
    void completeLater(CompletableFuture<Void> f) {
        completions.add(f);
        completions.add(VOID);
    }

    /** The single completion path: exactly once, after the pool state is consistent. */
    void finish(PendingRequest r, Object outcome, boolean ok) {
        // A success is a reply or a reservation, a failure a Throwable: exit() tells them apart by that.
        if (ok == outcome instanceof Throwable) throw new IllegalArgumentException("outcome " + outcome + " for ok=" + ok);
        if (r.done) {
            stats.duplicateCompletions++;
            log.error("helper pool '{}': internal error: request {} completed twice", config.name(), r.seq);
            return;
        }
        r.done = true;
        admission.release(r); // before the future completes: its callback may submit again
        timeouts.cancel(r);
        if (r.probe) probeInFlight = false;
        if (ok) stats.completedOk++;
        else stats.failed++;
        completions.add(r.future);
        completions.add(outcome == null ? VOID : outcome);
    }

    int liveCount() {
        int n = 0;
        for (PooledHelper h : ordered) if (h.state == HelperState.READY && h.generation == generation) n++;
        return n;
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }

    void enter() {
        depth++;
    }

    /** Completes futures only when the outermost entry point is done, so callbacks see a consistent pool. */
    void exit() {
        if (--depth > 0) return;
        fast.publishAll(); // the state is consistent: offer the idle helpers to the fast path's callers
        Object f;
        while ((f = completions.pollFirst()) != null) {
            Object outcome = completions.pollFirst();
            @SuppressWarnings("unchecked")
            CompletableFuture<Object> future = (CompletableFuture<Object>) f;
            if (outcome == VOID) future.complete(null);
            else if (outcome instanceof Throwable t) future.completeExceptionally(t);
            else future.complete(outcome);
        }
    }
}
