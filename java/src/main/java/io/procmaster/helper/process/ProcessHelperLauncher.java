package io.procmaster.helper.process;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The pool's {@link HelperLauncher} on real processes: every helper is a {@link HelperProcess} watched
 * by one {@link EventLoop}; its events reach the pool's {@link HelperEventSink} under the helper id.
 *
 * <p>Interface: {@link #start} runs on the loop thread (the pool calls it there). The spawn is
 * synchronous (exec errors throw {@link HelperException.Start}); registration happens inside the call,
 * events are delivered only by later loop iterations, so none arrives before {@code start} returns.
 * With a hello configured the helper's output reaches the pool only after the hello; a failed hello
 * kills the helper and the pool sees an ordinary death ({@code onEof}, {@code onExit}).
 *
 * <p>Failure modes: as {@link HelperProcess}.
 */
public final class ProcessHelperLauncher implements HelperLauncher {
    private final EventLoop loop;
    private final HelperSpec spec;

    public ProcessHelperLauncher(EventLoop loop, HelperSpec spec) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public HelperSpec spec() {
        return spec;
    }

    @Override
    public HelperChannel start(long helperId, HelperEventSink sink) throws HelperException.Start {
        HelperProcessListener l = new HelperProcessListener() {
            @Override
            public void onData(HelperProcess helper, ByteBuffer data) {
                sink.onData(helperId, data);
            }

            @Override
            public void onEof(HelperProcess helper) {
                sink.onEof(helperId);
            }

            @Override
            public void onWritable(HelperProcess helper) {
                sink.onWritable(helperId);
            }

            @Override
            public void onExit(HelperProcess helper, HelperExit exit) {
                sink.onExit(helperId, exit);
            }
        };
        return new ProcessChannel(HelperProcess.spawn(loop, spec, l, spec.name() + " #" + helperId, null));
    }

    /** {@link HelperChannel} over one {@link HelperProcess}. */
    private record ProcessChannel(HelperProcess process) implements HelperChannel {
        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return process.write(src);
        }

        @Override
        public void requestWritable() {
            process.requestWritable();
        }

        @Override
        public void close() {
            process.close();
        }

        @Override
        public void kill() {
            process.kill();
        }

        @Override
        public DirectChannel direct() {
            return process.direct();
        }
    }
}
