package io.procmaster.helper.pool;

import io.procmaster.helper.HelperPoolStats;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.HelperStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool's 64-bit counters, its service-time histogram and the last helpers' exits, and the
 * {@link HelperPoolStats} snapshot made of them (refusals counted by the admission in the callers'
 * threads included). The collaborators count here; see {@code docs/helpers.md} for each counter.
 *
 * <p>Interface: loop thread only; the synchronous fast path's counters are {@link FastPath}'s adders,
 * added in here. Failure modes: none.
 */
final class PoolStatistics {
    private final HelperPoolEngine pool;
    final ServiceTimeHistogram serviceTimes = new ServiceTimeHistogram();
    final ArrayDeque<HelperStats> recentExits = new ArrayDeque<>();
    long submitted, sent, replies, completedOk, failed, timeouts, lateReplies, unknownChannelReplies,
            unsolicitedReplies, tooLongReplies, retries, overloadRejected, bypassed, breakerRejected, overloadWarnings, startedCount,
            restarts, startFailures, deaths, duplicateCompletions;
    int maxQueueLength;

    PoolStatistics(HelperPoolEngine pool) {
        this.pool = pool;
    }

    HelperPoolStats snapshot() {
        List<HelperStats> hs = new ArrayList<>();
        int running = 0;
        int active = 0;
        for (PooledHelper h : pool.ordered) {
            hs.add(snapshot(h));
            running++;
            if (h.state == HelperState.READY && h.generation == pool.generation) active++;
        }
        // Refusals in the callers' threads count like the loop's own.
        HelperPoolAdmission admission = pool.admission;
        long fastBypassed = admission.bypassed();
        FastPath fast = pool.fast; // the synchronous fast path counts in adders, off the loop
        return new HelperPoolStats(pool.config.name(), pool.generation, submitted + fast.sent.sum(), sent + fast.sent.sum(),
                replies + fast.completedOk.sum(), completedOk + fast.completedOk.sum() + fastBypassed,
                failed + admission.failed(), timeouts, lateReplies, unknownChannelReplies, unsolicitedReplies, tooLongReplies,
                retries, overloadRejected + admission.overloadRefused(), bypassed + fastBypassed,
                breakerRejected, startedCount, restarts, startFailures, deaths, pool.queue.size(), maxQueueLength, running,
                active, pool.breaker.isOpen(), serviceTimes.meanMicros(), serviceTimes.percentileMicros(50),
                serviceTimes.percentileMicros(90), serviceTimes.percentileMicros(99), duplicateCompletions, List.copyOf(hs), List.copyOf(recentExits),
                overloadWarnings);
    }

    static HelperStats snapshot(PooledHelper h) {
        return new HelperStats(h.id, h.channel.pid(), h.generation, h.state, h.requests, h.replies, h.timeouts,
                h.inFlight.size(), h.reservation != null, h.lastExit);
    }
}
