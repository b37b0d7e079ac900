/**
 * Metrics of a master and of its helper pools, for JMX and for metrics libraries (docs/metrics.md).
 *
 * <p>The MXBean interfaces {@link io.procmaster.metrics.MasterMXBean},
 * {@link io.procmaster.metrics.ServiceMXBean} and {@link io.procmaster.metrics.HelperPoolMXBean}
 * are the one model of the figures: {@code io.procmaster.Master} and
 * {@code io.procmaster.helper.HelperPool} register them in the platform MBeanServer when they start
 * and unregister them when they close ({@link io.procmaster.metrics.Jmx}: names, opt-out), and the
 * Micrometer binder ({@code procmaster-micrometer}) reads the same objects
 * ({@code Master.metrics()}, {@code HelperPool.metrics()}).
 *
 * <p>Threading: a getter never reads a loop's state; it reads an immutable snapshot the loop took
 * ({@link io.procmaster.metrics.SnapshotCache}: refreshed on demand at most once per second, with a
 * bounded wait). Part of the public API. Imports of ours: {@code status} only (the master's reports),
 * so the facade and the helper package can both use it (docs/DESIGN.md §2). Uses the JDK module
 * {@code java.management}.
 */
package io.procmaster.metrics;
