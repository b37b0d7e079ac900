package io.procmaster.policy;

import io.procmaster.config.ServiceType;
import io.procmaster.log.Logs;
import io.procmaster.status.ReloadSummary;
import io.procmaster.time.Durations;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Reconfiguration - Postfix's master_ent and master_config as policy: a new set of services
 * applied to the running ones, and the asynchronous drain of a removed one.
 *
 * <p>Interface (package-private, loop thread): {@link #apply} adds new ids (wakeup started, listen
 * rule applied), restarts existing ones with their new values (status channel recreated, wakeup
 * restarted; counts, old children, throttle and stress kept) and drains ids no longer present
 * (SIGTERM, then SIGKILL after {@link PolicySettings#drainTime()}, then
 * {@link MasterActions#serviceGone}); {@link #restartService} is the restart alone (also used when
 * stress starts); {@link #checkGone} forgets a draining service whose last child went.
 *
 * <p>Input contract: the specs are validated by the configuration model (ServiceSpec's builder:
 * maxproc in range, wakeup in range, one command token), so numbers are trusted here. What is
 * checked is what a caller of the public policy API could still get wrong without a config file: a
 * null or id-less spec is rejected, a null name, command or type and a negative wakeup or prefork
 * minimum are replaced; each is logged and counted in {@link MasterCounters#badSpecValues()}. A
 * repeated id is counted and the last entry wins. Nothing here throws.
 */
final class Reconfiguration {

    // The policy's one logger name, as before the split: log configurations select it.
    private static final Logger log = Logs.logger(MasterPolicy.class);

    private final MasterPolicy p;
    private long badSpecValues;
    private long duplicateSpecs;

    Reconfiguration(MasterPolicy p) {
        this.p = p;
    }

    long badSpecValues() {
        return badSpecValues;
    }

    long duplicateSpecs() {
        return duplicateSpecs;
    }

    ReloadSummary apply(Collection<ServicePolicySpec> specs, String why) {
        List<String> added = new ArrayList<>();
        List<String> restarted = new ArrayList<>();
        List<String> removing = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        if (p.shuttingDown) {
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
            ServiceState s = p.services.get(spec.id());
            if (s == null) {
                addService(spec);
                added.add(spec.id());
            } else {
                updateService(s, spec);
                restarted.add(spec.id());
            }
        }
        for (ServiceState s : new ArrayList<>(p.services.values())) {
            if (!wanted.containsKey(s.id()) && !s.draining) {
                removing.add(s.id());
                removeService(s);
            }
        }
        return new ReloadSummary(added, restarted, removing, rejected);
    }

    private void addService(ServicePolicySpec spec) {
        ServiceState s = new ServiceState(spec, p.settings);
        p.services.put(spec.id(), s);
        log.debug("{}: added", s.label());
        p.wakeups.start(s);
        p.listen.reevaluate(s);
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
        // CONDWAKE is copied from the new entry, so a still-conditional service stops sending
        // wakeups until its next spawn.
        s.condWake = spec.conditionalWakeup() && spec.hasWakeup();
        s.limiter.configure(p.settings.spawnRateLimit(), p.settings.spawnRateWindow());
        if (s.throttled && p.settings.clearThrottleOnCommandChange()
                && (!Objects.equals(old.command(), spec.command()) || !old.args().equals(spec.args()))) {
            log.info("{}: command changed at reload; releasing the throttle", s.label());
            s.throttleBackoff.reset();
            p.spawning.unthrottleNow(s, false);
        }
        restartService(s);
        p.listen.reevaluate(s);
    }

    /** Restart without reload semantics for listeners: new status channel epoch, wakeup restarted. */
    void restartService(ServiceState s) {
        p.wakeups.stop(s);
        s.epoch++;
        p.actions.restartStatusChannel(s.id());
        p.wakeups.start(s);
    }

    private void removeService(ServiceState s) {
        s.draining = true;
        p.wakeups.stop(s);
        // The throttle no longer matters (nothing will be spawned) and its timer must not fire
        // into a draining service; bad-startup handling is suppressed by the draining flag.
        ServiceState.cancel(s.throttleTimer);
        s.throttleTimer = null;
        s.throttled = false;
        p.actions.closeStatusChannel(s.id());
        p.listen.updateListen(s);
        log.info("{}: removed from the configuration; stopping {} process(es)", s.label(), s.total());
        for (ChildRecord r : new ArrayList<>(s.children.values())) {
            p.signalChild(r, Signal.TERM);
        }
        if (!checkGone(s)) {
            s.drainTimer = p.timers.schedule(p.settings.drainTime(), "drain " + s.id(), () -> killRemaining(s));
        }
    }

    private void killRemaining(ServiceState s) {
        s.drainTimer = null;
        if (p.services.get(s.id()) != s || !s.draining) {
            return;
        }
        for (ChildRecord r : new ArrayList<>(s.children.values())) {
            s.counters.killsAfterDrain++;
            log.warn("{}: process {} pid {} still running {} after SIGTERM -- sending SIGKILL",
                    s.label(), s.spec.command(), r.pid(), Durations.format(p.settings.drainTime()));
            p.signalChild(r, Signal.KILL);
        }
    }

    /** A draining service with no children left is forgotten; returns true if it went. */
    boolean checkGone(ServiceState s) {
        if (!s.draining || s.total() > 0 || p.services.get(s.id()) != s) {
            return false;
        }
        ServiceState.cancel(s.drainTimer);
        s.drainTimer = null;
        p.services.remove(s.id());
        log.info("{}: all processes gone; service removed", s.label());
        p.actions.serviceGone(s.id());
        return true;
    }

    /** Replaces unusable values by safe ones, logging and counting each; null if the spec is unusable. */
    private ServicePolicySpec sanitize(ServicePolicySpec spec) {
        if (spec == null || spec.id() == null || spec.id().isBlank()) {
            badSpecValues++;
            log.error("service spec without an id rejected: {}", spec);
            return null;
        }
        String id = spec.id();
        boolean changed = false;
        String name = spec.name();
        if (name == null) {
            name = id;
            changed = bad(id, "name", null, id);
        }
        String command = spec.command();
        if (command == null) {
            command = spec.name() == null ? id : spec.name();
            changed = bad(id, "command", null, "the service name");
        }
        ServiceType type = spec.type();
        if (type == null) {
            type = ServiceType.UNIX;
            changed = bad(id, "type", null, ServiceType.UNIX);
        }
        int wakeup = spec.wakeupSeconds();
        boolean conditional = spec.conditionalWakeup();
        if (wakeup < 0) {
            wakeup = 0;
            conditional = false;
            changed = bad(id, "wakeupSeconds", spec.wakeupSeconds(), 0);
        }
        int minIdle = spec.minIdle();
        if (minIdle < 0) {
            minIdle = 0;
            changed = bad(id, "minIdle", spec.minIdle(), 0);
        }
        return changed ? new ServicePolicySpec(id, name, command, spec.args(), type, spec.maxProc(), wakeup,
                conditional, spec.stressEligible(), minIdle) : spec;
    }

    private boolean bad(String id, String field, Object value, Object replacement) {
        badSpecValues++;
        log.warn("service {}: bad {} {}; using {}", id, field, value, replacement);
        return true;
    }
}
