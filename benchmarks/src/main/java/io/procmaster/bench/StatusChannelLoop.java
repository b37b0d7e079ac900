package io.procmaster.bench;

import io.procmaster.os.Channels;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.FdPair;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;

/**
 * A loop core with one status channel registered on it, as the master has per service: what
 * {@link JniCrossing#statusWriteAndPull} and {@link StatusThroughput} write into and poll.
 */
final class StatusChannelLoop implements AutoCloseable {
    final EventLoopCore loop;
    final FdPair channel;

    /** A loop pulling up to {@code batch} records per poll, the channel's master end registered with tag 1. */
    StatusChannelLoop(int batch) throws NativeIoException {
        loop = new EventLoopCore(batch);
        channel = Channels.open(Channels.Kind.STATUS);
        loop.register(channel.master().intValue(), EventLoopCore.Kind.STATUS, 1, Native.EPOLLIN);
    }

    @Override
    public void close() {
        channel.master().close(loop);
        channel.child().close();
        loop.close();
    }
}
