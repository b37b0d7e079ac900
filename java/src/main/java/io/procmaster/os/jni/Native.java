package io.procmaster.os.jni;

/**
 * The JNI boundary: the only class with {@code native} methods.
 *
 * <p>Every call is coarse and takes primitives, primitive arrays or the address of a direct
 * buffer; failures come back as {@code -errno} for the wrappers in this package to turn into
 * exceptions ({@link Errno}). C never calls up into Java. Record sizes, field offsets, kinds and
 * flags are asked from C once, at class initialisation ({@link #constants0}), never hard-coded
 * here; they come as {@code NAME=value} pairs and are looked up by name ({@link NativeConstants}),
 * so adding or reordering one on the C side cannot shift another, and a missing one makes the
 * library unavailable with a cause that names it. Natives are bound with {@code RegisterNatives} in {@code JNI_OnLoad}.
 *
 * <p>Availability follows netty's model: when the library cannot be loaded, the class still
 * initialises; {@link #isAvailable()} is false and {@link #unavailabilityCause()} says why (the
 * platform, the paths tried, a noexec mount). {@link #ensureAvailability()} throws it.
 */
public final class Native {
    private static final Throwable UNAVAILABILITY_CAUSE;

    // Event record layout (struct pm_event) and the C enums, filled from constants0().
    public static final int EVENT_SIZE, OFF_KIND, OFF_FD, OFF_TAG, OFF_EVENTS, OFF_A, OFF_B, OFF_C, OFF_D, OFF_LENGTH;
    public static final int EV_WAKEUP, EV_EXIT, EV_STATUS, EV_READY, EV_HUP;
    public static final int REG_FD, REG_PIDFD, REG_STATUS, CTL_ADD, CTL_MOD, CTL_DEL;
    public static final int ST_FORGED, ST_MALFORMED, ST_NOCRED, STATUS_RECORD_SIZE;
    /** epoll bits, for {@link EventLoopCore#register}. */
    public static final int EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP, EPOLLEXCLUSIVE, EPOLLPRI, EPOLLET;
    public static final int EAGAIN, EINTR, ENOENT, ESRCH, EPIPE, ECHILD, ENOSYS, EPERM, ENOTSUP, EINVAL, ELOOP;
    public static final int SPAWN_SETSID, SPAWN_SETUID, SPAWN_SETGID, SPAWN_SETGROUPS, SPAWN_HAS_CWD;
    public static final int MECH_AUTO, MECH_CLONE3, MECH_POSIX_SPAWN;
    public static final int CH_STATUS, CH_PIPE, CH_PIPE_NB, CH_STREAM, CH_DGRAM, CH_TCP, CH_UDP;
    public static final int LS_INET, LS_UNIX, LS_UNIX_DGRAM, LS_FIFO;
    public static final int STAGE_EXECVE, STAGE_FDPLAN, FDOP_DUP2, FDOP_CLEAR_CLOEXEC;
    public static final int SIGKILL, SIGTERM, FDPLAN_MAX_PAIRS, EBADF, CH_FLOW, CH_PIPE_WNB;
    /** {@link #socketInfo0}: kinds, slots of its out array, and the AF_ and SOCK_ values it reports. */
    public static final int SI_SOCKET, SI_FIFO, SI_OTHER, SI_KIND, SI_FAMILY, SI_TYPE, SI_LISTENING, SI_PORT,
            SI_LENGTH, SI_FIELDS, AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET;

