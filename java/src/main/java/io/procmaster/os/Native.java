package io.procmaster.os;

/**
 * The JNI boundary: the only class with {@code native} methods.
 *
 * <p>Every call is coarse and takes primitives, primitive arrays or the address of a direct
 * buffer; failures come back as {@code -errno} for the wrappers in this package to turn into
 * exceptions ({@link Errno}). C never calls up into Java. Record sizes, field offsets, kinds and
 * flags are asked from C once, at class initialisation ({@link #constants0}), never hard-coded
 * here. Natives are bound with {@code RegisterNatives} in {@code JNI_OnLoad}.
 *
 * <p>Availability follows netty's model: when the library cannot be loaded, the class still
 * initialises; {@link #isAvailable()} is false and {@link #unavailabilityCause()} says why (the
 * platform, the paths tried, a noexec mount). {@link #ensureAvailability()} throws it.
 */
public final class Native {
    private static final Throwable UNAVAILABILITY_CAUSE;

    // Event record layout (struct pm_event) and the C enums, filled from constants0().
    static final int EVENT_SIZE, OFF_KIND, OFF_FD, OFF_TAG, OFF_EVENTS, OFF_A, OFF_B, OFF_C, OFF_D, OFF_LENGTH;
    static final int EV_WAKEUP, EV_EXIT, EV_STATUS, EV_READY, EV_HUP;
    static final int REG_FD, REG_PIDFD, REG_STATUS, CTL_ADD, CTL_MOD, CTL_DEL;
    static final int ST_FORGED, ST_MALFORMED, ST_NOCRED, STATUS_RECORD_SIZE;
    /** epoll bits, for {@link EventLoopCore#register}. */
    public static final int EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP, EPOLLEXCLUSIVE;
    static final int EAGAIN, EINTR, ENOENT, ESRCH, EPIPE, ECHILD, ENOSYS, EPERM, ENOTSUP;
    static final int SPAWN_SETSID, SPAWN_SETUID, SPAWN_SETGID, SPAWN_SETGROUPS, SPAWN_HAS_CWD;
    static final int MECH_AUTO, MECH_CLONE3, MECH_POSIX_SPAWN;
    static final int CH_STATUS, CH_PIPE, CH_PIPE_NB, CH_STREAM, CH_DGRAM, CH_TCP, CH_UDP;
    static final int LS_INET, LS_UNIX, LS_UNIX_DGRAM, LS_FIFO;
    static final int STAGE_EXECVE, SIGKILL, SIGTERM, FDPLAN_MAX_PAIRS, EBADF, CH_FLOW, CH_PIPE_WNB;
    private static final int CONSTANTS = 66;

