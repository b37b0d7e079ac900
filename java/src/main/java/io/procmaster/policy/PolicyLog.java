package io.procmaster.policy;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * PolicyLog - where the policy's input-driven log lines go (the lines a child or a peer can
 * trigger at will, which {@link LogLimiter} rate-limits).
 *
 * <p>Interface: one method, {@link #log(Level, String, Object...)}, with slf4j's {@code {}}
 * placeholders. {@link #slf4j(Logger)} is the production sink: the line goes to the logger at
 * that level, and is neither formatted nor kept when the level is disabled. Tests pass a sink that
 * records the lines, so that what would reach the log can be counted without an slf4j backend.
 *
 * <p>Failure modes: an implementation must not throw. Loop thread only, as the policy.
 */
@FunctionalInterface
interface PolicyLog {

    void log(Level level, String format, Object... args);

    /** The production sink: {@code logger} at the line's level. */
    static PolicyLog slf4j(Logger logger) {
        return (level, format, args) -> logger.atLevel(level).log(format, args);
    }
}
