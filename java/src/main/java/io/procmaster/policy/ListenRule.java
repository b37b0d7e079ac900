package io.procmaster.policy;

import io.procmaster.log.Logs;
import io.procmaster.time.Durations;
import org.slf4j.Logger;

/**
 * ListenRule - Postfix's master_avail: whether the master watches a service's listen sockets, what
 * a readable socket does, stress, the busy warning and the prefork minimum.
 *
 * <p>Interface (package-private, loop thread): {@link #reevaluate} applies the listen rule and then
 * the prefork minimum, and is called after every change of throttle, counts, availability or
 * configuration; {@link #updateListen} applies the rule alone (R1: throttled, draining, shutting
 * down or someone available - do not listen; R2: under the limit - listen; R3: at the limit - do not
 * listen, and warn that the service is busy at most once per {@link PolicySettings#busyWarnInterval()});
 * only a change of the decision reaches {@link MasterActions#setListening}. {@link #onListenReady}
 * spawns one child for a readable socket, starting or extending stress (for
 * {@link PolicySettings#stressWindow()}) when that child fills the last slot of a stress-eligible
 * service.
 *
 * <p>Failure modes: a readiness that the rule no longer allows (collected before listening was
 * switched off in the same round) is dropped and counted as stale. Nothing here throws.
 */
final class ListenRule {

    // The policy's one logger name, as before the split: log configurations select it.
    private static final Logger log = Logs.logger(MasterPolicy.class);

    private final MasterPolicy p;

    ListenRule(MasterPolicy p) {
        this.p = p;
    }

    void onListenReady(ServiceState s) {
        if (!s.listening || p.shuttingDown || s.draining || s.throttled || s.avail() > 0 || !s.underLimit()) {
            s.counters.staleReadiness++;
            log.debug("{}: stale listen readiness ignored", s.label());
            return;
        }
        long now = p.clock.nanoTime();
        int max = s.spec.maxProc();
        if (s.spec.stressEligible() && s.total() + 1 >= max) {
            // This spawn fills the last slot: start or extend stress. Starting it restarts the
            // service so non-stress children retire at their convenience.
            if (!s.inStress(now)) {
                s.counters.stressStarts++;
                log.info("{}: process limit {} reached; entering stress mode for {}",
                        s.label(), max, Durations.format(p.settings.stressWindow()));
                p.reconfig.restartService(s);
            }
            s.stressSet = true;
            s.stressExpire = now + p.settings.stressWindow().toNanos();
        }
        p.spawning.spawnOne(s);
    }

    /** The listen rule, then the prefork minimum. */
    void reevaluate(ServiceState s) {
        updateListen(s);
        prefork(s);
    }

    /** R1-R3; only a change of the decision reaches the loop. */
    void updateListen(ServiceState s) {
        boolean want;
        if (s.draining || p.shuttingDown || s.throttled || s.avail() > 0) {
            want = false; // R1 (draining and shutdown behave like a permanent throttle)
        } else if (s.underLimit()) {
            want = true; // R2
        } else {
            want = false; // R3
            busyWarning(s);
        }
        if (want != s.listening) {
            s.listening = want;
            p.actions.setListening(s.id(), want);
        }
    }

    private void busyWarning(ServiceState s) {
        if (!s.spec.stressEligible()) {
            return;
        }
        long now = p.clock.nanoTime();
        // Strict: warn only if the last warning is more than the interval old.
        if (s.busyWarned && s.busyWarnAt - (now - p.settings.busyWarnInterval().toNanos()) >= 0) {
            return;
        }
        s.busyWarned = true;
        s.busyWarnAt = now;
        s.counters.busyWarnings++;
        log.warn("service \"{}\" ({}) has reached its process limit \"{}\": new clients may experience noticeable delays",
                s.spec.name(), s.id(), s.spec.maxProc());
        log.warn("to avoid this condition, increase the process count in master.cf or reduce the service time per client");
        log.warn("see https://www.postfix.org/STRESS_README.html for examples of stress-adapting configuration settings");
        p.maillog.processLimit(s.spec.name(), s.id(), s.spec.maxProc());
    }

    /** Keep at least minIdle children available, within the limit, unless throttled. */
    private void prefork(ServiceState s) {
        while (s.spec.minIdle() > 0 && !s.draining && !p.shuttingDown && !s.throttled
                && s.avail() < s.spec.minIdle() && s.underLimit() && p.services.get(s.id()) == s) {
            if (!p.spawning.spawnOne(s)) {
                return;
            }
        }
    }
}