    static {
        Throwable cause = null;
        int[] k = new int[CONSTANTS];
        try {
            NativeLoader.load();
            int n = constants0(k);
            if (n != CONSTANTS) {
                throw new IllegalStateException("libprocmaster returned " + n + " constants, expected " + CONSTANTS + ": "
                        + "the library and the classes are from different versions");
            }
        } catch (Throwable t) {
            cause = t;
            java.util.Arrays.fill(k, -1);
        }
        UNAVAILABILITY_CAUSE = cause;
        int i = 0;
        EVENT_SIZE = k[i++]; OFF_KIND = k[i++]; OFF_FD = k[i++]; OFF_TAG = k[i++]; OFF_EVENTS = k[i++];
        OFF_A = k[i++]; OFF_B = k[i++]; OFF_C = k[i++]; OFF_D = k[i++]; OFF_LENGTH = k[i++];
        EV_WAKEUP = k[i++]; EV_EXIT = k[i++]; EV_STATUS = k[i++]; EV_READY = k[i++]; EV_HUP = k[i++];
        REG_FD = k[i++]; REG_PIDFD = k[i++]; REG_STATUS = k[i++]; CTL_ADD = k[i++]; CTL_MOD = k[i++]; CTL_DEL = k[i++];
        ST_FORGED = k[i++]; ST_MALFORMED = k[i++]; ST_NOCRED = k[i++]; STATUS_RECORD_SIZE = k[i++];
        EPOLLIN = k[i++]; EPOLLOUT = k[i++]; EPOLLERR = k[i++]; EPOLLHUP = k[i++]; EPOLLRDHUP = k[i++];
        EPOLLEXCLUSIVE = k[i++];
        EAGAIN = k[i++]; EINTR = k[i++]; ENOENT = k[i++]; ESRCH = k[i++]; EPIPE = k[i++]; ECHILD = k[i++];
        ENOSYS = k[i++]; EPERM = k[i++]; ENOTSUP = k[i++];
        SPAWN_SETSID = k[i++]; SPAWN_SETUID = k[i++]; SPAWN_SETGID = k[i++]; SPAWN_SETGROUPS = k[i++];
        SPAWN_HAS_CWD = k[i++];
        MECH_AUTO = k[i++]; MECH_CLONE3 = k[i++]; MECH_POSIX_SPAWN = k[i++];
        CH_STATUS = k[i++]; CH_PIPE = k[i++]; CH_PIPE_NB = k[i++]; CH_STREAM = k[i++]; CH_DGRAM = k[i++];
        CH_TCP = k[i++]; CH_UDP = k[i++];
        LS_INET = k[i++]; LS_UNIX = k[i++]; LS_UNIX_DGRAM = k[i++]; LS_FIFO = k[i++];
        STAGE_EXECVE = k[i++]; SIGKILL = k[i++]; SIGTERM = k[i++]; FDPLAN_MAX_PAIRS = k[i++]; EBADF = k[i++];
        CH_FLOW = k[i++]; CH_PIPE_WNB = k[i++];
    }

    private Native() {
    }

    /** True when the native library is loaded and matches these classes. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why the native library is not available, or null when it is. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws an {@link UnsatisfiedLinkError} carrying the cause when the library is not available. */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError("procmaster native library unavailable: "
                    + UNAVAILABILITY_CAUSE.getMessage());
            e.initCause(UNAVAILABILITY_CAUSE);
            throw e;
        }
    }

    /** An empty round trip through the boundary; the JMH suite measures it. */
    public static int nop(int x) {
        return nop0(x);
    }

    static native int constants0(int[] out);

    static native String[] errnoTexts0(int max);

    static native String[] stageNames0();

    static native int nop0(int x);

    /**
     * Strings block: path, argv..., env..., [cwd], each NUL-terminated. fdPlan: (source, target)
     * pairs. rlimits: (resource, cur, max) triples. out: pid, pidfd, failed stage, mechanism used.
     */
    static native int spawn0(byte[] strings, int nargv, int nenv, int[] fdPlan, int flags, int uid, int gid,
                             int[] groups, long[] rlimits, int mechanism, int[] out);

    /** out: pid, exit code (-1 if signalled), signal, core dumped. 1 reaped, 0 running, or -errno. */
    static native int reap0(int pidfd, boolean nohang, int[] out);

    static native int signal0(int pidfd, int sig);

    static native long loopCreate0();

    static native int loopCtl0(long loop, int op, int fd, int kind, int tag, int events);

    static native int loopPoll0(long loop, java.nio.ByteBuffer directBuffer, int capacity, int timeoutMillis);

    static native int loopWakeup0(long loop);

    static native void loopDestroy0(long loop);

    /** Removes fd from the loop's set first (when loop != 0), then closes it. */
    static native int close0(long loop, int fd);

    /** out[0] the master's end, out[1] the child's end. */
    static native int channel0(int kind, int[] out);

    static native int listen0(int kind, byte[] address, int port, int backlog, int mode);

    static native int localPort0(int fd);

    static native int read0(int fd, java.nio.ByteBuffer directBuffer, int offset, int length);

    static native int write0(int fd, java.nio.ByteBuffer directBuffer, int offset, int length);

    /** accept4(SOCK_CLOEXEC): a new, blocking connection descriptor, or -errno (EAGAIN: none waiting). */
    static native int accept0(int listenFd);
}
