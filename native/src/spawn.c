/*
 * spawn - see spawn.h. The parent prepares everything (fd plan, close
 * ranges, limits) in memory the child can read; the child only issues raw
 * system calls and reports a failure by writing the stage and errno into
 * that shared memory before it exits 127.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clone3.h"
#include "fdplan.h"
#include "rawsys.h"
#include "spawn.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL /* linux/sched.h of kernel 5.7 */
#endif

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define PM_MAX_RLIMITS 32
#define PM_NSIG 64

/* Once clone3 has been refused, AUTO stops asking (it would be refused again). */
static int clone3_refused;

static const char *const stage_names[PM_STAGE_COUNT] = {
    [PM_STAGE_NONE] = "none",
    [PM_STAGE_PREPARE] = "prepare",
    [PM_STAGE_CLONE] = "clone3",
    [PM_STAGE_FDPLAN] = "dup2",
    [PM_STAGE_CLOSE_RANGE] = "close_range",
    [PM_STAGE_CHDIR] = "chdir",
    [PM_STAGE_SETSID] = "setsid",
    [PM_STAGE_SETGROUPS] = "setgroups",
    [PM_STAGE_SETGID] = "setgid",
    [PM_STAGE_SETUID] = "setuid",
    [PM_STAGE_RLIMIT] = "setrlimit",
    [PM_STAGE_SIGNALS] = "sigaction",
    [PM_STAGE_EXECVE] = "execve",
    [PM_STAGE_POSIX_SPAWN] = "posix_spawn",
    [PM_STAGE_PIDFD_OPEN] = "pidfd_open",
    [PM_STAGE_CGROUP] = "cgroup.procs",
};

const char *pm_spawn_stage_name(int stage)
{
    if (stage < 0 || stage >= PM_STAGE_COUNT)
        return "unknown";
    return stage_names[stage];
}

/* Everything the child reads, prepared by the parent; failure written back. */
struct child_ctx {
    const struct pm_spawn_req *req;
    struct fdop ops[FDPLAN_MAX_OPS];
    int nops;
    struct fdrange gaps[FDPLAN_MAX_PAIRS + 4];
    int ngaps;
    int rl_resource[PM_MAX_RLIMITS];
    struct pm_kernel_rlimit rl[PM_MAX_RLIMITS];
    struct pm_kernel_sigaction dfl;
    uint64_t empty_mask;
    volatile int stage;
    volatile int err;
    volatile int failed_op;     /* index into ops, at PM_STAGE_FDPLAN; else -1 */
};

PM_CHILD_CODE static void child_fail(struct child_ctx *c, int stage, long r)
{
    c->stage = stage;
    c->err = (int)-r;
    for (;;)
        RAW1(SYS_exit_group, 127);
}

/* The child between clone and execve. Returns never. */
PM_CHILD_CODE static int child_main(void *arg)
{
    struct child_ctx *c = arg;
    const struct pm_spawn_req *q = c->req;
    int failed_op;
    long r;

    if ((r = fdplan_apply(c->ops, c->nops, &failed_op)) < 0) {
        c->failed_op = failed_op;
        child_fail(c, PM_STAGE_FDPLAN, r);
    }
    if ((r = fdplan_close_gaps(c->gaps, c->ngaps)) < 0)
        child_fail(c, PM_STAGE_CLOSE_RANGE, r);
    if (q->cwd && (r = RAW1(SYS_chdir, q->cwd)) < 0)
        child_fail(c, PM_STAGE_CHDIR, r);
    if ((q->flags & PM_SPAWN_SETSID) && (r = RAW0(SYS_setsid)) < 0)
        child_fail(c, PM_STAGE_SETSID, r);
    if ((q->flags & PM_SPAWN_SETGROUPS) && (r = RAW2(SYS_setgroups, q->ngroups, q->groups)) < 0)
        child_fail(c, PM_STAGE_SETGROUPS, r);
    if ((q->flags & PM_SPAWN_SETGID) && (r = RAW1(SYS_setgid, q->gid)) < 0)
        child_fail(c, PM_STAGE_SETGID, r);
    if ((q->flags & PM_SPAWN_SETUID) && (r = RAW1(SYS_setuid, q->uid)) < 0)
        child_fail(c, PM_STAGE_SETUID, r);
    for (int i = 0; i < q->nrlimits; i++)
        if ((r = RAW4(SYS_prlimit64, 0, c->rl_resource[i], &c->rl[i], 0)) < 0)
            child_fail(c, PM_STAGE_RLIMIT, r);
    /*
     * CLONE_CLEAR_SIGHAND reset the JVM's handlers; signals the JVM was told
     * to ignore (nohup, a shell's background job) would survive exec, so
     * every disposition goes back to default. SIGKILL and SIGSTOP cannot be
     * changed and are skipped.
     */
    for (int sig = 1; sig <= PM_NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        if ((r = RAW4(SYS_rt_sigaction, sig, &c->dfl, 0, PM_KERNEL_SIGSET_SIZE)) < 0 && r != -EINVAL)
            child_fail(c, PM_STAGE_SIGNALS, r);
    }
    if ((r = RAW4(SYS_rt_sigprocmask, SIG_SETMASK, &c->empty_mask, 0, PM_KERNEL_SIGSET_SIZE)) < 0)
        child_fail(c, PM_STAGE_SIGNALS, r);
    r = RAW3(SYS_execve, q->path, q->argv, q->envp);
    child_fail(c, PM_STAGE_EXECVE, r);
    return 0;
}

