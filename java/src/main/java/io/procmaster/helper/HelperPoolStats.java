package io.procmaster.helper;

import java.util.List;

/**
 * Snapshot of a pool's statistics, taken on the loop thread. All counters are 64-bit and only grow.
 *
 * <p>{@code submitted}: accepted by submit; {@code sent}: lines written to helpers (BH retries
 * included); {@code replies}: reply lines matched to a request; {@code timeouts}, {@code lateReplies}
 * (replies to timed-out requests, dropped), {@code unknownChannelReplies}, {@code unsolicitedReplies},
 * {@code tooLongReplies}: protocol anomalies, each logged; {@code retries}: BH retries and {@code on_timeout=retry} retries;
 * {@code overloadRejected}/{@code bypassed}/{@code breakerRejected}: refused submissions (the first
 * two include those refused at once in the caller's thread beyond the admission limit, and
 * {@code failed}/{@code completedOk} count every refusal made there, so they add up to every future;
 * {@code overloadRejected} also counts the requests answered ERR under persistent overload);
 * {@code overloadWarnings}: Squid's "all helpers are busy" warnings logged under overload policy QUEUE;
 * {@code started}/{@code restarts}/{@code startFailures}/{@code deaths}: process life;
 * service times in microseconds (mean, p50, p90, p99 of the pool's histogram). {@code duplicateCompletions} must stay 0 (exactly-once check).
 * {@code recentExits} lists the last helpers that ended, newest last.
 *
 * <p>Compatibility: components are only ever appended (a record's canonical constructor and its
 * deconstruction patterns depend on their order); {@code overloadWarnings} came with issue 12.
 *
 * <p>Failure modes: none; a plain value. {@code helpers} and {@code recentExits} are immutable
 * copies, so a snapshot never changes after it was taken.
 */
public record HelperPoolStats(
        String name, int generation, long submitted, long sent, long replies, long completedOk, long failed,
        long timeouts, long lateReplies, long unknownChannelReplies, long unsolicitedReplies, long tooLongReplies,
        long retries, long overloadRejected, long bypassed, long breakerRejected,
        long started, long restarts, long startFailures, long deaths,
        int queueLength, int maxQueueLength, int running, int active, boolean breakerOpen,
        long serviceTimeMeanMicros, long serviceTimeP50Micros, long serviceTimeP90Micros, long serviceTimeP99Micros,
        long duplicateCompletions, List<HelperStats> helpers, List<HelperStats> recentExits,
        // components added after the first release go last, so the released constructor's order holds
        long overloadWarnings) {}
