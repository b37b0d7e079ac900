package io.procmaster.policy;

import io.procmaster.log.Logs;
import io.procmaster.status.ReloadSummary;
import io.procmaster.status.ServiceStatus;
import io.procmaster.time.Clock;
import io.procmaster.time.Durations;
import io.procmaster.time.TimerQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * MasterPolicy - the process-creation policy of the master as a deterministic state machine: the
 * coordinator that owns the state (services, children, shutdown) and hands each event to the module
 * that Postfix's master has for it.
 *
 * <p>Modules: {@link ListenRule} (master_avail: listen rule, stress, busy warning, prefork),
 * {@link SpawnAndThrottle} (master_spawn: spawn, record, reap, throttle and back-off),
 * {@link StatusRecords} (master_status: judging a record), {@link WakeupSchedule} (master_wakeup),
 * {@link Reconfiguration} (master_ent/master_config: start, reload, drain). Shutdown and the
 * queries stay here.
 *
 * <p>Interface. The single loop thread feeds events in and runs {@link Timers#runDue()}; the policy
 * answers through {@link MasterActions}:
 * <ul>
 *   <li>configuration: {@link #start(Collection)}, {@link #reload(Collection)}, {@link #shutdown()},
 *       {@link #unthrottle(String)};</li>
 *   <li>listen sockets: {@link #onListenReady(String)} (which may call the synchronous
 *       {@link MasterActions#spawn});</li>
 *   <li>status channel: {@link #onStatus(String, int, int, long, int)},
 *       {@link #onMalformedStatus(String, int, int)}, {@link #onStatusReadError(String, String)};</li>
 *   <li>reaping: {@link #onChildExit(int, ChildExit)};</li>
 *   <li>wakeup delivery: {@link #onWakeupFailed(String, String)};</li>
 *   <li>queries: {@link #status(String)}, {@link #statusAll()}, {@link #masterCounters()}.</li>
 * </ul>
 *
 * <p>Failure modes: no input makes it throw. Unknown service ids, unknown pids, unknown generations,
 * absurd status values, forged senders, null configuration values are logged (warning, or debug
 * where Postfix is silent by design) and counted in {@link ServiceStatus} or
 * {@link MasterCounters}, and the state is left unchanged. A {@link MasterActions#spawn} that throws
 * is handled as a spawn failure. Not thread-safe: one loop thread owns it.
 */
public final class MasterPolicy {

    private static final Logger log = Logs.logger(MasterPolicy.class);

    static final String MASTER = "master";

    final PolicySettings settings;
    final TimerQueue timers;
    final Clock clock;
    final MasterActions actions;
    final GenerationCounter generations;
    final LogLimiter limited;
    final MaillogLines maillog;

    final Map<String, ServiceState> services = new LinkedHashMap<>();
    final ChildTable children = new ChildTable(); // by pid; no boxing per status record (ChildTable)
    boolean shuttingDown;

    final ListenRule listen;
    final SpawnAndThrottle spawning;
    final WakeupSchedule wakeups;
    final Reconfiguration reconfig;
    private final StatusRecords records;

    private boolean shutdownReported;
    private TimerQueue.Timer shutdownKillTimer;
    private long unknownServiceEvents;

    public MasterPolicy(PolicySettings settings, TimerQueue timers, MasterActions actions) {
        this(settings, timers, actions, new GenerationCounter());
    }

    public MasterPolicy(PolicySettings settings, TimerQueue timers, MasterActions actions, GenerationCounter generations) {
        this(settings, timers, actions, generations, PolicyLog.slf4j(log));
    }

    /** As above, with the sink of the rate-limited lines given (tests count them there). */
    MasterPolicy(PolicySettings settings, TimerQueue timers, MasterActions actions, GenerationCounter generations,
                 PolicyLog inputLog) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.clock = timers.clock();
        this.actions = Objects.requireNonNull(actions, "actions");
        this.generations = Objects.requireNonNull(generations, "generations");
        this.limited = new LogLimiter(timers, inputLog);
        this.maillog = new MaillogLines(this.actions);
        this.records = new StatusRecords(limited);
        this.listen = new ListenRule(this);
        this.spawning = new SpawnAndThrottle(this);
        this.wakeups = new WakeupSchedule(this);
        this.reconfig = new Reconfiguration(this);
    }

    // ------------------------------------------------------------------ configuration

    /**
     * Starts the initial set of services: each is evaluated for listening (at startup that means
     * listen), gets its wakeup started, and its prefork minimum spawned. The loop must have created
     * the listeners and status channels of these services before calling this.
     */
    public ReloadSummary start(Collection<ServicePolicySpec> specs) {
        return reconfig.apply(specs, "start");
    }

    /**
     * Applies a new, already validated configuration: new ids are added and started; existing ids
     * get the new values and a restart; ids no longer present are drained asynchronously (see
     * {@link Reconfiguration}). The loop must have bound new services' listeners first.
     */
    public ReloadSummary reload(Collection<ServicePolicySpec> specs) {
        return reconfig.apply(specs, "reload");
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
        log.info("shutting down: stopping {} process(es)", children.size());
        for (ServiceState s : services.values()) {
            wakeups.stop(s);
            ServiceState.cancel(s.throttleTimer);
            s.throttleTimer = null;
            listen.updateListen(s);
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
        for (ChildRecord r : children.values()) { // a copy already (ChildTable.values)
            ServiceState s = services.get(r.serviceId());
            if (s != null) {
                s.counters.killsAfterDrain++;
            }
            log.warn("process pid {} still running {} after SIGTERM -- sending SIGKILL", r.pid(),
                    Durations.format(settings.drainTime()));
            signalChild(r, Signal.KILL);
        }
    }

    boolean checkShutdownDone() {
        if (!shuttingDown || shutdownReported || !children.isEmpty()) {
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
            spawning.unthrottleNow(s, true);
        }
    }

    // ------------------------------------------------------------------ events

    /**
     * A listen socket of the service became readable: spawns one child if the listen rule still
     * allows it (see {@link ListenRule}); a readiness collected before listening was switched off in
     * the same round is dropped and counted as stale.
     */
    public void onListenReady(String serviceId) {
        ServiceState s = service(serviceId, "listen readiness");
        if (s != null) {
            listen.onListenReady(s);
        }
    }

    /** A child was reaped; see {@link SpawnAndThrottle#onChildExit}. */
    public void onChildExit(int pid, ChildExit exit) {
        spawning.onChildExit(pid, exit);
    }

    /**
     * One complete status record arrived on {@code serviceId}'s channel.
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
            if (r.useCount() == 1 && s.throttleBackoff.failures() > 0) {
                // A child served a request: the command works, so the back-off memory is cleared.
                s.throttleBackoff.reset();
            }
        } else {
            s.availChildren--;
        }
        listen.reevaluate(s);
    }

    /** A record of the wrong size arrived (with SEQPACKET this is a bad sender, not misframing). */
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

    /** The loop could not deliver a wakeup trigger (connect, open or write failed). */
    public void onWakeupFailed(String serviceId, String error) {
        ServiceState s = service(serviceId, "wakeup failure");
        if (s != null) {
            wakeups.onFailed(s, error);
        }
    }

    void signalChild(ChildRecord r, Signal sig) {
        r.signalSent(sig);
        actions.signal(r.pid(), sig);
    }

    private ServiceState service(String id, String what) {
        ServiceState s = id == null ? null : services.get(id);
        if (s == null) {
            unknownServiceEvents++;
            limited.log(MASTER, LogLimiter.Kind.UNKNOWN_SERVICE, org.slf4j.event.Level.WARN,
                    "{} for unknown service {} -- ignored", what, id);
        }
        return s;
    }

    // ------------------------------------------------------------------ queries

    /** Snapshot of one service, or empty if the id is unknown (no counting: queries are not input). */
    public Optional<ServiceStatus> status(String serviceId) {
        ServiceState s = serviceId == null ? null : services.get(serviceId);
        return s == null ? Optional.empty() : Optional.of(StatusSnapshots.of(s, clock.nanoTime()));
    }

    /** Snapshots of all services (draining ones included), in configuration order. */
    public List<ServiceStatus> statusAll() {
        long now = clock.nanoTime();
        List<ServiceStatus> out = new ArrayList<>(services.size());
        for (ServiceState s : services.values()) {
            out.add(StatusSnapshots.of(s, now));
        }
        return out;
    }

    /** Master-wide counters. */
    public MasterCounters masterCounters() {
        return new MasterCounters(generations.last(), services.size(), children.size(), shuttingDown,
                spawning.unknownPidExits(), unknownServiceEvents, spawning.unexpectedSpawnReports(),
                reconfig.badSpecValues(), reconfig.duplicateSpecs());
    }

    /** The record of a child, for tests in this package and diagnostics; do not mutate. */
    Optional<ChildRecord> child(int pid) {
        return Optional.ofNullable(children.get(pid));
    }

    /** The master's lines for the mail log; the loop reports its own events (start, reload, stop) there. */
    public MaillogLines maillog() {
        return maillog;
    }

    /** The settings in force. */
    public PolicySettings settings() {
        return settings;
    }
}
