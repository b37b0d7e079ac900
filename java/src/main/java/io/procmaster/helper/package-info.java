/**
 * Helper pools: long-running helper processes answering one-line requests (Squid/Lusca style), as
 * deterministic loop-thread logic with an injected clock, and on real processes: {@link
 * io.procmaster.helper.HelperProcess} (one helper, the {@code ipcCreate()} equivalent),
 * {@link io.procmaster.helper.ProcessHelperLauncher} and {@link io.procmaster.helper.HelperPools}
 * (a pool on an {@link io.procmaster.loop.EventLoop}). See {@code docs/helpers.md}.
 *
 * <p>Wiring for the event loop: give {@link io.procmaster.helper.HelperPool} a
 * {@link io.procmaster.helper.HelperLauncher} (spawn, register the helper's fd and pidfd, route their
 * events under the given helper id to the {@link io.procmaster.helper.HelperEventSink}), an executor
 * that runs commands on the loop thread, and {@link io.procmaster.policy.Clock#system()}. Then
 * call {@code start()}, and on the loop thread: {@code onData} for every read (0 bytes = {@code onEof}),
 * {@code onWritable} after EPOLLOUT requested by {@code HelperChannel.requestWritable()},
 * {@code onEof}, {@code onExit} once reaped, and {@code onTick()} whenever {@code nextDeadline()} has
 * passed (recompute the epoll timeout after every call into the pool).
 */
package io.procmaster.helper;
