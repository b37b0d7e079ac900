package io.procmaster.helper;

/**
 * When a pool replaces a helper of its current generation that died (exited, was killed, or closed
 * its output unasked); docs/helpers.md "Restart". Either way a replacement waits for the restart
 * backoff and, while the crash-loop breaker is open, only one helper is kept to probe with.
 *
 * <p>Failure modes: none; a replacement that fails to start is a start failure (counted in
 * {@code HelperPoolStats.startFailures}, backed off, and feeding the crash-loop breaker), never an
 * exception to the caller.
 */
public enum DeadHelperReplacement {
    /**
     * Squid's (the default): replacements are started at once, as Squid 5.7's handleKilledServer
     * starts {@code needNew()} helpers: {@code idle} of them, fewer where {@code children} is reached,
     * and at least as many as keep {@code startup} running.
     */
    AT_ONCE,
    /** procmaster's earlier rule: a dead helper is replaced only when load asks for one (or to keep {@code startup}). */
    ON_DEMAND
}
