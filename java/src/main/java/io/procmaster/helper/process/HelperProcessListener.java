package io.procmaster.helper.process;

import io.procmaster.helper.HelperExit;
import java.nio.ByteBuffer;

/**
 * What the loop tells the owner of a {@link HelperProcess}, on the loop thread: its data, the end of
 * its output, that its channel takes bytes again, and its exit (the last call). {@code data} is a
 * shared buffer: consume it (or copy it) inside the call.
 *
 * <p>Failure modes: bytes {@code onData} leaves unread are dropped and logged by the process.
 */
public interface HelperProcessListener {
    default void onData(HelperProcess helper, ByteBuffer data) {
        data.position(data.limit());
    }

    /** The helper closed its output, or reading it failed. Not for datagram channels until the exit. */
    default void onEof(HelperProcess helper) {
    }

    /** The channel accepts bytes again after {@link HelperProcess#requestWritable()}. */
    default void onWritable(HelperProcess helper) {
    }

    /** The helper has exited and was reaped; the last call. */
    default void onExit(HelperProcess helper, HelperExit exit) {
    }
}
