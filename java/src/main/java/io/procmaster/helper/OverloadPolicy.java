package io.procmaster.helper;

/**
 * What a submission gets when the queue is full and no helper can take it (none has spare capacity
 * and no more may be started). {@link #QUEUE}: Squid's behaviour, it is queued anyway, the pool
 * warns, and acts only on persistent overload ({@link PersistentOverloadAction}). {@link #FAIL}: the
 * future fails with {@link HelperException.Overload} at once. {@link #BYPASS}: the future completes
 * with a {@link HelperReply.Status#BYPASSED} reply at once, for callers that can proceed without the
 * helper (e.g. "no rewrite").
 */
public enum OverloadPolicy {
    /** Squid's: queue beyond the queue limit, warn, act after {@link HelperPoolConfig#persistentOverloadAfter()}. */
    QUEUE,
    /** The future fails with {@link HelperException.Overload}. */
    FAIL,
    /** The future completes with a {@link HelperReply.Status#BYPASSED} reply. */
    BYPASS
}
