/**
 * Metrics of a master and of its helper pools, for JMX and for metrics libraries (docs/metrics.md).
 *
 * <p>What a user names: the MXBean interfaces {@link io.procmaster.metrics.MasterMXBean},
 * {@link io.procmaster.metrics.ServiceMXBean} and {@link io.procmaster.metrics.HelperPoolMXBean}
 * (the one model of the figures), {@link io.procmaster.metrics.MasterMetrics} (what
 * {@code Master.metrics()} returns) and {@link io.procmaster.metrics.Jmx} (the opt-out and the
 * domain). {@code io.procmaster.Master} and {@code io.procmaster.helper.HelperPool} register the
 * MXBeans in the platform MBeanServer when they start and unregister them when they close, and the
 * Micrometer binder ({@code procmaster-micrometer}) reads the same objects ({@code Master.metrics()},
 * {@code HelperPool.metrics()}).
 *
 * <p>Threading: a getter never reads a loop's state; it reads an immutable snapshot the loop took,
 * refreshed on demand at most once per second, with a bounded wait off the loop thread and none on
 * it. The machinery (the snapshot cache, the registration, the master's metrics object) is in
 * {@code io.procmaster.metrics.registry}, which module-info does not export. Part of the public API.
 * Imports of ours: {@code status} only (the master's reports), so the facade and the helper package
 * can both use it (docs/DESIGN.md §2). Uses the JDK module {@code java.management}.
 */
package io.procmaster.metrics;
