/**
 * The machinery behind {@code io.procmaster.metrics} (docs/metrics.md): the snapshot cache every
 * getter reads ({@link io.procmaster.metrics.registry.SnapshotCache}), the platform MBeanServer
 * names and (un)registration ({@link io.procmaster.metrics.registry.PlatformMBeans}) and the master's
 * metrics object ({@link io.procmaster.metrics.registry.SnapshotMasterMetrics}, which the facade
 * creates and hands out as {@link io.procmaster.metrics.MasterMetrics}).
 *
 * <p>Not exported (module-info): its public types are public only for the facade and
 * {@code io.procmaster.helper} (the pool's MXBean). Imports of ours: {@code metrics} (the interfaces
 * and the switch), {@code status} and {@code log} (docs/DESIGN.md §2).
 */
package io.procmaster.metrics.registry;
