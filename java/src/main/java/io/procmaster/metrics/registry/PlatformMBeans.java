package io.procmaster.metrics.registry;

import io.procmaster.log.Logs;
import io.procmaster.metrics.Jmx;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;

/**
 * PlatformMBeans - the names and the (un)registration of procmaster's MXBeans in the platform
 * MBeanServer (docs/metrics.md, "JMX"); whether to register at all is {@link Jmx}'s switch, asked by
 * the callers.
 *
 * <p>Names: domain {@link Jmx#DOMAIN}; a key value is written as it is when it is a legal unquoted
 * value and with {@link ObjectName#quote} otherwise ({@link #value}). When a name is taken (two pools
 * of one name in a JVM), {@link #register} adds {@code instance=N}, N from one JVM-wide sequence
 * (2, 3, ...) skipping numbers in use: the first one keeps the plain name, each later one a number
 * no other instance has, kept for its life; so two instances never clash, and a JVM that starts
 * thousands of pools (a test suite) pays one attempt per registration, not one per pool alive.
 *
 * <p>Interface: static {@link #register}, {@link #unregister}, {@link #value}. Public for
 * {@code io.procmaster.helper} (the pool's MXBean); this package is not exported.
 *
 * <p>Failure modes: never throws for a registration problem: metrics must not stop a master or a
 * pool. A failed registration is logged as a warning and returns null; unregistering a name that is
 * gone is a no-op. Any thread.
 */
public final class PlatformMBeans {
    private static final Logger log = Logs.logger(PlatformMBeans.class);
    private static final int MAX_ATTEMPTS = 1_000;
    private static final AtomicLong INSTANCES = new AtomicLong(2);

    private PlatformMBeans() {
    }

    /** {@code s} as an ObjectName key value: unchanged when legal unquoted, else quoted. */
    public static String value(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') {
                return ObjectName.quote(s);
            }
        }
        return s.isEmpty() ? ObjectName.quote(s) : s;
    }

    /**
     * Registers {@code mxbean} as {@code DOMAIN:properties}, or with {@code ,instance=N} appended when
     * that name is taken (see the class comment). Returns the name it got, or null if it could not register (logged).
     */
    public static ObjectName register(Object mxbean, String properties) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                String suffix = attempt == 0 ? "" : ",instance=" + INSTANCES.getAndIncrement();
                ObjectName name = new ObjectName(Jmx.DOMAIN + ":" + properties + suffix);
                try {
                    return server.registerMBean(mxbean, name).getObjectName();
                } catch (InstanceAlreadyExistsException taken) {
                    // the next instance number
                }
            }
            log.warn("JMX: no free instance number for {}:{}", Jmx.DOMAIN, properties);
        } catch (RuntimeException | JMException e) {
            log.warn("JMX: cannot register {}:{}: {}", Jmx.DOMAIN, properties, e.toString());
        }
        return null;
    }

    /** Unregisters {@code name} (null or already gone: nothing to do). */
    public static void unregister(ObjectName name) {
        if (name == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (InstanceNotFoundException gone) {
            // already unregistered
        } catch (JMException | RuntimeException e) {
            log.warn("JMX: cannot unregister {}: {}", name, e.toString());
        }
    }
}
