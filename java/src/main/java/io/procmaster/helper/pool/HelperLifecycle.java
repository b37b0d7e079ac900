package io.procmaster.helper.pool;

import static io.procmaster.helper.pool.HelperPoolEngine.log;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.process.HelperChannel;
import io.procmaster.time.Durations;
import io.procmaster.time.TimerQueue;
import java.util.List;
import java.util.function.Function;

/**
 * The life of the pool's helpers: starting one (through the launcher), losing one (its in-flight
 * requests fail, its reservation ends, its output is no longer read), killing one, and its exit; a
 * death or a failed start feeds the {@link RestartBackoff} and the {@link CrashLoopBreaker}, whose
 * opening fails the queue fast. Deaths of the current generation are owed a replacement, counted as
 * a restart once started; the {@link Dispatcher} starts it at once (Squid's) or when load asks, by
 * {@code deadHelperReplacement} (docs/helpers.md "Restart"). See {@code docs/helpers.md}.
 *
 * <p>Interface: loop thread only. Failure modes: a launcher that throws (a
 * {@link HelperException.Start} or anything else) counts as a start failure and a death; the
 * failure is kept as the cause of later {@link HelperException.Unavailable} errors. A helper the
 * pool killed after a request timeout ({@code killedByPool}) is owed a replacement but is no death.
 */
final class HelperLifecycle {
    private static final int RECENT_EXITS = 16;

    private final HelperPoolEngine pool;
    private long nextHelperId = 1;
    int replacementsOwed;
    TimerQueue.Timer spawnTimer;
    HelperException.Start lastStartFailure;

    HelperLifecycle(HelperPoolEngine pool) {
        this.pool = pool;
    }

    void armSpawnTimer(long at) {
        if (spawnTimer != null && spawnTimer.isPending() && spawnTimer.deadlineNanos() == at) return;
        if (spawnTimer != null) spawnTimer.cancel();
        spawnTimer = pool.timers.scheduleAt(at, "helper restart", () -> spawnTimer = null); // onTick reconciles afterwards
    }

    void cancelSpawnTimer() {
        if (spawnTimer != null) spawnTimer.cancel();
    }

    /** Starts one helper; false if the launcher failed (counted as a death). */
    boolean startHelper() {
        long id = nextHelperId++;
        HelperChannel channel;
        try {
            channel = pool.launcher.start(id, pool);
        } catch (RuntimeException e) {
            HelperException.Start se = e instanceof HelperException.Start hse ? hse
                    : new HelperException.Start("launcher failed: " + e, -1, null, e);
            pool.stats.startFailures++;
            lastStartFailure = se;
            log.warn("helper pool '{}': cannot start helper #{}: {}", pool.config.name(), id, se.getMessage());
            recordDeath();
            return false;
        }
        PooledHelper h = new PooledHelper(id, pool.generation, channel, pool.config);
        pool.helpers.put(id, h);
        pool.ordered = pool.helpers.values().toArray(new PooledHelper[0]);
        pool.stats.startedCount++;
        if (replacementsOwed > 0) {
            replacementsOwed--;
            pool.stats.restarts++;
        }
        log.info("helper pool '{}': started helper {}", pool.config.name(), h.describe());
        return true;
    }

    /** Asks for an immediate kill and fails whatever the helper held. */
    void kill(PooledHelper h, String why, Function<String, HelperException> error) {
        lose(h, why, error);
        if (!h.killRequested) {
            h.killRequested = true;
            h.channel.kill();
        }
    }

    /**
     * The helper can no longer answer: fail its in-flight requests, drop its reservation, stop reading
     * it, and count the death unless the pool retired it.
     */
    void lose(PooledHelper h, String why, Function<String, HelperException> error) {
        if (h.lost) return;
        h.lost = true;
        h.state = HelperState.CLOSING;
        if (h.ownedByLoop()) {
            h.framer.poison();
            h.output.clear();
        } else { // a caller holds it (FastPath): its request fails with this when it comes back
            h.lostWhy = why;
            h.lostError = error;
        }
        List<PendingRequest> held = h.inFlight.drainInOrder();
        h.timedOutIds.clear();
        for (PendingRequest r : held) {
            r.helper = null;
            pool.finish(r, error.apply("helper pool '" + pool.config.name() + "': " + why), false);
        }
        if (h.reservation != null) {
            pool.reservations.end(h.reservation, Reservation.State.LOST, "lost its helper: " + why);
        }
        boolean retired = h.expectedEnd || h.generation != pool.generation;
        if (!retired) {
            // A kill of the pool's own after a timeout is a replacement, not a crash: counted as a death it
            // would move the backoff and open the breaker on a merely slow helper (docs/helpers.md "Timeouts").
            if (!h.killedByPool) recordDeath();
            if (h.generation == pool.generation) replacementsOwed++;
        }
    }

    /** The helper's process has exited and was reaped: its last event. */
    void onExit(long helperId, HelperExit exit) {
        String name = pool.config.name();
        PooledHelper h = pool.helpers.get(helperId);
        if (h == null) {
            log.warn("helper pool '{}': exit of unknown helper #{} ({})", name, helperId, exit);
            return;
        }
        h.lastExit = exit;
        if (!h.lost) {
            if (!h.expectedEnd) log.warn("helper pool '{}': helper {} exited: {}", name, h.describe(), exit);
            lose(h, "helper " + h.describe() + " exited (" + exit + ") before answering", HelperException.Died::new);
        } else {
            log.info("helper pool '{}': helper {} ended: {}", name, h.describe(), exit);
        }
        h.state = HelperState.EXITED;
        pool.helpers.remove(helperId);
        pool.ordered = pool.helpers.values().toArray(new PooledHelper[0]);
        pool.stats.recentExits.addLast(PoolStatistics.snapshot(h));
        while (pool.stats.recentExits.size() > RECENT_EXITS) pool.stats.recentExits.removeFirst();
    }

    private void recordDeath() {
        pool.stats.deaths++;
        long now = pool.clock.nanoTime();
        pool.backoff.onDeath(now);
        if (pool.breaker.onDeath(now)) {
            log.error("helper pool '{}': {} helper deaths within {}: crash-loop breaker open, failing requests fast",
                    pool.config.name(), pool.breaker.deathsInWindow(),
                    Durations.format(pool.config.breakerWindow()));
            pool.failQueued(q -> new HelperException.Unavailable(pool.unavailableMessage(), lastStartFailure));
        }
    }
}
