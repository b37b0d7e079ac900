package io.procmaster.loop;

import io.procmaster.config.CgroupLimits;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.log.Logs;
import io.procmaster.os.Cgroup2;
import io.procmaster.os.ChildProcess;
import io.procmaster.os.EventLoop;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.Fd;
import io.procmaster.os.SpawnException;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.Spawner;
import io.procmaster.status.ServiceStatus;
import io.procmaster.time.TimerQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Each service's own cgroup2 cgroup (docs/cgroups.md), owned by the master's loop thread: made
 * when the service is added, its limits written (again on a reload that changes them), its
 * directory descriptor given to every spawn of the service (clone3's CLONE_INTO_CGROUP), and when
 * the service is removed or the master stops, every process in it ended with {@code cgroup.kill}
 * (or SIGKILL to each pid of cgroup.procs, until none is left), grandchildren included, then the
 * directory removed once {@code cgroup.events} says {@code populated 0}.
 *
 * <p>Interface: {@link #disabled()} (every call a no-op; {@code service_cgroups = no}) or
 * {@link #open}; {@link #add}, {@link #apply}, {@link #directory}, {@link #end}, {@link #endAll},
 * {@link #usage}. Nothing here blocks the loop: a cgroup's processes are signalled, its
 * cgroup.events is registered with the loop for EPOLLPRI (edge-triggered), which the kernel raises
 * when {@code populated} changes, and the directory is removed on that event; a timer looks too,
 * every {@value #SWEEP_MILLIS} ms where the file cannot be watched or where there is no cgroup.kill
 * (the pids are killed again, as a fork may have outrun them), else once a second for the deadline. Another
 * timer reads the limit counters (pids.events {@code max}, memory.events {@code max} and
 * {@code oom_kill}) every {@value #WATCH_SECONDS} s and logs one warning per service and limit
 * whose counter grew, with its count: at most one line per service and limit per interval.
 *
 * <p>Naming: {@code svc-} and the service's identity with every byte outside {@code [A-Za-z0-9.-]}
 * written {@code _XX} (hex), so two services never share a name and none can be {@code master}
 * or a cgroup core file; {@link CgroupDelegation} removes what a previous master left under that prefix.
 *
 * <p>Failure modes: a cgroup that cannot be made or limited is an {@link IOException} that fails
 * the start or the reload (nothing is half applied); a cgroup that will not empty within
 * {@value #END_SECONDS} s is logged as an error and left; a counter that cannot be read is left out.
 */
final class ServiceCgroups {
    private static final Logger log = Logs.logger(ServiceCgroups.class);
    static final String PREFIX = "svc-";
    static final long SWEEP_MILLIS = 20;
    static final long WATCH_SECONDS = 5;
    static final long END_SECONDS = 10;
    private static final int NAME_MAX = 255;

    private final Path base;
    private final MasterConfig config;
    private final TimerQueue timers;
    private final EventLoop loop;
    private final Set<String> available;
    private final boolean hybrid;
    private final Map<String, Entry> live = new LinkedHashMap<>();
    private final Map<Path, Ending> ending = new LinkedHashMap<>();
    private final List<Runnable> whenEmpty = new ArrayList<>();
    private TimerQueue.Timer sweep;
    private boolean closing;
    private boolean warnedPosixSpawn;

    private static final class Entry {
        final String name;
        final Path dir;
        final Fd fd;
        CgroupLimits written;
        final Map<String, Long> seen = new HashMap<>();

        Entry(String name, Path dir, Fd fd) {
            this.name = name;
            this.dir = dir;
            this.fd = fd;
        }
    }

    /** A cgroup whose processes were killed; {@code events}: its cgroup.events, watched for EPOLLPRI, or null. */
    private record Ending(String name, boolean viaKill, long deadlineNanos, Fd events) {
    }

    private ServiceCgroups(Path base, MasterConfig config, TimerQueue timers, EventLoop loop, Set<String> available,
                           boolean hybrid) {
        this.base = base;
        this.config = config;
        this.timers = timers;
        this.loop = loop;
        this.available = available;
        this.hybrid = hybrid;
    }

    /** service_cgroups = no: no cgroup is made, every spawn stays in the master's cgroup. */
    static ServiceCgroups disabled() {
        return new ServiceCgroups(null, null, null, null, Set.of(), false);
    }

    /** Cgroups under {@code base}, a directory made ready outside {@link CgroupDelegation#prepare} (a test's own). */
    static ServiceCgroups open(Path base, MasterConfig config, TimerQueue timers, EventLoop loop) throws IOException {
        boolean hybrid = Cgroup2.hybrid(Files.readString(Cgroup2.PROC_SELF_CGROUP));
        return open(new CgroupDelegation.Delegated(base, Cgroup2.controllers(base, "cgroup.controllers"), hybrid),
                config, timers, loop);
    }

    private static ServiceCgroups open(CgroupDelegation.Delegated d, MasterConfig config, TimerQueue timers,
                                       EventLoop loop) {
        ServiceCgroups c = new ServiceCgroups(d.dir(), config, timers, loop, d.available(), d.hybrid());
        c.scheduleWatch();
        return c;
    }

    boolean enabled() {
        return base != null;
    }

    /** The cgroup directory name of a service identity. */
    static String name(String serviceId) {
        StringBuilder b = new StringBuilder(PREFIX);
        for (byte x : serviceId.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                b.append((char) c);
            } else {
                b.append('_').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        if (b.length() > NAME_MAX) { // keep it unique: a hash of the whole identity at the end
            String h = Integer.toHexString(serviceId.hashCode());
            b.setLength(NAME_MAX - h.length() - 1);
            b.append('_').append(h);
        }
        return b.toString();
    }

    /**
     * The cgroups of {@code config} ({@code service_cgroups = no}: {@link #disabled()}), its
     * directory checked and cleared of a previous master's leftovers ({@link CgroupDelegation}).
     */
    static ServiceCgroups of(MasterConfig config, java.util.Collection<ServiceSpec> services, TimerQueue timers,
                             EventLoop loop) throws IOException {
        if (!config.serviceCgroups()) {
            return disabled();
        }
        return open(CgroupDelegation.prepare(config, services), config, timers, loop);
    }

    /** A start that failed: the cgroups made so far hold no process yet; each is removed at once. */
    void abandon() {
        closing = true;
        for (Entry e : live.values()) {
            e.fd.close();
            try {
                Files.deleteIfExists(e.dir);
            } catch (IOException x) {
                log.warn("cannot remove cgroup {}: {}", e.dir, CgroupDelegation.reason(x));
            }
        }
        live.clear();
    }

    /**
     * Closes the descriptors still held once the loop thread is gone (a stop that did not complete):
     * the cgroups stay, with whatever is in them, for the next master to end (docs/cgroups.md).
     */
    void closeDescriptors() {
        closing = true;
        live.values().forEach(e -> e.fd.close());
        ending.values().forEach(x -> {
            if (x.events() != null) {
                x.events().close();
            }
        });
    }

    /** The statuses with each service's cgroup figures (unchanged without cgroups). */
    List<ServiceStatus> annotate(List<ServiceStatus> statuses) {
        if (!enabled()) {
            return statuses;
        }
        List<ServiceStatus> out = new ArrayList<>(statuses.size());
        for (ServiceStatus s : statuses) {
            out.add(live.containsKey(s.id()) ? s.withCgroup(usage(s.id())) : s);
        }
        return out;
    }

    /** Checks the limits this service would get against the controllers offered, without changing anything. */
    void check(ServiceSpec spec) throws IOException {
        if (enabled()) {
            CgroupDelegation.requireControllers(available, base, hybrid, "service " + spec.name(), limits(spec));
        }
    }

    /** Makes (or takes back, if it was ending) the service's cgroup and writes its limits. */
    void add(String id, ServiceSpec spec) throws IOException {
        if (!enabled() || live.containsKey(id)) {
            return;
        }
        check(spec);
        Path dir = base.resolve(name(id));
        Ending was = ending.remove(dir);
        if (was != null) {
            unwatch(was); // its cgroup.events descriptor and registration, else held until the master exits
        }
        boolean made = false;
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectory(dir);
                made = true;
            } catch (IOException e) {
                throw new IOException("service " + spec.name() + ": cannot create its cgroup " + dir + ": "
                        + CgroupDelegation.reason(e) + " (docs/cgroups.md)", e);
            }
        }
        Fd fd;
        try {
            fd = Cgroup2.open(dir);
        } catch (IOException | RuntimeException x) {
            if (made) {
                Files.deleteIfExists(dir); // empty: no failure path leaves a cgroup no one will end
            }
            throw x;
        }
        Entry e = new Entry(spec.name(), dir, fd);
        live.put(id, e);
        write(e, limits(spec));
    }

    /**
     * A reload: rewrites the limits that changed (a new cpu limit may need the controller enabled
     * first). {@link #check} ran before the reload touched anything; a write that fails after it
     * is logged, and the limits as they are stay reported.
     */
    void apply(String id, ServiceSpec spec) {
        Entry e = live.get(id);
        if (e != null && !limits(spec).equals(e.written)) {
            try {
                write(e, limits(spec));
                log.info("service {}: cgroup limits now {}", spec.name(), e.written);
            } catch (IOException x) {
                log.error("service {}: cannot apply cgroup limits {}: {}", spec.name(), limits(spec), x.getMessage());
            }
        }
    }

    /**
     * Spawns a child of the service in the service's cgroup, when it has one. A child that had to
     * be spawned with posix_spawn was moved only after its exec: what it forked before that is not
     * in the cgroup (docs/cgroups.md "The posix_spawn window"); the first such spawn is logged.
     */
    ChildProcess spawn(String id, SpawnSpec.Builder spawn) throws SpawnException {
        Fd fd = directory(id);
        if (fd != null) {
            spawn.cgroup(fd);
        }
        ChildProcess c = Spawner.spawn(spawn.build());
        if (fd != null && c.mechanism() == SpawnSpec.Mechanism.POSIX_SPAWN && !warnedPosixSpawn) {
            warnedPosixSpawn = true;
            log.warn("service {}: spawned with posix_spawn (clone3 refused here): each child joins its cgroup only "
                    + "after its exec, and what it forks before that stays outside the cgroup's limits and "
                    + "cgroup.kill (docs/cgroups.md)", live.get(id).name);
        }
        return c;
    }

    /** The directory descriptor a spawn of the service starts its child in, or null (no cgroup). */
    Fd directory(String id) {
        Entry e = live.get(id);
        return e == null ? null : e.fd;
    }

    /** Ends every process in the service's cgroup and removes it once empty (not waiting). */
    void end(String id) {
        Entry e = live.remove(id);
        if (e == null) {
            return;
        }
        e.fd.close();
        int n = countProcesses(e.dir);
        long deadline = System.nanoTime() + END_SECONDS * 1_000_000_000L;
        boolean viaKill = false;
        try {
            viaKill = Cgroup2.kill(e.dir);
            if (n > 0) {
                log.info("service {}: ended {} processes left in its cgroup ({})", e.name, n,
                        viaKill ? "cgroup.kill" : "SIGKILL to each pid");
            }
        } catch (IOException x) {
            log.error("service {}: cannot end the processes of cgroup {}: {}", e.name, e.dir, CgroupDelegation.reason(x));
        }
        ending.put(e.dir, new Ending(e.name, viaKill, deadline, watchEvents(e.dir)));
        sweepNow(); // it may be empty already, and then no change is left to raise EPOLLPRI
    }

    /** cgroup.events registered for EPOLLPRI (a sweep when it changes), or null: the timer polls instead. */
    private Fd watchEvents(Path dir) {
        Fd fd = null;
        try {
            fd = Cgroup2.openEvents(dir);
            loop.register(fd.intValue(), EventLoopCore.Kind.FD, Cgroup2.eventsChanged(), new EventLoop.Handler() {
                @Override
                public void onReady(int events) {
                    sweepNow();
                }
            });
            return fd;
        } catch (NativeIoException | RuntimeException x) {
            if (fd != null) {
                fd.close();
            }
            log.debug("cgroup {}: cannot watch cgroup.events ({}); polling it", dir, x.getMessage());
            return null;
        }
    }

    /** Ends every service's cgroup; {@code done} runs on the loop once every one is removed or given up. */
    void endAll(Runnable done) {
        closing = true;
        for (String id : new ArrayList<>(live.keySet())) {
            end(id);
        }
        whenEmpty.add(done);
        sweepNow();
    }

    /** The service's cgroup figures, or null without one. */
    ServiceStatus.Cgroup usage(String id) {
        Entry e = live.get(id);
        if (e == null) {
            return null;
        }
        try {
            OptionalLong mem = Cgroup2.readLong(e.dir, "memory.current");
            OptionalLong pids = Cgroup2.readLong(e.dir, "pids.current");
            LimitEvents ev = LimitEvents.read(e.dir);
            return new ServiceStatus.Cgroup(e.dir.toString(), mem.isPresent() ? mem.getAsLong() : null,
                    pids.isPresent() ? pids.getAsLong() : (long) Cgroup2.procs(e.dir).size(),
                    ev.orZero(ev.pidsMax()), ev.orZero(ev.memoryMax()), ev.orZero(ev.oomKill()),
                    e.written.memoryMax(), e.written.pidsMax(), e.written.cpuMax());
        } catch (IOException | RuntimeException x) {
            return new ServiceStatus.Cgroup(e.dir.toString(), null, null, 0, 0, 0, e.written.memoryMax(),
                    e.written.pidsMax(), e.written.cpuMax());
        }
    }

    private CgroupLimits limits(ServiceSpec spec) {
        return ServiceViews.cgroupLimits(spec, config);
    }

    private void write(Entry e, CgroupLimits l) throws IOException {
        if (CgroupLimits.limited(l.cpuMax())) {
            CgroupDelegation.enableControllers(base, List.of("cpu"));
        }
        limit(e, "memory.max", l.memoryMax());
        limit(e, "pids.max", l.pidsMax());
        limit(e, "cpu.max", l.cpuMax());
        e.written = l;
    }

    /** Writes a limit where its file exists; {@code max} where it does not is no limit to write. */
    private void limit(Entry e, String file, String value) throws IOException {
        if (!Files.exists(e.dir.resolve(file)) && !CgroupLimits.limited(value)) {
            return;
        }
        try {
            Cgroup2.write(e.dir, file, value);
        } catch (IOException x) {
            throw new IOException("service " + e.name + ": cannot write " + value + " to " + e.dir.resolve(file) + ": "
                    + CgroupDelegation.reason(x), x);
        }
    }

    private static int countProcesses(Path dir) {
        try {
            return Cgroup2.procs(dir).size();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * The sweep's timer: every {@value #SWEEP_MILLIS} ms while a cgroup is ending that nothing
     * watches or that cgroup.kill did not end (its pids are killed again); else once a second,
     * for the deadline only, EPOLLPRI on cgroup.events doing the rest.
     */
    private void scheduleSweep() {
        boolean poll = ending.values().stream().anyMatch(x -> x.events() == null || !x.viaKill());
        long delay = poll ? SWEEP_MILLIS : 1000;
        if (sweep != null && sweep.isPending() && sweep.deadlineNanos() - timers.clock().nanoTime() <= delay * 1_000_000L) {
            return;
        }
        if (sweep != null) {
            sweep.cancel();
        }
        sweep = timers.schedule(Duration.ofMillis(delay), "cgroup sweep", this::sweepNow);
    }

    private void unwatch(Ending x) {
        if (x.events() != null) {
            loop.unregister(x.events().intValue());
            x.events().close();
        }
    }

    /** Removes each ending cgroup that is empty; kills again where there is no cgroup.kill. */
    private void sweepNow() {
        long now = System.nanoTime();
        for (var it = ending.entrySet().iterator(); it.hasNext(); ) {
            var en = it.next();
            Path dir = en.getKey();
            Ending x = en.getValue();
            try {
                if (!Cgroup2.populated(dir)) {
                    unwatch(x);
                    Files.deleteIfExists(dir);
                    it.remove();
                } else if (now - x.deadlineNanos() > 0) {
                    log.error("service {}: cgroup {} still holds processes {} s after they were killed; left in place",
                            x.name(), dir, END_SECONDS);
                    unwatch(x);
                    it.remove();
                } else if (!x.viaKill()) {
                    Cgroup2.kill(dir); // a fork may have outrun the last round of signals
                }
            } catch (IOException e) {
                if (now - x.deadlineNanos() > 0) {
                    log.error("service {}: cannot remove cgroup {}: {}", x.name(), dir, CgroupDelegation.reason(e));
                    unwatch(x);
                    it.remove();
                }
            }
        }
        if (!ending.isEmpty()) {
            scheduleSweep();
        } else if (!whenEmpty.isEmpty()) {
            List<Runnable> r = new ArrayList<>(whenEmpty);
            whenEmpty.clear();
            r.forEach(Runnable::run);
        }
    }

    private void scheduleWatch() {
        timers.schedule(Duration.ofSeconds(WATCH_SECONDS), "cgroup limit watch", () -> {
            if (!closing) {
                watchLimits();
                scheduleWatch();
            }
        });
    }

    /** One warning per service and limit whose event counter grew since the last look. */
    void watchLimits() {
        for (Entry e : live.values()) {
            try {
                LimitEvents ev = LimitEvents.read(e.dir);
                grew(e, "pids.max", ev.pidsMax(), e.written.pidsMax(), "forks refused");
                grew(e, "memory.max", ev.memoryMax(), e.written.memoryMax(), "times reached");
                grew(e, "oom_kill", ev.oomKill(), e.written.memoryMax(), "processes killed by the OOM killer");
            } catch (IOException | RuntimeException x) {
                // a counter that cannot be read now is read at the next look
            }
        }
    }

    /** One cgroup's limit events for status and the watch: pids.events max, memory.events max, oom_kill; null if absent. */
    private record LimitEvents(Long pidsMax, Long memoryMax, Long oomKill) {
        static LimitEvents read(Path dir) throws IOException {
            Map<String, Long> pe = Cgroup2.keyed(dir, "pids.events");
            Map<String, Long> me = Cgroup2.keyed(dir, "memory.events");
            return new LimitEvents(pe.get("max"), me.get("max"), me.get("oom_kill"));
        }

        long orZero(Long count) {
            return count == null ? 0 : count;
        }
    }

    private static void grew(Entry e, String what, Long count, String limit, String unit) {
        if (count == null) {
            return;
        }
        Long before = e.seen.put(what, count);
        if (count > (before == null ? 0 : before)) {
            log.warn("service {}: cgroup limit {} ({}): {} {} in all", e.name,
                    what.equals("oom_kill") ? "memory.max" : what, limit, count, unit);
        }
    }
}
