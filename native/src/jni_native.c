/*
 * jni_native - the boundary: the only file that includes jni.h.
 *
 * Binds the static natives of io.procmaster.os.jni.Native with RegisterNatives
 * (nothing is exported but JNI_OnLoad/JNI_OnUnload). Every call is coarse
 * and takes primitives, primitive arrays or direct-buffer addresses; every
 * failure comes back as -errno for Java to turn into an exception. C never
 * calls up into Java and never throws, except that a failed allocation of
 * a returned array leaves the JVM's own OutOfMemoryError pending.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jni.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdplan.h"
#include "loop.h"
#include "reap.h"
#include "sock.h"
#include "spawn.h"
#include "strblock.h"

#define NATIVE_CLASS "io/procmaster/os/jni/Native"
/* Java-side flag: the string block ends with a working directory. */
#define PM_SPAWN_HAS_CWD 0x100
/* Largest datagram dgramSend0 takes: Postfix's records are at most about 2 KiB. */
#define PM_DGRAM_MAX 8192

/*
 * The constants Java needs, by name: record layout, enums, flags, errno and
 * signal numbers. Java looks each one up by its name (Native.java), so an
 * entry can be added or moved here without shifting any other.
 */
struct named_constant {
    const char *name;
    jint value;
};

#define K(java_name, value) { java_name, (jint)(value) }

static const struct named_constant constants[] = {
    K("EVENT_SIZE", sizeof(struct pm_event)),
    K("OFF_KIND", offsetof(struct pm_event, kind)), K("OFF_FD", offsetof(struct pm_event, fd)),
    K("OFF_TAG", offsetof(struct pm_event, tag)), K("OFF_EVENTS", offsetof(struct pm_event, events)),
    K("OFF_A", offsetof(struct pm_event, a)), K("OFF_B", offsetof(struct pm_event, b)),
    K("OFF_C", offsetof(struct pm_event, c)), K("OFF_D", offsetof(struct pm_event, d)),
    K("OFF_LENGTH", offsetof(struct pm_event, length)),
    K("EV_WAKEUP", PM_EV_WAKEUP), K("EV_EXIT", PM_EV_EXIT), K("EV_STATUS", PM_EV_STATUS),
    K("EV_READY", PM_EV_READY), K("EV_HUP", PM_EV_HUP),
    K("REG_FD", PM_REG_FD), K("REG_PIDFD", PM_REG_PIDFD), K("REG_STATUS", PM_REG_STATUS),
    K("CTL_ADD", PM_CTL_ADD), K("CTL_MOD", PM_CTL_MOD), K("CTL_DEL", PM_CTL_DEL),
    K("ST_FORGED", PM_ST_FORGED), K("ST_MALFORMED", PM_ST_MALFORMED), K("ST_NOCRED", PM_ST_NOCRED),
    K("STATUS_RECORD_SIZE", PM_STATUS_RECORD_SIZE),
    K("EPOLLIN", EPOLLIN), K("EPOLLOUT", EPOLLOUT), K("EPOLLERR", EPOLLERR), K("EPOLLHUP", EPOLLHUP),
    K("EPOLLRDHUP", EPOLLRDHUP), K("EPOLLEXCLUSIVE", EPOLLEXCLUSIVE),
    K("EPOLLPRI", EPOLLPRI), K("EPOLLET", EPOLLET),
    K("EAGAIN", EAGAIN), K("EINTR", EINTR), K("ENOENT", ENOENT), K("ESRCH", ESRCH), K("EPIPE", EPIPE),
    K("ECHILD", ECHILD), K("ENOSYS", ENOSYS), K("EPERM", EPERM), K("ENOTSUP", ENOTSUP), K("EBADF", EBADF),
    K("EINVAL", EINVAL), K("ELOOP", ELOOP),
    K("SPAWN_SETSID", PM_SPAWN_SETSID), K("SPAWN_SETUID", PM_SPAWN_SETUID),
    K("SPAWN_SETGID", PM_SPAWN_SETGID), K("SPAWN_SETGROUPS", PM_SPAWN_SETGROUPS),
    K("SPAWN_HAS_CWD", PM_SPAWN_HAS_CWD),
    K("MECH_AUTO", PM_MECH_AUTO), K("MECH_CLONE3", PM_MECH_CLONE3), K("MECH_POSIX_SPAWN", PM_MECH_POSIX_SPAWN),
    K("CH_STATUS", PM_CH_STATUS), K("CH_PIPE", PM_CH_PIPE), K("CH_PIPE_NB", PM_CH_PIPE_NB),
    K("CH_STREAM", PM_CH_STREAM), K("CH_DGRAM", PM_CH_DGRAM), K("CH_TCP", PM_CH_TCP), K("CH_UDP", PM_CH_UDP),
    K("CH_FLOW", PM_CH_FLOW), K("CH_PIPE_WNB", PM_CH_PIPE_WNB),
    K("LS_INET", PM_LS_INET), K("LS_UNIX", PM_LS_UNIX), K("LS_UNIX_DGRAM", PM_LS_UNIX_DGRAM),
    K("LS_FIFO", PM_LS_FIFO),
    K("STAGE_EXECVE", PM_STAGE_EXECVE), K("STAGE_FDPLAN", PM_STAGE_FDPLAN),
    K("FDOP_DUP2", FDOP_DUP2), K("FDOP_CLEAR_CLOEXEC", FDOP_CLEAR_CLOEXEC),
    K("SIGKILL", SIGKILL), K("SIGTERM", SIGTERM), K("FDPLAN_MAX_PAIRS", FDPLAN_MAX_PAIRS),
    K("SI_SOCKET", PM_SI_SOCKET), K("SI_FIFO", PM_SI_FIFO), K("SI_OTHER", PM_SI_OTHER),
    K("SI_KIND", PM_SI_KIND), K("SI_FAMILY", PM_SI_FAMILY), K("SI_TYPE", PM_SI_TYPE),
    K("SI_LISTENING", PM_SI_LISTENING), K("SI_PORT", PM_SI_PORT), K("SI_LENGTH", PM_SI_LENGTH),
    K("SI_FIELDS", PM_SI_FIELDS), K("AF_INET", AF_INET), K("AF_INET6", AF_INET6), K("AF_UNIX", AF_UNIX),
    K("SOCK_STREAM", SOCK_STREAM), K("SOCK_DGRAM", SOCK_DGRAM), K("SOCK_SEQPACKET", SOCK_SEQPACKET),
};

