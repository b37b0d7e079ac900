/*
 * test_kabi - the kernel structures procmaster builds or reads have the
 * layout of the kernel the test runs on.
 *
 * x86_64 and aarch64 differ where it matters: x86_64's struct epoll_event
 * is packed (12 bytes, data at offset 4), aarch64's is not (16 bytes, data
 * at 8). Each check below both pins the expected layout for the
 * architecture and exchanges the structure with the kernel itself, so that
 * a wrong header would show as wrong data, not only as a wrong number:
 *   struct clone_args (spawn, clone3.h): the field offsets of the uapi;
 *   the kernel's struct sigaction and sigset size (rawsys.h, the child's
 *     rt_sigaction/rt_sigprocmask): glibc sets, the raw call reads back,
 *     and the reverse;
 *   struct rlimit64 (rawsys.h, the child's prlimit64): read raw, compared
 *     with getrlimit, set raw, seen by getrlimit;
 *   siginfo after waitid(P_PIDFD) (reap.c): raw bytes at the kernel's
 *     offsets, and pm_reap's reading of exits and signals;
 *   struct epoll_event (loop.c): several records in one epoll_pwait, read
 *     raw at the kernel's stride, through glibc's struct, and through
 *     pm_loop_poll with its kind/tag/fd packing.
 * Exit: 0 all passed, 1 a check failed (each printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"
#include "rawsys.h"
#include "reap.h"
#include "spawn.h"

static int failures;
#include "check.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#if defined(__x86_64__)
#define EPOLL_EVENT_SIZE 12
#define EPOLL_DATA_OFFSET 4
#elif defined(__aarch64__)
#define EPOLL_EVENT_SIZE 16
#define EPOLL_DATA_OFFSET 8
#else
#error "test_kabi: x86_64 and aarch64 only"
#endif

#define CHECK_OFFSET(type, field, want)                                                            \
    CHECK(offsetof(type, field) == (want), #type "." #field " at %zu, the kernel's at %d",     \
          offsetof(type, field), (int)(want))

static void test_clone_args(void)
{
    /* include/uapi/linux/sched.h: every field a __aligned_u64, in this order. */
    CHECK_OFFSET(struct clone_args, flags, 0);
    CHECK_OFFSET(struct clone_args, pidfd, 8);
    CHECK_OFFSET(struct clone_args, child_tid, 16);
    CHECK_OFFSET(struct clone_args, parent_tid, 24);
    CHECK_OFFSET(struct clone_args, exit_signal, 32);
    CHECK_OFFSET(struct clone_args, stack, 40);
    CHECK_OFFSET(struct clone_args, stack_size, 48);
    CHECK_OFFSET(struct clone_args, tls, 56);
    /* The size passed to clone3 is sizeof: one of the versions the kernel knows (64, 80, 88). */
    CHECK(sizeof(struct clone_args) == 64 || sizeof(struct clone_args) == 80 || sizeof(struct clone_args) == 88,
          "sizeof(struct clone_args) %zu is no CLONE_ARGS_SIZE_VER*", sizeof(struct clone_args));
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void test_kernel_sigaction(void)
{
    struct pm_kernel_sigaction ks;
    struct sigaction sa, old;

    CHECK(sizeof ks == 32, "struct pm_kernel_sigaction is %zu bytes, the kernel's 32", sizeof ks);
    /* glibc installs; the raw call reads the kernel's structure back. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK(sigaction(SIGUSR1, &sa, &old) == 0, "sigaction SIGUSR1: %s", strerror(errno));
    memset(&ks, 0xee, sizeof ks);
    long r = RAW4(SYS_rt_sigaction, SIGUSR1, 0, &ks, PM_KERNEL_SIGSET_SIZE);
    CHECK(r == 0, "raw rt_sigaction read: %ld", r);
    CHECK(ks.handler == (uint64_t)(uintptr_t)on_usr1, "handler read as %#llx, want %p",
          (unsigned long long)ks.handler, (void *)on_usr1);
    CHECK(ks.flags & SA_RESTART, "flags %#llx lack SA_RESTART", (unsigned long long)ks.flags);
    CHECK(ks.mask == 1ull << (SIGUSR2 - 1), "mask read as %#llx, want SIGUSR2's bit %#llx",
          (unsigned long long)ks.mask, 1ull << (SIGUSR2 - 1));
    /* The raw call installs what the child installs (all zero); glibc reads SIG_DFL back. */
    memset(&ks, 0, sizeof ks);
    CHECK(RAW4(SYS_rt_sigaction, SIGUSR1, &ks, 0, PM_KERNEL_SIGSET_SIZE) == 0, "raw rt_sigaction write");
    memset(&sa, 0, sizeof sa);
    CHECK(sigaction(SIGUSR1, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL && !sigismember(&sa.sa_mask, SIGUSR2),
          "after the raw reset: handler %p, SIGUSR2 masked %d", (void *)sa.sa_handler, sigismember(&sa.sa_mask, SIGUSR2));
    /* The sigset size the child passes is the kernel's: another is refused. */
    r = RAW4(SYS_rt_sigaction, SIGUSR1, 0, &ks, PM_KERNEL_SIGSET_SIZE * 2);
    CHECK(r == -EINVAL, "rt_sigaction with sigsetsize %d: %ld, want -EINVAL", PM_KERNEL_SIGSET_SIZE * 2, r);
    uint64_t cur = 0;
    r = RAW4(SYS_rt_sigprocmask, SIG_BLOCK, 0, &cur, PM_KERNEL_SIGSET_SIZE);
    CHECK(r == 0, "rt_sigprocmask with sigsetsize %d: %ld", PM_KERNEL_SIGSET_SIZE, r);
    sigaction(SIGUSR1, &old, NULL);
}

static void test_kernel_rlimit(void)
{
    struct pm_kernel_rlimit kr, set;
    struct rlimit rl;

    CHECK(sizeof kr == 16, "struct pm_kernel_rlimit is %zu bytes", sizeof kr);
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0, "getrlimit");
    memset(&kr, 0xee, sizeof kr);
    long r = RAW4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &kr);
    CHECK(r == 0 && kr.cur == (uint64_t)rl.rlim_cur && kr.max == (uint64_t)rl.rlim_max,
          "prlimit64 read %ld: cur %llu max %llu, getrlimit %llu %llu", r, (unsigned long long)kr.cur,
          (unsigned long long)kr.max, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    /* Set in a child (the child of spawn sets limits the same way), seen there by getrlimit. */
    pid_t pid = fork();
    if (pid == 0) {
        set.cur = 100;
        set.max = 200;
        if (RAW4(SYS_prlimit64, 0, RLIMIT_NOFILE, &set, 0) != 0)
            _exit(2);
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur != 100 || rl.rlim_max != 200)
            _exit(3);
        _exit(0);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "prlimit64 set 100/200 in a child: status %#x (2: refused, 3: getrlimit disagrees)", st);
}

