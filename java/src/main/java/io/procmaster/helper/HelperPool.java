package io.procmaster.helper;

import io.procmaster.helper.pool.HelperPoolEngine;
import io.procmaster.helper.process.HelperLauncher;
import io.procmaster.metrics.HelperPoolMXBean;
import io.procmaster.time.Clock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import javax.management.ObjectName;

/**
 * A pool of helper processes speaking the line protocol (Squid 3.2+ semantics, Lusca channel ids as
 * an option): queueing, dispatch to the least-loaded helper, on-demand growth, timeouts, BH retries,
 * restart backoff, crash-loop breaker, stateful reservations, graceful shutdown and reconfigure.
 *
 * <p>Threading: all state belongs to the loop thread, except a helper a caller of the blocking
 * {@link #request} has claimed: while idle helpers are published and nothing is queued, that caller
 * takes one with a compare-and-set, writes its request and reads the reply on its own thread, and
 * gives it back with another; the loop does not touch a claimed helper meanwhile (docs/helpers.md
 * "The synchronous fast path", docs/DESIGN.md §4). {@link #submit}, {@link #submitAll}, {@link #reserve},
 * {@link #release}, {@link #shutdown}, {@link #reconfigure} may be called from any thread: requests go
 * through the pool's admission into its inbox, drained on the loop; the other calls hand a command to
 * the injected loop executor. A pool is made by {@link HelperPools}, which wires it onto its loop: the
 * loop feeds the helpers' events to the pool's engine (the launcher's event sink), runs the pool's
 * timers when they are due, and tells the pool when it closes; none of that is public API. Futures are completed on the loop thread, after the pool's state is consistent (so a callback
 * may submit again), except those refused at once (overload, invalid text, closed), which complete in
 * the submitting thread before {@code submit} returns; heavy callbacks should use the {@code *Async}
 * stages.
 *
 * <p>Admission (back-pressure where the caller stands): at most {@link HelperPoolConfig#admissionLimit()}
 * requests (by default {@code queueLimit} plus every helper's in-flight slots, and at least
 * {@link HelperPoolConfig#DEFAULT_QUEUED_ADMISSION_LIMIT} under {@link OverloadPolicy#QUEUE}) are
 * admitted and not yet completed at any time, holding at most {@link HelperPoolConfig#admissionByteLimit()}
 * request bytes (64 MiB by default). Beyond either, {@code submit} does not hand anything to the
 * loop: the future completes at once ({@link OverloadPolicy#BYPASS}: a {@link HelperReply.Status#BYPASSED}
 * reply, for plain requests; otherwise, and for a reservation or a reservation's step,
 * {@link HelperException.Overload}). The loop applies {@code queueLimit} to what it cannot dispatch:
 * under QUEUE, Squid's queue-and-warn with its persistent-overload action, under FAIL and BYPASS an
 * immediate refusal (docs/helpers.md "Overload"). The cost on the submitting thread is two
 * compare-and-sets (count, then bytes) and a lock-free queue insertion; the count falls in the pool's single completion
 * path, before the future completes. See {@code docs/edges.md} "Helper pool admission".
 *
 * <p>Closing (submissions racing the end of the pool): once the pool's executor rejects a command,
 * or the loop has closed ({@link #onLoopClosed()}), the pool is closed: every later submission fails
 * at once with {@link HelperException.Closed}, and so does every request still on its way to the
 * loop (the caller re-checks the closed state after handing its request over, the closer empties the
 * inbox after setting it: one of them fails it). Requests the loop already holds (queued, in flight,
 * reserved) are failed with the same exception when the loop closes, unless a {@link #shutdown}
 * finished them first. So a submission racing the close completes, with a reply or that exception,
 * never neither. This needs an executor that, once stopped, runs or rejects each command it is given
 * (the {@link io.procmaster.os.EventLoop} contract); {@link HelperPools} registers the pool's
 * loop-closed step as the loop's close hook.
 *
 * <p>Guarantee: every accepted request's future completes exactly once: with a reply, or with a
 * {@link HelperException} whose kind names the reason naming the reason (timeout, overload, breaker open, helper died,
 * reply too long, reservation gone, pool closed).
 *
 * <p>Structure: this class is the facade a user sees; the work is done by
 * {@link io.procmaster.helper.pool.HelperPoolEngine} and its collaborators in that package (one per
 * concern: submission, dispatch, writes, replies, timeouts, reservations, helper lifecycle, shutdown
 * and reconfigure, statistics).
 *
 * <p>Failure modes: bad helper output (unknown channel, unsolicited lines, over-long lines) is logged
 * and counted, never thrown; a helper whose stream can no longer be trusted is killed and replaced.
 */
