package io.procmaster.log;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The library's one way to a logger: slf4j's logger when slf4j has a provider, else a minimal
 * logger that writes WARN and ERROR lines to {@code System.err}, so that a consumer with slf4j-api
 * alone on its class path still sees a daemon that fails to exec (docs/java-api.md "Logging").
 *
 * <p>Interface: {@link #logger(Class)}, {@link #logger(String)}, called once per class for a
 * {@code static final} field, in place of {@code LoggerFactory.getLogger}. The decision is made once,
 * at the first call: the fallback is used when slf4j bound its no-operation factory (it found no
 * provider; it then prints its own {@code SLF4J(W): No SLF4J providers were found}) and no provider
 * was chosen on purpose (a {@code slf4j.provider} system property, or a provider that is itself a
 * no-operation one, such as slf4j-nop, which is a choice to be silent). With a provider nothing
 * changes: the logger is slf4j's own.
 *
 * <p>Failure modes: none thrown. The fallback's lines are limited to {@link StderrLines#BURST} per
 * {@link StderrLines#INTERVAL} in the whole JVM, on top of the limits of the lines a child can
 * trigger (policy {@code LogLimiter}, docs/edges.md), and a line counts the ones left out.
 */
public final class Logs {
    private Logs() {
    }

    /** The logger named after {@code c}, as {@code LoggerFactory.getLogger(c)}. */
    public static Logger logger(Class<?> c) {
        return logger(c.getName());
    }

    /** The logger named {@code name}, as {@code LoggerFactory.getLogger(name)}. */
    public static Logger logger(String name) {
        return Fallback.ACTIVE ? new StderrLogger(name, StderrLines.SYSTEM) : LoggerFactory.getLogger(name);
    }

    /** Whether the library writes its own WARN and ERROR lines because slf4j has no provider. */
    public static boolean fallbackActive() {
        return Fallback.ACTIVE;
    }

    /** Decided at the first use (class initialisation: once, thread-safe). */
    private static final class Fallback {
        static final boolean ACTIVE = noProvider(LoggerFactory.getILoggerFactory());
    }

    static boolean noProvider(ILoggerFactory bound) {
        if (!(bound instanceof NOPLoggerFactory)) {
            return false;
        }
        if (System.getProperty("slf4j.provider") != null) {
            return false; // a provider named on purpose (slf4j-nop among them)
        }
        try {
            // slf4j-nop binds the same NOP factory as "no provider at all": tell them apart.
            return !ServiceLoader.load(SLF4JServiceProvider.class, LoggerFactory.class.getClassLoader())
                    .iterator().hasNext();
        } catch (ServiceConfigurationError e) {
            // On the module path without "uses org.slf4j.spi.SLF4JServiceProvider": slf4j found none either.
            return true;
        }
    }
}
