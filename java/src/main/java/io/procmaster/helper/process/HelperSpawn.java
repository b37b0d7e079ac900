package io.procmaster.helper.process;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.Channels;
import io.procmaster.os.ChildProcess;
import io.procmaster.os.Fd;
import io.procmaster.os.FdPair;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.SpawnException;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.Spawner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The spawn of one helper: makes its channel ({@link io.procmaster.helper.HelperChannelType}: a pipe
 * pair, or one socket pair) and its stderr pipe, runs the program through the native core with the
 * channel on fds 0 and 1 and the pipe on fd 2, and closes the child's ends here (so EOF becomes visible
 * when the helper dies). See {@code docs/helpers.md}.
 *
 * <p>Interface: {@link #spawn(HelperSpec)}, any thread; {@link #awaitStart} waits for a started helper's
 * readiness (bounded by the handshake deadline plus 30 s). Failure modes: a channel that cannot be made
 * or an exec that fails throws {@link HelperException.Start} with the errno and the stage, after
 * every descriptor made so far was closed.
 */
final class HelperSpawn {
    private HelperSpawn() {}

    /** The spawned process and the master's ends: read, write ({@code == in} for sockets), stderr. */
    record Spawned(ChildProcess child, Fd in, Fd out, Fd err) {}

    static Spawned spawn(HelperSpec spec) throws HelperException.Start {
        List<FdPair> pairs = new ArrayList<>(3);
        ChildProcess child;
        Fd in;
        Fd out;
        Fd err;
        try {
            int childIn;
            int childOut;
            switch (spec.channelType()) {
                case FIFO -> {
                    FdPair up = open(pairs, Channels.Kind.PIPE_NONBLOCKING);          // helper -> master
                    FdPair down = open(pairs, Channels.Kind.PIPE_WRITE_NONBLOCKING);  // master -> helper
                    in = up.master();
                    out = down.master();
                    childIn = down.child().intValue();
                    childOut = up.child().intValue();
                }
                default -> {
                    FdPair p = open(pairs, switch (spec.channelType()) {
                        case TCP -> Channels.Kind.TCP;
                        case UDP -> Channels.Kind.UDP;
                        case UNIX_DGRAM -> Channels.Kind.DGRAM;
                        default -> Channels.Kind.STREAM;
                    });
                    in = out = p.master();
                    childIn = childOut = p.child().intValue();
                }
            }
            FdPair e = open(pairs, Channels.Kind.PIPE_NONBLOCKING);
            err = e.master();
            SpawnSpec.Builder b = SpawnSpec.builder(spec.program()).argv(spec.argv())
                    .fd(0, childIn).fd(1, childOut).fd(2, e.child().intValue())
                    .setsid(spec.setsid());
            if (spec.inheritEnvironment()) b.inheritEnvironment();
            b.env(spec.environment());
            if (spec.cwd() != null) b.cwd(spec.cwd());
            if (spec.uid() != null) b.gid(spec.gid()).groups(spec.gid()).uid(spec.uid());
            child = Spawner.spawn(b.build());
        } catch (SpawnException e) {
            pairs.forEach(FdPair::close);
            throw new HelperException.Start("helper '" + spec.name() + "': cannot run " + spec.program() + ": "
                    + e.getMessage() + " (stage " + e.stage() + ")", e.errno(), e.stage(), e);
        } catch (NativeIoException e) {
            pairs.forEach(FdPair::close);
            throw new HelperException.Start("helper '" + spec.name() + "': cannot make its " + spec.channelType()
                    + " channel: " + e.getMessage(), e.errno(), "channel", e);
        }
        for (FdPair p : pairs) p.child().close(); // EOF becomes visible when the helper dies
        return new Spawned(child, in, out, err);
    }

    private static FdPair open(List<FdPair> pairs, Channels.Kind kind) throws NativeIoException {
        FdPair p = Channels.open(kind);
        pairs.add(p);
        return p;
    }

    /** Waits for {@code started}; any failure, a timeout or an interrupt becomes a {@link HelperException.Start}. */
    static HelperProcess awaitStart(CompletableFuture<HelperProcess> started, HelperSpec spec) throws HelperException.Start {
        try {
            return started.get(spec.handshakeTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HelperException.Start hse) throw hse;
            throw new HelperException.Start("helper '" + spec.name() + "': start failed: " + e.getCause(), -1, "handshake", e.getCause());
        } catch (TimeoutException e) {
            throw new HelperException.Start("helper '" + spec.name() + "': the loop did not confirm the start", -1, "handshake", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HelperException.Start("helper '" + spec.name() + "': interrupted while starting", -1, "handshake", e);
        }
    }
}