static int spawn_sh(const char *script, struct pm_spawn_res *res)
{
    static char *env[] = { NULL };
    char *argv[] = { "sh", "-c", (char *)script, NULL };
    struct pm_spawn_req q;
    memset(&q, 0, sizeof q);
    q.path = "/bin/sh";
    q.argv = argv;
    q.envp = env;
    q.mechanism = PM_MECH_AUTO; /* clone3, or posix_spawn where it is refused: the pidfd is what matters */
    return pm_spawn(&q, res);
}

static void test_siginfo_after_waitid(void)
{
    /* The generic layout on 64-bit: three ints, then the union at 16; _sigchld: pid, uid, status. */
    CHECK_OFFSET(siginfo_t, si_signo, 0);
    CHECK_OFFSET(siginfo_t, si_code, 8);
    CHECK_OFFSET(siginfo_t, si_pid, 16);
    CHECK_OFFSET(siginfo_t, si_uid, 20);
    CHECK_OFFSET(siginfo_t, si_status, 24);
    CHECK(sizeof(siginfo_t) == 128, "sizeof(siginfo_t) %zu, the kernel's 128", sizeof(siginfo_t));

    /* The kernel's own bytes: waitid by system call into a plain buffer. */
    struct pm_spawn_res res;
    int r = spawn_sh("exit 7", &res);
    CHECK(r == 0, "spawn sh: %d", r);
    if (r == 0) {
        unsigned char raw[128];
        int32_t signo, code, pid, status;
        memset(raw, 0, sizeof raw);
        long w;
        while ((w = syscall(SYS_waitid, P_PIDFD, res.pidfd, raw, WEXITED | __WALL, NULL)) < 0 && errno == EINTR)
            ;
        CHECK(w == 0, "raw waitid(P_PIDFD): %s", strerror(errno));
        memcpy(&signo, raw + 0, 4);
        memcpy(&code, raw + 8, 4);
        memcpy(&pid, raw + 16, 4);
        memcpy(&status, raw + 24, 4);
        CHECK(signo == SIGCHLD && code == CLD_EXITED && pid == res.pid && status == 7,
              "raw siginfo: signo %d code %d pid %d (want %d) status %d (want 7)", signo, code, pid, res.pid, status);
        close(res.pidfd);
    }

    /* pm_reap's reading: an exit code, then a signal. */
    struct pm_exit x;
    r = spawn_sh("exit 3", &res);
    CHECK(r == 0, "spawn sh: %d", r);
    if (r == 0) {
        memset(&x, 0, sizeof x);
        CHECK(pm_reap(res.pidfd, 0, &x) == 1 && x.pid == res.pid && x.code == 3 && x.signal == 0 && x.core == 0,
              "pm_reap exit 3: pid %d (want %d) code %d signal %d core %d", x.pid, res.pid, x.code, x.signal, x.core);
        close(res.pidfd);
    }
    r = spawn_sh("kill -KILL $$", &res);
    CHECK(r == 0, "spawn sh: %d", r);
    if (r == 0) {
        memset(&x, 0, sizeof x);
        CHECK(pm_reap(res.pidfd, 0, &x) == 1 && x.pid == res.pid && x.code == -1 && x.signal == SIGKILL && x.core == 0,
              "pm_reap SIGKILL: pid %d (want %d) code %d signal %d core %d", x.pid, res.pid, x.code, x.signal, x.core);
        close(res.pidfd);
    }
}

