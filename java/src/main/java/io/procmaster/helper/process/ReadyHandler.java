package io.procmaster.helper.process;

import io.procmaster.os.EventLoop;
import java.util.function.IntConsumer;

/**
 * An {@link EventLoop.Handler} that only hears readiness: the epoll bits go to {@code onReady}. How a
 * {@link HelperProcess} registers its channel and stderr. Loop thread; failure modes: the consumer's.
 */
record ReadyHandler(IntConsumer onReady) implements EventLoop.Handler {
    @Override
    public void onReady(int events) {
        onReady.accept(events);
    }
}