static int reap_failed(int pidfd)
{
    siginfo_t si;
    while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
        ;
    close(pidfd);
    return 0;
}

static int spawn_clone3(struct child_ctx *c, struct pm_spawn_res *res)
{
    char stack[PM_CHILD_STACK] __attribute__((aligned(64)));
    struct clone_args ca;
    sigset_t all, old;
    int pidfd = -1;
    long r;

    if ((r = pm_clone3_args(&ca, stack, sizeof stack, &pidfd)) < 0) {
        res->stage = PM_STAGE_CLONE;
        return (int)r;
    }
    if (c->req->flags & PM_SPAWN_CGROUP) {
        /* The kernel places the child; nothing runs in the child for it. */
        ca.flags |= CLONE_INTO_CGROUP;
        ca.cgroup = (uint64_t)c->req->cgroup_fd;
    }

    /* No handler may run in the child before its dispositions are reset. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = pm_clone3_run(&ca, child_main, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    if (r < 0) {
        res->stage = PM_STAGE_CLONE;
        return (int)r;
    }
    if (c->err) {
        reap_failed(pidfd);
        res->stage = c->stage;
        if (c->stage == PM_STAGE_FDPLAN && c->failed_op >= 0 && c->failed_op < c->nops) {
            res->op_kind = c->ops[c->failed_op].kind;
            res->op_a = c->ops[c->failed_op].a;
            res->op_b = c->ops[c->failed_op].b;
        }
        return -c->err;
    }
    res->pid = (int)r;
    res->pidfd = pidfd;
    return 0;
}

/* Writes pid to <dirfd>/cgroup.procs: 0, or the errno of the open or write. */
static int join_cgroup(int dirfd, pid_t pid)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%d\n", (int)pid);
    int fd = openat(dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    ssize_t w;
    while ((w = write(fd, buf, (size_t)n)) < 0 && errno == EINTR)
        ;
    int err = w == n ? 0 : (w < 0 ? errno : EIO);
    close(fd);
    return err;
}

static int spawn_posix(struct child_ctx *c, int scratch, struct pm_spawn_res *res)
{
    const struct pm_spawn_req *q = c->req;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t set;
    pid_t pid;
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    int e = 0;

    if (q->flags & (PM_SPAWN_SETUID | PM_SPAWN_SETGID | PM_SPAWN_SETGROUPS) || q->nrlimits > 0) {
        res->stage = PM_STAGE_POSIX_SPAWN;
        return -ENOTSUP;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    for (int i = 0; i < c->nops && !e; i++) {
        if (c->ops[i].kind == FDOP_DUP2) {
            e = posix_spawn_file_actions_adddup2(&fa, c->ops[i].a, c->ops[i].b);
        } else {
            /* dup2(fd, fd) does not clear FD_CLOEXEC everywhere: go round the scratch number. */
            e = posix_spawn_file_actions_adddup2(&fa, c->ops[i].a, scratch);
            if (!e)
                e = posix_spawn_file_actions_adddup2(&fa, scratch, c->ops[i].a);
        }
    }
    for (int i = 0; i < c->ngaps && !e; i++) {
        if (c->gaps[i].last == ~0U)
            e = posix_spawn_file_actions_addclosefrom_np(&fa, (int)c->gaps[i].first);
        else
            for (unsigned int fd = c->gaps[i].first; fd <= c->gaps[i].last && !e; fd++)
                e = posix_spawn_file_actions_addclose(&fa, (int)fd);
    }
    if (!e && q->cwd)
        e = posix_spawn_file_actions_addchdir_np(&fa, q->cwd);
    sigemptyset(&set);
    if (!e)
        e = posix_spawnattr_setsigmask(&attr, &set);
    /*
     * Every signal back to default. sigfillset() leaves out glibc's two
     * internal signals, which its spawn child then sets to SIG_IGN and which
     * would stay ignored after exec: set every bit by hand instead.
     */
    memset(&set, 0xff, sizeof set);
    if (!e)
        e = posix_spawnattr_setsigdefault(&attr, &set);
    if (q->flags & PM_SPAWN_SETSID)
        flags |= POSIX_SPAWN_SETSID;
    if (!e)
        e = posix_spawnattr_setflags(&attr, flags);
    if (e) {
        res->stage = PM_STAGE_PREPARE;
    } else if ((e = posix_spawn(&pid, q->path, &fa, &attr, q->argv, q->envp)) != 0) {
        /* glibc reports exec failures synchronously and has reaped the child. */
        res->stage = PM_STAGE_POSIX_SPAWN;
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (e)
        return -e;

    /* The child is ours and unreaped (a zombie at worst): its pid cannot be reused yet. */
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        int err = errno;
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        res->stage = PM_STAGE_PIDFD_OPEN;
        return -err;
    }
    /*
     * posix_spawn cannot join a cgroup before exec (spawn.h): move the child
     * now. Until this write it runs, and may fork, in the master's cgroup.
     */
    if (q->flags & PM_SPAWN_CGROUP) {
        int err = join_cgroup(q->cgroup_fd, pid);
        if (err) {
            kill(pid, SIGKILL);
            reap_failed((int)fd);
            res->stage = PM_STAGE_CGROUP;
            return -err;
        }
    }
    res->pid = pid;
    res->pidfd = (int)fd;
    return 0;
}

int pm_spawn_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX)
        return INT_MAX;
    return (int)rl.rlim_cur;
}

