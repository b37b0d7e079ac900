/*
 * spawn - start a child with vfork semantics and get a pidfd for it
 *
 * SYNOPSIS
 *   int pm_spawn(const struct pm_spawn_req *req, struct pm_spawn_res *res);
 *   const char *pm_spawn_stage_name(int stage);
 *   int pm_spawn_fd_limit(void);
 *
 * DESCRIPTION
 *   pm_spawn() starts req->path with an explicit argv and envp, the fd plan
 *   req->fd_src[i] -> req->fd_dst[i] applied (fdplan.h), every other
 *   descriptor above 2 closed, an empty signal mask, default dispositions
 *   for every signal, and the optional cwd, setsid, groups, gid, uid and
 *   resource limits. On success res holds the pid and a pidfd (O_CLOEXEC).
 *
 *   PM_MECH_CLONE3: clone3(CLONE_VM|CLONE_VFORK|CLONE_PIDFD|
 *   CLONE_CLEAR_SIGHAND) on a small private stack. The parent thread is
 *   suspended until the child has exec'd or died, so the child may read the
 *   parent's prepared memory; it runs raw system calls only (rawsys.h): no
 *   malloc, no locks, no errno, no JNI. Cost does not grow with the heap:
 *   no page tables are copied. The child's exit signal is 0, so nobody's
 *   waitpid(-1) (without __WALL) can steal its status and an ignored
 *   SIGCHLD in the host cannot auto-reap it; only its pidfd reaps it.
 *
 *   PM_MECH_POSIX_SPAWN: glibc posix_spawn + pidfd_open, for kernels or
 *   sandboxes that refuse clone3 (ENOSYS, EPERM). uid/gid/groups/rlimits
 *   are not expressible there and fail with ENOTSUP.
 *
 *   PM_MECH_AUTO: clone3, falling back for good once it is refused.
 *
 *   PM_SPAWN_CGROUP (req->cgroup_fd: an O_DIRECTORY descriptor of a cgroup2
 *   directory): the child starts in that cgroup. With clone3 the kernel
 *   puts it there at clone time (CLONE_INTO_CGROUP, kernel >= 5.7): it never
 *   runs a single instruction elsewhere, so neither can anything it forks.
 *   posix_spawn cannot join a cgroup before exec: pm_spawn writes the pid to
 *   <cgroup_fd>/cgroup.procs right after posix_spawn returns. In that window
 *   (from exec until the write, typically microseconds, unbounded under load)
 *   the child runs in the master's cgroup, and a process it forks there stays
 *   there: it escapes the service's limits and cgroup.kill. If the write
 *   fails the child is killed and reaped and the error is reported at
 *   PM_STAGE_CGROUP. Without the flag cgroup_fd is ignored (a zeroed request
 *   means "no cgroup", never descriptor 0).
 *
 * DIAGNOSTICS
 *   0 on success, else -errno with res->stage naming the step that failed
 *   (pm_spawn_stage_name); at PM_STAGE_FDPLAN, res->op_kind, op_a and op_b
 *   name the descriptor operation that failed (dup2 op_a -> op_b, or
 *   clearing FD_CLOEXEC on op_a). A source or target descriptor below 0 or not
 *   below pm_spawn_fd_limit() (the soft RLIMIT_NOFILE, read in the parent
 *   before clone; INT_MAX if unlimited) is -EBADF at PM_STAGE_PREPARE: no
 *   child can hold or receive such a number, and nothing is computed on it. A child that failed before or at execve has been
 *   reaped and its pidfd closed before pm_spawn returns: no zombie, no fd.
 *   PM_SPAWN_CGROUP with a negative cgroup_fd is -EBADF at PM_STAGE_PREPARE.
 *   With clone3, a refused CLONE_INTO_CGROUP is reported at PM_STAGE_CLONE
 *   (E2BIG or EINVAL: a kernel older than 5.7; EBUSY or EOPNOTSUPP: the cgroup
 *   has controllers enabled in its own subtree_control, cgroup2's
 *   no-internal-processes rule; EACCES/EPERM: not delegated to us); with
 *   PM_SPAWN_CGROUP only ENOSYS counts as a refused clone3 for PM_MECH_AUTO's
 *   fallback, since EPERM is then the cgroup's answer.
 */
#ifndef PROCMASTER_SPAWN_H
#define PROCMASTER_SPAWN_H

#include <stdint.h>
#include <sys/types.h>

enum pm_mechanism { PM_MECH_AUTO = 0, PM_MECH_CLONE3 = 1, PM_MECH_POSIX_SPAWN = 2 };

enum pm_spawn_flags {
    PM_SPAWN_SETSID = 1,
    PM_SPAWN_SETUID = 2,
    PM_SPAWN_SETGID = 4,
    PM_SPAWN_SETGROUPS = 8,
    PM_SPAWN_CGROUP = 16        /* start in req->cgroup_fd (see DESCRIPTION) */
};

/* The step that failed; the order is the order of execution in the child. */
enum pm_stage {
    PM_STAGE_NONE = 0,
    PM_STAGE_PREPARE,
    PM_STAGE_CLONE,
    PM_STAGE_FDPLAN,
    PM_STAGE_CLOSE_RANGE,
    PM_STAGE_CHDIR,
    PM_STAGE_SETSID,
    PM_STAGE_SETGROUPS,
    PM_STAGE_SETGID,
    PM_STAGE_SETUID,
    PM_STAGE_RLIMIT,
    PM_STAGE_SIGNALS,
    PM_STAGE_EXECVE,
    PM_STAGE_POSIX_SPAWN,
    PM_STAGE_PIDFD_OPEN,
    PM_STAGE_CGROUP,            /* posix_spawn: writing the pid to cgroup.procs */
    PM_STAGE_COUNT
};

struct pm_rlimit {
    int resource;
    uint64_t cur;
    uint64_t max;
};

struct pm_spawn_req {
    const char *path;
    char *const *argv;
    char *const *envp;
    const int *fd_src;
    const int *fd_dst;
    int nfds;
    const char *cwd;            /* NULL: inherit */
    int flags;                  /* pm_spawn_flags */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    int ngroups;
    const struct pm_rlimit *rlimits;
    int nrlimits;
    int mechanism;              /* pm_mechanism */
    int cgroup_fd;              /* with PM_SPAWN_CGROUP: a cgroup2 directory */
};

struct pm_spawn_res {
    int pid;
    int pidfd;
    int stage;                  /* pm_stage, on failure */
    int mechanism;              /* the mechanism actually used */
    /*
     * At PM_STAGE_FDPLAN: the descriptor operation that failed (enum
     * fdop_kind of fdplan.h, and its two numbers); op_kind 0 otherwise.
     */
    int op_kind;
    int op_a;
    int op_b;
};

int pm_spawn(const struct pm_spawn_req *req, struct pm_spawn_res *res);
const char *pm_spawn_stage_name(int stage);
int pm_spawn_fd_limit(void);

#endif
