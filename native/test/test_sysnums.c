/*
 * test_sysnums - the system call numbers procmaster issues by hand are the
 * kernel's for this architecture, and each raw call does what it should.
 *
 * The child between clone3 and execve (spawn.c, fdplan.c, clone3.c) and the
 * reaper (reap.c, spawn.c) name their calls with SYS_* from the target's
 * <sys/syscall.h>; the numbers differ between x86_64 and aarch64 (aarch64
 * uses the generic table: no dup2, no epoll_wait, waitid is 95). The table
 * below is written from the kernel's own tables
 * (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h),
 * so headers of the wrong architecture, as a cross build could pick up,
 * fail here. Then every raw call is made through raw_syscall6 (rawsys.h,
 * the per-architecture svc/syscall asm) and its effect checked, all six
 * argument registers included (mmap). pm-exit0 (no libc) is run when its
 * path is given (argv[1]; the sanitizer build has none).
 * Exit: 0 all passed, 1 a check failed (each printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rawsys.h"

static int failures;
#include "check.h"

struct sysnum {
    const char *name;
    long used;      /* SYS_<name>: what the code compiles to */
    long x86_64;    /* the kernel's numbers */
    long aarch64;
};

#define NR(name, x, a) { #name, SYS_##name, x, a }

static const struct sysnum table[] = {
    /* the vfork-style child (spawn.c, fdplan.c, clone3.c) */
    NR(clone3, 435, 435),
    NR(dup3, 292, 24),
    NR(fcntl, 72, 25),
    NR(close_range, 436, 436),
    NR(chdir, 80, 49),
    NR(setsid, 112, 157),
    NR(setgroups, 116, 159),
    NR(setgid, 106, 144),
    NR(setuid, 105, 146),
    NR(prlimit64, 302, 261),
    NR(rt_sigaction, 13, 134),
    NR(rt_sigprocmask, 14, 135),
    NR(execve, 59, 221),
    NR(exit_group, 231, 94),
    /* the parent (reap.c, spawn.c's fallback) */
    NR(pidfd_open, 434, 434),
    NR(pidfd_send_signal, 424, 424),
    NR(waitid, 247, 95),
    /* this test's */
    NR(mmap, 9, 222),
    NR(close, 3, 57),
};

static void test_numbers(void)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
#if defined(__x86_64__)
        long want = table[i].x86_64;
#elif defined(__aarch64__)
        long want = table[i].aarch64;
#else
#error "test_sysnums: x86_64 and aarch64 only"
#endif
        CHECK(table[i].used == want, "SYS_%s is %ld here, the kernel's number for this architecture is %ld",
              table[i].name, table[i].used, want);
    }
}

