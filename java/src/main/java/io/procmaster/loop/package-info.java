/**
 * The master's mechanism, and only that: {@link io.procmaster.loop.MasterLoop} carries out what the
 * policy ({@code io.procmaster.policy}) decides (spawn, listen, status channels, wakeups, signals)
 * and feeds it what happens; {@code ServiceDescriptors}, {@code StatusPackets} and {@code Wakeups}
 * hold the per-service descriptors and packets; {@code InstanceLock}, {@code PreviousInstance} and
 * {@code QueueDirectory} guard one master per queue directory (docs/edges.md).
 *
 * <p>The generic loop thread it runs on, {@link io.procmaster.os.EventLoop}, is in {@code os}: the
 * helper pools run on it too, and the layering is loop → helper → os (docs/DESIGN.md §2). Nothing in
 * this package is public API; the facade {@link io.procmaster.Master} exposes none of its types.
 *
 * <p>Failure modes: see each class.
 */
package io.procmaster.loop;
