/**
 * One helper process, the {@code ipcCreate()} equivalent: {@link io.procmaster.helper.process.HelperProcess}
 * (spawn with the channel on stdin/stdout and stderr on a pipe, watched on an
 * {@link io.procmaster.os.EventLoop}: handshake, reads, writes, close escalation, reaping), its stderr
 * logging ({@code HelperStderr}), and the contract between a pool and its processes:
 * {@link io.procmaster.helper.process.HelperLauncher} (with {@link io.procmaster.helper.process.ProcessHelperLauncher}
 * for real processes), {@link io.procmaster.helper.process.HelperChannel},
 * {@link io.procmaster.helper.process.HelperEventSink}, {@link io.procmaster.helper.HelperExit},
 * and the request output buffer {@link io.procmaster.helper.process.HelperOutput}. See {@code docs/helpers.md}.
 *
 * <p>Public: those types (the pool engine and users wiring a pool use them); {@code HelperStderr} is not.
 * May import {@code io.procmaster.helper}'s value types ({@code HelperSpec}, {@code HelperChannelType},
 * {@code HelperException}), {@code helper.wire}, {@code io.procmaster.os} and the event loop; never the
 * pool engine.
 */
package io.procmaster.helper.process;

import io.procmaster.helper.HelperExit;
