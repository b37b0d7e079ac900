package io.procmaster.metrics.registry;

import io.procmaster.metrics.ServiceMXBean;
import io.procmaster.status.ServiceStatus;
import java.time.Duration;
import javax.management.ObjectName;

/**
 * ServiceView - the {@link ServiceMXBean} of one service: each getter asks its {@link SnapshotMasterMetrics}
 * for the current snapshot (which brings this view up to date) and reads this service's
 * {@link ServiceStatus} of it. Remaining times are those of the snapshot less its age.
 *
 * <p>Interface: package-private; {@link SnapshotMasterMetrics} creates, updates and (un)registers it.
 * Any thread. Failure modes: none.
 */
final class ServiceView implements ServiceMXBean {
    private final SnapshotMasterMetrics owner;
    final String id;
    private volatile ServiceStatus last;
    private volatile SnapshotCache.Taken<?> taken;
    volatile boolean present = true;
    ObjectName name; // guarded by the owner

    ServiceView(SnapshotMasterMetrics owner, String id) {
        this.owner = owner;
        this.id = id;
    }

    void update(ServiceStatus s, SnapshotCache.Taken<?> t) {
        last = s;
        taken = t;
    }

    private ServiceStatus s() {
        owner.current();
        return last;
    }

    private long remainingMillis(Duration atSnapshot) {
        if (atSnapshot == null) {
            return -1;
        }
        return Math.max(0, atSnapshot.toMillis() - SnapshotMasterMetrics.ageMillis(taken));
    }

    @Override public String getId() { return id; }
    @Override public String getName() { return s().name(); }
    @Override public boolean isPresent() { s(); return present; }
    @Override public int getProcessLimit() { return s().maxProc(); }
    @Override public int getProcessesTotal() { return s().total(); }
    @Override public int getProcessesAvailable() { return s().avail(); }
    @Override public int getOldGenerationProcesses() { return s().oldEpochChildren(); }
    @Override public boolean isListening() { return s().listening(); }
    @Override public boolean isThrottled() { return s().throttled(); }
    @Override public long getThrottleRemainingMillis() { return remainingMillis(s().throttleRemaining()); }

    @Override
    public long getThrottledUntilMillis() {
        ServiceStatus s = s();
        SnapshotCache.Taken<?> t = taken;
        return s.throttleRemaining() == null || t == null ? -1 : t.epochMillis() + s.throttleRemaining().toMillis();
    }

    @Override public int getThrottleLevel() { return s().throttleLevel(); }
    @Override public boolean isStress() { return s().stress(); }
    @Override public long getStressRemainingMillis() { return remainingMillis(s().stressRemaining()); }
    @Override public boolean isDraining() { return s().draining(); }
    @Override public boolean isWakeupPending() { return s().conditionalWakeupPending(); }
    @Override public long getEpoch() { return s().epoch(); }
    @Override public long getSpawns() { return s().counts().spawns(); }
    @Override public long getSpawnFailures() { return s().counts().spawnFailures(); }
    @Override public long getExits() { return s().counts().exits(); }
    @Override public long getAbnormalExits() { return s().counts().abnormalExits(); }
    @Override public long getBadStartups() { return s().counts().badStartups(); }
    @Override public long getKillsAfterDrain() { return s().counts().killsAfterDrain(); }
    @Override public long getThrottles() { return s().counts().throttles(); }
    @Override public long getRateLimitThrottles() { return s().counts().rateLimitThrottles(); }
    @Override public long getForgedRecords() { return s().counts().forgedRecords(); }
    @Override public long getMalformedRecords() { return s().counts().malformedRecords(); }
    @Override public long getUnknownPidRecords() { return s().counts().unknownPidRecords(); }
    @Override public long getGenerationMismatches() { return s().counts().generationMismatches(); }
    @Override public long getUnknownStatusValues() { return s().counts().unknownStatusValues(); }
    @Override public long getRedundantRecords() { return s().counts().redundantRecords(); }
    @Override public long getStatusReadErrors() { return s().counts().statusReadErrors(); }
    @Override public long getWakeupsSent() { return s().counts().wakeupsSent(); }
    @Override public long getWakeupsSkipped() { return s().counts().wakeupsSkipped(); }
    @Override public long getWakeupFailures() { return s().counts().wakeupFailures(); }
    @Override public long getBusyWarnings() { return s().counts().busyWarnings(); }
    @Override public long getStaleReadiness() { return s().counts().staleReadiness(); }
    @Override public long getStressStarts() { return s().counts().stressStarts(); }
    @Override public long getSnapshotAgeMillis() { s(); return SnapshotMasterMetrics.ageMillis(taken); }
    @Override public long getCgroupProcesses() { return cg(c -> c.processes()); }
    @Override public long getCgroupMemoryBytes() { return cg(c -> c.memoryBytes()); }
    @Override public long getCgroupPidsMaxEvents() { return cg(c -> c.pidsMaxEvents()); }
    @Override public long getCgroupOomKills() { return cg(c -> c.oomKills()); }

    /** A figure of the service's cgroup, -1 where there is none. */
    private long cg(java.util.function.Function<ServiceStatus.Cgroup, Long> f) {
        ServiceStatus.Cgroup c = s().cgroup();
        Long v = c == null ? null : f.apply(c);
        return v == null ? -1 : v;
    }
}