#undef K

#define CONSTANT_COUNT ((int)(sizeof constants / sizeof constants[0]))

static const char *constant_text(int i, char *buf, size_t len)
{
    snprintf(buf, len, "%s=%d", constants[i].name, (int)constants[i].value);
    return buf;
}

static jobjectArray string_array(JNIEnv *env, int n, const char *(*text)(int, char *, size_t));

/* The constants as "NAME=value" strings, one per entry of the table above. */
static jobjectArray constants0(JNIEnv *env, jclass c)
{
    return string_array(env, CONSTANT_COUNT, constant_text);
}

static jobjectArray string_array(JNIEnv *env, int n, const char *(*text)(int, char *, size_t))
{
    jclass sc = (*env)->FindClass(env, "java/lang/String");
    if (!sc)
        return NULL;
    jobjectArray arr = (*env)->NewObjectArray(env, n, sc, NULL);
    (*env)->DeleteLocalRef(env, sc);
    if (!arr)
        return NULL;
    for (int i = 0; i < n; i++) {
        char buf[256];
        jstring s = (*env)->NewStringUTF(env, text(i, buf, sizeof buf));
        if (!s)
            return NULL;
        (*env)->SetObjectArrayElement(env, arr, i, s);
        (*env)->DeleteLocalRef(env, s);
    }
    return arr;
}

static const char *errno_text(int e, char *buf, size_t len)
{
    /* GNU strerror_r: thread-safe, may return a static string instead of buf. */
    return strerror_r(e, buf, len);
}

static const char *stage_text(int s, char *buf, size_t len)
{
    (void)buf;
    (void)len;
    return pm_spawn_stage_name(s);
}

static jobjectArray errnoTexts0(JNIEnv *env, jclass c, jint max)
{
    if (max < 0 || max > 4096)
        max = 0;
    return string_array(env, max, errno_text);
}