public final class HelperPool {
    private final HelperPoolEngine engine;
    private final HelperPoolMetrics metrics;
    /** Makes the launcher of a new helper program at {@link #reconfigure(HelperPoolConfig, HelperSpec)}; null when none. */
    private final Function<HelperSpec, HelperLauncher> launchers;
    /**
     * Whether a blocking {@link #request} on the calling thread would wait for itself: the loop's
     * thread, and for a driven loop also its owner between two runOnce calls (only it completes a
     * hand-back).
     */
    private final BooleanSupplier requestWouldWaitForItself;

    /**
     * Package-private: pools are made by {@link HelperPools}; the launcher and the clock are the
     * internal wiring (docs/helpers.md). Same-package tests make pools on a fake launcher with it.
     *
     * @param loop runs commands on the loop thread in the order given (in production: the
     *             {@link io.procmaster.os.EventLoop}'s queue, with an eventfd wake-up if the loop
     *             sleeps; in tests: {@code Runnable::run}); may reject once the loop has stopped
     *             (the pool is then closed), but must not drop a command it accepted unless it calls
     *             {@link #onLoopClosed()} at its end. The pool also queues its own flush of helper
     *             output there, to run after the commands already waiting, and the drain of its inbox.
     * @param launchers the launcher for a new {@link HelperSpec} at reconfigure, or null when this
     *             pool cannot change its program
     * @param onLoopThread whether the calling thread is the one {@code loop} runs commands on (in
     *             production {@link io.procmaster.os.EventLoop#inLoop()}): there the pool's
     *             {@link #metrics()} read {@link #stats()} instead of waiting for {@link #statsAsync()},
     *             and {@link #request} is refused
     * @param requestWouldWaitForItself whether a {@link #request} on the calling thread would wait
     *             for itself: {@code onLoopThread}, and on a {@link io.procmaster.os.LoopDriver} also
     *             its owner between two runOnce calls (not the loop thread, so its metrics wait like
     *             anyone's, but a request falling back to the loop path would wait for ever for a
     *             runOnce only that thread can make)
     */
    HelperPool(HelperPoolConfig config, HelperLauncher launcher, Clock clock, Executor loop,
               Function<HelperSpec, HelperLauncher> launchers, BooleanSupplier onLoopThread,
               BooleanSupplier requestWouldWaitForItself) {
        this.engine = new HelperPoolEngine(config, launcher, clock, loop);
        this.metrics = new HelperPoolMetrics(this, onLoopThread);
        this.launchers = launchers;
        this.requestWouldWaitForItself = requestWouldWaitForItself;
    }

    /**
     * A pool that keeps its launcher at reconfigure (tests on a fake launcher). No thread counts as
     * the loop's for the metrics: with {@code Runnable::run} a snapshot request is answered at once.
     */
    HelperPool(HelperPoolConfig config, HelperLauncher launcher, Clock clock, Executor loop) {
        this(config, launcher, clock, loop, null, () -> false, () -> false);
    }

    /**
     * The pool's current configuration (the last one given to {@link #reconfigure}). Any thread.
     *
     * @return the configuration
     */
    public HelperPoolConfig config() {
        return engine.config();
    }

    /** Requests the synchronous fast path answered itself, and those it handed back to the loop (same-package tests). Any thread. */
    long[] fastPathCounts() {
        return engine.fastPathCounts();
    }

    /** Requests admitted and not yet completed (at most {@link HelperPoolConfig#admissionLimit()}). Any thread. */
    int admittedCount() {
        return engine.admittedCount();
    }

    // ---------------------------------------------------------------- commands (any thread)

    /**
     * Starts the {@code startup} helpers and registers the pool's MXBean (unless opted out,
     * docs/metrics.md; unregistered when the shutdown completes or the loop closes). Loop thread;
     * {@link HelperPools} calls it.
     */
    void start() {
        engine.start();
        metrics.offer(engine.stats());
        metrics.register();
    }

    /**
     * The pool's figures (the same object JMX shows, whether registered or not): read from the
     * pool's latest snapshot, never from its state, so any thread may call it (docs/metrics.md).
     */
    public HelperPoolMXBean metrics() {
        return metrics;
    }

    /** The name of the pool's MXBean in the platform MBeanServer, or null when it is not registered. */
    public ObjectName objectName() {
        return metrics.objectName();
    }

    /**
     * Submits one request (text without the line terminator). The future completes with the helper's
     * reply (or a {@link HelperReply.Status#BYPASSED} one under overload policy BYPASS) or fails with a
     * {@link HelperException}. Stateful pools treat this as a one-shot exchange on a free helper.
     * Beyond the admission limit, or once the pool is closed, the future is already complete when
     * this returns (see the class comment). The pool ends the request with LF; an LF inside it is
     * refused ({@link HelperException.InvalidRequest}) unless the pool's
     * {@link HelperPoolConfig#endOfMessage()} is another byte, as for Squid's certificate helpers,
     * whose requests carry bodies of several lines (docs/helpers.md, "End of message, bodies and
     * request escaping"). The request Squid would write for a helper kind, from raw values:
     * {@code io.procmaster.helper.squid.SquidRequests}.
     *
     * @param request the request line, without its terminator
     * @return completes with the reply, or fails with a {@link HelperException}
     */
    public CompletableFuture<HelperReply> submit(String request) {
        return engine.submit(request);
    }

