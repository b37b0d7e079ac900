package io.procmaster.metrics;

/**
 * Jmx - the switch of procmaster's MXBean registration in the platform MBeanServer, and their
 * domain (docs/metrics.md, "JMX").
 *
 * <p>Switch: registration is on unless the system property {@value #ENABLED_PROPERTY} is
 * {@code false} (read at each registration), or {@link #setEnabled} said otherwise for the whole JVM
 * (it wins over the property; {@code null} hands the decision back to the property). A switch per
 * master is {@code Master.builder().registerMBeans(false)}. The metrics objects exist either way
 * ({@code Master.metrics()}, {@code HelperPool.metrics()}): only the JMX registration is switched.
 *
 * <p>Names: domain {@value #DOMAIN}; {@code type=Master,master=<queue directory>},
 * {@code type=Service,master=...,service=<id>}, {@code type=HelperPool,name=<pool>}, with
 * {@code instance=N} added when a name is taken (docs/metrics.md has the rules).
 *
 * <p>Interface: static; any thread. Failure modes: none.
 */
public final class Jmx {
    public static final String DOMAIN = "io.procmaster";
    /** {@code -Dprocmaster.jmx=false}: register nothing. */
    public static final String ENABLED_PROPERTY = "procmaster.jmx";

    private static volatile Boolean enabledOverride;

    private Jmx() {
    }

    /** Whether new masters and pools register their MXBeans (the override, else the system property). */
    public static boolean enabled() {
        Boolean o = enabledOverride;
        if (o != null) {
            return o;
        }
        return !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").trim());
    }

    /** JVM-wide: true or false for every master and pool started from now on; null: follow the property again. */
    public static void setEnabled(Boolean enabled) {
        enabledOverride = enabled;
    }
}