static jobjectArray stageNames0(JNIEnv *env, jclass c)
{
    return string_array(env, PM_STAGE_COUNT, stage_text);
}

static jint nop0(JNIEnv *env, jclass c, jint x)
{
    return x;
}

/* Copies an int[] (possibly null) into a malloc'd buffer; *n gets its length. */
static int copy_ints(JNIEnv *env, jintArray a, int **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!a)
        return 0;
    *n = (*env)->GetArrayLength(env, a);
    if (*n == 0)
        return 0;
    *out = malloc((size_t)*n * sizeof(int));
    if (!*out)
        return -ENOMEM;
    (*env)->GetIntArrayRegion(env, a, 0, *n, (jint *)*out);
    return (*env)->ExceptionCheck(env) ? -EFAULT : 0;
}

static jint spawn0(JNIEnv *env, jclass c, jbyteArray strings, jint nargv, jint nenv, jintArray fdplan,
                   jint flags, jint uid, jint gid, jintArray groups, jlongArray rlimits, jint mechanism,
                   jint cgroupFd, jintArray out)
{
    struct pm_spawn_req q;
    struct pm_spawn_res res;
    char *block = NULL;
    char **argv = NULL, **envp = NULL;
    int *plan = NULL, *grp = NULL, nplan = 0, ngrp = 0;
    int *src = NULL, *dst = NULL;
    struct pm_rlimit *rl = NULL;
    jlong *rlraw = NULL;
    int r = -EINVAL;

    memset(&q, 0, sizeof q);
    memset(&res, 0, sizeof res);
    res.stage = PM_STAGE_PREPARE;
    int hascwd = (flags & PM_SPAWN_HAS_CWD) != 0;
    jsize blen = (*env)->GetArrayLength(env, strings);
    if (strblock_check(blen, nargv, nenv, hascwd) < 0)
        goto done;

    /* path, argv..., envp..., [cwd]: each NUL-terminated; the count must match. */
    block = malloc((size_t)blen);
    argv = calloc((size_t)nargv + 1, sizeof *argv);
    envp = calloc((size_t)nenv + 1, sizeof *envp);
    if (!block || !argv || !envp) {
        r = -ENOMEM;
        goto done;
    }
    (*env)->GetByteArrayRegion(env, strings, 0, blen, (jbyte *)block);
    if ((*env)->ExceptionCheck(env)) {
        r = -EFAULT;
        goto done;
    }
    {
        char *path, *cwd;
        if (strblock_split(block, blen, nargv, nenv, hascwd, &path, argv, envp, &cwd) < 0)
            goto done;
        q.path = path;
        q.cwd = cwd;
    }
    if ((r = copy_ints(env, fdplan, &plan, &nplan)) < 0)
        goto done;
    if (nplan % 2 || nplan / 2 > FDPLAN_MAX_PAIRS) {
        r = -EINVAL;
        goto done;
    }
    src = malloc(sizeof(int) * (size_t)(nplan / 2 + 1));
    dst = malloc(sizeof(int) * (size_t)(nplan / 2 + 1));
    if (!src || !dst) {
        r = -ENOMEM;
        goto done;
    }
    for (int i = 0; i < nplan / 2; i++) {
        src[i] = plan[2 * i];
        dst[i] = plan[2 * i + 1];
    }
    if ((r = copy_ints(env, groups, &grp, &ngrp)) < 0)
        goto done;
    if (rlimits) {
        jsize nl = (*env)->GetArrayLength(env, rlimits);
        if (nl % 3) {
            r = -EINVAL;
            goto done;
        }
        if (nl > 0) {
            rlraw = malloc(sizeof(jlong) * (size_t)nl);
            rl = malloc(sizeof *rl * (size_t)(nl / 3));
            if (!rlraw || !rl) {
                r = -ENOMEM;
                goto done;
            }
            (*env)->GetLongArrayRegion(env, rlimits, 0, nl, rlraw);
            if ((*env)->ExceptionCheck(env)) {
                r = -EFAULT;
                goto done;
            }
            for (int i = 0; i < nl / 3; i++) {
                rl[i].resource = (int)rlraw[3 * i];
                rl[i].cur = (uint64_t)rlraw[3 * i + 1];
                rl[i].max = (uint64_t)rlraw[3 * i + 2];
            }
            q.rlimits = rl;
            q.nrlimits = nl / 3;
        }
    }
    q.argv = argv;
    q.envp = envp;
    q.fd_src = src;
    q.fd_dst = dst;
    q.nfds = nplan / 2;
    q.flags = flags & ~(PM_SPAWN_HAS_CWD | PM_SPAWN_CGROUP);
    if (cgroupFd >= 0) {
        q.flags |= PM_SPAWN_CGROUP;
        q.cgroup_fd = cgroupFd;
    }
    q.uid = (uid_t)uid;
    q.gid = (gid_t)gid;
    q.groups = (const gid_t *)grp;
    q.ngroups = ngrp;
    q.mechanism = mechanism;
    r = pm_spawn(&q, &res);
done:
    {
        jint o[7] = { res.pid, res.pidfd, res.stage, res.mechanism, res.op_kind, res.op_a, res.op_b };
        if (!(*env)->ExceptionCheck(env))
            (*env)->SetIntArrayRegion(env, out, 0, 7, o);
    }
    free(block);
    free(argv);
    free(envp);
    free(plan);
    free(src);
    free(dst);
    free(grp);
    free(rl);
    free(rlraw);
    return r;
}

