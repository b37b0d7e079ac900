package io.procmaster.policy;

import io.procmaster.log.Logs;
import io.procmaster.time.Durations;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * PolicySettings - master-wide knobs of the process-creation policy.
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code throttleDelay} - service_throttle_time (default 60 s, minimum 1 s): the first
 *       throttle of a service lasts this long. The only route of that value into the policy:
 *       main.cf is read once per master, so every service has the same one.</li>
 *   <li>{@code throttleMax} - cap of the exponential back-off (docs/postfix-master.md §10 W11). Consecutive throttles double
 *       the delay up to this cap. Equal to {@code throttleDelay} means no back-off: Postfix's fixed
 *       delay.</li>
 *   <li>{@code spawnRateLimit} / {@code spawnRateWindow} - docs/postfix-master.md §10 W11: a spawn when {@code spawnRateLimit}
 *       children of the service exited within the window without serving (on their own, never
 *       TAKEN, not retired by a reload or drain) throttles it, whatever the exit statuses were.
 *       This catches a daemon that exits 0 at once while a request is pending. 0 = off.</li>
 *   <li>{@code stressWindow} - how long a spawn at the process limit keeps stress on: stress_window_time (1000 s).</li>
 *   <li>{@code busyWarnInterval} - rate limit of the "reached its process limit" warnings: busy_warning_time (1000 s).</li>
 *   <li>{@code drainTime} - docs/postfix-master.md §10 W3: after SIGTERM at service removal or shutdown, children still alive
 *       after this long get SIGKILL.</li>
 *   <li>{@code initMode} - master runs as PID 1: unknown reaped pids are expected (adopted
 *       orphans) and logged at debug instead of warning. They are never fatal either way (docs/postfix-master.md §10 W4).</li>
 *   <li>{@code clearThrottleOnCommandChange} - docs/postfix-master.md §10 W11 option: a reload that changes a throttled
 *       service's command or arguments releases the throttle. Off by default (docs/postfix-master.md §2.6).</li>
 * </ul>
 *
 * <p>{@link #postfixCompatible()} reproduces the reference behaviour exactly (fixed delay, no rate
 * limit); {@link #defaults()} adds the docs/postfix-master.md §10 W11 improvements with conservative values.
 *
 * <p>Failure modes: never throws. Nulls, too-small and inconsistent values are replaced by the
 * nearest sane value and logged as warnings.
 */
public record PolicySettings(
        Duration throttleDelay,
        Duration throttleMax,
        int spawnRateLimit,
        Duration spawnRateWindow,
        Duration stressWindow,
        Duration busyWarnInterval,
        Duration drainTime,
        boolean initMode,
        boolean clearThrottleOnCommandChange) {

    private static final Logger log = Logs.logger(PolicySettings.class);
    private static final Duration MIN_THROTTLE = Duration.ofSeconds(1);

    public PolicySettings {
        throttleDelay = atLeast("throttleDelay", throttleDelay, MIN_THROTTLE, Duration.ofSeconds(60));
        throttleMax = atLeast("throttleMax", throttleMax, throttleDelay, throttleDelay);
        if (spawnRateLimit < 0) {
            log.warn("policy settings: spawnRateLimit {} is negative; using 0 (off)", spawnRateLimit);
            spawnRateLimit = 0;
        }
        spawnRateWindow = atLeast("spawnRateWindow", spawnRateWindow, Duration.ofMillis(1), Duration.ofSeconds(10));
        stressWindow = atLeast("stressWindow", stressWindow, Duration.ZERO, Duration.ofSeconds(1000));
        busyWarnInterval = atLeast("busyWarnInterval", busyWarnInterval, Duration.ZERO, Duration.ofSeconds(1000));
        drainTime = atLeast("drainTime", drainTime, Duration.ZERO, Duration.ofSeconds(10));
    }

    /** Reference behaviour: 60 s fixed throttle, no spawn-rate limit, 1000 s windows, 10 s drain. */
    public static PolicySettings postfixCompatible() {
        return new PolicySettings(Duration.ofSeconds(60), Duration.ofSeconds(60), 0, Duration.ofSeconds(10),
                Duration.ofSeconds(1000), Duration.ofSeconds(1000), Duration.ofSeconds(10), false, false);
    }

    /**
     * Recommended: as {@link #postfixCompatible()}, plus back-off to 16 x 60 s and at most 200 spawns
     * per service per 10 s. A legitimate burst ramps one child per accepted connection, so reaching
     * 200 in 10 s takes a pathological exit-at-once loop.
     */
    public static PolicySettings defaults() {
        return postfixCompatible().withThrottle(Duration.ofSeconds(60), Duration.ofSeconds(960))
                .withSpawnRateLimit(200, Duration.ofSeconds(10));
    }

    public PolicySettings withThrottle(Duration delay, Duration max) {
        return new PolicySettings(delay, max, spawnRateLimit, spawnRateWindow, stressWindow,
                busyWarnInterval, drainTime, initMode, clearThrottleOnCommandChange);
    }

    public PolicySettings withSpawnRateLimit(int limit, Duration window) {
        return new PolicySettings(throttleDelay, throttleMax, limit, window, stressWindow,
                busyWarnInterval, drainTime, initMode, clearThrottleOnCommandChange);
    }

    /** stress_window_time and busy_warning_time. */
    public PolicySettings withWindows(Duration stress, Duration busyWarn) {
        return new PolicySettings(throttleDelay, throttleMax, spawnRateLimit, spawnRateWindow, stress,
                busyWarn, drainTime, initMode, clearThrottleOnCommandChange);
    }

    public PolicySettings withDrainTime(Duration d) {
        return new PolicySettings(throttleDelay, throttleMax, spawnRateLimit, spawnRateWindow, stressWindow,
                busyWarnInterval, d, initMode, clearThrottleOnCommandChange);
    }

    public PolicySettings withInitMode(boolean v) {
        return new PolicySettings(throttleDelay, throttleMax, spawnRateLimit, spawnRateWindow, stressWindow,
                busyWarnInterval, drainTime, v, clearThrottleOnCommandChange);
    }

    public PolicySettings withClearThrottleOnCommandChange(boolean v) {
        return new PolicySettings(throttleDelay, throttleMax, spawnRateLimit, spawnRateWindow, stressWindow,
                busyWarnInterval, drainTime, initMode, v);
    }

    private static Duration atLeast(String what, Duration v, Duration min, Duration dflt) {
        if (v == null) {
            return dflt;
        }
        if (v.compareTo(min) < 0) {
            log.warn("policy settings: {} {} is below the minimum {}; using {}", what, Durations.format(v),
                    Durations.format(min), Durations.format(min));
            return min;
        }
        return v;
    }
}