    /**
     * Sends one request and waits for its reply: the blocking form of {@link #submit(String)}, with
     * the same rules (admission, overload policy, timeouts, BH retries, closing) and the same
     * outcomes, thrown instead of failing a future. Where a helper is idle and nothing is queued, the
     * calling thread claims it and does the I/O itself, without waking the loop (docs/helpers.md "The
     * synchronous fast path"); otherwise, and for anything but a plain one-line answer, the request
     * goes the loop path and this waits for it. Any thread but the pool's loop thread and, for a
     * pool on a {@link io.procmaster.os.LoopDriver}, the thread that drives it (also between two
     * runOnce calls: a request handed back to the loop would wait for a runOnce that never comes).
     *
     * @param request the request line, without its terminator
     * @return the helper's reply (or a {@link HelperReply.Status#BYPASSED} one, as {@code submit})
     * @throws HelperException what the future of {@link #submit(String)} would fail with
     * @throws IllegalStateException on the pool's loop thread, or on the thread that drives it (it would wait for itself)
     */
    public HelperReply request(String request) {
        refuseOnLoopThread();
        return engine.request(request);
    }

    private void refuseOnLoopThread() {
        if (requestWouldWaitForItself.getAsBoolean()) {
            throw new IllegalStateException("request() on the thread that runs or drives the pool's loop would wait"
                    + " for itself; use submit()");
        }
    }

    /**
     * The byte form of {@link #request(String)}, as {@link #submit(byte[])} is of {@link #submit(String)};
     * the array must not change until this returns.
     *
     * @param request the request line's bytes, without its terminator
     * @return the helper's reply
     * @throws HelperException what the future of {@link #submit(byte[])} would fail with
     * @throws IllegalStateException on the pool's loop thread, or on the thread that drives it
     */
    public HelperReply request(byte[] request) {
        refuseOnLoopThread();
        return engine.request(request);
    }

    /**
     * Submits one request given as bytes, sent exactly as given: no encoding, no decoding (a Latin-1
     * user name, say). The same rules as {@link #submit(String)}: no LF inside (refused with
     * {@link HelperException.InvalidRequest}), the pool appends the terminator (and the channel ID).
     * The array is copied before this returns; the caller may reuse it.
     *
     * @param request the request line's bytes, without its terminator
     * @return completes with the reply, or fails with a {@link HelperException}
     */
    public CompletableFuture<HelperReply> submit(byte[] request) {
        return engine.submit(request);
    }

    /**
     * Submits several requests at once: the same as {@link #submit(String)} for each, in list order
     * (each is checked, queued, dispatched, bypassed or refused on its own and completes on its own),
     * but handed to the loop as one command. Why: a caller with many requests ready (a pipelining
     * client) then costs the loop one wake-up and one queue entry, and the requests leave in one
     * write per helper, however the loop's timing falls. The futures are in the order of
     * {@code requests}.
     *
     * @param requests the request lines, without their terminators
     * @return one future per request, in the order of {@code requests}
     * @throws NullPointerException if the list or an element is null (then nothing is submitted)
     */
    public List<CompletableFuture<HelperReply>> submitAll(List<String> requests) {
        return engine.submitAll(requests);
    }

    /**
     * Reserves a free stateful helper for a multi-step exchange (queued like a request if none is free).
     *
     * @return completes with the reservation, or fails with a {@link HelperException}
     */
    public CompletableFuture<HelperReservation> reserve() {
        return engine.reserve();
    }

    /**
     * Sends the next step of a reserved exchange to the reserved helper.
     *
     * @param reservation a reservation of this pool
     * @param request     the request line, without its terminator
     * @return completes with the reply, or fails with a {@link HelperException} ({@link HelperException.Reservation} once the reservation is gone)
     */
    public CompletableFuture<HelperReply> submit(HelperReservation reservation, String request) {
        return engine.submit(reservation, request);
    }

    /**
     * The byte form of {@link #submit(HelperReservation, String)}, as {@link #submit(byte[])} is of {@link #submit(String)}.
     *
     * @param reservation a reservation of this pool
     * @param request     the request line's bytes, without its terminator (copied)
     * @return completes with the reply, or fails with a {@link HelperException}
     */
    public CompletableFuture<HelperReply> submit(HelperReservation reservation, byte[] request) {
        return engine.submit(reservation, request);
    }