int pm_spawn(const struct pm_spawn_req *q, struct pm_spawn_res *res)
{
    struct child_ctx c;
    int scratch = 3;

    res->pid = -1;
    res->pidfd = -1;
    res->stage = PM_STAGE_PREPARE;
    res->mechanism = 0;
    res->op_kind = 0;
    res->op_a = -1;
    res->op_b = -1;
    if (!q->path || q->path[0] != '/' || !q->argv || !q->envp)
        return -EINVAL;
    if (q->nfds < 0 || q->nfds > FDPLAN_MAX_PAIRS || q->nrlimits < 0 || q->nrlimits > PM_MAX_RLIMITS)
        return -E2BIG;
    if (q->ngroups < 0 || (q->ngroups > 0 && !q->groups))
        return -EINVAL;
    if ((q->flags & PM_SPAWN_CGROUP) && q->cgroup_fd < 0)
        return -EBADF;

    /* Range first: the scratch number below is one above the largest fd. */
    int fd_limit = pm_spawn_fd_limit();
    for (int i = 0; i < q->nfds; i++)
        if (q->fd_src[i] < 0 || q->fd_src[i] >= fd_limit || q->fd_dst[i] < 0 || q->fd_dst[i] >= fd_limit)
            return -EBADF;

    memset(&c, 0, sizeof c);
    c.req = q;
    c.failed_op = -1;
    for (int i = 0; i < q->nfds; i++) {
        if (q->fd_src[i] >= scratch)
            scratch = q->fd_src[i] + 1;
        if (q->fd_dst[i] >= scratch)
            scratch = q->fd_dst[i] + 1;
    }
    c.nops = fdplan_compute(q->fd_src, q->fd_dst, q->nfds, scratch, c.ops, FDPLAN_MAX_OPS);
    if (c.nops < 0)
        return c.nops;
    c.ngaps = fdplan_gaps(q->fd_dst, q->nfds, c.gaps, (int)(sizeof c.gaps / sizeof c.gaps[0]));
    if (c.ngaps < 0)
        return c.ngaps;
    for (int i = 0; i < q->nrlimits; i++) {
        c.rl_resource[i] = q->rlimits[i].resource;
        c.rl[i].cur = q->rlimits[i].cur;
        c.rl[i].max = q->rlimits[i].max;
    }

    int mech = q->mechanism;
    if (mech == PM_MECH_AUTO)
        mech = __atomic_load_n(&clone3_refused, __ATOMIC_RELAXED) ? PM_MECH_POSIX_SPAWN : PM_MECH_CLONE3;
    if (mech == PM_MECH_CLONE3) {
        res->mechanism = PM_MECH_CLONE3;
        int r = spawn_clone3(&c, res);
        /* Into a cgroup, EPERM is the cgroup's answer (not delegated), not a refused clone3. */
        int refused = r == -ENOSYS || (r == -EPERM && !(q->flags & PM_SPAWN_CGROUP));
        if (!refused || res->stage != PM_STAGE_CLONE || q->mechanism != PM_MECH_AUTO)
            return r;
        __atomic_store_n(&clone3_refused, 1, __ATOMIC_RELAXED);
        mech = PM_MECH_POSIX_SPAWN;
    }
    res->mechanism = PM_MECH_POSIX_SPAWN;
    res->stage = PM_STAGE_PREPARE;
    return spawn_posix(&c, scratch, res);
}
