package io.procmaster.helper.process;

import io.procmaster.helper.HelperExit;
import java.nio.ByteBuffer;

/**
 * The calls the event loop makes into a helper pool for one helper's channel, identified by the helper
 * id the pool passed to {@link HelperLauncher#start}. {@code HelperPoolEngine} implements it (and the {@code HelperPool} facade, delegating).
 *
 * <p>Interface: loop thread only. {@link #onEof} (read returned 0 or a hard read error) and
 * {@link #onExit} (pidfd readable, status reaped) are two independent inputs; both are expected for
 * every helper, in either order; {@code onExit} is the last call for a helper id.
 *
 * <p>Failure modes: calls for an unknown or already finished helper id are logged and ignored.
 */
public interface HelperEventSink {
    /** Bytes read from the helper's stdout; the pool consumes all remaining bytes of {@code data}. */
    void onData(long helperId, ByteBuffer data);

    /** The channel accepts bytes again after a {@link HelperChannel#requestWritable()}. */
    void onWritable(long helperId);

    /** End of file or a hard error on the helper's stdout. */
    void onEof(long helperId);

    /** The helper process has exited and was reaped. */
    void onExit(long helperId, HelperExit exit);
}
