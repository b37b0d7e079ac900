package io.procmaster.helper;

import io.procmaster.policy.Clock;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
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
import org.slf4j.LoggerFactory;

/**
 * A pool of helper processes speaking the line protocol (Squid 3.2+ semantics, Lusca channel ids as
 * an option): queueing, dispatch to the least-loaded helper, on-demand growth, timeouts, BH retries,
 * restart backoff, crash-loop breaker, stateful reservations, graceful shutdown and reconfigure.
 *
 * <p>Threading: all state belongs to the loop thread. {@link #submit}, {@link #submitAll}, {@link #reserve},
 * {@link #release}, {@link #shutdown}, {@link #reconfigure} may be called from any thread: requests go
 * through the pool's admission into its inbox, drained on the loop; the other calls hand a command to
 * the injected loop executor. The loop calls the {@link HelperEventSink} methods, {@link #onTick()}
 * when {@link #nextDeadline()} has passed, {@link #stats()}, and {@link #onLoopClosed()} as its last
 * act. Futures are completed on the loop thread, after the pool's state is consistent (so a callback
 * may submit again), except those refused at once (overload, invalid text, closed), which complete in
 * the submitting thread before {@code submit} returns; heavy callbacks should use the {@code *Async}
 * stages.
 *
 * <p>Admission (back-pressure where the caller stands): at most {@link HelperPoolConfig#admissionLimit()}
 * requests ({@code queueLimit} plus every helper's in-flight slots) are admitted and not yet
 * completed at any time. Beyond it, {@code submit} does not hand anything to the loop: the future
 * completes at once by the overload policy ({@link OverloadPolicy#FAIL}: {@link HelperOverloadException};
 * {@link OverloadPolicy#BYPASS}: a {@link HelperReply.Status#BYPASSED} reply, for plain requests; a
 * reservation or a reservation's step fails with the exception under both). The loop still applies
 * {@code queueLimit} to what it cannot dispatch, as before. The cost on the submitting thread is one
 * compare-and-set and a lock-free queue insertion; the count falls in the pool's single completion
 * path, before the future completes. See {@link HelperPoolAdmission}.
 *
 * <p>Closing (submissions racing the end of the pool): once the pool's executor rejects a command,
 * or the loop has closed ({@link #onLoopClosed()}), the pool is closed: every later submission fails
 * at once with {@link HelperPoolClosedException}, and so does every request still on its way to the
 * loop (the caller re-checks the closed state after handing its request over, the closer empties the
 * inbox after setting it: one of them fails it). Requests the loop already holds (queued, in flight,
 * reserved) are failed by {@link #onLoopClosed()} with the same exception, unless a {@link #shutdown}
 * finished them first. So a submission racing the close completes, with a reply or that exception,
 * never neither. This needs an executor that, once stopped, runs or rejects each command it is given
 * (the {@link io.procmaster.loop.EventLoop} contract), or else calls {@link #onLoopClosed()} at its end
 * ({@link HelperPools} registers it as the loop's close hook).
 *
 * <p>Guarantee: every accepted request's future completes exactly once: with a reply, or with a
 * {@link HelperException} subclass naming the reason (timeout, overload, breaker open, helper died,
 * reply too long, reservation gone, pool closed).
 *
 * <p>Failure modes: bad helper output (unknown channel, unsolicited lines, over-long lines) is logged
 * and counted, never thrown; a helper whose stream can no longer be trusted is killed and replaced.
 */
public final class HelperPool implements HelperEventSink {
    private static final Logger log = LoggerFactory.getLogger(HelperPool.class);
    private static final int RECENT_EXITS = 16;

    private final Clock clock;
    private final Executor loop;
    private final HelperPoolAdmission admission;
    private final TimerQueue timers = new TimerQueue();
    private final ArrayDeque<PendingRequest> queue = new ArrayDeque<>();
    private final Map<Long, PooledHelper> helpers = new LinkedHashMap<>(); // start order
    /** helpers' values in start order, rebuilt when one is added or removed: dispatch walks it per request. */
    private PooledHelper[] ordered = new PooledHelper[0];
    private final ArrayDeque<HelperStats> recentExits = new ArrayDeque<>();
    private final ArrayDeque<Runnable> completions = new ArrayDeque<>();
    private final ServiceTimeHistogram serviceTimes = new ServiceTimeHistogram();
    private final List<PooledHelper> unflushed = new ArrayList<>();
    private final Runnable flushTask = this::flushUnflushed;
    private boolean flushScheduled;

    private volatile HelperPoolConfig config; // volatile: config() may be read from any thread
    private HelperLauncher launcher;
    private RestartBackoff backoff;
    private CrashLoopBreaker breaker;
    private int generation;
    private int depth;
    private long nextHelperId = 1;
    private long nextRequestSeq = 1;
    private long nextReservationId = 1;
    private boolean started;
    private boolean probeInFlight;
    private int replacementsOwed;
    private TimerQueue.Timer spawnTimer;
    private HelperStartException lastStartFailure;
    private CompletableFuture<Void> shutdownFuture;
    private TimerQueue.Timer shutdownTimer;