    static {
        Throwable cause = null;
        NativeConstants k = NativeConstants.none();
        try {
            NativeLoader.load();
            k = NativeConstants.parse(constants0());
        } catch (Throwable t) {
            cause = t;
        }
        EVENT_SIZE = k.get("EVENT_SIZE"); OFF_KIND = k.get("OFF_KIND"); OFF_FD = k.get("OFF_FD");
        OFF_TAG = k.get("OFF_TAG"); OFF_EVENTS = k.get("OFF_EVENTS"); OFF_A = k.get("OFF_A"); OFF_B = k.get("OFF_B");
        OFF_C = k.get("OFF_C"); OFF_D = k.get("OFF_D"); OFF_LENGTH = k.get("OFF_LENGTH");
        EV_WAKEUP = k.get("EV_WAKEUP"); EV_EXIT = k.get("EV_EXIT"); EV_STATUS = k.get("EV_STATUS");
        EV_READY = k.get("EV_READY"); EV_HUP = k.get("EV_HUP");
        REG_FD = k.get("REG_FD"); REG_PIDFD = k.get("REG_PIDFD"); REG_STATUS = k.get("REG_STATUS");
        CTL_ADD = k.get("CTL_ADD"); CTL_MOD = k.get("CTL_MOD"); CTL_DEL = k.get("CTL_DEL");
        ST_FORGED = k.get("ST_FORGED"); ST_MALFORMED = k.get("ST_MALFORMED"); ST_NOCRED = k.get("ST_NOCRED");
        STATUS_RECORD_SIZE = k.get("STATUS_RECORD_SIZE");
        EPOLLIN = k.get("EPOLLIN"); EPOLLOUT = k.get("EPOLLOUT"); EPOLLERR = k.get("EPOLLERR");
        EPOLLHUP = k.get("EPOLLHUP"); EPOLLRDHUP = k.get("EPOLLRDHUP"); EPOLLEXCLUSIVE = k.get("EPOLLEXCLUSIVE");
        EPOLLPRI = k.get("EPOLLPRI"); EPOLLET = k.get("EPOLLET");
        EAGAIN = k.get("EAGAIN"); EINTR = k.get("EINTR"); ENOENT = k.get("ENOENT"); ESRCH = k.get("ESRCH");
        EPIPE = k.get("EPIPE"); ECHILD = k.get("ECHILD"); ENOSYS = k.get("ENOSYS"); EPERM = k.get("EPERM");
        ENOTSUP = k.get("ENOTSUP"); EBADF = k.get("EBADF"); EINVAL = k.get("EINVAL"); ELOOP = k.get("ELOOP");
        SPAWN_SETSID = k.get("SPAWN_SETSID"); SPAWN_SETUID = k.get("SPAWN_SETUID");
        SPAWN_SETGID = k.get("SPAWN_SETGID"); SPAWN_SETGROUPS = k.get("SPAWN_SETGROUPS");
        SPAWN_HAS_CWD = k.get("SPAWN_HAS_CWD");
        MECH_AUTO = k.get("MECH_AUTO"); MECH_CLONE3 = k.get("MECH_CLONE3"); MECH_POSIX_SPAWN = k.get("MECH_POSIX_SPAWN");
        CH_STATUS = k.get("CH_STATUS"); CH_PIPE = k.get("CH_PIPE"); CH_PIPE_NB = k.get("CH_PIPE_NB");
        CH_STREAM = k.get("CH_STREAM"); CH_DGRAM = k.get("CH_DGRAM"); CH_TCP = k.get("CH_TCP"); CH_UDP = k.get("CH_UDP");
        CH_FLOW = k.get("CH_FLOW"); CH_PIPE_WNB = k.get("CH_PIPE_WNB");
        LS_INET = k.get("LS_INET"); LS_UNIX = k.get("LS_UNIX"); LS_UNIX_DGRAM = k.get("LS_UNIX_DGRAM");
        LS_FIFO = k.get("LS_FIFO");
        STAGE_EXECVE = k.get("STAGE_EXECVE"); STAGE_FDPLAN = k.get("STAGE_FDPLAN");
        FDOP_DUP2 = k.get("FDOP_DUP2"); FDOP_CLEAR_CLOEXEC = k.get("FDOP_CLEAR_CLOEXEC");
        SIGKILL = k.get("SIGKILL"); SIGTERM = k.get("SIGTERM"); FDPLAN_MAX_PAIRS = k.get("FDPLAN_MAX_PAIRS");
        SI_SOCKET = k.get("SI_SOCKET"); SI_FIFO = k.get("SI_FIFO"); SI_OTHER = k.get("SI_OTHER");
        SI_KIND = k.get("SI_KIND"); SI_FAMILY = k.get("SI_FAMILY"); SI_TYPE = k.get("SI_TYPE");
        SI_LISTENING = k.get("SI_LISTENING"); SI_PORT = k.get("SI_PORT"); SI_LENGTH = k.get("SI_LENGTH");
        SI_FIELDS = k.get("SI_FIELDS"); AF_INET = k.get("AF_INET"); AF_INET6 = k.get("AF_INET6");
        AF_UNIX = k.get("AF_UNIX"); SOCK_STREAM = k.get("SOCK_STREAM"); SOCK_DGRAM = k.get("SOCK_DGRAM");
        SOCK_SEQPACKET = k.get("SOCK_SEQPACKET");
        if (cause == null) {
            cause = k.missing(); // the names asked for above that the library lacks, or null
        }
        UNAVAILABILITY_CAUSE = cause;
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

    /** The C side's constants, each as {@code NAME=value}. */
    public static native String[] constants0();

    public static native String[] errnoTexts0(int max);

    public static native String[] stageNames0();

    public static native int nop0(int x);

    /**
     * Strings block: path, argv..., env..., [cwd], each NUL-terminated. fdPlan: (source, target)
     * pairs. rlimits: (resource, cur, max) triples. out (7 ints): pid, pidfd, failed stage, mechanism
     * used, and at the fd-plan stage the failed operation: its kind ({@link #FDOP_DUP2} or
     * {@link #FDOP_CLEAR_CLOEXEC}, else 0) and its two descriptor numbers. cgroupFd: a cgroup2
     * directory ({@link #openReadOnly0}) the child starts in (clone3's CLONE_INTO_CGROUP; with
     * posix_spawn the pid is written to its cgroup.procs right after the spawn), or -1 for none.
     */
    public static native int spawn0(byte[] strings, int nargv, int nenv, int[] fdPlan, int flags, int uid, int gid,
                             int[] groups, long[] rlimits, int mechanism, int cgroupFd, int[] out);

    /** out: pid, exit code (-1 if signalled), signal, core dumped. 1 reaped, 0 running, or -errno. */
    public static native int reap0(int pidfd, boolean nohang, int[] out);

    public static native int signal0(int pidfd, int sig);

    public static native long loopCreate0();

    public static native int loopCtl0(long loop, int op, int fd, int kind, int tag, int events);

    public static native int loopPoll0(long loop, java.nio.ByteBuffer directBuffer, int capacity, int timeoutMillis);

    public static native int loopWakeup0(long loop);

    public static native void loopDestroy0(long loop);

    /** Removes fd from the loop's set first (when loop != 0), then closes it. */
    public static native int close0(long loop, int fd);

    /** out[0] the master's end, out[1] the child's end. */
    public static native int channel0(int kind, int[] out);

    public static native int listen0(int kind, byte[] address, int port, int backlog, int mode);

    public static native int localPort0(int fd);

    public static native int read0(int fd, java.nio.ByteBuffer directBuffer, int offset, int length);

    public static native int write0(int fd, java.nio.ByteBuffer directBuffer, int offset, int length);

    /** accept4(SOCK_CLOEXEC): a new, blocking connection descriptor, or -errno (EAGAIN: none waiting). */
    public static native int accept0(int listenFd);

    /** An unbound AF_UNIX SOCK_DGRAM socket for sending (non-blocking, close-on-exec), or -errno. */
    public static native int dgramClient0();

    /**
     * One datagram of {@code data[0..length)} to the socket at {@code path} (sendto with
     * MSG_DONTWAIT): bytes sent, or -errno (EAGAIN: the receiver's queue is full; ENOENT,
     * ECONNREFUSED: nobody is bound there; EMSGSIZE: longer than the C side's 8 KiB buffer).
     */
    public static native int dgramSend0(int fd, byte[] path, byte[] data, int length);

    /**
     * open(O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC, mode) then flock(LOCK_EX|LOCK_NB): the descriptor
     * holding the lock, or -errno ({@link #EAGAIN}: another open file holds it; {@link #EINVAL}:
     * not a regular file). out (5 longs): st_dev, st_ino, st_mode, st_nlink, st_uid of what was
     * opened (filled whenever the open succeeded).
     */
    public static native int lockFile0(byte[] path, int mode, long[] out);

    /** pwrite(content) at offset 0, ftruncate to its length, fdatasync: 0 or -errno (at most 4096 bytes). */
    public static native int rewrite0(int fd, byte[] content);

    /** fchown(fd, uid, -1): 0 or -errno. */
    public static native int fchown0(int fd, int uid);

    /** open("/dev/null", O_RDWR|O_CLOEXEC): a descriptor, or -errno. */
    public static native int devNull0();

    /** A non-blocking stream connection to a {@link #LS_UNIX} path or {@link #LS_INET} literal: connected or connecting. */
    public static native int connect0(int kind, byte[] address, int port);

    /** SO_ERROR: 0, or the -errno a connection attempt ended with. */
    public static native int socketError0(int fd);

    /** Sends fd over a unix stream socket (SCM_RIGHTS, one NUL data byte); 0 or -errno. */
    public static native int sendFd0(int sock, int fd);

    /**
     * prctl(PR_GET_CHILD_SUBREAPER): 1 when this process is a child subreaper (orphaned descendants
     * are reparented to it), 0 when not, or -errno.
     */
    public static native int childSubreaper0();

    /**
     * Describes a descriptor the master inherited (socket activation); with {@code adopt} it is first
     * made close-on-exec and non-blocking. out ({@link #SI_FIELDS} ints, slots {@link #SI_KIND} ...):
     * kind ({@link #SI_SOCKET}, {@link #SI_FIFO}, {@link #SI_OTHER}), SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN,
     * inet port, and the length of the address text written to {@code address} (inet literal, unix
     * path, {@code @name} when abstract; a FIFO's path). 0 or -errno ({@link #EBADF}: not open).
     */
    public static native int socketInfo0(int fd, boolean adopt, int[] out, byte[] address);

    /**
     * open(path, O_RDONLY|O_CLOEXEC, and O_DIRECTORY when {@code directory}): a cgroup directory
     * for {@link #spawn0}, or a cgroup file such as cgroup.events to watch for EPOLLPRI; or -errno.
     */
    public static native int openReadOnly0(byte[] path, boolean directory);

    /**
     * The loop's epoll descriptor, for a caller that watches it in its own poll (readable whenever
     * the loop has a record pending, wake-ups included); never to be read or closed, valid until
     * {@link #loopDestroy0}. Or -EBADF once the loop is destroyed.
     */
    public static native int loopFd0(long loop);

    /**
     * poll(2) on one descriptor: the revents bits, 0 after {@code timeoutMillis} or an interrupting
     * signal, or -errno (a helper pool's waiting caller, docs/helpers.md "The synchronous fast path").
     */
    public static native int poll0(int fd, int events, int timeoutMillis);
}
