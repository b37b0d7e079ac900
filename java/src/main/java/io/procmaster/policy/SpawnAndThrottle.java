package io.procmaster.policy;

import io.procmaster.log.Logs;
import io.procmaster.time.Durations;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * SpawnAndThrottle - the policy's half of Postfix's master_spawn: starting one child, recording it,
 * reaping it, and the throttle that a bad start or a failed spawn sets.
 *
 * <p>Interface (package-private, called by {@link MasterPolicy} and its other modules on the loop
 * thread): {@link #spawnOne} asks {@link MasterActions#spawn} for one child and records the pid it
 * returns (the child is AVAIL from birth, as Postfix counts it from fork, and a conditional wakeup
 * waiting for the first spawn starts);
 * {@link #onChildExit} forgets a reaped child and throttles on a bad startup; {@link #throttle} and
 * {@link #unthrottleNow} set and release the throttle, with exponential back-off up to
 * {@link PolicySettings#throttleMax()} from the one base delay {@link PolicySettings#throttleDelay()}.
 * A spawn when the spawn-rate window is full of wasted starts throttles instead.
 *
 * <p>Failure modes: a {@link SpawnFailure}, any other exception from the spawn, or a pid that is
 * not positive or already known are logged, counted and throttle the service (throttle set before
 * the counts drop, so listening never flickers on); nothing is recorded for them. An unknown pid at
 * reaping is counted and ignored, never fatal. Nothing here throws.
 */
final class SpawnAndThrottle {

    // The policy's one logger name, as before the split: log configurations select it.
    private static final Logger log = Logs.logger(MasterPolicy.class);
    static final int MAX_BACKOFF_SHIFT = 20;

    private final MasterPolicy p;
    private long unknownPidExits;
    private long unexpectedSpawnReports;

    SpawnAndThrottle(MasterPolicy p) {
        this.p = p;
    }

    long unknownPidExits() {
        return unknownPidExits;
    }

    long unexpectedSpawnReports() {
        return unexpectedSpawnReports;
    }

    /**
     * Spawns one child unless the spawn-rate window is full of wasted starts; returns whether a
     * spawn was tried. Only children that exited normally without ever serving count (see
     * {@link #onChildExit}): a busy, healthy service that replaces children at max_use is never
     * held back, while a daemon that exits 0 at once is.
     */
    boolean spawnOne(ServiceState s) {
        long now = p.clock.nanoTime();
        if (s.limiter.wouldExceed(now)) {
            s.counters.rateLimitThrottles++;
            log.warn("{}: more than {} processes in {} exited without serving -- throttling",
                    s.label(), p.settings.spawnRateLimit(), Durations.format(p.settings.spawnRateWindow()));
            throttle(s);
            return false;
        }
        long gen = p.generations.next();
        boolean stress = s.spec.stressEligible() && s.inStress(now);
        s.counters.spawns++;
        int pid;
        try {
            pid = p.actions.spawn(s.id(), gen, stress);
        } catch (SpawnFailure e) {
            spawnFailed(s, e.getMessage());
            return true;
        } catch (RuntimeException e) {
            log.error("{}: spawn action failed", s.label(), e);
            spawnFailed(s, "spawn: " + e);
            return true;
        }
        if (pid <= 0 || p.children.containsKey(pid)) {
            unexpectedSpawnReports++;
            spawnFailed(s, "spawn returned a bad or duplicate pid " + pid);
            return true;
        }
        ChildRecord r = new ChildRecord(pid, gen, s.id(), s.epoch, p.clock.nanoTime());
        p.children.put(pid, r);
        s.children.put(pid, r);
        s.availChildren++;
        p.listen.updateListen(s); // the new child counts as AVAIL: normally stops listening
        if (s.condWake) {
            s.condWake = false;
            p.wakeups.start(s);
        }
        return true;
    }

    /** Logs, throttles (before the counts are re-evaluated) and creates no record. */
    private void spawnFailed(ServiceState s, String error) {
        s.counters.spawnFailures++;
        if (s.draining || p.shuttingDown) {
            log.warn("master_spawn: {}", error);
        } else {
            log.warn("master_spawn: {} -- throttling", error);
            p.maillog.spawnFailed(error);
            throttle(s);
        }
        p.listen.reevaluate(s);
    }

    /**
     * A child was reaped. Unknown pids are logged and counted, never fatal. An abnormal end of a
     * child that never completed a request throttles the service ("bad command startup"), unless
     * the master caused it or the service is already throttled, draining or the master is shutting
     * down. An end the master caused is not a warning (see {@link #endedByTheMaster}).
     */
    void onChildExit(int pid, ChildExit exit) {
        ChildExit how = exit == null ? new ChildExit(null, 0) : exit;
        ChildRecord r = p.children.get(pid);
        if (r == null) {
            unknownPidExits++;
            p.limited.log(MasterPolicy.MASTER, LogLimiter.Kind.UNKNOWN_PID_EXIT,
                    p.settings.initMode() ? Level.DEBUG : Level.WARN,
                    "master_reap: unknown pid: {} ({}) -- ignored", pid, how.describe());
            return;
        }
        ServiceState s = p.services.get(r.serviceId());
        String command = s == null ? r.serviceId() : s.spec.command();
        if (how.kind() == ChildExit.Kind.STOPPED) {
            if (p.limited.log(s == null ? MasterPolicy.MASTER : s.label(), LogLimiter.Kind.CHILD_STOPPED, Level.WARN,
                    "process {} pid {} stopped by signal {}", command, pid, how.value())) {
                p.maillog.childEnded(command, pid, how);
            }
            return;
        }
        if (s != null) {
            s.counters.exits++;
            if (s.wastedStart(r, how)) {
                s.limiter.record(p.clock.nanoTime());
            }
            if (!how.isNormal()) {
                s.counters.abnormalExits++;
                if (endedByTheMaster(r, how)) {
                    log.debug("process {} pid {} {} (after the master's SIG{})", command, pid, how.describe(),
                            r.signalSent());
                } else if (p.limited.log(s.label(), LogLimiter.Kind.CHILD_EXIT, Level.WARN, "process {} pid {} {}",
                        command, pid, how.describe())) {
                    p.maillog.childEnded(command, pid, how);
                }
                // Throttle first, then drop the counts, so the re-evaluation below cannot briefly
                // turn listening back on and spawn.
                if (r.useCount() == 0 && r.signalSent() == null && !s.throttled && !s.draining && !p.shuttingDown) {
                    s.counters.badStartups++;
                    log.warn("{}: bad command startup -- throttling", command);
                    p.maillog.badStartup(command);
                    throttle(s);
                }
            }
        }
        p.children.remove(pid);
        if (s != null) {
            s.children.remove(pid);
            if (r.state() == ChildRecord.State.AVAIL) {
                s.availChildren--;
            }
            p.listen.reevaluate(s);
            p.reconfig.checkGone(s);
        }
        p.checkShutdownDone();
    }

    /**
     * Whether the child's end is the answer to a signal the master sent it (at stop, or when its
     * service left the configuration), which Postfix's master never logs: it is gone at stop, and
     * master_reap_child is silent for a SIGTERM to a service marked for deletion. That is an exit
     * with any status (a daemon that catches SIGTERM exits with a status of its own: cleanup exits
     * 15), or death by a signal the master sent (SIGTERM first, SIGKILL after the drain time). A
     * child the master never signalled, or one that died of another signal (a crash; a SIGKILL from
     * outside while the master had sent only SIGTERM) is reported as Postfix reports it
     * (docs/postfix-master.md §11.2).
     */
    private boolean endedByTheMaster(ChildRecord r, ChildExit how) {
        Signal sent = r.signalSent();
        if (sent == null) {
            return false;
        }
        return switch (how.kind()) {
            case EXITED -> true;
            case KILLED -> how.value() == p.actions.signalNumber(sent) || how.value() == p.actions.signalNumber(Signal.TERM);
            case STOPPED -> false;
        };
    }

    /** Throttles: the base delay doubled per consecutive throttle, capped. */
    void throttle(ServiceState s) {
        if (s.throttled) {
            return;
        }
        long now = p.clock.nanoTime();
        if (s.everUnthrottled && now - s.lastUnthrottleAt >= p.settings.throttleMax().toNanos()) {
            s.throttleBackoff.reset(); // a long quiet spell since the last throttle: start afresh
        }
        long base = p.settings.throttleDelay().toNanos();
        long cap = Math.max(p.settings.throttleMax().toNanos(), base); // a base above the maximum wins
        Duration delay = Duration.ofNanos(s.throttleBackoff.onFailure(base, cap));
        s.throttled = true;
        s.throttledUntil = now + delay.toNanos();
        s.counters.throttles++;
        s.throttleTimer = p.timers.schedule(delay, "unthrottle " + s.id(), () -> {
            s.throttleTimer = null;
            if (p.services.get(s.id()) == s) {
                unthrottleNow(s, true);
            }
        });
        log.info("{}: throttling command {} for {}", s.label(), s.spec.command(), Durations.format(delay));
        p.listen.reevaluate(s);
    }

    void unthrottleNow(ServiceState s, boolean reevaluate) {
        if (!s.throttled) {
            return;
        }
        ServiceState.cancel(s.throttleTimer);
        s.throttleTimer = null;
        s.throttled = false;
        s.everUnthrottled = true;
        s.lastUnthrottleAt = p.clock.nanoTime();
        log.debug("{}: throttle released", s.label());
        if (reevaluate) {
            p.listen.reevaluate(s);
        }
    }
}