    // 64-bit counters
    private long submitted, sent, replies, completedOk, failed, timeouts, lateReplies, unknownChannelReplies,
            unsolicitedReplies, tooLongReplies, retries, overloadRejected, bypassed, breakerRejected, startedCount,
            restarts, startFailures, deaths, duplicateCompletions;
    private int maxQueueLength;

    /**
     * @param loop runs commands on the loop thread in the order given (in production: the
     *             {@link io.procmaster.loop.EventLoop}'s queue, with an eventfd wake-up if the loop
     *             sleeps; in tests: {@code Runnable::run}); may reject once the loop has stopped
     *             (the pool is then closed), but must not drop a command it accepted unless it calls
     *             {@link #onLoopClosed()} at its end. The pool also queues its own flush of helper
     *             output there, to run after the commands already waiting, and the drain of its inbox.
     */
    public HelperPool(HelperPoolConfig config, HelperLauncher launcher, Clock clock, Executor loop) {
        this.config = Objects.requireNonNull(config, "config");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.loop = Objects.requireNonNull(loop, "loop");
        this.admission = new HelperPoolAdmission(loop, this::drainInbox);
        newPolicies();
    }

    private void newPolicies() {
        backoff = new RestartBackoff(config.restartBackoffInitial().toNanos(), config.restartBackoffMax().toNanos());
        breaker = new CrashLoopBreaker(config.breakerDeaths(), config.breakerWindow().toNanos());
    }

    public HelperPoolConfig config() {
        return config;
    }

    /** Requests admitted and not yet completed (at most {@link HelperPoolConfig#admissionLimit()}). Any thread. */
    int admittedCount() {
        return admission.admitted();
    }

    // ---------------------------------------------------------------- commands (any thread)

    /** Starts the {@code startup} helpers. Loop thread. */
    public void start() {
        enter();
        try {
            if (started) return;
            started = true;
            log.info("helper pool '{}': starting {} of at most {} processes", config.name(), config.startup(), config.children());
            reconcile();
        } finally {
            exit();
        }
    }

    /**
     * Submits one request (text without the line terminator). The future completes with the helper's
     * reply (or a {@link HelperReply.Status#BYPASSED} one under overload policy BYPASS) or fails with a
     * {@link HelperException}. Stateful pools treat this as a one-shot exchange on a free helper.
     * Beyond the admission limit, or once the pool is closed, the future is already complete when
     * this returns (see the class comment).
     */
    public CompletableFuture<HelperReply> submit(String request) {
        Objects.requireNonNull(request, "request");
        return cast(command(new PendingRequest(0, request, new CompletableFuture<>(), null)));
    }

    /**
     * Submits several requests at once: the same as {@link #submit(String)} for each, in list order
     * (each is checked, queued, dispatched, bypassed or refused on its own and completes on its own),
     * but handed to the loop as one command. Why: a caller with many requests ready (a pipelining
     * client) then costs the loop one wake-up and one queue entry, and the requests leave in one
     * write per helper, however the loop's timing falls. The futures are in the order of
     * {@code requests}.
     *
     * @throws NullPointerException if the list or an element is null (then nothing is submitted)
     */
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

    /** Reserves a free stateful helper for a multi-step exchange (queued like a request if none is free). */
    public CompletableFuture<HelperReservation> reserve() {
        return cast(command(new PendingRequest(0, null, new CompletableFuture<>(), null)));
    }

    /** Sends the next step of a reserved exchange to the reserved helper. */
    public CompletableFuture<HelperReply> submit(HelperReservation reservation, String request) {
        Objects.requireNonNull(reservation, "reservation");
        Objects.requireNonNull(request, "request");
        return cast(command(new PendingRequest(0, request, new CompletableFuture<>(), reservation)));
    }

    /** Ends a reservation; the helper takes other work once its current request, if any, is answered. */
    public void release(HelperReservation reservation) {
        onLoop(() -> doRelease(reservation), () -> { });
    }

