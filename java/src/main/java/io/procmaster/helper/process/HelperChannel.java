package io.procmaster.helper.process;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the pool needs from one running helper process: a non-blocking byte channel to its stdin and
 * a way to ask for its end. Implemented by {@link ProcessHelperLauncher} over a {@link HelperProcess};
 * tests use a fake.
 *
 * <p>Interface: the pool calls these methods on the loop thread only, except that a caller holding
 * the {@link #direct()} claim calls {@link #write} (docs/helpers.md "The synchronous fast path"). Data from the helper and its
 * end are not pulled through this interface: the loop pushes them into the {@link HelperEventSink}
 * passed to {@link HelperLauncher#start}.
 *
 * <p>Failure modes: {@link #write} throws {@link IOException} when the channel is broken (EPIPE,
 * ECONNRESET); the pool then kills the helper and fails its in-flight requests. {@link #close()} and
 * {@link #kill()} never throw and may be called more than once.
 */
public interface HelperChannel {
    /** The helper's process id, for logs and stats (-1 if unknown). */
    long pid();

    /**
     * Writes as many bytes from {@code src} as the channel accepts without blocking and advances its
     * position. Returns the number of bytes accepted (0 when the socket buffer is full). The pool keeps
     * the rest and calls again after {@link HelperEventSink#onWritable}.
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * Asks the loop to call {@link HelperEventSink#onWritable} once the channel can accept bytes again
     * (EPOLLOUT interest, one-shot). Called only after a short write.
     */
    void requestWritable();

    /**
     * Graceful end: close the helper's stdin so it sees EOF and exits by itself; the helper process
     * escalates (grace period, SIGTERM, SIGKILL) and reports {@link HelperEventSink#onExit} in the end.
     */
    void close();

    /**
     * Immediate end (SIGKILL through the pidfd): used when the helper's stream can no longer be trusted
     * (timeout in classic mode, over-long line, unsolicited output). {@link HelperEventSink#onExit}
     * follows.
     */
    void kill();

    /**
     * The claim a waiting caller takes to do this channel's I/O itself (docs/helpers.md "The
     * synchronous fast path"), or null when the channel has none (datagram channels, test fakes):
     * then every request goes through the loop.
     */
    default DirectChannel direct() {
        return null;
    }
}