    /**
     * Ends a reservation; the helper takes other work once its current request, if any, is answered.
     *
     * @param reservation a reservation of this pool
     */
    public void release(HelperReservation reservation) {
        engine.release(reservation);
    }

    /**
     * Stops accepting requests; queued and in-flight ones may still be answered until {@code grace}
     * has passed; then the rest fail with {@link HelperException.Closed} and remaining helpers are
     * killed. Idle helpers are closed at once, busy ones after their last reply. The future completes
     * when every helper has exited.
     *
     * @param grace how long queued and in-flight requests may still be answered
     * @return completes when every helper has exited
     */
    public CompletableFuture<Void> shutdown(Duration grace) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // Unregistered before the caller hears of the end (the engine's future always completes normally).
        engine.shutdown(grace).whenComplete((v, e) -> {
            metrics.close();
            done.complete(null);
        });
        return done;
    }

    /**
     * Switches to a new configuration, same program: running helpers are retired (they finish their
     * in-flight requests and reservations, then close), a new generation starts, and queued requests
     * are carried over to it: none is dropped. The future fails with {@link HelperException.Closed}
     * once the pool is shut down or closed.
     *
     * @param newConfig the configuration of the new generation
     * @return completes once the new generation is on its way
     */
    public CompletableFuture<Void> reconfigure(HelperPoolConfig newConfig) {
        return engine.reconfigure(newConfig, (HelperLauncher) null);
    }

    /**
     * As {@link #reconfigure(HelperPoolConfig)}, with a new helper program ({@code newSpec}: command,
     * arguments, environment) for the new generation.
     *
     * @param newConfig the configuration of the new generation
     * @param newSpec   the program of the new generation
     * @return completes once the new generation is on its way
     * @throws UnsupportedOperationException for a pool not made by {@link HelperPools}
     */
    public CompletableFuture<Void> reconfigure(HelperPoolConfig newConfig, HelperSpec newSpec) {
        Objects.requireNonNull(newSpec, "newSpec");
        if (launchers == null) {
            throw new UnsupportedOperationException("this pool was not made by HelperPools; it cannot change its program");
        }
        return engine.reconfigure(newConfig, launchers.apply(newSpec));
    }

    /** As {@link #reconfigure(HelperPoolConfig)} with a new launcher. Same-package tests use it. */
    CompletableFuture<Void> reconfigure(HelperPoolConfig newConfig, HelperLauncher newLauncher) {
        return engine.reconfigure(newConfig, newLauncher);
    }

    /**
     * A statistics snapshot, taken on the loop thread. Any thread.
     *
     * @return completes with the snapshot on the loop thread
     */
    public CompletableFuture<HelperPoolStats> statsAsync() {
        return engine.statsAsync();
    }

    /**
     * A statistics snapshot. Loop thread only (use {@link #statsAsync()} elsewhere).
     *
     * @return the snapshot
     */
    public HelperPoolStats stats() {
        return engine.stats();
    }

    // ---------------------------------------------------------------- loop entry points (package-private)
    // The launcher's helpers report to the engine directly (it is their event sink); these delegations
    // are for same-package tests that drive a pool on a fake launcher, and for HelperPools' wiring.

    void onData(long helperId, ByteBuffer data) {
        engine.onData(helperId, data);
    }

    void onWritable(long helperId) {
        engine.onWritable(helperId);
    }

    void onEof(long helperId) {
        engine.onEof(helperId);
    }

    void onExit(long helperId, HelperExit exit) {
        engine.onExit(helperId, exit);
    }

    /** Runs due timers (timeouts, restarts, reservation expiry, shutdown deadline). Loop thread. */
    void onTick() {
        engine.onTick();
    }

    /**
     * The loop has closed (its last act, on its thread; {@link HelperPools} registers this as the loop's
     * close hook): its helpers were killed and reaped without the pool being told, and no command will
     * run any more. Closes the pool's admission (later submissions, and those still in the inbox, fail
     * with {@link HelperException.Closed}) and fails every request the pool still holds, queued or in
     * flight, with the same exception; ends reservations; completes the {@link #shutdown} future.
     */
    void onLoopClosed() {
        try {
            engine.onLoopClosed();
        } finally {
            metrics.close();
        }
    }

    /** True once a shutdown has completed (every helper ended): the pool needs no more ticks. Loop thread. */
    boolean isShutDown() {
        return engine.isShutDown();
    }

    /** The earliest pending deadline on the pool's clock, for the loop's epoll timeout. */
    OptionalLong nextDeadline() {
        return engine.nextDeadline();
    }

    /** {@link #nextDeadline()} as a plain long ({@link Long#MAX_VALUE}: none), asked on every loop wake-up. */
    long nextDeadlineNanos() {
        return engine.nextDeadlineNanos();
    }
}
