package io.procmaster.policy;

import io.procmaster.log.Logs;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * WakeupSchedule - Postfix's master_wakeup as policy: when each service gets a wakeup trigger.
 *
 * <p>Interface (package-private, loop thread): {@link #start} sends the first trigger now and
 * re-arms every {@code wakeupSeconds}, unless the interval is 0, the wakeup is conditional and no
 * child was spawned yet, the service is draining or the master is shutting down; {@link #stop}
 * cancels the timer; {@link #onFailed} counts a trigger the loop could not deliver. A throttled
 * service's trigger is skipped (counted), the period continues; so is one due while the previous
 * trigger is still held by the loop (docs/postfix-master.md §5.8). The bytes are the service type's
 * ({@link io.procmaster.config.ServiceType#wakeupTrigger()}); delivery is {@link MasterActions#sendWakeup}.
 *
 * <p>Failure modes: a type that cannot take a trigger is logged and counted as a failure; a
 * delivery failure is logged (rate-limited) and counted. Nothing here throws.
 */
final class WakeupSchedule {

    // The policy's one logger name, as before the split: log configurations select it.
    private static final Logger log = Logs.logger(MasterPolicy.class);

    private final MasterPolicy p;

    WakeupSchedule(MasterPolicy p) {
        this.p = p;
    }

    void start(ServiceState s) {
        if (!s.spec.hasWakeup() || s.condWake || s.draining || p.shuttingDown) {
            return;
        }
        event(s);
    }

    void stop(ServiceState s) {
        ServiceState.cancel(s.wakeupTimer);
        s.wakeupTimer = null;
    }

    void onFailed(ServiceState s, String error) {
        s.counters.wakeupFailures++;
        if (p.limited.log(s.label(), LogLimiter.Kind.WAKEUP_FAILURE, Level.WARN, "master_wakeup_timer_event: {}: {}",
                s.label(), error)) {
            p.maillog.wakeupFailed(s.label(), error);
        }
    }

    private void event(ServiceState s) {
        stop(s);
        if (p.services.get(s.id()) != s || s.draining || p.shuttingDown || !s.spec.hasWakeup() || s.condWake) {
            return; // the interval became 0 or the service went: not re-armed
        }
        // Re-arm first: whatever the trigger does, the period continues.
        s.wakeupTimer = p.timers.schedule(Duration.ofSeconds(s.spec.wakeupSeconds()), "wakeup " + s.id(),
                () -> event(s));
        if (s.throttled) {
            s.counters.wakeupsSkipped++;
            log.debug("{}: throttled; wakeup skipped", s.label());
        } else if (!s.spec.type().supportsWakeup()) {
            s.counters.wakeupFailures++;
            log.warn("master_wakeup_timer_event: {}: Operation not supported", s.label());
        } else if (p.actions.sendWakeup(s.id(), s.spec.type(), s.spec.type().wakeupTrigger())) {
            s.counters.wakeupsSent++;
        } else {
            s.counters.wakeupsSkipped++; // the previous trigger is still held (docs/postfix-master.md §5.8)
            log.debug("{}: previous wakeup not yet taken; wakeup skipped", s.label());
        }
    }
}
