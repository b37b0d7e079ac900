package io.procmaster.loop;

import io.procmaster.config.MaillogSettings;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceTable;
import io.procmaster.config.ServiceType;
import io.procmaster.log.Logs;
import io.procmaster.os.Channels;
import io.procmaster.os.ChildProcess;
import io.procmaster.os.EventLoop;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.FdPair;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.Signals;
import io.procmaster.os.SpawnException;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.jni.Native;
import io.procmaster.policy.ChildExit;
import io.procmaster.policy.GenerationCounter;
import io.procmaster.policy.MaillogLines;
import io.procmaster.policy.MasterActions;
import io.procmaster.policy.MasterCounters;
import io.procmaster.policy.MasterPolicy;
import io.procmaster.policy.PolicySettings;
import io.procmaster.policy.Signal;
import io.procmaster.policy.SpawnFailure;
import io.procmaster.status.MasterStatus;
import io.procmaster.status.ReloadResult;
import io.procmaster.status.ReloadSummary;
import io.procmaster.status.ServiceStatus;
import io.procmaster.time.Clock;
import io.procmaster.time.TimerQueue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The master's mechanism (master_spawn, master_listen, master_status, master_wakeup): it carries
 * out what {@link MasterPolicy} decides and feeds it what happens, on one {@link EventLoop} thread.
 *
 * <p>Interface: {@link #start} binds every service and starts the loop; {@link #reload}, {@link #status},
 * {@link #stop}, {@link #announceReady} may be called from any thread and run on the loop. A child gets
 * fds 3/4 (the flow pipe), 5 (its service's status channel), 6.. (the listeners), nothing else, the
 * variables {@code import_environment} names (never NOTIFY_SOCKET, WATCHDOG_*, LISTEN_*) and
 * {@code GENERATION} in octal, argv in Postfix's order; it starts in {@code queue_directory} (the stock
 * daemons open {@code pid/<type>.<name>} relative to it) and, with service_cgroups, in its service's cgroup.
 *
 * <p>Before it binds, the master checks {@code queue_directory} ({@link QueueDirectory}), locks it
 * ({@link InstanceLock}: one master per queue directory, held until {@link #close}) and ends what a
 * killed predecessor left running ({@link PreviousInstance}; its cgroups, {@link CgroupDelegation}).
 * Socket activation's descriptors are adopted where they match, kept across reloads until stop
 * ({@link AdoptedSockets}); systemd hears READY, RELOADING, STOPPING, WATCHDOG ({@link SystemdNotifier});
 * a removed service's cgroup is ended, grandchildren included, and all of them at stop ({@link ServiceCgroups}).
 *
 * <p>Failure modes: a reload is transactional: the new table is bound first, and if any new listener
 * fails, nothing changes and the future fails with the reason; once stop has begun a reload is refused.
 * A spawn that fails (exec, fork) throws {@link SpawnFailure} back to the policy, which logs and throttles.
 * Forged or malformed status packets go to the policy, which counts them; no child can stop the loop.
 */
public final class MasterLoop implements MasterActions, EventLoop.DeadlineSource {
    private static final Logger log = Logs.logger(MasterLoop.class);

    private final EventLoop loop;
    private final MasterConfig config;
    private final TimerQueue timers;
    private final MasterPolicy policy;
    private final Map<String, BoundService> services = new LinkedHashMap<>();
    private final Map<Integer, ChildProcess> children = new HashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Wakeups wakeups;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final FdPair flow;
    private final PostfixChildren stdio; // fds 0-2 of a Postfix instance's children (§3.1.1)
    private final InstanceLock lock;
    private final MaillogSettings maillogSettings;
    private final MaillogSink maillog; // the master's lines where Postfix's master logs (postfix-master.md §11.1)
    private final SystemdNotifier notify; // READY, RELOADING, STOPPING, WATCHDOG to NOTIFY_SOCKET (docs/systemd.md)
    private final AdoptedSockets adopted; // socket activation's descriptors, until stop
    private ServiceCgroups cgroups = ServiceCgroups.disabled(); // service_cgroups (docs/cgroups.md)
    private final AtomicBoolean stopping = new AtomicBoolean();

    private MasterLoop(MasterConfig config, PolicySettings settings, InstanceLock lock, Clock clock,
                       Map<String, String> env, AdoptedSockets adopted) throws IOException {
        this.config = config;
        this.lock = lock;
        this.adopted = adopted;
        // One clock for the loop's waits and the policy's timers: their deadlines are compared.
        this.loop = new EventLoop("procmaster-loop", clock);
        this.timers = new TimerQueue(clock);
        this.policy = new MasterPolicy(settings, timers, this, new GenerationCounter());
        this.stdio = PostfixChildren.open(config);
        this.flow = Channels.open(Channels.Kind.FLOW);
        this.wakeups = new Wakeups(loop);
        environment.putAll(ServiceViews.childEnvironment(config, env));
        this.maillogSettings = MaillogSettings.of(config, env);
        this.maillog = MaillogSink.open(maillogSettings, clock);
        this.notify = SystemdNotifier.open(env, ProcessHandle.current().pid(), timers, services::size, children::size);
    }

    /** Policy settings from main.cf parameters ({@link ServiceViews#policySettings}). */
    public static PolicySettings settings(MasterConfig config) {
        return ServiceViews.policySettings(config);
    }

    /**
     * Binds every service of the table, then starts the loop and the services. On a bind failure
     * nothing is left open and the exception names the service and address. On a given clock:
     * production uses {@link Clock#system()}; a test a hand-driven one, to show without sleeping
     * that a timer does not fire early (timers run after each round's commands). With the master's
     * environment ({@code import_environment}, {@code NOTIFY_SOCKET}, {@code LISTEN_*}): {@link System#getenv()}, or a test's map.
     */
    public static MasterLoop start(MasterConfig config, ServiceTable table, PolicySettings settings, Clock clock,
                                   Map<String, String> env) throws IOException {
        Native.ensureAvailability();
        // Trusted, laid out (the children's working directory, see spawn), and ours alone before
        // anything in it is deleted or bound; then the children a killed master left go.
        QueueDirectory.prepare(config.queueDirectory(), config.mailOwner());
        InstanceLock lock = InstanceLock.acquire(config);
        MasterLoop created = null;
        AdoptedSockets adopted = AdoptedSockets.none();
        List<BoundService> bound = new ArrayList<>();
        try {
            adopted = AdoptedSockets.open(env, ProcessHandle.current().pid());
            created = new MasterLoop(config, settings, lock, clock, env, adopted);
            PreviousInstance.end(lock.previous(), config, table);
            lock.record(PreviousInstance.pipeOf(created.flow.master().intValue()));
            created.cgroups = ServiceCgroups.of(config, table.services(), created.timers, created.loop);
            for (ServiceSpec spec : table.services()) {
                BoundService s = new BoundService(spec, created.bind(spec, table));
                bound.add(s);
                created.services.put(id(spec), s);
                created.cgroups.add(id(spec), spec);
            }
            adopted.logUnused();
        } catch (IOException | RuntimeException e) {
            if (created != null) {
                EventLoop l = created.loop;
                bound.forEach(s -> s.fds.close(l));
                created.cgroups.abandon();
                created.closeParts();
            }
            adopted.closeAll();
            lock.close();
            throw e;
        }
        MasterLoop m = created;
        m.loop.addDeadlineSource(m);
        // Held wakeup connections (docs/postfix-master.md §5.8): their deadlines size the wait,
        // and whatever is still held when the loop closes is closed with it.
        m.loop.addDeadlineSource(m.wakeups);
        m.loop.addCloseHook(m.wakeups::closeAll);
        m.loop.start();
        m.onLoop(() -> {
            m.maillogSettings.warnings().forEach(log::warn);
            m.policy.maillog().daemonStarted(m.maillogSettings.version(), m.maillogSettings.configDirectory());
            for (Map.Entry<String, BoundService> e : m.services.entrySet()) {
                m.registerStatus(e.getKey(), e.getValue());
            }
            ReloadSummary s = m.policy.start(ServiceViews.policyViews(
                    m.services.values().stream().map(b -> b.spec).filter(Objects::nonNull).toList()));
            log.info("procmaster started: {} services ({})", m.services.size(), s);
            table.warnings().forEach(log::warn);
            return null;
        }).join();
        return m;
    }

    private static String id(ServiceSpec spec) { return ServiceViews.id(spec); }

    /** The listeners of spec: the adopted descriptors that are its (docs/socket-activation.md), the rest bound. */
    private ServiceDescriptors bind(ServiceSpec spec, ServiceTable table) throws IOException {
        AdoptedSockets.Claim claim = adopted.claim(id(spec), spec, table.location(spec));
        return ServiceDescriptors.bind(spec, config.mailOwner().orElse(null), claim);
    }

    private void registerStatus(String id, BoundService s) throws NativeIoException {
        FdPair st = s.fds.status();
        loop.register(st.master().intValue(), EventLoopCore.Kind.STATUS, 0, new EventLoop.Handler() {
            @Override
            public void onStatus(int pid, int generation, int status, int senderPid, int flags, int length) {
                StatusPackets.deliver(policy, id, pid, generation, status, senderPid, flags, length);
            }
        });
    }

    // ---- MasterActions: called by the policy on the loop thread ----

    @Override
    public int spawn(String serviceId, long generation, boolean stress) throws SpawnFailure {
        BoundService s = services.get(serviceId);
        if (s == null || s.fds.status() == null) {
            throw new SpawnFailure(SpawnFailure.Kind.FORK, "service has no status channel");
        }
        ServiceSpec spec = s.spec;
        SpawnSpec.Builder b = ServiceViews.spawnRequest(spec, config, environment, generation, stress)
                .fd(3, flow.master().intValue())
                .fd(4, flow.child().intValue())
                .fd(5, s.fds.status().child().intValue());
        stdio.addStdio(b);
        int target = 6;
        for (var l : s.fds.listeners()) {
            b.fd(target++, l.intValue());
        }
        ChildProcess child;
        try {
            child = cgroups.spawn(serviceId, b); // in the service's cgroup, if it has one (docs/cgroups.md)
            loop.watch(child, exit -> onExit(exit));
        } catch (SpawnException e) {
            boolean noChild = e.stage().startsWith("clone") || e.stage().startsWith("fork");
            throw new SpawnFailure(noChild ? SpawnFailure.Kind.FORK : SpawnFailure.Kind.EXEC, e.getMessage());
        } catch (NativeIoException e) {
            throw new SpawnFailure(SpawnFailure.Kind.FORK, "watch: " + e.getMessage());
        }
        children.put(child.pid(), child);
        log.info("spawned {} pid {} generation {}", serviceId, child.pid(), GenerationCounter.toOctal(generation));
        return child.pid();
    }

    private void onExit(ExitStatus exit) {
        children.remove(exit.pid());
        policy.onChildExit(exit.pid(), exit.exited() ? ChildExit.exited(exit.code()) : ChildExit.killed(exit.signal()));
    }

    @Override
    public void setListening(String serviceId, boolean listening) {
        BoundService s = services.get(serviceId);
        if (s == null || s.listening == listening) {
            return;
        }
        s.listening = listening;
        for (var l : s.fds.listeners()) {
            try {
                if (listening) {
                    loop.register(l.intValue(), EventLoopCore.Kind.FD, Native.EPOLLIN, new EventLoop.Handler() {
                        @Override
                        public void onReady(int events) {
                            policy.onListenReady(serviceId);
                        }
                    });
                } else {
                    loop.unregister(l.intValue());
                }
            } catch (NativeIoException e) {
                log.error("service {}: cannot {} listening: {}", serviceId, listening ? "start" : "stop", e.getMessage());
            }
        }
    }

    @Override
    public boolean sendWakeup(String serviceId, ServiceType type, byte[] triggerBytes) {
        BoundService s = services.get(serviceId);
        if (s == null) {
            return true; // gone: nothing to send, nothing skipped
        }
        // On the loop, non-blocking, the connection held until the server has taken it (§5.8).
        return wakeups.send(serviceId, s.spec, s.fds.listeners(), triggerBytes, policy::onWakeupFailed);
    }

    @Override
    public void signal(int pid, Signal signal) {
        ChildProcess c = children.get(pid);
        if (c == null) {
            return;
        }
        try {
            c.signal(signalNumber(signal));
        } catch (NativeIoException e) {
            log.warn("signal {} to pid {}: {}", signal, pid, e.getMessage());
        }
    }

    /** The policy's symbolic signals as the C core numbers them (os.Signals): none is written in Java. */
    @Override
    public int signalNumber(Signal signal) {
        return switch (signal) {
            case TERM -> Signals.term();
            case KILL -> Signals.kill();
        };
    }

    @Override
    public void restartStatusChannel(String serviceId) {
        BoundService s = services.get(serviceId);
        if (s == null) {
            return;
        }
        try {
            s.fds.renewStatus(loop);
            registerStatus(serviceId, s);
        } catch (NativeIoException e) {
            log.error("service {}: cannot create a status channel: {}", serviceId, e.getMessage());
        }
    }

    @Override
    public void closeStatusChannel(String serviceId) {
        BoundService s = services.get(serviceId);
        if (s != null) {
            s.fds.closeStatus(loop);
        }
    }

    @Override
    public void serviceGone(String serviceId) {
        BoundService s = services.remove(serviceId);
        if (s != null) {
            setListening(serviceId, false);
            wakeups.cancel(serviceId);
            s.fds.close(loop);
            cgroups.end(serviceId); // grandchildren included
            log.info("service {} removed", serviceId);
        }
    }

    @Override
    public void maillog(MaillogLines.Severity severity, String text) {
        maillog.send(severity, text);
    }

    @Override
    public void allChildrenGone() {
        wakeups.closeAll();
        for (Map.Entry<String, BoundService> e : services.entrySet()) {
            setListening(e.getKey(), false);
            e.getValue().fds.close(loop);
        }
        services.clear();
        adopted.closeAll();
        cgroups.endAll(() -> stopped.complete(null)); // once every service cgroup is empty and removed
    }

    // ---- DeadlineSource: the policy's timers ----

    @Override
    public long nextDeadlineNanos() {
        return timers.nextDeadlineNanos(); // no OptionalLong per wake-up (BENCHMARKS.md §5)
    }

    @Override
    public void onDeadline() {
        timers.runDue();
    }

    // ---- from any thread ----

    /**
     * Applies a new service table, transactionally: new services are bound first; if one cannot
     * bind, nothing changes and the future fails with the reason; once stop has begun it fails (ISE).
     */
    public CompletableFuture<ReloadResult> reload(ServiceTable table) {
        return onLoop(() -> notify.aroundReload(() -> applyReload(table))); // RELOADING=1 ... READY=1
    }

    /** systemd's READY=1 (docs/systemd.md): every listener is bound and the first children spawned by now. */
    public void announceReady() {
        onLoop(Executors.callable(notify::ready));
    }

    /** systemd's RELOADING=1 before master.cf is read; a {@code refused} reason (not null) ends it: READY=1. */
    public void reloadNotice(String refused) {
        onLoop(Executors.callable(refused == null ? notify::reloading : () -> notify.reloadRefused(refused)));
    }

    /** Calls body on the loop thread; the future always completes ({@link LoopCommands#call}). */
    private <T> CompletableFuture<T> onLoop(Callable<T> body) {
        return LoopCommands.call(loop, body);
    }

    private ReloadResult applyReload(ServiceTable table) throws IOException {
        // Once stop began nothing would close what this binds (allChildrenGone has or will have run).
        if (policy.masterCounters().shuttingDown()) {
            throw new IllegalStateException("reload refused: the master is stopping");
        }
        policy.maillog().reload(maillogSettings.version(), maillogSettings.configDirectory());
        Map<String, ServiceSpec> wanted = new LinkedHashMap<>();
        for (ServiceSpec spec : table.services()) {
            wanted.put(id(spec), spec);
        }
        // Bind what is new before touching anything (docs/postfix-master.md §10 W10).
        Map<String, ServiceDescriptors> fresh = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, ServiceSpec> e : wanted.entrySet()) {
                cgroups.check(e.getValue()); // a limit whose controller is missing fails the reload here
                if (!services.containsKey(e.getKey())) {
                    fresh.put(e.getKey(), bind(e.getValue(), table));
                    cgroups.add(e.getKey(), e.getValue()); // made before the swap, as the listeners
                }
            }
        } catch (IOException | RuntimeException e) {
            fresh.values().forEach(d -> d.close(loop));
            fresh.keySet().forEach(cgroups::end); // no process is in them yet
            throw e;
        }
        for (Map.Entry<String, ServiceSpec> e : wanted.entrySet()) {
            BoundService s = services.get(e.getKey());
            if (s == null) {
                s = new BoundService(e.getValue(), fresh.get(e.getKey()));
                services.put(e.getKey(), s);
                registerStatus(e.getKey(), s);
            } else {
                s.spec = e.getValue();
                cgroups.apply(e.getKey(), s.spec);
            }
        }
        ReloadSummary summary = policy.reload(ServiceViews.policyViews(wanted.values()));
        adopted.logUnused();
        log.info("reload: {}", summary);
        table.warnings().forEach(log::warn);
        return new ReloadResult(summary, table.warnings());
    }

    /** Per-service status, read on the loop thread. */
    public CompletableFuture<List<ServiceStatus>> status() {
        return onLoop(() -> cgroups.annotate(policy.statusAll()));
    }

    public CompletableFuture<MasterCounters> counters() { return onLoop(policy::masterCounters); }

    /** The master counters and every service's status in one loop command, so they agree (docs/metrics.md). */
    public CompletableFuture<MasterStatus> masterStatus() {
        return onLoop(this::masterStatusOnLoop);
    }

    /**
     * The same snapshot taken at once, for a caller already on the loop thread (the metrics' getters in a
     * callback of a future the loop completes, which must not wait for a command behind them); else ISE.
     */
    public MasterStatus masterStatusOnLoop() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("masterStatusOnLoop called off the loop thread");
        }
        MasterCounters c = policy.masterCounters();
        return new MasterStatus(c.lastGeneration(), c.children(), c.shuttingDown(), c.unknownPidExits(),
                c.unknownServiceEvents(), c.unexpectedSpawnReports(), c.badSpecValues(), c.duplicateSpecs(),
                cgroups.annotate(policy.statusAll()));
    }

    /** Whether the calling thread is this master's loop thread. */
    public boolean inLoop() { return loop.inLoop(); }

    /** Services on adopted descriptors (docs/socket-activation.md), for the status command: id to descriptors. */
    public CompletableFuture<Map<String, List<String>>> adoptedSockets() {
        return onLoop(adopted::users);
    }

    /** Pids of the live children (for tests and the status command). */
    public CompletableFuture<List<Integer>> childPids() {
        return onLoop(() -> List.copyOf(children.keySet()));
    }

    /** Stops: SIGTERM to each child, SIGKILL after the drain time; done when all are gone, every fd closed. */
    public CompletableFuture<Void> stop() {
        if (stopping.compareAndSet(false, true)) { // once, though a signal and the control socket race
            onLoop(Executors.callable(() -> {
                notify.stopping();
                policy.maillog().terminating(Signals.term()); // what `postfix stop` sends (§11.1)
                policy.shutdown();
            })).exceptionally(e -> { stopped.completeExceptionally(e); return null; }); // rejected or failed
        }
        return stopped;
    }

    public CompletableFuture<Void> stopped() { return stopped; }

    /** Stops (if not yet), waits for the children, stops the loop thread (held wakeups close with it). */
    public void close() {
        boolean clean = false;
        try {
            stop().get(config.serviceDrainTime().toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
            clean = true;
        } catch (Exception e) {
            log.warn("stop did not complete cleanly: {}", e.toString());
        }
        closeParts();
        adopted.closeAll(); // already closed at a clean stop; the loop thread is gone, so no one else uses it
        cgroups.closeDescriptors(); // after the loop thread, their owner; none is left after a clean stop
        lock.close(clean); // last: the queue directory is another master's to use from here
    }

    /** The loop thread, then what it alone used (maillog, notify), the flow pipe and stdio: a failed start or close. */
    private void closeParts() {
        loop.close();
        flow.close();
        maillog.close();
        notify.close();
        stdio.close();
    }
}