static jint reap0(JNIEnv *env, jclass c, jint pidfd, jboolean nohang, jintArray out)
{
    struct pm_exit x;
    int r = pm_reap(pidfd, nohang, &x);
    if (r > 0) {
        jint o[4] = { x.pid, x.code, x.signal, x.core };
        (*env)->SetIntArrayRegion(env, out, 0, 4, o);
    }
    return r;
}

static jint signal0(JNIEnv *env, jclass c, jint pidfd, jint sig)
{
    return pm_signal(pidfd, sig);
}

static jlong loopCreate0(JNIEnv *env, jclass c)
{
    int err = 0;
    pm_loop_t l = pm_loop_create(&err);
    return l ? (jlong)l : -(jlong)err;
}

static jint loopCtl0(JNIEnv *env, jclass c, jlong loop, jint op, jint fd, jint kind, jint tag, jint events)
{
    return pm_loop_ctl((pm_loop_t)loop, op, fd, kind, tag, (unsigned)events);
}

/* The address and capacity of a direct buffer, checked against [off, off+len). */
static char *direct(JNIEnv *env, jobject buf, jint off, jint len)
{
    char *base = (*env)->GetDirectBufferAddress(env, buf);
    jlong cap = (*env)->GetDirectBufferCapacity(env, buf);
    if (!base || off < 0 || len < 0 || (jlong)off + len > cap)
        return NULL;
    return base + off;
}

static jint loopPoll0(JNIEnv *env, jclass c, jlong loop, jobject buf, jint cap, jint timeout)
{
    struct pm_event *ev = (struct pm_event *)direct(env, buf, 0, cap * (jint)sizeof(struct pm_event));
    if (!ev || cap <= 0)
        return -EINVAL;
    return pm_loop_poll((pm_loop_t)loop, ev, cap, timeout);
}

static jint loopWakeup0(JNIEnv *env, jclass c, jlong loop)
{
    return pm_loop_wakeup((pm_loop_t)loop);
}

static void loopDestroy0(JNIEnv *env, jclass c, jlong loop)
{
    pm_loop_destroy((pm_loop_t)loop);
}

static jint close0(JNIEnv *env, jclass c, jlong loop, jint fd)
{
    return pm_loop_close_fd((pm_loop_t)loop, fd);
}

static jint channel0(JNIEnv *env, jclass c, jint kind, jintArray out)
{
    int fds[2];
    int r = pm_channel(kind, fds);
    if (r == 0) {
        jint o[2] = { fds[0], fds[1] };
        (*env)->SetIntArrayRegion(env, out, 0, 2, o);
    }
    return r;
}

/*
 * A Java byte[] path or address as a C string in buf: -ENAMETOOLONG when it does not fit,
 * -EINVAL when it holds a NUL (the C side would see a shorter name), -EFAULT on a JNI exception.
 */
