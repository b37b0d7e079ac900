package io.procmaster.os;

import io.procmaster.os.jni.Native;



/**
 * One child, held by its pidfd.
 *
 * <p>The pidfd names this child and no other: signals cannot reach a reused pid, and reaping
 * ({@code waitid(P_PIDFD)}) cannot collect anybody else's child, so ProcessBuilder children in
 * the same JVM keep their exit codes. A child is reaped either here ({@link #waitFor},
 * {@link #tryReap}) or by an {@link EventLoopCore} it was handed to, never both.
 *
 * <p>{@link #close()} on a child that has not been reaped kills it (SIGKILL) and reaps it: a
 * closed handle never leaves a zombie or a descriptor behind.
 */
public final class ChildProcess implements AutoCloseable {
    private final int pid;
    private final String path;
    private final SpawnSpec.Mechanism mechanism;
    private int pidfd;
    private ExitStatus exit;
    private boolean loopOwned;

    ChildProcess(int pid, int pidfd, String path, SpawnSpec.Mechanism mechanism) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.path = path;
        this.mechanism = mechanism;
    }

    /** The child's process id. */
    public int pid() {
        return pid;
    }

    /** The program that was executed. */
    public String path() {
        return path;
    }

    /** The mechanism that actually started this child. */
    public SpawnSpec.Mechanism mechanism() {
        return mechanism;
    }

    /** The pidfd, or -1 once reaped and closed. */
    public synchronized int pidfd() {
        return pidfd;
    }

    /** Blocks until the child exits, reaps it and closes the pidfd. Idempotent. */
    public synchronized ExitStatus waitFor() throws NativeIoException {
        return reap(false);
    }

    /** Reaps the child if it has exited; null if it still runs. */
    public synchronized ExitStatus tryReap() throws NativeIoException {
        return reap(true);
    }

    private ExitStatus reap(boolean nohang) throws NativeIoException {
        if (exit != null) {
            return exit;
        }
        if (loopOwned) {
            throw new IllegalStateException("child " + pid + " is reaped by an event loop");
        }
        int[] out = new int[4];
        int r = Native.reap0(pidfd, nohang, out);
        if (r == 0) {
            return null;
        }
        Errno.check("waitid pid " + pid, r);
        exited(new ExitStatus(out[0], out[1], out[2], out[3] != 0), 0);
        return exit;
    }

    /** Hands reaping to an event loop: from now on only the loop reaps and closes the pidfd. */
    synchronized int pidfdForLoop() {
        if (exit != null || loopOwned) {
            throw new IllegalStateException("child " + pid + " is already reaped or watched");
        }
        loopOwned = true;
        return pidfd;
    }

    /**
     * Records an exit the loop reaped; closes the pidfd (out of the loop's set first). {@code loop}
     * is the loop's C handle (0: none); a closed loop's handle is refused by C and the pidfd is
     * closed all the same.
     */
    synchronized void exited(ExitStatus status, long loop) {
        this.exit = status;
        if (pidfd >= 0) {
            Native.close0(loop, pidfd);
            pidfd = -1;
        }
    }

    /** For a loop shutting down: SIGKILL, reap now, close. */
    synchronized void killAndReap(long loop) {
        if (exit != null || pidfd < 0) {
            return;
        }
        Native.signal0(pidfd, Native.SIGKILL);
        int[] out = new int[4];
        int r = Native.reap0(pidfd, false, out);
        exited(r > 0 ? new ExitStatus(out[0], out[1], out[2], out[3] != 0) : new ExitStatus(pid, -1, Native.SIGKILL, false),
                loop);
    }

    /** The exit status if known. */
    public synchronized ExitStatus exitStatus() {
        return exit;
    }

    /** Sends a signal through the pidfd; false if the child is already gone. */
    public synchronized boolean signal(int sig) throws NativeIoException {
        if (exit != null || pidfd < 0) {
            return false;
        }
        int r = Native.signal0(pidfd, sig);
        if (r == -Native.ESRCH) {
            return false;
        }
        Errno.check("pidfd_send_signal pid " + pid, r);
        return true;
    }

    @Override
    public synchronized void close() {
        if (loopOwned) {
            if (exit == null && pidfd >= 0) {
                Native.signal0(pidfd, Native.SIGKILL); // the loop reaps it
            }
            return;
        }
        if (exit == null && pidfd >= 0) {
            Native.signal0(pidfd, Native.SIGKILL);
            try {
                reap(false);
            } catch (NativeIoException e) {
                Native.close0(0, pidfd);
                pidfd = -1;
            }
        }
    }

    @Override
    public String toString() {
        return "child " + pid + " (" + path + ")";
    }
}
