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
import io.procmaster.os.Spawner;
import io.procmaster.os.jni.Native;
import io.procmaster.policy.ChildExit;
import io.procmaster.policy.GenerationCounter;
import io.procmaster.policy.MaillogLines;
import io.procmaster.policy.MasterActions;
import io.procmaster.policy.MasterCounters;
import io.procmaster.policy.MasterPolicy;
import io.procmaster.policy.PolicySettings;
import io.procmaster.policy.ServicePolicySpec;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;

/**
 * The master's mechanism (master_spawn, master_listen, master_status, master_wakeup): it carries
 * out what {@link MasterPolicy} decides and feeds it what happens, on one {@link EventLoop} thread.
 *
 * <p>Interface: {@link #start} binds every service and starts the loop; {@link #reload},
 * {@link #status} and {@link #stop} may be called from any thread and run on the loop. A child
 * gets fds 3/4 (the flow pipe), 5 (its service's status channel), 6.. (the listeners), nothing
 * else, the variables {@code import_environment} names and {@code GENERATION} in octal, with argv
 * in Postfix's order. It starts in {@code queue_directory}, as under Postfix's master: the stock
 * daemons open {@code pid/<type>.<name>} relative to the directory they inherit.
 *
 * <p>Before it binds, the master checks {@code queue_directory} ({@link QueueDirectory}), locks it
 * ({@link InstanceLock}: one master per queue directory, held until {@link #close}) and ends
 * what a killed predecessor left running ({@link PreviousInstance}).
 *
 * <p>Failure modes: a reload is transactional: the new table is bound first, and if any new
 * listener fails, nothing changes and the future fails with the reason. A spawn that fails (exec,
 * fork) throws {@link SpawnFailure} back to the policy, which logs and throttles. Status packets that are forged or
 * malformed are passed to the policy, which counts them; nothing a child writes can stop the loop.
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
    private volatile boolean stopping;

    private MasterLoop(MasterConfig config, PolicySettings settings, InstanceLock lock, Clock clock) throws IOException {
        this.config = config;
        this.lock = lock;
        // One clock for the loop's waits and the policy's timers: their deadlines are compared.
        this.loop = new EventLoop("procmaster-loop", clock);
        this.timers = new TimerQueue(clock);
        this.policy = new MasterPolicy(settings, timers, this, new GenerationCounter());
        this.stdio = PostfixChildren.open(config);
        this.flow = Channels.open(Channels.Kind.FLOW);
        this.wakeups = new Wakeups(loop);
        environment.putAll(ServiceViews.childEnvironment(config, System.getenv()));
        this.maillogSettings = MaillogSettings.of(config, System.getenv());
        this.maillog = MaillogSink.open(maillogSettings, clock);
    }

    /** Policy settings from main.cf parameters ({@link ServiceViews#policySettings}). */
    public static PolicySettings settings(MasterConfig config) {
        return ServiceViews.policySettings(config);
    }

    /**
     * Binds every service of the table, then starts the loop and the services. On a bind failure
     * nothing is left open and the exception names the service and address.
     */
    public static MasterLoop start(MasterConfig config, ServiceTable table) throws IOException {
        return start(config, table, settings(config));
    }

    public static MasterLoop start(MasterConfig config, ServiceTable table, PolicySettings settings)
            throws IOException {
        return start(config, table, settings, Clock.system());
    }

    /**
     * On a given clock: production uses {@link Clock#system()}; a test a hand-driven one, to show
     * without sleeping that a timer does not fire early (timers run after each round's commands).
     */
    public static MasterLoop start(MasterConfig config, ServiceTable table, PolicySettings settings, Clock clock)
            throws IOException {
        Native.ensureAvailability();
        // Trusted, laid out (the children's working directory, see spawn), and ours alone before
        // anything in it is deleted or bound; then the children a killed master left go.
        QueueDirectory.prepare(config.queueDirectory(), config.mailOwner());
        InstanceLock lock = InstanceLock.acquire(config);
        MasterLoop created = null;
        List<BoundService> bound = new ArrayList<>();
        try {
            created = new MasterLoop(config, settings, lock, clock);
            PreviousInstance.end(lock.previous(), config, table);
            lock.record(PreviousInstance.pipeOf(created.flow.master().intValue()));
            for (ServiceSpec spec : table.services()) {
                BoundService s = new BoundService(spec, ServiceDescriptors.bind(spec, config.mailOwner().orElse(null)));
                bound.add(s);
                created.services.put(id(spec), s);
            }
        } catch (IOException | RuntimeException e) {
            if (created != null) {
                EventLoop l = created.loop;
                bound.forEach(s -> s.fds.close(l));
                created.flow.close();
                created.stdio.close();
                created.loop.close();
                created.maillog.close();
            }
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
            ReloadSummary s = m.policy.start(m.policySpecs());
            log.info("procmaster started: {} services ({})", m.services.size(), s);
            table.warnings().forEach(log::warn);
            return null;
        }).join();
        return m;
    }

    private static String id(ServiceSpec spec) {
        return ServiceViews.id(spec);
    }

    private List<ServicePolicySpec> policySpecs() {
        List<ServicePolicySpec> out = new ArrayList<>();
        for (BoundService s : services.values()) {
            if (s.spec != null) {
                out.add(ServiceViews.policyView(s.spec));
            }
        }
        return out;
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
            child = Spawner.spawn(b.build());
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
        stopped.complete(null);
    }

    // ---- DeadlineSource: the policy's timers ----

    @Override
    public long nextDeadlineNanos() {
        var d = timers.nextDeadline();
        return d.isPresent() ? d.getAsLong() : Long.MAX_VALUE;
    }

    @Override
    public void onDeadline() {
        timers.runDue();
    }

    // ---- from any thread ----

    /**
     * Applies a new service table, transactionally: new services are bound first; if one cannot
     * bind, nothing changes and the future fails with the reason.
     */
    public CompletableFuture<ReloadResult> reload(ServiceTable table) {
        return onLoop(() -> applyReload(table));
    }

    /**
     * Calls body on the loop thread. The future always completes: with body's result or what it
     * threw, or, if the loop no longer takes commands (closed), with the RejectedExecutionException.
     */
    private <T> CompletableFuture<T> onLoop(Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    f.complete(body.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    private ReloadResult applyReload(ServiceTable table) throws IOException {
        policy.maillog().reload(maillogSettings.version(), maillogSettings.configDirectory());
        Map<String, ServiceSpec> wanted = new LinkedHashMap<>();
        for (ServiceSpec spec : table.services()) {
            wanted.put(id(spec), spec);
        }
        // Bind what is new before touching anything (docs/postfix-master.md §10 W10).
        Map<String, ServiceDescriptors> fresh = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, ServiceSpec> e : wanted.entrySet()) {
                if (!services.containsKey(e.getKey())) {
                    fresh.put(e.getKey(), ServiceDescriptors.bind(e.getValue(), config.mailOwner().orElse(null)));
                }
            }
        } catch (IOException | RuntimeException e) {
            fresh.values().forEach(d -> d.close(loop));
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
            }
        }
        List<ServicePolicySpec> specs = new ArrayList<>();
        wanted.values().forEach(spec -> specs.add(ServiceViews.policyView(spec)));
        ReloadSummary summary = policy.reload(specs);
        log.info("reload: {}", summary);
        table.warnings().forEach(log::warn);
        return new ReloadResult(summary, table.warnings());
    }

    /** Per-service status, read on the loop thread. */
    public CompletableFuture<List<ServiceStatus>> status() {
        return onLoop(policy::statusAll);
    }

    public CompletableFuture<MasterCounters> counters() {
        return onLoop(policy::masterCounters);
    }

    /** The master counters and every service's status in one loop command, so they agree (docs/metrics.md). */
    public CompletableFuture<MasterStatus> masterStatus() {
        return onLoop(this::masterStatusOnLoop);
    }

    /**
     * The same snapshot taken at once, for a caller already on the loop thread (the metrics' getters
     * in a callback of a future the loop completes, which must not wait for a command behind them).
     *
     * @throws IllegalStateException on any other thread
     */
    public MasterStatus masterStatusOnLoop() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("masterStatusOnLoop called off the loop thread");
        }
        MasterCounters c = policy.masterCounters();
        return new MasterStatus(c.lastGeneration(), c.children(), c.shuttingDown(), c.unknownPidExits(),
                c.unknownServiceEvents(), c.unexpectedSpawnReports(), c.badSpecValues(), c.duplicateSpecs(),
                policy.statusAll());
    }

    /** Whether the calling thread is this master's loop thread. */
    public boolean inLoop() {
        return loop.inLoop();
    }

    /** Pids of the live children (for tests and the status command). */
    public CompletableFuture<List<Integer>> childPids() {
        return onLoop(() -> List.copyOf(children.keySet()));
    }

    /**
     * Stops: every child gets SIGTERM, SIGKILL after the drain time; the future completes when all
     * are gone and every descriptor is closed. Then {@link #close()} stops the loop thread.
     */
    public CompletableFuture<Void> stop() {
        if (!stopping) {
            stopping = true;
            try {
                loop.execute(() -> {
                    policy.maillog().terminating(Signals.term()); // what `postfix stop` sends (§11.1)
                    policy.shutdown();
                });
            } catch (RejectedExecutionException e) {
                stopped.completeExceptionally(e); // the loop is gone without a stop: nobody will complete it
            }
        }
        return stopped;
    }

    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** Stops (if not yet), waits for the children, stops the loop thread (held wakeups close with it). */
    public void close() {
        boolean clean = false;
        try {
            stop().get(config.serviceDrainTime().toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
            clean = true;
        } catch (Exception e) {
            log.warn("stop did not complete cleanly: {}", e.toString());
        }
        loop.close();
        flow.close();
        maillog.close(); // after the loop thread, its only user, is gone
        stdio.close();
        lock.close(clean); // last: the queue directory is another master's to use from here
    }
}