static int c_string(JNIEnv *env, jbyteArray a, char *buf, size_t size)
{
    jsize n = (*env)->GetArrayLength(env, a);
    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)buf);
    if ((*env)->ExceptionCheck(env))
        return -EFAULT;
    buf[n] = 0;
    if (memchr(buf, 0, (size_t)n))
        return -EINVAL;
    return 0;
}

static jint listen0(JNIEnv *env, jclass c, jint kind, jbyteArray addr, jint port, jint backlog, jint mode)
{
    char buf[4096];
    int r = c_string(env, addr, buf, sizeof buf);
    return r < 0 ? r : pm_listen(kind, buf, port, backlog, mode);
}

static jint localPort0(JNIEnv *env, jclass c, jint fd)
{
    return pm_local_port(fd);
}

static jint read0(JNIEnv *env, jclass c, jint fd, jobject buf, jint off, jint len)
{
    char *p = direct(env, buf, off, len);
    ssize_t r;
    if (!p)
        return -EINVAL;
    do
        r = read(fd, p, (size_t)len);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (jint)r;
}

static jint write0(JNIEnv *env, jclass c, jint fd, jobject buf, jint off, jint len)
{
    const char *p = direct(env, buf, off, len);
    ssize_t r;
    if (!p)
        return -EINVAL;
    /* send() with MSG_NOSIGNAL: a helper that went away must not raise SIGPIPE in the JVM. */
    do {
        r = send(fd, p, (size_t)len, MSG_NOSIGNAL);
        if (r < 0 && errno == ENOTSOCK)
            r = write(fd, p, (size_t)len);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (jint)r;
}

/* A connection from a listener: close-on-exec, blocking; -EAGAIN when another process took it. */
static jint accept0(JNIEnv *env, jclass c, jint fd)
{
    int r;
    do
        r = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

/* An AF_UNIX datagram socket for sending only: non-blocking, close-on-exec. */
static jint dgramClient0(JNIEnv *env, jclass c)
{
    return pm_dgram_client();
}

/* One datagram of data[0..len) to the socket at path; never waits (-EAGAIN when full). */
static jint dgramSend0(JNIEnv *env, jclass c, jint fd, jbyteArray path, jbyteArray data, jint len)
{
    char where[128];
    char buf[PM_DGRAM_MAX];
    int r = c_string(env, path, where, sizeof where);
    if (r < 0)
        return r;
    if (len < 0 || len > (*env)->GetArrayLength(env, data))
        return -EINVAL;
    if ((size_t)len > sizeof buf)
        return -EMSGSIZE;
    (*env)->GetByteArrayRegion(env, data, 0, len, (jbyte *)buf);
    if ((*env)->ExceptionCheck(env))
        return -EFAULT;
    return pm_dgram_send(fd, where, buf, (size_t)len);
}

/*
 * An exclusive flock(2) on a file, as Postfix's master takes its lock files on Linux
 * (INTERNAL_LOCK is flock there): open(O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC|O_NOCTTY, mode),
 * then flock(LOCK_EX|LOCK_NB). Returns the descriptor, which holds the lock until it is closed
 * (the lock belongs to the open file, not to the process: another open of the same file, in
 * this process too, is refused), or -errno: -EWOULDBLOCK when another open file holds it.
 * out (5 longs): st_dev, st_ino, st_mode, st_nlink, st_uid of the file opened, for the caller
 * to check before it writes (a regular file, the node it examined, one link).
 */
static jint lockFile0(JNIEnv *env, jclass c, jbyteArray path, jint mode, jlongArray out)
{
    char buf[4096];
    struct stat st;
    int fd, r, e;
    if ((r = c_string(env, path, buf, sizeof buf)) < 0)
        return r;
    do
        fd = open(buf, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, (mode_t)mode);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        e = errno;
        close(fd);
        return -e;
    }
    jlong o[5] = { (jlong)st.st_dev, (jlong)st.st_ino, (jlong)st.st_mode, (jlong)st.st_nlink, (jlong)st.st_uid };
    (*env)->SetLongArrayRegion(env, out, 0, 5, o);
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    do
        r = flock(fd, LOCK_EX | LOCK_NB);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/*
 * Replaces a file's content through a descriptor (one lockFile0 returned): pwrite at offset 0
 * until all is written, then ftruncate to its length and fdatasync. 0 or -errno. Through the
 * descriptor, not the path: what is written is the node that is locked, whatever the directory
 * holds by now.
 */
static jint rewrite0(JNIEnv *env, jclass c, jint fd, jbyteArray content)
{
    char buf[4096];
    jsize n = (*env)->GetArrayLength(env, content);
    ssize_t done = 0, r;
    if (n < 0 || (size_t)n > sizeof buf)
        return -EFBIG;
    (*env)->GetByteArrayRegion(env, content, 0, n, (jbyte *)buf);
    if ((*env)->ExceptionCheck(env))
        return -EFAULT;
    while (done < n) {
        r = pwrite(fd, buf + done, (size_t)(n - done), (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        done += r;
    }
    if (ftruncate(fd, (off_t)n) < 0 || fdatasync(fd) < 0)
        return -errno;
    return 0;
}

/* fchown(fd, uid, -1): the node the descriptor holds, never what a path names by now. 0 or -errno. */
static jint fchown0(JNIEnv *env, jclass c, jint fd, jint uid)
{
    return fchown(fd, (uid_t)uid, (gid_t)-1) < 0 ? -errno : 0;
}

/* open("/dev/null", O_RDWR|O_CLOEXEC): what a Postfix daemon finds as fds 0, 1 and 2. */
static jint devNull0(JNIEnv *env, jclass c)
{
    int fd;
    do
        fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

/* The master's wakeup triggers (sock.h): a non-blocking connection, its outcome, a passed descriptor. */
static jint connect0(JNIEnv *env, jclass c, jint kind, jbyteArray addr, jint port)
{
    char buf[4096];
    int r = c_string(env, addr, buf, sizeof buf);
    return r < 0 ? r : pm_connect(kind, buf, port);
}

static jint socketError0(JNIEnv *env, jclass c, jint fd)
{
    return pm_socket_error(fd);
}

static jint sendFd0(JNIEnv *env, jclass c, jint sock, jint fd)
{
    return pm_send_fd(sock, fd);
}

/* prctl(PR_GET_CHILD_SUBREAPER): 1 when orphaned descendants are reparented to this process, 0 if not, or -errno. */
static jint childSubreaper0(JNIEnv *env, jclass c)
{
    int v = 0;
    return prctl(PR_GET_CHILD_SUBREAPER, (unsigned long)&v, 0UL, 0UL, 0UL) < 0 ? -errno : (v != 0);
}

/* socket activation: out gets PM_SI_FIELDS ints, address the bound address text (pm_socket_info). */
static jint socketInfo0(JNIEnv *env, jclass c, jint fd, jboolean adopt, jintArray out, jbyteArray address)
{
    int o[PM_SI_FIELDS];
    char text[256];
    jsize cap = (*env)->GetArrayLength(env, address);
    if ((*env)->GetArrayLength(env, out) < PM_SI_FIELDS || cap <= 0)
        return -EINVAL;
    int r = pm_socket_info(fd, adopt, o, text, (size_t)cap < sizeof text ? (size_t)cap : sizeof text);
    if (r < 0)
        return r;
    (*env)->SetIntArrayRegion(env, out, 0, PM_SI_FIELDS, (const jint *)o);
    (*env)->SetByteArrayRegion(env, address, 0, o[PM_SI_LENGTH], (const jbyte *)text);
    return (*env)->ExceptionCheck(env) ? -EFAULT : 0;
}

/*
 * open(path, O_RDONLY|O_CLOEXEC, with O_DIRECTORY when asked): a cgroup directory
 * for CLONE_INTO_CGROUP, or a cgroup file to watch for EPOLLPRI; or -errno.
 */
static jint openReadOnly0(JNIEnv *env, jclass c, jbyteArray path, jboolean directory)
{
    char buf[4096];
    int r = c_string(env, path, buf, sizeof buf);
    if (r < 0)
        return r;
    int fd;
    do
        fd = open(buf, O_RDONLY | O_CLOEXEC | O_NOCTTY | (directory ? O_DIRECTORY : 0));
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

/* The loop's epoll descriptor (for a caller's own poll; see loop.h), or -EBADF once destroyed. */
static jint loopFd0(JNIEnv *env, jclass c, jlong loop)
{
    return pm_loop_fd((pm_loop_t)loop);
}

/*
 * poll(2) on one descriptor for up to timeoutMillis (a helper pool's caller waiting for its
 * helper's reply, docs/helpers.md "The synchronous fast path"): the revents bits (POLLIN, POLLHUP,
 * ...), 0 when the time passed or a signal interrupted the wait (the caller re-checks and waits
 * again), or -errno.
 */
static jint poll0(JNIEnv *env, jclass c, jint fd, jint events, jint timeoutMillis)
{
    struct pollfd p = { .fd = fd, .events = (short)events, .revents = 0 };
    int r = poll(&p, 1, timeoutMillis);
    if (r < 0)
        return errno == EINTR ? 0 : -errno;
    return r == 0 ? 0 : (jint)(unsigned short)p.revents;
}

static const JNINativeMethod methods[] = {
    { "constants0", "()[Ljava/lang/String;", (void *)constants0 },
    { "errnoTexts0", "(I)[Ljava/lang/String;", (void *)errnoTexts0 },
    { "stageNames0", "()[Ljava/lang/String;", (void *)stageNames0 },
    { "nop0", "(I)I", (void *)nop0 },
    { "spawn0", "([BII[IIII[I[JII[I)I", (void *)spawn0 },
    { "reap0", "(IZ[I)I", (void *)reap0 },
    { "signal0", "(II)I", (void *)signal0 },
    { "loopCreate0", "()J", (void *)loopCreate0 },
    { "loopCtl0", "(JIIIII)I", (void *)loopCtl0 },
    { "loopPoll0", "(JLjava/nio/ByteBuffer;II)I", (void *)loopPoll0 },
    { "loopWakeup0", "(J)I", (void *)loopWakeup0 },
    { "loopDestroy0", "(J)V", (void *)loopDestroy0 },
    { "close0", "(JI)I", (void *)close0 },
    { "channel0", "(I[I)I", (void *)channel0 },
    { "listen0", "(I[BIII)I", (void *)listen0 },
    { "localPort0", "(I)I", (void *)localPort0 },
    { "read0", "(ILjava/nio/ByteBuffer;II)I", (void *)read0 },
    { "write0", "(ILjava/nio/ByteBuffer;II)I", (void *)write0 },
    { "accept0", "(I)I", (void *)accept0 },
    { "dgramClient0", "()I", (void *)dgramClient0 },
    { "dgramSend0", "(I[B[BI)I", (void *)dgramSend0 },
    { "lockFile0", "([BI[J)I", (void *)lockFile0 },
    { "devNull0", "()I", (void *)devNull0 },
    { "rewrite0", "(I[B)I", (void *)rewrite0 },
    { "fchown0", "(II)I", (void *)fchown0 },
    { "connect0", "(I[BI)I", (void *)connect0 },
    { "socketError0", "(I)I", (void *)socketError0 },
    { "sendFd0", "(II)I", (void *)sendFd0 },
    { "childSubreaper0", "()I", (void *)childSubreaper0 },
    { "socketInfo0", "(IZ[I[B)I", (void *)socketInfo0 },
    { "openReadOnly0", "([BZ)I", (void *)openReadOnly0 },
    { "loopFd0", "(J)I", (void *)loopFd0 },
    { "poll0", "(III)I", (void *)poll0 },
};

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    jclass cls = (*env)->FindClass(env, NATIVE_CLASS);
    if (!cls)
        return JNI_ERR;
    jint r = (*env)->RegisterNatives(env, cls, methods, (jint)(sizeof methods / sizeof methods[0]));
    (*env)->DeleteLocalRef(env, cls);
    return r == 0 ? JNI_VERSION_1_8 : JNI_ERR;
}

JNIEXPORT void JNI_OnUnload(JavaVM *vm, void *reserved)
{
    (void)vm;
    (void)reserved;
}