/* Forks, runs fn in the child, and returns its exit status (or -1). */
static int in_child(int (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn());
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static void test_errno_convention(void)
{
    CHECK(RAW1(SYS_close, -1) == -EBADF, "raw close(-1): %ld, want -EBADF", RAW1(SYS_close, -1));
}

static void test_six_arguments(void)
{
    /* mmap(addr, len, prot, flags, fd, offset): fd and offset ride in the 5th and 6th registers. */
    long page = sysconf(_SC_PAGESIZE);
    int fd = memfd_create("pm-sysnums", MFD_CLOEXEC);
    CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
    if (fd < 0)
        return;
    char *buf = calloc(1, (size_t)page * 2);
    memcpy(buf + page, "second page", 12);
    CHECK(write(fd, buf, (size_t)page * 2) == page * 2, "write");
    long r = raw_syscall6(SYS_mmap, 0, page, PROT_READ, MAP_PRIVATE, fd, page);
    CHECK(r > 0, "raw mmap: %ld", r);
    if (r > 0) {
        CHECK(memcmp((void *)r, "second page", 12) == 0, "raw mmap at offset %ld mapped other bytes", page);
        munmap((void *)r, (size_t)page);
    }
    free(buf);
    close(fd);
}

static void test_descriptors(void)
{
    int p[2];
    CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe2");
    /* dup3 (dup2 in the fd plan): the copy is the same pipe and is not close-on-exec. */
    long r = RAW3(SYS_dup3, p[1], 100, 0);
    CHECK(r == 100, "raw dup3 -> 100: %ld", r);
    CHECK(fcntl(100, F_GETFD) == 0, "the dup3 copy is close-on-exec");
    char c = 0;
    CHECK(write(100, "d", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'd', "the dup3 copy is another pipe");
    /* fcntl(F_SETFD, 0) (an fd kept at its own number) clears FD_CLOEXEC. */
    CHECK(fcntl(100, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD");
    r = RAW3(SYS_fcntl, 100, F_SETFD, 0);
    CHECK(r == 0 && fcntl(100, F_GETFD) == 0, "raw fcntl F_SETFD 0: %ld, flags now %d", r, fcntl(100, F_GETFD));
    /* close_range(first, last, 0): exactly that range. */
    for (int fd = 101; fd <= 103; fd++)
        CHECK(dup2(p[0], fd) == fd, "dup2 %d", fd);
    r = RAW3(SYS_close_range, 100, 102, 0);
    CHECK(r == 0, "raw close_range 100..102: %ld", r);
    for (int fd = 100; fd <= 102; fd++)
        CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF, "fd %d survived close_range", fd);
    CHECK(fcntl(103, F_GETFD) >= 0, "close_range 100..102 closed 103");
    close(103);
    close(p[0]);
    close(p[1]);
}

static void test_chdir(void)
{
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char cwd[PATH_MAX];
    long r = RAW1(SYS_chdir, "/");
    CHECK(r == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "raw chdir /: %ld", r);
    CHECK(here >= 0 && fchdir(here) == 0, "back to the test's directory");
    close(here);
}

static int child_setsid(void)
{
    long sid = RAW0(SYS_setsid);
    return sid == getpid() && getsid(0) == getpid() ? 0 : 1;
}

/* As root: the ids change to nobody's; otherwise another id is refused and one's own accepted. */
static int child_credentials(void)
{
    gid_t g = 65534;
    if (geteuid() == 0) {
        if (RAW2(SYS_setgroups, 1, &g) != 0)
            return 2;
        gid_t got[4];
        if (getgroups(4, got) != 1 || got[0] != g)
            return 3;
        if (RAW1(SYS_setgid, g) != 0 || getgid() != g || getegid() != g)
            return 4;
        if (RAW1(SYS_setuid, 65534) != 0 || getuid() != 65534 || geteuid() != 65534)
            return 5;
        return 0;
    }
    if (RAW2(SYS_setgroups, 1, &g) != -EPERM)
        return 12;
    if (RAW1(SYS_setgid, getgid()) != 0 || (getgid() != 65534 && RAW1(SYS_setgid, 65534) != -EPERM))
        return 14;
    if (RAW1(SYS_setuid, getuid()) != 0 || (getuid() != 65534 && RAW1(SYS_setuid, 65534) != -EPERM))
        return 15;
    return 0;
}

static int child_exit_group(void)
{
    RAW1(SYS_exit_group, 42);
    return 1;
}

static void test_process_calls(void)
{
    CHECK(in_child(child_setsid) == 0, "raw setsid in a child did not make it a session leader");
    int r = in_child(child_credentials);
    CHECK(r == 0, "raw setgroups/setgid/setuid in a child: step %d failed (euid %d)", r, (int)geteuid());
    CHECK(in_child(child_exit_group) == 42, "raw exit_group(42) in a child");
}

static void test_signal_mask(void)
{
    sigset_t cur;
    uint64_t block = 1ull << (SIGUSR1 - 1), old = 0;
    long r = RAW4(SYS_rt_sigprocmask, SIG_BLOCK, &block, &old, PM_KERNEL_SIGSET_SIZE);
    CHECK(r == 0, "raw rt_sigprocmask: %ld", r);
    CHECK(pthread_sigmask(SIG_SETMASK, NULL, &cur) == 0 && sigismember(&cur, SIGUSR1), "SIGUSR1 not blocked");
    r = RAW4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, PM_KERNEL_SIGSET_SIZE);
    CHECK(r == 0 && pthread_sigmask(SIG_SETMASK, NULL, &cur) == 0 && !sigismember(&cur, SIGUSR1),
          "the old mask is not back: %ld", r);
}

static int child_execve(void)
{
    static char *argv[] = { "sh", "-c", "exit 5", NULL };
    static char *envp[] = { NULL };
    RAW3(SYS_execve, "/bin/sh", argv, envp);
    return 1;
}

static void test_execve(void)
{
    char *argv[] = { "x", NULL }, *envp[] = { NULL };
    long r = RAW3(SYS_execve, "/no/such/program", argv, envp);
    CHECK(r == -ENOENT, "raw execve of a missing file: %ld, want -ENOENT", r);
    CHECK(in_child(child_execve) == 5, "raw execve /bin/sh -c 'exit 5' in a child");
}

/* The pidfd calls, by number: what posix_spawn's fallback and pm_signal issue. */
static void test_pidfd_calls(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    CHECK(pid > 0, "fork");
    if (pid <= 0)
        return;
    long fd = RAW2(SYS_pidfd_open, pid, 0);
    CHECK(fd >= 0, "raw pidfd_open: %ld", fd);
    if (fd >= 0) {
        CHECK(RAW4(SYS_pidfd_send_signal, fd, 0, 0, 0) == 0, "raw pidfd_send_signal 0");
        CHECK(RAW4(SYS_pidfd_send_signal, fd, SIGTERM, 0, 0) == 0, "raw pidfd_send_signal SIGTERM");
        siginfo_t si;
        memset(&si, 0, sizeof si);
        long w;
        while ((w = raw_syscall6(SYS_waitid, 3 /* P_PIDFD */, fd, (long)&si, WEXITED, 0, 0)) == -EINTR)
            ;
        CHECK(w == 0 && si.si_pid == pid && si.si_code == CLD_KILLED && si.si_status == SIGTERM,
              "raw waitid(P_PIDFD): %ld pid %d code %d status %d", w, si.si_pid, si.si_code, si.si_status);
        close((int)fd);
    } else {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

static void test_exit0(const char *path)
{
    if (!path) {
        printf("pm-exit0 not built here (sanitizer build): its hand-written exit_group is not run\n");
        return;
    }
    char *argv[] = { "pm-exit0", NULL }, *envp[] = { NULL };
    pid_t pid;
    int e = posix_spawn(&pid, path, NULL, NULL, argv, envp), st = 0;
    CHECK(e == 0, "posix_spawn %s: %s", path, strerror(e));
    if (e == 0)
        CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "pm-exit0 did not exit 0: status %#x (a wrong number would reach its trap)", st);
}

int main(int argc, char **argv)
{
    test_numbers();
    test_errno_convention();
    test_six_arguments();
    test_descriptors();
    test_chdir();
    test_process_calls();
    test_signal_mask();
    test_execve();
    test_pidfd_calls();
    test_exit0(argc > 1 && argv[1][0] ? argv[1] : NULL);
    printf("sysnums: %d failures\n", failures);
    return failures ? 1 : 0;
}
