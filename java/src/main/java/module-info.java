/**
 * procmaster: a Postfix-style process master and Squid-style helper pools for the JVM, over a
 * small C core (docs/DESIGN.md).
 *
 * <p>The exported packages are the API: {@code io.procmaster} (the {@code Master} facade),
 * {@code config} (the service model and the configuration files), {@code status} (the master's
 * reports), {@code helper} (helper pools), {@code os} (spawning, reaping and the event loop),
 * {@code child} (the child side of the master protocol for daemons written in Java),
 * {@code time} (the clock the API takes) and {@code metrics} (the MXBean interfaces, {@code MasterMetrics}
 * and the JMX opt-out). The master's mechanism ({@code loop}), its policy ({@code policy}), the helper
 * pool's engine ({@code helper.pool}, {@code helper.wire}, {@code helper.process}), the metrics'
 * machinery ({@code metrics.registry}) and the JNI boundary ({@code os.jni}) are not exported.
 *
 * <p>Loading the JNI library is a restricted operation from JDK 22 on: run with
 * {@code --enable-native-access=io.procmaster} on the module path ({@code ALL-UNNAMED} on the class
 * path), or the JVM warns once at start (README, "JDK 17 to 25").
 */
module io.procmaster {
    requires org.slf4j;
    // os.FileNodes.ownUid: getuid without /proc, from the JDK's UnixSystem.
    requires jdk.security.auth;
    // metrics: the MXBeans are registered in the platform MBeanServer (docs/metrics.md). Transitive:
    // exported signatures name javax.management.ObjectName (Master.metrics().objectName(), HelperPool.objectName()).
    requires transitive java.management;

    // log.Logs asks slf4j's ServiceLoader whether a provider exists (the stderr fallback without one).
    uses org.slf4j.spi.SLF4JServiceProvider;

    exports io.procmaster;
    exports io.procmaster.config;
    exports io.procmaster.status;
    exports io.procmaster.helper;
    exports io.procmaster.helper.squid;
    exports io.procmaster.os;
    exports io.procmaster.child;
    exports io.procmaster.time;
    exports io.procmaster.metrics;
}
