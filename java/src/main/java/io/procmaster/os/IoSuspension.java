package io.procmaster.os;

import io.procmaster.os.jni.Native;

/**
 * One registered plain descriptor of an {@link EventLoop}, muted in the loop's epoll set (its interest
 * taken off) and restored by another thread, with its registration (tag and handler) kept on the loop's side: how a
 * helper pool's waiting caller reads its claimed helper's channel itself while the loop keeps
 * watching everything else (docs/helpers.md "The synchronous fast path").
 *
 * <p>Interface: made on the loop thread by {@link EventLoop#suspension} for a descriptor registered
 * there; {@link #suspend()} and {@link #resume(int)} from any thread, one thread at a time (the
 * owner hands the descriptor over by its own claim protocol). While suspended the loop hears no data
 * on the descriptor and a hang-up or error at most once (edge-triggered); the loop's owner of the descriptor must neither modify,
 * unregister nor close it meanwhile (a closed and reused number would be added back).
 *
 * <p>Failure modes: both are epoll_ctl calls on the loop's generation-checked handle
 * ({@link EventLoopCore}): on a closed loop they do nothing and return false; any other failure is
 * thrown as a {@link NativeIoException}.
 */
public final class IoSuspension {
    private final EventLoopCore core;
    private final int fd;
    private final int tag;

    IoSuspension(EventLoopCore core, int fd, int tag) {
        this.core = core;
        this.fd = fd;
        this.tag = tag;
    }

    /**
     * Takes the descriptor's interest off (one epoll_ctl MOD to edge-triggered, no events: the epoll
     * item stays, so no DEL and ADD per request; BENCHMARKS.md 6a). Readable data then wakes nobody;
     * a hang-up or error is reported to the loop once, which ignores it while the descriptor is
     * claimed and sees it again at {@link #resume}. False if the loop is closed or it was not there.
     */
    public boolean suspend() throws NativeIoException {
        return core.modifyIfPresent(fd, tag, Native.EPOLLET);
    }

    /** Puts the descriptor back with interest {@code events} under its old tag; false if the loop is closed. */
    public boolean resume(int events) throws NativeIoException {
        if (core.isClosed()) return false;
        try {
            return core.modifyIfPresent(fd, tag, events); // level-triggered again: a pending event is reported now
        } catch (NativeIoException e) {
            if (core.isClosed()) return false; // closed meanwhile: nothing to put back into
            throw e;
        }
    }
}
