package io.procmaster.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

/**
 * The no-provider fallback's logger ({@link Logs}): WARN and ERROR enabled, INFO and below off, each
 * event handed to {@link StderrLines}, which formats it as slf4j does ({@code {}} placeholders, a
 * trailing throwable) when its rate limit lets the line through. slf4j's {@link LegacyAbstractLogger} turns every {@code Logger} method,
 * markers and the fluent API included, into the one call below.
 *
 * <p>Failure modes: none thrown. Thread-safe (stateless but for its name).
 */
final class StderrLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient StderrLines lines;

    StderrLogger(String name, StderrLines lines) {
        this.name = name;
        this.lines = lines;
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public boolean isInfoEnabled() {
        return false;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
                                               Throwable throwable) {
        lines.write(level, name, messagePattern, arguments, throwable);
    }
}
