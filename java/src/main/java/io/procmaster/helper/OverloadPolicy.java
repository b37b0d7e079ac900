package io.procmaster.helper;

/**
 * What a submission gets when the queue is full and no helper can take it (none has spare capacity
 * and no more may be started). {@link #FAIL}: the future fails with {@link HelperException.Overload}.
 * {@link #BYPASS}: the future completes with a {@link HelperReply.Status#BYPASSED} reply, for callers
 * that can proceed without the helper (e.g. "no rewrite").
 */
public enum OverloadPolicy {
    /** The future fails with {@link HelperException.Overload}. */
    FAIL,
    /** The future completes with a {@link HelperReply.Status#BYPASSED} reply. */
    BYPASS
}
