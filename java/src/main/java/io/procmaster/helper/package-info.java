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
 * ids, reply parsing). This package may import all three; its public signatures name no type of
 * {@code helper.pool}. It does name {@code helper.process} types a user needs to wire a pool by hand
 * or read its statistics: {@link io.procmaster.helper.process.HelperLauncher},
 * {@link io.procmaster.helper.process.HelperEventSink}, {@link io.procmaster.helper.process.HelperExit}.
 *
 * <p>The subpackages in turn use this package's value types (configuration, spec, reply, exception,
 * state, stats), never {@code HelperPool} or {@code HelperPools}.
 *
 * <p>Wiring a pool by hand (what {@code HelperPools} does): give {@code HelperPool} a launcher (spawn,
 * register the helper's fd and pidfd, route their events under the given helper id to the
 * {@code HelperEventSink} it is handed), an executor that runs commands on the loop thread, and
 * a {@link io.procmaster.time.Clock}, the one the loop compares deadlines with
 * ({@code EventLoop.clock()}, normally {@link io.procmaster.time.Clock#system()}). Then call {@code start()}, and on the loop thread:
 * {@code onData} for every read (0 bytes = {@code onEof}), {@code onWritable} after EPOLLOUT requested
 * by {@code HelperChannel.requestWritable()}, {@code onEof}, {@code onExit} once reaped, and
 * {@code onTick()} whenever {@code nextDeadline()} has passed (recompute the epoll timeout after every
 * call into the pool).
 */
package io.procmaster.helper;