    /**
     * Stops accepting requests; queued and in-flight ones may still be answered until {@code grace}
     * has passed; then the rest fail with {@link HelperPoolClosedException} and remaining helpers are
     * killed. Idle helpers are closed at once, busy ones after their last reply. The future completes
     * when every helper has exited.
     */
    public CompletableFuture<Void> shutdown(java.time.Duration grace) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(() -> doShutdown(grace).whenComplete((v, e) -> result.complete(null)),
                () -> result.complete(null));
        return result;
    }

    /**
     * Switches to a new configuration (and launcher, e.g. a new program): running helpers are retired
     * (they finish their in-flight requests and reservations, then close), a new generation starts,
     * and queued requests are carried over to it: none is dropped.
     */
    public CompletableFuture<Void> reconfigure(HelperPoolConfig newConfig, HelperLauncher newLauncher) {
        Objects.requireNonNull(newConfig, "newConfig");
        Objects.requireNonNull(newLauncher, "newLauncher");
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(() -> {
            enter();
            try {
                if (shutdownFuture != null) {
                    result.completeExceptionally(new HelperPoolClosedException(closedMessage()));
                    return;
                }
                doReconfigure(newConfig, newLauncher);
                result.complete(null);
            } finally {
                exit();
            }
        }, () -> result.completeExceptionally(new HelperPoolClosedException(closedMessage())));
        return result;
    }

    /** Statistics snapshot; runs on the loop thread and completes there. */
    public CompletableFuture<HelperPoolStats> statsAsync() {
        CompletableFuture<HelperPoolStats> result = new CompletableFuture<>();
        onLoop(() -> result.complete(stats()), () -> result.completeExceptionally(new HelperPoolClosedException(closedMessage())));
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

    /**
     * Loop thread: takes the admitted requests from the inbox, in order, at most one admission limit's
     * worth per call (so a steady stream of callers cannot keep the loop from its other work; that is
     * also at least every request that was in the inbox when the call was queued), and queues another
     * drain if some are left. Every command runs it first, so requests submitted before a
     * {@link #shutdown}, {@link #release} or {@link #reconfigure} from the same thread are seen first.
     */
    private void drainInbox() {
        if (admission.isClosed()) {
            admission.close(null); // closed meanwhile: what waits fails as closed, nothing reaches the pool's state
            return;
        }
        enter();
        try {
            int max = config.admissionLimit();
            PendingRequest r;
            for (int i = 0; i < max && (r = admission.poll()) != null; i++) {
                submitOrFail(r); // one request's failure must not strand the rest
            }
        } finally {
            exit();
        }
        if (admission.hasWaiting()) admission.scheduleDrain(config);
    }

    /** doSubmit; an unexpected exception completes the request with it (every request completes) and is logged. */
    private void submitOrFail(PendingRequest req) {
        try {
            doSubmit(req);
        } catch (RuntimeException e) {
            log.error("helper pool '{}': submitting request failed: {}", config.name(), e.toString(), e);
            HelperException failure = new HelperException("helper pool '" + config.name() + "': submitting the request failed: " + e, e);
            if (!req.done && req.helper == null) {
                queue.remove(req); // wherever it got to, it is nowhere now: finish it (and release its admission)
                finish(req, failure, false);
            } else {
                req.future.completeExceptionally(failure); // a helper holds it: its own end finishes it
            }
        }
    }

    private void onLoop(Runnable action, Runnable rejected) {
        try {
            loop.execute(() -> {
                drainInbox();
                action.run();
            });
        } catch (RejectedExecutionException e) {
            admission.close(HelperPoolAdmission.closedMessage(config, "its event loop no longer accepts commands (" + e.getMessage() + ")"));
            rejected.run();
        }
    }

    // ---------------------------------------------------------------- loop entry points

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
            if (!h.framer.feed(data, line -> onLine(h, line))) {
                tooLongReplies++;
                String msg = "helper pool '" + config.name() + "': helper " + h.describe()
                        + " sent a reply line longer than the " + h.maxLine + "-byte limit; killing it";
                log.error(msg);
                kill(h, msg, HelperReplyTooLongException::new);
            }
            reconcile();
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
            flush(h);
            reconcile();
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
            lose(h, "helper " + h.describe() + " closed its output before answering", HelperDiedException::new);
            h.channel.close(); // the loop layer escalates to SIGTERM/SIGKILL if it does not exit
            reconcile();
        } finally {
            exit();
        }
    }

    @Override
    public void onExit(long helperId, HelperExit exit) {
        enter();
        try {
            PooledHelper h = helpers.get(helperId);
            if (h == null) {
                log.warn("helper pool '{}': exit of unknown helper #{} ({})", config.name(), helperId, exit);
                return;
            }
            h.lastExit = exit;
            if (!h.lost) {
                if (!h.expectedEnd) log.warn("helper pool '{}': helper {} exited: {}", config.name(), h.describe(), exit);
                lose(h, "helper " + h.describe() + " exited (" + exit + ") before answering", HelperDiedException::new);
            } else {
                log.info("helper pool '{}': helper {} ended: {}", config.name(), h.describe(), exit);
            }
            h.state = HelperState.EXITED;
            helpers.remove(helperId);
            ordered = helpers.values().toArray(new PooledHelper[0]);
            recentExits.addLast(snapshot(h));
            while (recentExits.size() > RECENT_EXITS) recentExits.removeFirst();
            reconcile();
        } finally {
            exit();
        }
    }

    /** Runs due timers (timeouts, restarts, reservation expiry, shutdown deadline). Loop thread. */
    public void onTick() {
        enter();
        try {
            timers.runDue(clock.nanoTime());
            reconcile();
        } finally {
            exit();
        }
    }

    /**
     * The loop has closed (its last act, on its thread; {@link HelperPools} registers this as the loop's
     * close hook): its helpers were killed and reaped without the pool being told, and no command will
     * run any more. Closes the pool's admission (later submissions, and those still in the inbox, fail
     * with {@link HelperPoolClosedException}) and fails every request the pool still holds, queued or in
     * flight, with the same exception; ends reservations; completes the {@link #shutdown} future.
     */
    public void onLoopClosed() {
        enter();
        try {
            String why = "its event loop closed before the request was answered";
            admission.close(HelperPoolAdmission.closedMessage(config, why));
            if (spawnTimer != null) spawnTimer.cancel();
            if (shutdownTimer != null) shutdownTimer.cancel();
            if (shutdownFuture == null) shutdownFuture = new CompletableFuture<>();
            failQueued(q -> new HelperPoolClosedException(closedMessage() + ": " + why));
            for (PooledHelper h : ordered) {
                h.expectedEnd = true; // ended by the loop: not a death
                lose(h, why, HelperPoolClosedException::new);
                h.state = HelperState.EXITED;
            }
            helpers.clear();
            ordered = new PooledHelper[0];
            unflushed.clear();
            if (!shutdownFuture.isDone()) {
                CompletableFuture<Void> f = shutdownFuture;
                completions.add(() -> f.complete(null));
            }
        } finally {
            exit();
        }
    }

    /** True once a shutdown has completed (every helper ended): the pool needs no more ticks. Loop thread. */
    boolean isShutDown() {
        return shutdownFuture != null && shutdownFuture.isDone();
    }

    /** The earliest pending deadline on the pool's clock, for the loop's epoll timeout. */
    public OptionalLong nextDeadline() {
        return timers.nextDeadline();
    }

    // ---------------------------------------------------------------- submission

    private void doSubmit(PendingRequest req) {
        // The seq and clock are assigned here, on the loop thread (the caller's thread handed it over
        // through the loop's queue: a happens-before edge).
        PendingRequest r = req;
        if (r.seq == 0) {
            r.seq = nextRequestSeq++;
            r.submitNanos = clock.nanoTime();
        }
        if (shutdownFuture != null) {
            reject(r, new HelperPoolClosedException(closedMessage()));
            return;
        }
        // The text was checked by the admission, in the caller's thread.
        if (r.reservation != null || r.isReserveOnly()) {
            if (!stateful(r)) return;
        }
        if (r.reservation != null) {
            submitReserved(r);
            return;
        }
        if (breaker.isOpen()) {
            if (probeInFlight || !anyFreeHelper()) {
                breakerRejected++;
                reject(r, new HelperUnavailableException(unavailableMessage(), lastStartFailure));
                return;
            }
            r.probe = true; // one request tests whether the restarted helper works
            probeInFlight = true;
        }
        armTimeout(r);
        queue.addLast(r);
        reconcile();
        if (!r.done && r.helper == null && queue.size() > config.queueLimit()) {
            // Still queued after dispatch and on-demand starts, beyond the bound: refuse it now.
            queue.remove(r);
            if (config.overloadPolicy() == OverloadPolicy.BYPASS && !r.isReserveOnly()) {
                bypassed++;
                finish(r, HelperReply.bypassed("helper pool '" + config.name() + "' overloaded: bypassed"), true);
            } else {
                overloadRejected++;
                finish(r, new HelperOverloadException("helper pool '" + config.name() + "' overloaded: all "
                        + liveCount() + "/" + config.children() + " helpers busy and " + queue.size()
                        + " requests queued (limit " + config.queueLimit() + ")"), false);
            }
            return;
        }
        submitted++;
        maxQueueLength = Math.max(maxQueueLength, queue.size());
    }

    private boolean stateful(PendingRequest r) {
        if (config.stateful()) return true;
        reject(r, new HelperInvalidRequestException("helper pool '" + config.name() + "' is not stateful: reservations are not supported"));
        return false;
    }

    private void submitReserved(PendingRequest r) {
        HelperReservation res = r.reservation;
        if (res.pool != this) {
            reject(r, new HelperReservationException(res + " belongs to another helper pool"));
            return;
        }
        if (res.state != HelperReservation.State.ACTIVE) {
            reject(r, new HelperReservationException("helper pool '" + config.name() + "': reservation " + res + " " + res.lostReason));
            return;
        }
        PooledHelper h = res.helper;
        if (!h.inFlight.isEmpty()) {
            reject(r, new HelperInvalidRequestException("helper pool '" + config.name() + "': reservation " + res
                    + " already has a request in flight; wait for its reply"));
            return;
        }
        submitted++;
        armTimeout(r);
        dispatch(r, h);
    }

    private void reject(PendingRequest r, HelperException e) {
        log.debug("{}", e.getMessage());
        finish(r, e, false);
    }

    private void armTimeout(PendingRequest r) {
        long t = config.requestTimeout().toNanos();
        if (t > 0) r.timeout = timers.scheduleAfter(r.submitNanos, t, () -> onRequestTimeout(r, t));
    }

    // ---------------------------------------------------------------- dispatch, spawn, drain

    /**
     * Brings the pool to a consistent state after any event: dispatch what can be dispatched, start
     * helpers that are wanted (honouring backoff and the breaker), close retired idle helpers, and
     * finish a shutdown once everything has ended.
     */
    private void reconcile() {
        if (shutdownFuture != null) {
            reconcileShutdown();
            return;
        }
        if (!started) return;
        for (int guard = 0; guard < 10_000; guard++) {
            dispatchQueue();
            int want = spawnWanted();
            if (want == 0) break;
            long now = clock.nanoTime();
            if (!backoff.mayStart(now)) {
                armSpawnTimer(backoff.nextStartAllowed());
                break;
            }
            for (int i = 0; i < want; i++) {
                if (!startHelper()) break; // the failed start moved the backoff gate; loop re-checks it
            }
        }
        closeIdleRetired();
    }

    private void reconcileShutdown() {
        drainQueueDuringShutdown();
        closeIdleRetired();
        boolean anyServing = false;
        for (PooledHelper h : ordered) anyServing |= !h.lost;
        if (!anyServing && !queue.isEmpty())
            failQueued(q -> new HelperPoolClosedException(closedMessage() + ": no helper left to answer"));
        if (helpers.isEmpty() && queue.isEmpty() && !shutdownFuture.isDone()) {
            if (shutdownTimer != null) shutdownTimer.cancel();
            log.info("helper pool '{}': shut down", config.name());
            CompletableFuture<Void> f = shutdownFuture;
            completions.add(() -> f.complete(null));
        }
    }

    /** How many helpers to start now (0 if none is wanted or there is no room). */
    private int spawnWanted() {
        if (shutdownFuture != null) return 0;
        int processes = 0;
        int live = 0;
        for (PooledHelper h : ordered) {
            if (h.generation != generation) continue;
            processes++;
            if (h.state == HelperState.READY) live++;
        }
        int room = config.children() - processes;
        if (room <= 0) return 0;
        if (breaker.isOpen()) return live == 0 ? 1 : 0; // keep one helper around to probe with
        int want = 0;
        if (live < config.startup()) want = config.startup() - live;
        if (!queue.isEmpty()) want = Math.max(want, config.idle());
        return Math.min(want, room);
    }

    private void armSpawnTimer(long at) {
        if (spawnTimer != null && !spawnTimer.cancelled && spawnTimer.deadline == at) return;
        if (spawnTimer != null) spawnTimer.cancel();
        spawnTimer = timers.schedule(at, () -> spawnTimer = null); // onTick reconciles afterwards
    }

    private boolean startHelper() {
        long id = nextHelperId++;
        HelperChannel channel;
        try {
            channel = launcher.start(id, this);
        } catch (HelperStartException | RuntimeException e) {
            HelperStartException se = e instanceof HelperStartException hse ? hse
                    : new HelperStartException("launcher failed: " + e, -1, null, e);
            startFailures++;
            lastStartFailure = se;
            log.warn("helper pool '{}': cannot start helper #{}: {}", config.name(), id, se.getMessage());
            recordDeath();
            return false;
        }
        PooledHelper h = new PooledHelper(id, generation, channel, config);
        helpers.put(id, h);
        ordered = helpers.values().toArray(new PooledHelper[0]);
        startedCount++;
        if (replacementsOwed > 0) {
            replacementsOwed--;
            restarts++;
        }
        log.info("helper pool '{}': started helper {}", config.name(), h.describe());
        return true;
    }

    private void dispatchQueue() {
        while (!queue.isEmpty()) {
            PendingRequest r = queue.peekFirst();
            PooledHelper h = pick(r);
            if (h == null) return;
            queue.pollFirst();
            dispatch(r, h);
        }
    }

    /**
     * The least-loaded helper of the current generation with free capacity, ties broken by start
     * order. A BH retry avoids the helper that answered BH, unless no other helper can take it and
     * none can be started. O(helpers), which is at most {@code children} (small).
     */
    private PooledHelper pick(PendingRequest r) {
        PooledHelper best = null;
        PooledHelper avoided = null;
        for (PooledHelper h : ordered) {
            if (h.generation != generation || !h.hasFreeCapacity()) continue;
            if (h.id == r.avoidHelperId) {
                avoided = h;
                continue;
            }
            if (best == null || h.load() < best.load()) best = h;
        }
        if (best != null || avoided == null) return best;
        return spawnWanted() > 0 && backoff.mayStart(clock.nanoTime()) ? null : avoided;
    }

    private void dispatch(PendingRequest r, PooledHelper h) {
        r.helper = h;
        if (r.isReserveOnly()) {
            HelperReservation res = new HelperReservation(nextReservationId++, this, h);
            h.reservation = res;
            armReservationExpiry(res);
            r.helper = null;
            finish(r, res, true);
            return;
        }
        long wireId = h.allocateId();
        r.wireId = wireId;
        r.dispatchNanos = clock.nanoTime();
        h.inFlight.put(wireId, r);
        h.requests++;
        sent++;
        if (r.reservation != null && r.reservation.expiry != null) r.reservation.expiry.cancel();
        h.output.appendRequest(h.tagged(), wireId, r.text);
        flushLater(h);
    }

    /**
     * Why later: the requests dispatched to a helper while the loop works through one batch of
     * commands and events (a burst of submissions, the replies of one poll) should leave in one write,
     * and the helper should need one read for them (docs/helper-ipc.md §2.4). The flush is a command queued
     * behind the ones already waiting, so it runs once they are done and before the loop sleeps.
     */
    private void flushLater(PooledHelper h) {
        if (!h.flushQueued) {
            h.flushQueued = true;
            unflushed.add(h);
        }
        if (flushScheduled) return;
        flushScheduled = true;
        try {
            loop.execute(flushTask);
        } catch (RejectedExecutionException e) {
            flushUnflushed(); // the loop is going away: write now, as a direct caller would
        }
    }

    private void flushUnflushed() {
        enter();
        try {
            for (PooledHelper h : unflushed) { // flushing can kill a helper, never dispatch to one
                h.flushQueued = false;
                try {
                    flush(h);
                } catch (RuntimeException e) { // one helper's failure must not leave the others' requests unwritten
                    log.error("helper pool '{}': flushing to a helper failed: {}", config.name(), e.toString(), e);
                }
            }
            // No reconcile: a helper killed by a failed write is replaced once its exit is seen.
        } finally {
            unflushed.clear();
            flushScheduled = false;
            exit();
        }
    }

    private void flush(PooledHelper h) {
        if (h.lost) {
            h.output.clear();
            return;
        }
        try {
            while (!h.output.isEmpty()) {
                if (h.output.writeTo(h.channel) == 0) {
                    if (!h.writeRequested) {
                        h.writeRequested = true;
                        h.channel.requestWritable();
                    }
                    return;
                }
            }
        } catch (java.io.IOException e) {
            String msg = "helper pool '" + config.name() + "': writing to helper " + h.describe() + " failed: " + e.getMessage();
            log.error(msg);
            kill(h, msg, HelperDiedException::new);
        }
    }

    private void closeIdleRetired() {
        for (PooledHelper h : ordered) {
            if (h.state == HelperState.DRAINING && h.idle()) {
                h.state = HelperState.CLOSING;
                h.framer.poison();
                h.lost = true; // nothing in flight; any later output is unsolicited noise
                log.info("helper pool '{}': closing retired helper {}", config.name(), h.describe());
                h.channel.close();
            }
        }
    }

    // ---------------------------------------------------------------- replies

    private void onLine(PooledHelper h, String line) {
        PendingRequest r;
        String text;
        if (!h.tagged()) {
            Iterator<PendingRequest> it = h.inFlight.values().iterator();
            if (!it.hasNext()) {
                // A classic helper speaking unasked would shift every later reply onto the wrong request.
                unsolicitedReplies++;
                String msg = "helper pool '" + config.name() + "': killing helper " + h.describe()
                        + " after an unexpected line with no request in flight: '" + abbreviate(line) + "'";
                log.error(msg);
                kill(h, msg, HelperDiedException::new);
                return;
            }
            r = it.next();
            it.remove();
            text = line;
        } else {
            long id = WireFormat.parseId(line);
            r = id < 0 ? null : h.inFlight.remove(id);
            if (r == null) {
                if (id >= 0 && h.timedOutIds.remove(id)) {
                    lateReplies++;
                    log.debug("helper pool '{}': dropped late reply on channel {} from helper {}", config.name(), id, h.describe());
                } else {
                    unknownChannelReplies++;
                    log.warn("helper pool '{}': unexpected reply on channel {} from helper {}: '{}'", config.name(),
                            id < 0 ? "?" : Long.toString(id), h.describe(), abbreviate(line));
                }
                return;
            }
            text = WireFormat.afterId(line);
        }
        onReply(h, r, text);
    }

    private void onReply(PooledHelper h, PendingRequest r, String text) {
        long now = clock.nanoTime();
        r.helper = null;
        h.replies++;
        replies++;
        serviceTimes.record(now - r.dispatchNanos);
        HelperReply reply = HelperReplyParser.parse(text);
        if (reply.status() == HelperReply.Status.BH && r.reservation == null && r.bhRetriesUsed < config.bhRetries()
                && shutdownFuture == null) {
            r.bhRetriesUsed++;
            retries++;
            log.warn("helper pool '{}': helper {} answered BH '{}', attempt #{} of {}", config.name(), h.describe(),
                    abbreviate(reply.text()), r.bhRetriesUsed, config.bhRetries());
            r.avoidHelperId = h.id;
            queue.addFirst(r); // keeps its place and its deadline
            return;
        }
        if (reply.status() != HelperReply.Status.BH) {
            backoff.onSuccess();
            if (breaker.onSuccess())
                log.info("helper pool '{}': helper {} answered; crash-loop breaker closed", config.name(), h.describe());
        }
        if (r.reservation != null && r.reservation.state == HelperReservation.State.ACTIVE) {
            if (shutdownFuture != null) // no further step can be submitted: free the helper so it can close
                endReservation(r.reservation, HelperReservation.State.LOST, "was ended by the pool's shutdown");
            else
                armReservationExpiry(r.reservation);
        }
        finish(r, reply, true);
    }

    // ---------------------------------------------------------------- timeouts and failures

    private void onRequestTimeout(PendingRequest r, long timeoutNanos) {
        if (r.done) return;
        String base = "helper pool '" + config.name() + "': request timed out after " + timeoutNanos / 1_000_000 + " ms";
        timeouts++;
        PooledHelper h = r.helper;
        if (h == null) {
            queue.remove(r);
            finish(r, new HelperTimeoutException(base + " (waiting in the queue)"), false);
            return;
        }
        h.timeouts++;
        h.inFlight.remove(r.wireId);
        r.helper = null;
        finish(r, new HelperTimeoutException(base + " on helper " + h.describe()), false);
        if (!h.tagged()) {
            kill(h, "helper " + h.describe() + " killed after a request timeout: classic replies are positional",
                    HelperDiedException::new);
            log.warn("helper pool '{}': killing helper {} after a request timeout (its next line would be misattributed)",
                    config.name(), h.describe());
            return;
        }
        h.timedOutIds.add(r.wireId);
        if (h.timedOutIds.size() >= h.limit()) {
            log.warn("helper pool '{}': helper {} left all {} channels unanswered past the timeout; killing it",
                    config.name(), h.describe(), h.limit());
            kill(h, "helper " + h.describe() + " killed: every channel timed out", HelperDiedException::new);
        }
    }

    /** Asks for an immediate kill and fails whatever the helper held. */
    private void kill(PooledHelper h, String why, Function<String, HelperException> error) {
        lose(h, why, error);
        if (!h.killRequested) {
            h.killRequested = true;
            h.channel.kill();
        }
    }

    /**
     * The helper can no longer answer: fail its in-flight requests, drop its reservation, stop reading
     * it, and count the death unless the pool retired it.
     */
    private void lose(PooledHelper h, String why, Function<String, HelperException> error) {
        if (h.lost) return;
        h.lost = true;
        h.state = HelperState.CLOSING;
        h.framer.poison();
        h.output.clear();
        List<PendingRequest> held = new ArrayList<>(h.inFlight.values());
        h.inFlight.clear();
        h.timedOutIds.clear();
        for (PendingRequest r : held) {
            r.helper = null;
            finish(r, error.apply("helper pool '" + config.name() + "': " + why), false);
        }
        if (h.reservation != null) {
            endReservation(h.reservation, HelperReservation.State.LOST, "lost its helper: " + why);
        }
        boolean retired = h.expectedEnd || h.generation != generation;
        if (!retired) {
            recordDeath();
            if (h.generation == generation) replacementsOwed++;
        }
    }

    private void recordDeath() {
        deaths++;
        long now = clock.nanoTime();
        backoff.onDeath(now);
        if (breaker.onDeath(now)) {
            log.error("helper pool '{}': {} helper deaths within {}: crash-loop breaker open, failing requests fast",
                    config.name(), breaker.deathsInWindow(), config.breakerWindow());
            failQueued(q -> new HelperUnavailableException(unavailableMessage(), lastStartFailure));
        }
    }

    private void failQueued(Function<PendingRequest, HelperException> error) {
        List<PendingRequest> all = new ArrayList<>(queue);
        queue.clear();
        for (PendingRequest r : all) finish(r, error.apply(r), false);
    }

    private String unavailableMessage() {
        return "helper pool '" + config.name() + "' unavailable: crash-loop breaker open after " + breaker.deathsInWindow()
                + " helper deaths within " + config.breakerWindow() + " (restarts continue with backoff)";
    }

    private String closedMessage() {
        return "helper pool '" + config.name() + "' is shut down";
    }

    /** The single completion path: exactly once, after the pool state is consistent. */
    private void finish(PendingRequest r, Object outcome, boolean ok) {
        if (r.done) {
            duplicateCompletions++;
            log.error("helper pool '{}': internal error: request {} completed twice", config.name(), r.seq);
            return;
        }
        r.done = true;
        admission.release(r); // before the future completes: its callback may submit again
        if (r.timeout != null) r.timeout.cancel();
        if (r.probe) probeInFlight = false;
        if (ok) completedOk++;
        else failed++;
        CompletableFuture<Object> f = r.future;
        if (ok) completions.add(() -> f.complete(outcome));
        else completions.add(() -> f.completeExceptionally((Throwable) outcome));
    }

    // ---------------------------------------------------------------- reservations

    private void armReservationExpiry(HelperReservation res) {
        if (res.expiry != null) res.expiry.cancel();
        long t = config.reservationTimeout().toNanos();
        if (t > 0) res.expiry = timers.scheduleAfter(clock.nanoTime(), t, () -> {
            if (res.state == HelperReservation.State.ACTIVE && res.helper.inFlight.isEmpty()) {
                log.warn("helper pool '{}': reservation {} expired after {} without a request", config.name(), res,
                        config.reservationTimeout());
                endReservation(res, HelperReservation.State.EXPIRED, "expired after " + config.reservationTimeout() + " without a request");
            }
        });
    }

    private void doRelease(HelperReservation res) {
        enter();
        try {
            if (res.pool != this || res.state != HelperReservation.State.ACTIVE) return;
            endReservation(res, HelperReservation.State.RELEASED, "was released");
            reconcile();
        } finally {
            exit();
        }
    }

    private void endReservation(HelperReservation res, HelperReservation.State state, String why) {
        res.state = state;
        res.lostReason = why;
        if (res.expiry != null) res.expiry.cancel();
        if (res.helper.reservation == res) res.helper.reservation = null;
    }

    // ---------------------------------------------------------------- shutdown and reconfigure

    private CompletableFuture<Void> doShutdown(java.time.Duration grace) {
        enter();
        try {
            if (shutdownFuture != null) return shutdownFuture;
            shutdownFuture = new CompletableFuture<>();
            log.info("helper pool '{}': shutting down ({} queued, grace {})", config.name(), queue.size(), grace);
            if (spawnTimer != null) spawnTimer.cancel();
            for (PooledHelper h : ordered) {
                h.expectedEnd = true;
                if (h.reservation != null && h.inFlight.isEmpty())
                    endReservation(h.reservation, HelperReservation.State.LOST, "was ended by the pool's shutdown");
                if (h.state == HelperState.READY) h.state = HelperState.DRAINING;
            }
            shutdownTimer = timers.schedule(clock.nanoTime() + grace.toNanos(), this::onShutdownDeadline);
            // Queued requests were accepted: they may still be served by the draining helpers.
            drainQueueDuringShutdown();
            reconcile();
            return shutdownFuture;
        } finally {
            exit();
        }
    }

    private void drainQueueDuringShutdown() {
        while (!queue.isEmpty()) {
            PooledHelper best = null;
            for (PooledHelper h : ordered) {
                if (h.state == HelperState.DRAINING && !h.lost && h.reservation == null && h.load() < h.limit()
                        && (best == null || h.load() < best.load())) best = h;
            }
            if (best == null) return;
            dispatch(queue.pollFirst(), best);
        }
    }

    private void onShutdownDeadline() {
        String msg = closedMessage() + ": the shutdown deadline passed before the request was answered";
        failQueued(q -> new HelperPoolClosedException(msg));
        for (PooledHelper h : ordered) {
            if (h.killRequested) continue;
            // Also helpers already closed: one that ignores EOF on stdin must not outlive the pool.
            log.warn("helper pool '{}': killing helper {} at the shutdown deadline", config.name(), h.describe());
            kill(h, "the shutdown deadline passed before the request was answered", HelperPoolClosedException::new);
        }
    }

    private void doReconfigure(HelperPoolConfig newConfig, HelperLauncher newLauncher) {
        log.info("helper pool '{}': reconfigure to {} ({} queued requests carried over)", config.name(), newConfig, queue.size());
        for (PooledHelper h : ordered) {
            h.expectedEnd = true;
            if (h.state == HelperState.READY) h.state = HelperState.DRAINING;
        }
        config = newConfig;
        launcher = newLauncher;
        generation++;
        replacementsOwed = 0;
        newPolicies(); // a new program deserves a fresh backoff and breaker
        probeInFlight = false;
        for (PendingRequest r : queue) r.probe = false;
        if (spawnTimer != null) spawnTimer.cancel();
        started = true;
        reconcile();
    }

    // ---------------------------------------------------------------- stats and helpers

    /** Statistics snapshot. Loop thread only (use {@link #statsAsync()} elsewhere). */
    public HelperPoolStats stats() {
        List<HelperStats> hs = new ArrayList<>();
        int running = 0;
        int active = 0;
        for (PooledHelper h : ordered) {
            hs.add(snapshot(h));
            running++;
            if (h.state == HelperState.READY && h.generation == generation) active++;
        }
        // Refusals in the callers' threads count like the loop's own.
        long fastBypassed = admission.bypassed();
        return new HelperPoolStats(config.name(), generation, submitted, sent, replies, completedOk + fastBypassed,
                failed + admission.failed(), timeouts, lateReplies, unknownChannelReplies, unsolicitedReplies, tooLongReplies,
                retries, overloadRejected + admission.overloadRefused(), bypassed + fastBypassed,
                breakerRejected, startedCount, restarts, startFailures, deaths, queue.size(), maxQueueLength, running, active,
                breaker.isOpen(), serviceTimes.meanMicros(), serviceTimes.percentileMicros(50),
                serviceTimes.percentileMicros(99), duplicateCompletions, List.copyOf(hs), List.copyOf(recentExits));
    }

    private static HelperStats snapshot(PooledHelper h) {
        return new HelperStats(h.id, h.channel.pid(), h.generation, h.state, h.requests, h.replies, h.timeouts,
                h.inFlight.size(), h.reservation != null, h.lastExit);
    }

    private int liveCount() {
        int n = 0;
        for (PooledHelper h : ordered) if (h.state == HelperState.READY && h.generation == generation) n++;
        return n;
    }

    private boolean anyFreeHelper() {
        for (PooledHelper h : ordered) if (h.generation == generation && h.hasFreeCapacity()) return true;
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }

    private void enter() {
        depth++;
    }

    /** Completes futures only when the outermost entry point is done, so callbacks see a consistent pool. */
    private void exit() {
        if (--depth > 0) return;
        Runnable c;
        while ((c = completions.pollFirst()) != null) c.run();
    }
}
