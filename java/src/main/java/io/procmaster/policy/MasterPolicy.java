package io.procmaster.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * MasterPolicy - the process-creation policy of the master (Postfix master_avail, master_spawn
 * bookkeeping, master_status, master_wakeup, throttle, stress, reload and shutdown decisions) as a
 * deterministic state machine.
 *
 * <p>Interface. The single loop thread feeds events in and runs {@link Timers#runDue()}; the policy
 * answers through {@link MasterActions}:
 * <ul>
 *   <li>configuration: {@link #start(Collection)}, {@link #reload(Collection)}, {@link #shutdown()},
 *       {@link #unthrottle(String)};</li>
 *   <li>listen sockets: {@link #onListenReady(String)};</li>
 *   <li>spawn outcome: {@link #onSpawned(String, long, int)}, {@link #onSpawnFailed(String, long, String)};</li>
 *   <li>status channel: {@link #onStatus(String, int, int, long, int)},
 *       {@link #onMalformedStatus(String, int, int)}, {@link #onStatusReadError(String, String)};</li>
 *   <li>reaping: {@link #onChildExit(int, ChildExit)};</li>
 *   <li>wakeup delivery: {@link #onWakeupFailed(String, String)};</li>
 *   <li>queries: {@link #status(String)}, {@link #statusAll()}, {@link #masterCounters()}.</li>
 * </ul>
 *
 * <p>Rules, in the words of docs/postfix-master.md §2: the listen rule R1-R3 is re-evaluated after every change of
 * throttle, counts, availability or configuration; a readable listen socket spawns one child (after
 * the stress check); a child is AVAIL from birth, so one spawn happens per "nobody available"
 * episode. A child dying abnormally before it ever went TAKEN-to-AVAIL throttles the service, and the
 * throttle is set before the counts drop so listening never flickers on. Improvements from docs/postfix-master.md §10
 * are built in: forged or foreign status records are logged and counted (docs/postfix-master.md §10 W1), malformed ones too
 * (docs/postfix-master.md §10 W2); removal drains asynchronously with SIGTERM then SIGKILL after a deadline (docs/postfix-master.md §10 W3); unknown pids
 * are never fatal (docs/postfix-master.md §10 W4); throttles back off exponentially up to a cap and a spawn-rate window catches
 * daemons that exit 0 at once (docs/postfix-master.md §10 W11); an optional per-service minimum of idle children is preforked
 * (docs/postfix-master.md §10 W12). All time is the injected monotonic clock (docs/postfix-master.md §10 W13). Status records are judged by
 * {@link StatusRecords}; every line a child can trigger at will is rate-limited per service and kind
 * by {@link LogLimiter}, while the counters stay exact.
 *
 * <p>Failure modes: no input makes it throw. Unknown service ids, unknown pids, unknown generations,
 * absurd status values, forged senders, negative or null configuration values are logged (warning,
 * or debug where Postfix is silent by design) and counted in {@link ServiceStatus} or
 * {@link MasterCounters}, and the state is left unchanged. A {@link MasterActions#spawn} that throws is
 * handled as a spawn failure. Not thread-safe: one loop thread owns it (docs/DESIGN.md decision 4).
 */
public final class MasterPolicy {

    private static final Logger log = LoggerFactory.getLogger(MasterPolicy.class);

    private static final int MAX_BACKOFF_SHIFT = 20;
    private static final String MASTER = "master";

    /** A spawn asked for and not yet reported; the epoch is the one the child is born into. */
    private record PendingSpawn(String serviceId, long epoch) { }

    private final PolicySettings settings;
    private final Timers timers;
    private final Clock clock;
    private final MasterActions actions;
    private final GenerationCounter generations;
    private final LogLimiter limited;
    private final StatusRecords records;

    private final Map<String, ServiceState> services = new LinkedHashMap<>();
    private final Map<Integer, ChildRecord> children = new HashMap<>();
    private final Map<Long, PendingSpawn> pending = new HashMap<>();

    private boolean shuttingDown;
    private boolean shutdownReported;
    private Timers.Handle shutdownKillTimer;

    private long unknownPidExits;
    private long unknownServiceEvents;
    private long unexpectedSpawnReports;
    private long badSpecValues;
    private long duplicateSpecs;

    public MasterPolicy(PolicySettings settings, Timers timers, MasterActions actions) {
        this(settings, timers, actions, new GenerationCounter());
    }

    public MasterPolicy(PolicySettings settings, Timers timers, MasterActions actions, GenerationCounter generations) {
        this(settings, timers, actions, generations, PolicyLog.slf4j(log));
    }

    /** As above, with the sink of the rate-limited lines given (tests count them there). */
    MasterPolicy(PolicySettings settings, Timers timers, MasterActions actions, GenerationCounter generations,
                 PolicyLog inputLog) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.clock = timers.clock();
        this.actions = Objects.requireNonNull(actions, "actions");
        this.generations = Objects.requireNonNull(generations, "generations");
        this.limited = new LogLimiter(timers, inputLog);
        this.records = new StatusRecords(limited);
    }

    // ------------------------------------------------------------------ configuration

    /**
     * Starts the initial set of services: each is evaluated for listening (at startup that means
     * listen, docs/postfix-master.md §2.2), gets its wakeup started, and its prefork minimum spawned. The loop must have
     * created the listeners and status channels of these services before calling this.
     */
    public ReloadSummary start(Collection<ServicePolicySpec> specs) {
        return apply(specs, "start");
    }

    /**
     * Applies a new, already validated configuration (docs/postfix-master.md §7.2): new ids are added and started;
     * existing ids get the new values and a restart (status channel recreated, wakeup restarted,
     * listening re-evaluated; counts, old children, throttle and stress are kept); ids no longer present
     * are drained asynchronously (docs/postfix-master.md §10 W3). The loop must have bound new services' listeners first (docs/postfix-master.md §10 W10).
     */
    public ReloadSummary reload(Collection<ServicePolicySpec> specs) {
        return apply(specs, "reload");
    }

    private ReloadSummary apply(Collection<ServicePolicySpec> specs, String why) {
        List<String> added = new ArrayList<>();
        List<String> restarted = new ArrayList<>();
        List<String> removing = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        if (shuttingDown) {
            log.warn("{} ignored: the master is shutting down", why);
            return new ReloadSummary(added, restarted, removing, rejected);
        }
        Map<String, ServicePolicySpec> wanted = new LinkedHashMap<>();
        for (ServicePolicySpec raw : specs == null ? List.<ServicePolicySpec>of() : specs) {
            ServicePolicySpec spec = sanitize(raw);
            if (spec == null) {
                rejected.add(raw == null ? "null" : String.valueOf(raw.id()));
                continue;
            }
            if (wanted.remove(spec.id()) != null) {
                duplicateSpecs++;
                log.warn("duplicate master.cf entry for service \"{}\" ({}) -- using the last entry",
                        spec.name(), spec.id());
            }
            wanted.put(spec.id(), spec);
        }
        for (ServicePolicySpec spec : wanted.values()) {
            ServiceState s = services.get(spec.id());
            if (s == null) {
                addService(spec);
                added.add(spec.id());
            } else {
                updateService(s, spec);
                restarted.add(spec.id());
            }
        }
        for (ServiceState s : new ArrayList<>(services.values())) {
            if (!wanted.containsKey(s.id()) && !s.draining) {
                removing.add(s.id());
                removeService(s);
            }
        }
        return new ReloadSummary(added, restarted, removing, rejected);
    }

    private void addService(ServicePolicySpec spec) {
        ServiceState s = new ServiceState(spec, settings);
        services.put(spec.id(), s);
        log.debug("{}: added", s.label());
        startWakeup(s);
        reevaluate(s);
    }

    private void updateService(ServiceState s, ServicePolicySpec spec) {
        ServicePolicySpec old = s.spec;
        if (s.draining) {
            // Removed by an earlier reload and back before its children were gone: keep the
            // record (its children still count) and make it a live service again.
            s.draining = false;
            ServiceState.cancel(s.drainTimer);
            s.drainTimer = null;
            log.info("{}: back in the configuration while draining; restarting it", s.label());
        }
        s.spec = spec;
        // docs/postfix-master.md §5.5: CONDWAKE is copied from the new entry, so a still-conditional service stops
        // sending wakeups until its next spawn.
        s.condWake = spec.conditionalWakeup() && spec.hasWakeup();
        s.limiter.configure(settings.spawnRateLimit(), settings.spawnRateWindow());
        if (s.throttled && settings.clearThrottleOnCommandChange()
                && (!Objects.equals(old.command(), spec.command()) || !old.args().equals(spec.args()))) {
            log.info("{}: command changed at reload; releasing the throttle", s.label());
            s.throttleLevel = 0;
            unthrottleNow(s, false);
        }
        restartService(s);
        reevaluate(s);
    }

    /** Restart without reload semantics for listeners: new status channel epoch, wakeup restarted. */
    private void restartService(ServiceState s) {
        ServiceState.cancel(s.wakeupTimer);
        s.wakeupTimer = null;
        s.epoch++;
        actions.restartStatusChannel(s.id());
        startWakeup(s);
    }

    private void removeService(ServiceState s) {
        s.draining = true;
        ServiceState.cancel(s.wakeupTimer);
        s.wakeupTimer = null;
        // The throttle no longer matters (nothing will be spawned) and its timer must not fire
        // into a draining service; bad-startup handling is suppressed by the draining flag.
        ServiceState.cancel(s.throttleTimer);
        s.throttleTimer = null;
        s.throttled = false;
        actions.closeStatusChannel(s.id());
        updateListen(s);
        log.info("{}: removed from the configuration; stopping {} process(es)", s.label(), s.total());
        for (ChildRecord r : new ArrayList<>(s.children.values())) {
            signalChild(r, Signal.TERM);
        }
        if (!checkGone(s)) {
            s.drainTimer = timers.schedule(settings.drainTime(), "drain " + s.id(), () -> killRemaining(s));
        }
    }

    private void killRemaining(ServiceState s) {
        s.drainTimer = null;
        if (services.get(s.id()) != s || !s.draining) {
            return;
        }
        for (ChildRecord r : new ArrayList<>(s.children.values())) {
            s.counters.killsAfterDrain++;
            log.warn("{}: process {} pid {} still running {} after SIGTERM -- sending SIGKILL",
                    s.label(), s.spec.command(), r.pid(), settings.drainTime());
            signalChild(r, Signal.KILL);
        }
    }

    /** A draining service with no children left is forgotten; returns true if it went. */
    private boolean checkGone(ServiceState s) {
        if (!s.draining || s.total() > 0 || services.get(s.id()) != s) {
            return false;
        }
        ServiceState.cancel(s.drainTimer);
        s.drainTimer = null;
        services.remove(s.id());
        log.info("{}: all processes gone; service removed", s.label());
        actions.serviceGone(s.id());
        return true;
    }

    /**
     * Shutdown as far as policy goes: stop listening and waking up, SIGTERM every child, SIGKILL
     * those left after {@link PolicySettings#drainTime()}, then {@link MasterActions#allChildrenGone()}.
     * Reference Postfix signals its process group and dies at once; a loop that wants that simply
     * exits after this call instead of waiting for the report.
     */
    public void shutdown() {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        log.info("shutting down: stopping {} process(es)", children.size() + pending.size());
        for (ServiceState s : services.values()) {
            ServiceState.cancel(s.wakeupTimer);
            s.wakeupTimer = null;
            ServiceState.cancel(s.throttleTimer);
            s.throttleTimer = null;
            updateListen(s);
            for (ChildRecord r : new ArrayList<>(s.children.values())) {
                signalChild(r, Signal.TERM);
            }
        }
        if (!checkShutdownDone()) {
            shutdownKillTimer = timers.schedule(settings.drainTime(), "shutdown kill", this::killAllRemaining);
        }
    }

    private void killAllRemaining() {
        shutdownKillTimer = null;
        for (ChildRecord r : new ArrayList<>(children.values())) {
            ServiceState s = services.get(r.serviceId());
            if (s != null) {
                s.counters.killsAfterDrain++;
            }
            log.warn("process pid {} still running {} after SIGTERM -- sending SIGKILL", r.pid(), settings.drainTime());
            signalChild(r, Signal.KILL);
        }
    }

    private boolean checkShutdownDone() {
        if (!shuttingDown || shutdownReported || !children.isEmpty() || !pending.isEmpty()) {
            return false;
        }
        shutdownReported = true;
        ServiceState.cancel(shutdownKillTimer);
        shutdownKillTimer = null;
        log.info("all child processes gone");
        actions.allChildrenGone();
        return true;
    }

    /** Releases a throttle by hand (CLI); a no-op, with a debug line, if not throttled. */
    public void unthrottle(String serviceId) {
        ServiceState s = service(serviceId, "unthrottle");
        if (s != null) {
            if (!s.throttled) {
                log.debug("{}: unthrottle: not throttled", s.label());
            }
            unthrottleNow(s, true);
        }
    }

    // ------------------------------------------------------------------ listen rule and spawning

    /**
     * A listen socket of the service became readable. Spawns one child if the master is listening
     * and R1-R3 still allow it; a readiness collected before listening was switched off in the same
     * round is dropped (docs/postfix-master.md §2.2) and counted as stale.
     */
    public void onListenReady(String serviceId) {
        ServiceState s = service(serviceId, "listen readiness");
        if (s == null) {
            return;
        }
        if (!s.listening || shuttingDown || s.draining || s.throttled || s.avail() > 0 || !s.underLimit()) {
            s.counters.staleReadiness++;
            log.debug("{}: stale listen readiness ignored", s.label());
            return;
        }
        long now = clock.nanoTime();
        int max = s.spec.maxProc();
        if (s.spec.stressEligible() && s.total() + 1 >= max) {
            // This spawn fills the last slot (docs/postfix-master.md §2.3): start or extend stress. Starting it
            // restarts the service so non-stress children retire at their convenience.
            if (!s.inStress(now)) {
                s.counters.stressStarts++;
                log.info("{}: process limit {} reached; entering stress mode for {}",
                        s.label(), max, settings.stressWindow());
                restartService(s);
            }
            s.stressSet = true;
            s.stressExpire = now + settings.stressWindow().toNanos();
        }
        spawnOne(s);
    }

    /**
     * Spawns one child unless the spawn-rate window is full of wasted starts; returns whether a
     * spawn was asked for. Only children that exited normally without ever serving count (see
     * {@link #onChildExit}): a busy, healthy service that replaces children at max_use is never
     * held back, while a daemon that exits 0 at once is (docs/postfix-master.md §10 W11).
     */
    private boolean spawnOne(ServiceState s) {
        long now = clock.nanoTime();
        if (s.limiter.wouldExceed(now)) {
            s.counters.rateLimitThrottles++;
            log.warn("{}: more than {} processes in {} exited without serving -- throttling",
                    s.label(), settings.spawnRateLimit(), settings.spawnRateWindow());
            throttle(s);
            return false;
        }
        long gen = generations.next();
        boolean stress = s.spec.stressEligible() && s.inStress(now);
        pending.put(gen, new PendingSpawn(s.id(), s.epoch));
        s.pending++;
        s.counters.spawns++;
        updateListen(s); // the new child counts as AVAIL: normally stops listening
        try {
            actions.spawn(s.id(), gen, stress);
        } catch (RuntimeException e) {
            log.error("{}: spawn action failed", s.label(), e);
            if (pending.containsKey(gen)) {
                onSpawnFailed(s.id(), gen, "spawn: " + e);
            }
        }
        return true;
    }

    /**
     * The loop spawned the child asked for with {@code generation}. Records it (it already counted
     * as AVAIL) and starts a pending conditional wakeup (docs/postfix-master.md §3.4, §5.5). A child born into a
     * draining or shutting-down service gets SIGTERM at once.
     */
    public void onSpawned(String serviceId, long generation, int pid) {
        long gen = GenerationCounter.normalize(generation);
        PendingSpawn p = pending.get(gen);
        if (p == null) {
            unexpectedSpawnReports++;
            log.warn("spawn report for service {} generation {} pid {}: no such spawn was asked for -- ignored",
                    serviceId, gen, pid);
            return;
        }
        ServiceState s = services.get(p.serviceId());
        if (!p.serviceId().equals(serviceId)) {
            unexpectedSpawnReports++;
            log.warn("spawn report names service {} but generation {} belongs to {}; using {}",
                    serviceId, gen, p.serviceId(), p.serviceId());
        }
        if (pid <= 0 || children.containsKey(pid)) {
            unexpectedSpawnReports++;
            onSpawnFailed(p.serviceId(), gen, "spawn reported bad or duplicate pid " + pid);
            return;
        }
        pending.remove(gen);
        ChildRecord r = new ChildRecord(pid, gen, p.serviceId(), p.epoch(), clock.nanoTime());
        children.put(pid, r);
        if (s == null) { // cannot happen: a service with spawns in flight is never forgotten
            log.error("spawned pid {} for vanished service {}; terminating it", pid, p.serviceId());
            signalChild(r, Signal.TERM);
            return;
        }
        s.pending--;
        s.children.put(pid, r);
        s.availChildren++;
        if (s.draining || shuttingDown) {
            signalChild(r, Signal.TERM);
            return;
        }
        if (s.condWake) {
            s.condWake = false;
            startWakeup(s);
        }
    }

    /**
     * The spawn for {@code generation} failed (fork, clone or exec error; {@code error} is the text
     * after "master_spawn: ", e.g. "fork: Resource temporarily unavailable"). Logs, throttles (before
     * dropping the count, docs/postfix-master.md §3.5 ordering) and creates no record.
     */
    public void onSpawnFailed(String serviceId, long generation, String error) {
        long gen = GenerationCounter.normalize(generation);
        PendingSpawn p = pending.remove(gen);
        if (p == null) {
            unexpectedSpawnReports++;
            log.warn("spawn failure report for service {} generation {}: no such spawn was asked for -- ignored ({})",
                    serviceId, gen, error);
            return;
        }
        ServiceState s = services.get(p.serviceId());
        if (s == null) {
            checkShutdownDone();
            return;
        }
        s.counters.spawnFailures++;
        if (s.draining || shuttingDown) {
            log.warn("master_spawn: {}", error);
        } else {
            log.warn("master_spawn: {} -- throttling", error);
            throttle(s);
        }
        s.pending--;
        reevaluate(s);
        checkGone(s);
        checkShutdownDone();
    }

    // ------------------------------------------------------------------ reaping

    /**
     * A child was reaped. Unknown pids are logged and counted, never fatal (docs/postfix-master.md §9 scenario 34, W4). An
     * abnormal end of a child that never completed a request throttles the service ("bad command
     * startup"), unless the master caused it or the service is already throttled, draining or the
     * master is shutting down. Exits by a signal the master sent are not warnings.
     */
    public void onChildExit(int pid, ChildExit exit) {
        ChildExit how = exit == null ? new ChildExit(null, 0) : exit;
        ChildRecord r = children.get(pid);
        if (r == null) {
            unknownPidExits++;
            limited.log(MASTER, LogLimiter.Kind.UNKNOWN_PID_EXIT, settings.initMode() ? Level.DEBUG : Level.WARN,
                    "master_reap: unknown pid: {} ({}) -- ignored", pid, how.describe());
            return;
        }
        ServiceState s = services.get(r.serviceId());
        String command = s == null ? r.serviceId() : s.spec.command();
        if (how.kind() == ChildExit.Kind.STOPPED) {
            limited.log(s == null ? MASTER : s.label(), LogLimiter.Kind.CHILD_STOPPED, Level.WARN,
                    "process {} pid {} stopped by signal {}", command, pid, how.value());
            return;
        }
        boolean oursSignal = how.kind() == ChildExit.Kind.KILLED && r.signalSent() != null
                && how.value() == r.signalSent().number();
        if (s != null) {
            s.counters.exits++;
            if (s.wastedStart(r, how)) {
                s.limiter.record(clock.nanoTime());
            }
            if (!how.isNormal()) {
                s.counters.abnormalExits++;
                if (oursSignal) {
                    log.debug("process {} pid {} {} (sent by the master)", command, pid, how.describe());
                } else {
                    limited.log(s.label(), LogLimiter.Kind.CHILD_EXIT, Level.WARN, "process {} pid {} {}",
                            command, pid, how.describe());
                }
                // Throttle first, then drop the counts, so the re-evaluation below cannot briefly
                // turn listening back on and spawn (docs/postfix-master.md §3.5 ordering requirement).
                if (r.useCount() == 0 && r.signalSent() == null && !s.throttled && !s.draining && !shuttingDown) {
                    s.counters.badStartups++;
                    log.warn("{}: bad command startup -- throttling", command);
                    throttle(s);
                }
            }
        }
        children.remove(pid);
        if (s != null) {
            s.children.remove(pid);
            if (r.state() == ChildRecord.State.AVAIL) {
                s.availChildren--;
            }
            reevaluate(s);
            checkGone(s);
        }
        checkShutdownDone();
    }

    // ------------------------------------------------------------------ status channel

    /**
     * One complete status record arrived on {@code serviceId}'s channel (docs/postfix-master.md §4.2).
     *
     * @param senderPid the kernel's word on the sender (SCM_CREDENTIALS); 0 or negative if unknown,
     *                  in which case the self-reported pid is checked by generation only
     * @param pid        the pid written in the record
     * @param generation the generation written in the record (uint32; a sign-extended int is fine)
     * @param status     0 = TAKEN, 1 = AVAIL, anything else is counted and ignored
     */
    public void onStatus(String serviceId, int senderPid, int pid, long generation, int status) {
        ServiceState s = service(serviceId, "status record");
        ChildRecord r = s == null ? null : children.get(pid);
        ChildRecord.State next = s == null ? null : records.judge(s, r, senderPid, pid, generation, status);
        if (next == null) {
            return;
        }
        r.state(next);
        if (next == ChildRecord.State.AVAIL) {
            r.countUse();
            s.availChildren++;
            if (r.useCount() == 1 && s.throttleLevel > 0) {
                // A child served a request: the command works, so the back-off memory is cleared.
                s.throttleLevel = 0;
            }
        } else {
            s.availChildren--;
        }
        reevaluate(s);
    }

    /** A record of the wrong size arrived (docs/postfix-master.md §10 W2: with SEQPACKET this is a bad sender, not misframing). */
    public void onMalformedStatus(String serviceId, int senderPid, int length) {
        ServiceState s = service(serviceId, "malformed status record");
        if (s != null) {
            records.malformed(s, senderPid, length);
        }
    }

    /** Reading the status channel failed; no state change. */
    public void onStatusReadError(String serviceId, String error) {
        ServiceState s = service(serviceId, "status read error");
        if (s != null) {
            records.readError(s, error);
        }
    }

    // ------------------------------------------------------------------ wakeup

    /** The loop could not deliver a wakeup trigger (connect, open or write failed). */
    public void onWakeupFailed(String serviceId, String error) {
        ServiceState s = service(serviceId, "wakeup failure");
        if (s != null) {
            s.counters.wakeupFailures++;
            limited.log(s.label(), LogLimiter.Kind.WAKEUP_FAILURE, Level.WARN, "master_wakeup_timer_event: {}: {}",
                    s.label(), error);
        }
    }

    /** docs/postfix-master.md §5.2: nothing if W == 0 or CONDWAKE; otherwise trigger now and every W seconds. */
    private void startWakeup(ServiceState s) {
        if (!s.spec.hasWakeup() || s.condWake || s.draining || shuttingDown) {
            return;
        }
        wakeupEvent(s);
    }

    private void wakeupEvent(ServiceState s) {
        ServiceState.cancel(s.wakeupTimer);
        s.wakeupTimer = null;
        if (services.get(s.id()) != s || s.draining || shuttingDown || !s.spec.hasWakeup() || s.condWake) {
            return; // W became 0 or the service went: not re-armed (docs/postfix-master.md §5.3)
        }
        // Re-arm first: whatever the trigger does, the period continues.
        s.wakeupTimer = timers.schedule(Duration.ofSeconds(s.spec.wakeupSeconds()), "wakeup " + s.id(),
                () -> wakeupEvent(s));
        if (s.throttled) {
            s.counters.wakeupsSkipped++;
            log.debug("{}: throttled; wakeup skipped", s.label());
        } else if (!s.spec.kind().supportsWakeup()) {
            s.counters.wakeupFailures++;
            log.warn("master_wakeup_timer_event: {}: Operation not supported", s.label());
        } else {
            s.counters.wakeupsSent++;
            actions.sendWakeup(s.id(), s.spec.kind(), s.spec.kind().triggerBytes());
        }
    }

    // ------------------------------------------------------------------ throttle

    /** docs/postfix-master.md §3.6 plus docs/postfix-master.md §10 W11 back-off: base delay doubled per consecutive throttle, capped. */
    private void throttle(ServiceState s) {
        if (s.throttled) {
            return;
        }
        long now = clock.nanoTime();
        if (s.everUnthrottled && now - s.lastUnthrottleAt >= settings.throttleMax().toNanos()) {
            s.throttleLevel = 0; // a long quiet spell since the last throttle: start afresh
        }
        Duration base = s.spec.throttleDelay() != null ? s.spec.throttleDelay() : settings.throttleDelay();
        Duration cap = settings.throttleMax().compareTo(base) > 0 ? settings.throttleMax() : base;
        Duration delay = base.multipliedBy(1L << Math.min(s.throttleLevel, MAX_BACKOFF_SHIFT));
        if (delay.compareTo(cap) > 0) {
            delay = cap;
        }
        if (delay.compareTo(base) < 0) {
            delay = base;
        }
        s.throttleLevel = Math.min(s.throttleLevel + 1, MAX_BACKOFF_SHIFT);
        s.throttled = true;
        s.throttledUntil = now + delay.toNanos();
        s.counters.throttles++;
        s.throttleTimer = timers.schedule(delay, "unthrottle " + s.id(), () -> {
            s.throttleTimer = null;
            if (services.get(s.id()) == s) {
                unthrottleNow(s, true);
            }
        });
        log.info("{}: throttled for {}", s.label(), delay);
        reevaluate(s);
    }

    private void unthrottleNow(ServiceState s, boolean reevaluate) {
        if (!s.throttled) {
            return;
        }
        ServiceState.cancel(s.throttleTimer);
        s.throttleTimer = null;
        s.throttled = false;
        s.everUnthrottled = true;
        s.lastUnthrottleAt = clock.nanoTime();
        log.debug("{}: throttle released", s.label());
        if (reevaluate) {
            reevaluate(s);
        }
    }

    // ------------------------------------------------------------------ listen rule

    /** The listen rule, then the docs/postfix-master.md §10 W12 prefork minimum. */
    private void reevaluate(ServiceState s) {
        updateListen(s);
        prefork(s);
    }

    /** R1-R3 (docs/postfix-master.md §2.2); only a change of the decision reaches the loop. */
    private void updateListen(ServiceState s) {
        boolean want;
        if (s.draining || shuttingDown || s.throttled || s.avail() > 0) {
            want = false; // R1 (draining and shutdown behave like a permanent throttle)
        } else if (s.underLimit()) {
            want = true; // R2
        } else {
            want = false; // R3
            busyWarning(s);
        }
        if (want != s.listening) {
            s.listening = want;
            actions.setListening(s.id(), want);
        }
    }

    private void busyWarning(ServiceState s) {
        if (!s.spec.stressEligible()) {
            return;
        }
        long now = clock.nanoTime();
        // Strict, as in docs/postfix-master.md §2.2 R3: warn only if the last warning is more than the interval old.
        if (s.busyWarned && s.busyWarnAt - (now - settings.busyWarnInterval().toNanos()) >= 0) {
            return;
        }
        s.busyWarned = true;
        s.busyWarnAt = now;
        s.counters.busyWarnings++;
        log.warn("service \"{}\" ({}) has reached its process limit \"{}\": new clients may experience noticeable delays",
                s.spec.name(), s.id(), s.spec.maxProc());
        log.warn("to avoid this condition, increase the process count in master.cf or reduce the service time per client");
        log.warn("see https://www.postfix.org/STRESS_README.html for examples of stress-adapting configuration settings");
    }

    /** docs/postfix-master.md §10 W12: keep at least minIdle children available, within the limit, unless throttled. */
    private void prefork(ServiceState s) {
        while (s.spec.minIdle() > 0 && !s.draining && !shuttingDown && !s.throttled
                && s.avail() < s.spec.minIdle() && s.underLimit() && services.get(s.id()) == s) {
            if (!spawnOne(s)) {
                return;
            }
        }
    }

    private void signalChild(ChildRecord r, Signal sig) {
        r.signalSent(sig);
        actions.signal(r.pid(), sig);
    }

    // ------------------------------------------------------------------ input hygiene

    private ServiceState service(String id, String what) {
        ServiceState s = id == null ? null : services.get(id);
        if (s == null) {
            unknownServiceEvents++;
            limited.log(MASTER, LogLimiter.Kind.UNKNOWN_SERVICE, Level.WARN, "{} for unknown service {} -- ignored",
                    what, id);
        }
        return s;
    }

    /** Replaces unusable values by safe ones, logging and counting each; null if the spec is unusable. */
    private ServicePolicySpec sanitize(ServicePolicySpec spec) {
        if (spec == null || spec.id() == null || spec.id().isBlank()) {
            badSpecValues++;
            log.error("service spec without an id rejected: {}", spec);
            return null;
        }
        ServicePolicySpec.Builder b = spec.toBuilder();
        String id = spec.id();
        boolean changed = false;
        if (spec.name() == null) {
            b.name(id);
            changed = bad(id, "name", null, id);
        }
        if (spec.command() == null) {
            b.command(spec.name() == null ? id : spec.name());
            changed = bad(id, "command", null, "the service name");
        }
        if (spec.kind() == null) {
            b.kind(TriggerKind.UNIX);
            changed = bad(id, "kind", null, TriggerKind.UNIX);
        }
        if (spec.maxProc() < 0) {
            b.maxProc(1); // the most conservative limit, not "unlimited"
            changed = bad(id, "maxProc", spec.maxProc(), 1);
        }
        if (spec.wakeupSeconds() < 0) {
            b.wakeup(0, false);
            changed = bad(id, "wakeupSeconds", spec.wakeupSeconds(), 0);
        }
        if (spec.minIdle() < 0) {
            b.minIdle(0);
            changed = bad(id, "minIdle", spec.minIdle(), 0);
        }
        if (spec.throttleDelay() != null && spec.throttleDelay().compareTo(Duration.ofSeconds(1)) < 0) {
            b.throttleDelay(Duration.ofSeconds(1));
            changed = bad(id, "throttleDelay", spec.throttleDelay(), "1s");
        }
        return changed ? b.build() : spec;
    }

    private boolean bad(String id, String field, Object value, Object replacement) {
        badSpecValues++;
        log.warn("service {}: bad {} {}; using {}", id, field, value, replacement);
        return true;
    }

    // ------------------------------------------------------------------ queries

    /** Snapshot of one service, or empty if the id is unknown (no counting: queries are not input). */
    public Optional<ServiceStatus> status(String serviceId) {
        ServiceState s = serviceId == null ? null : services.get(serviceId);
        return s == null ? Optional.empty() : Optional.of(ServiceStatus.of(s, clock.nanoTime()));
    }

    /** Snapshots of all services (draining ones included), in configuration order. */
    public List<ServiceStatus> statusAll() {
        long now = clock.nanoTime();
        List<ServiceStatus> out = new ArrayList<>(services.size());
        for (ServiceState s : services.values()) {
            out.add(ServiceStatus.of(s, now));
        }
        return out;
    }

    /** Master-wide counters. */
    public MasterCounters masterCounters() {
        return new MasterCounters(generations.last(), services.size(), children.size(), pending.size(), shuttingDown,
                unknownPidExits, unknownServiceEvents, unexpectedSpawnReports, badSpecValues, duplicateSpecs);
    }

    /** The record of a child, for tests in this package and diagnostics; do not mutate. */
    Optional<ChildRecord> child(int pid) {
        return Optional.ofNullable(children.get(pid));
    }

    /** The settings in force. */
    public PolicySettings settings() {
        return settings;
    }
}
