/* test_spawn - spawn and reap through pidfds, with both mechanisms. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdplan.h"
#include "reap.h"
#include "spawn.h"

static int failures;
#include "check.h"

static char *empty_env[] = { "A=1", NULL };

static int run(int mech, const char *path, char **argv, struct pm_spawn_res *res)
{
    struct pm_spawn_req q;
    memset(&q, 0, sizeof q);
    q.path = path;
    q.argv = argv;
    q.envp = empty_env;
    q.mechanism = mech;
    return pm_spawn(&q, res);
}

static void no_children_left(const char *what)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL);
    CHECK(r < 0 && errno == ECHILD, "%s: a child is left (pid %d)", what, si.si_pid);
}

static void test_exit_code(int mech)
{
    struct pm_spawn_res res;
    struct pm_exit x;
    char *argv[] = { "sh", "-c", "exit 7", NULL };
    int r = run(mech, "/bin/sh", argv, &res);
    CHECK(r == 0, "mech %d: spawn returned %d stage %s", mech, r, pm_spawn_stage_name(res.stage));
    if (r)
        return;
    CHECK(res.mechanism == mech, "mechanism %d used, %d asked", res.mechanism, mech);
    CHECK(pm_reap(res.pidfd, 0, &x) == 1, "reap");
    CHECK(x.pid == res.pid && x.code == 7 && x.signal == 0, "exit: pid %d code %d sig %d", x.pid, x.code, x.signal);
    close(res.pidfd);
    no_children_left("exit code");
}

static void test_exec_failures(int mech)
{
    struct { const char *path; int err; } cases[] = {
        { "/no/such/program", ENOENT },
        { "/etc/passwd", EACCES },
        { "/tmp", EACCES },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pm_spawn_res res;
        char *argv[] = { "x", NULL };
        int r = run(mech, cases[i].path, argv, &res);
        CHECK(r == -cases[i].err, "mech %d %s: got %d want %d", mech, cases[i].path, r, -cases[i].err);
        int want_stage = mech == PM_MECH_CLONE3 ? PM_STAGE_EXECVE : PM_STAGE_POSIX_SPAWN;
        CHECK(res.stage == want_stage, "mech %d %s: stage %s", mech, cases[i].path, pm_spawn_stage_name(res.stage));
        CHECK(res.pidfd == -1 && res.pid == -1, "failed spawn left pid %d pidfd %d", res.pid, res.pidfd);
    }
    no_children_left("exec failures");
}

static void test_signal(int mech)
{
    struct pm_spawn_res res;
    struct pm_exit x;
    char *argv[] = { "sleep", "30", NULL };
    CHECK(run(mech, "/bin/sleep", argv, &res) == 0, "spawn sleep");
    CHECK(pm_signal(res.pidfd, SIGTERM) == 0, "pidfd_send_signal");
    CHECK(pm_reap(res.pidfd, 0, &x) == 1 && x.signal == SIGTERM && x.code == -1, "killed: sig %d", x.signal);
    CHECK(pm_signal(res.pidfd, SIGTERM) == -ESRCH, "signal after reap must be ESRCH");
    close(res.pidfd);
}

static void test_bad_requests(void)
{
    struct pm_spawn_res res;
    char *argv[] = { "true", NULL };
    CHECK(run(PM_MECH_AUTO, "bin/true", argv, &res) == -EINVAL, "relative path accepted");
    struct pm_spawn_req q;
    memset(&q, 0, sizeof q);
    int src[] = { 3, 4 }, dst[] = { 5, 5 };
    q.path = "/bin/true";
    q.argv = argv;
    q.envp = empty_env;
    q.fd_src = src;
    q.fd_dst = dst;
    q.nfds = 2;
    CHECK(pm_spawn(&q, &res) == -EINVAL && res.stage == PM_STAGE_PREPARE, "duplicate targets accepted");
    /* A source that is not open fails in the child at the dup2 stage. */
    int s2[] = { 900 }, d2[] = { 3 };
    q.fd_src = s2;
    q.fd_dst = d2;
    q.nfds = 1;
    q.mechanism = PM_MECH_CLONE3;
    CHECK(pm_spawn(&q, &res) == -EBADF && res.stage == PM_STAGE_FDPLAN, "closed source: stage %s",
          pm_spawn_stage_name(res.stage));
    CHECK(res.op_kind == FDOP_DUP2 && res.op_a == 900 && res.op_b == 3, "closed source: failed op %d %d -> %d",
          res.op_kind, res.op_a, res.op_b);
    /* posix_spawn cannot change credentials. */
    q.nfds = 0;
    q.mechanism = PM_MECH_POSIX_SPAWN;
    q.flags = PM_SPAWN_SETUID;
    q.uid = getuid();
    CHECK(pm_spawn(&q, &res) == -ENOTSUP, "posix_spawn with uid");
    no_children_left("bad requests");
}

/*
 * Issue 8 defect 11: a descriptor number out of range is refused in the
 * parent, before any arithmetic on it (fd + 1 overflowed for INT_MAX) and
 * before clone, with -EBADF at the prepare stage.
 */
static void test_fd_out_of_range(void)
{
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0, "getrlimit");
    int limit = rl.rlim_cur > INT_MAX ? INT_MAX : (int)rl.rlim_cur;
    char *argv[] = { "true", NULL };
    struct { int src, dst; } cases[] = {
        { INT_MAX, 3 }, { 3, INT_MAX }, { 0, INT_MAX }, { -1, 3 }, { 3, -1 }, { INT_MIN, 3 },
        { limit, 3 }, { 3, limit },
    };
    for (int mi = 0; mi < 3; mi++) {
        int mech = mi == 0 ? PM_MECH_AUTO : mi == 1 ? PM_MECH_CLONE3 : PM_MECH_POSIX_SPAWN;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            struct pm_spawn_req q;
            struct pm_spawn_res res;
            memset(&q, 0, sizeof q);
            int src[] = { 1, cases[i].src }, dst[] = { 1, cases[i].dst };
            q.path = "/bin/true";
            q.argv = argv;
            q.envp = empty_env;
            q.fd_src = src;
            q.fd_dst = dst;
            q.nfds = 2;
            q.mechanism = mech;
            int r = pm_spawn(&q, &res);
            CHECK(r == -EBADF && res.stage == PM_STAGE_PREPARE && res.pid == -1 && res.pidfd == -1,
                  "mech %d: fd %d -> %d: got %d stage %s", mech, cases[i].src, cases[i].dst, r,
                  pm_spawn_stage_name(res.stage));
        }
    }
    no_children_left("fd out of range");
}

int main(void)
{
    int mechs[] = { PM_MECH_CLONE3, PM_MECH_POSIX_SPAWN };
    for (int i = 0; i < 2; i++) {
        test_exit_code(mechs[i]);
        test_exec_failures(mechs[i]);
        test_signal(mechs[i]);
    }
    test_bad_requests();
    test_fd_out_of_range();
    printf("spawn: %d failures\n", failures);
    return failures ? 1 : 0;
}
