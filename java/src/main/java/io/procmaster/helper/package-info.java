/**
 * Helper pools, the API a user sees: long-running helper processes answering one-line requests
 * (Squid/Lusca style). {@link io.procmaster.helper.HelperPools} starts a pool of real processes on an
 * {@link io.procmaster.os.EventLoop}; {@link io.procmaster.helper.HelperPool} is the pool (submit,
 * reserve, shutdown, reconfigure, statistics), configured by {@link io.procmaster.helper.HelperPoolConfig}
 * and {@link io.procmaster.helper.HelperSpec}; requests complete with a
 * {@link io.procmaster.helper.HelperReply} or a {@link io.procmaster.helper.HelperException} whose
 * kind (and nested subclass) names the reason. See {@code docs/helpers.md}.
 *
 * <p>Packages below this one: {@code helper.pool} (the engine: queue, dispatch, timers, backoff,
 * crash-loop breaker, reservations, statistics), {@code helper.process} (one helper process, the
 * {@code ipcCreate()} equivalent, and the launcher contract), {@code helper.wire} (framing, channel
 * ids, reply parsing). This package may import all three; its public signatures name none of their
 * types: a pool is made by {@code HelperPools} only (the launcher, the clock and the loop's calls into
 * the pool are package-private wiring), so the subpackages can change behind it.
 *
 * <p>The subpackages in turn use this package's value types (configuration, spec, reply, exception,
 * state, stats), never {@code HelperPool} or {@code HelperPools}.
 */
package io.procmaster.helper;