#define NPIPES 5

static uint64_t datum(int i)
{
    /* Distinct in every byte, high and low word: a record read at a wrong offset cannot pass. */
    return 0x8877665544332211ull ^ ((uint64_t)(i + 1) * 0x0101010101010101ull);
}

static void test_epoll_event(void)
{
    int p[NPIPES][2];
    int ep = epoll_create1(EPOLL_CLOEXEC);

    CHECK(sizeof(struct epoll_event) == EPOLL_EVENT_SIZE, "sizeof(struct epoll_event) %zu, the kernel's %d",
          sizeof(struct epoll_event), EPOLL_EVENT_SIZE);
    CHECK_OFFSET(struct epoll_event, data, EPOLL_DATA_OFFSET);
    CHECK(ep >= 0, "epoll_create1: %s", strerror(errno));
    for (int i = 0; i < NPIPES; i++) {
        CHECK(pipe2(p[i], O_CLOEXEC) == 0, "pipe2");
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.u64 = datum(i);
        CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[i][0], &ev) == 0, "epoll_ctl %d", i);
        CHECK(write(p[i][1], "x", 1) == 1, "write");
    }

    /* Raw records at the kernel's stride (epoll_pwait: aarch64 has no epoll_wait). */
    unsigned char raw[NPIPES * 16 + 16];
    long n = syscall(SYS_epoll_pwait, ep, raw, NPIPES, 0, NULL, PM_KERNEL_SIGSET_SIZE);
    CHECK(n == NPIPES, "raw epoll_pwait: %ld records, want %d", n, NPIPES);
    unsigned seen = 0;
    for (long k = 0; k < n && k < NPIPES; k++) {
        uint32_t events;
        uint64_t u;
        memcpy(&events, raw + k * EPOLL_EVENT_SIZE, 4);
        memcpy(&u, raw + k * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET, 8);
        int found = -1;
        for (int i = 0; i < NPIPES; i++)
            if (u == datum(i))
                found = i;
        CHECK(found >= 0 && events == EPOLLIN, "raw record %ld: events %#x data %#llx is no registration", k, events,
              (unsigned long long)u);
        if (found >= 0)
            seen |= 1u << found;
    }
    CHECK(seen == (1u << NPIPES) - 1, "raw records named registrations %#x of %#x", seen, (1u << NPIPES) - 1);

    /* glibc's struct array, as loop.c reads it. */
    struct epoll_event evs[NPIPES];
    n = epoll_wait(ep, evs, NPIPES, 0);
    CHECK(n == NPIPES, "epoll_wait: %ld records", n);
    seen = 0;
    for (long k = 0; k < n; k++)
        for (int i = 0; i < NPIPES; i++)
            if (evs[k].data.u64 == datum(i) && evs[k].events == EPOLLIN)
                seen |= 1u << i;
    CHECK(seen == (1u << NPIPES) - 1, "epoll_wait records named registrations %#x", seen);
    close(ep);

    /* The loop's records: kind, 24-bit tag and fd packed in data, all in one poll. */
    int err = 0;
    pm_loop_t l = pm_loop_create(&err);
    CHECK(l != 0, "pm_loop_create: %d", err);
    int tags[NPIPES] = { 0, 1, 0x7fffff, 0xffffff, 0x123456 };
    for (int i = 0; i < NPIPES && l; i++)
        CHECK(pm_loop_ctl(l, PM_CTL_ADD, p[i][0], PM_REG_FD, tags[i], EPOLLIN) == 0, "pm_loop_ctl %d", i);
    struct pm_event rec[NPIPES + 2];
    int m = l ? pm_loop_poll(l, rec, NPIPES + 2, 1000) : 0;
    CHECK(m == NPIPES, "pm_loop_poll: %d records, want %d", m, NPIPES);
    seen = 0;
    for (int k = 0; k < m; k++)
        for (int i = 0; i < NPIPES; i++)
            if (rec[k].kind == PM_EV_READY && rec[k].fd == p[i][0] && rec[k].tag == tags[i] &&
                (rec[k].events & EPOLLIN))
                seen |= 1u << i;
    CHECK(seen == (1u << NPIPES) - 1, "pm_loop records named (fd, tag) of registrations %#x", seen);
    if (l)
        pm_loop_destroy(l);
    for (int i = 0; i < NPIPES; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
}

int main(void)
{
    test_clone_args();
    test_kernel_sigaction();
    test_kernel_rlimit();
    test_siginfo_after_waitid();
    test_epoll_event();
    printf("kabi: %d failures\n", failures);
    return failures ? 1 : 0;
}
