/**
 * The optional Micrometer binder of procmaster (docs/metrics.md): a master's services and its
 * helper pools as meters, read from the same snapshots as the library's MXBeans. Its own module so
 * that the library depends on slf4j-api only.
 */
module io.procmaster.micrometer {
    requires transitive io.procmaster;
    requires transitive micrometer.core;

    exports io.procmaster.micrometer;
}
