/*
 * test_pm_init.c - ctest cases of pm-init: status passthrough, signal forwarding, orphan reaping
 *
 * SYNOPSIS
 *   test_pm_init PM_INIT SCENARIO
 *
 * DESCRIPTION
 *   Runs the pm-init binary at PM_INIT around small sh commands, as a child
 *   subreaper (-s) so that no namespace is needed, and checks what it
 *   passes through:
 *     status     the command's exit code, 128 + signal, 127 for a missing command
 *     signals    each of TERM INT HUP QUIT USR1 USR2 WINCH sent to pm-init reaches the command
 *     orphan     an orphan is reparented to pm-init and, once it exits, reaped while the
 *                command still runs
 *     refuses    without -s and not PID 1, pm-init refuses with exit 2 and says why
 *     pid1       as PID 1 of a new PID namespace (unshare --pid --fork --mount-proc): no zombie
 *                stays after an orphan exits, the command's status comes back, and a SIGTERM
 *                sent to PID 1 from inside the namespace reaches the command; 77 (skipped)
 *                where unshare is missing or not permitted
 *
 * DIAGNOSTICS
 *   Exit 0 when every check holds, 1 with FAIL lines on stderr otherwise, 77 when skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long failures;
#include "../test/check.h"

#define SKIPPED 77

static const char *pm_init;

/* Starts argv with stdin from *to_child's read end and stdout into *from_child's write end (when given). */
static pid_t start(char *const argv[], int *to_child, int *from_child)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 };
    if ((to_child && pipe2(in, O_CLOEXEC) < 0) || (from_child && pipe2(out, O_CLOEXEC) < 0)) {
        perror("pipe2");
        exit(1);
    }
    pid_t p = fork();
    if (p < 0) {
        perror("fork");
        exit(1);
    }
    if (p == 0) {
        if (to_child)
            dup2(in[0], 0);
        if (from_child)
            dup2(out[1], 1);
        execv(argv[0], argv);
        perror(argv[0]);
        _exit(125);
    }
    if (to_child) {
        close(in[0]);
        *to_child = in[1];
    }
    if (from_child) {
        close(out[1]);
        *from_child = out[0];
    }
    return p;
}

/* The shell status of pid (exit code, or 128 + signal), after waiting for it. */
static int wait_status(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            return -1;
        }
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One line from fd (without the newline), at most n-1 bytes; "" at EOF. */
static void read_line(int fd, char *buf, size_t n)
{
    size_t k = 0;
    char c;
    while (k + 1 < n && read(fd, &c, 1) == 1 && c != '\n')
        buf[k++] = c;
    buf[k] = '\0';
}

static int run_sh(const char *script)
{
    char *argv[] = { (char *)pm_init, "-s", "--", "/bin/sh", "-c", (char *)script, NULL };
    return wait_status(start(argv, NULL, NULL));
}

static void status_passthrough(void)
{
    int s = run_sh("exit 7");
    CHECK(s == 7, "exit 7 came back as %d", s);
    s = run_sh("exit 0");
    CHECK(s == 0, "exit 0 came back as %d", s);
    s = run_sh("kill -TERM $$");
    CHECK(s == 128 + SIGTERM, "a command killed by SIGTERM came back as %d, not %d", s, 128 + SIGTERM);
    char *missing[] = { (char *)pm_init, "-s", "--", "/no/such/command", NULL };
    s = wait_status(start(missing, NULL, NULL));
    CHECK(s == 127, "a missing command came back as %d, not 127", s);
}

static void forwards_signals(void)
{
    static const struct { int sig; const char *name; } sigs[] = {
        { SIGTERM, "TERM" }, { SIGINT, "INT" }, { SIGHUP, "HUP" }, { SIGQUIT, "QUIT" },
        { SIGUSR1, "USR1" }, { SIGUSR2, "USR2" }, { SIGWINCH, "WINCH" },
    };
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
        /* The trap is set before "ready"; the command exits with 40 + k only through the trap. */
        char script[256];
        snprintf(script, sizeof script,
                 "trap 'exit %zu' %s; echo ready; i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exit 99",
                 40 + k, sigs[k].name);
        char *argv[] = { (char *)pm_init, "-s", "--", "/bin/sh", "-c", script, NULL };
        int out;
        pid_t p = start(argv, NULL, &out);
        char line[32];
        read_line(out, line, sizeof line);
        close(out);
        CHECK(strcmp(line, "ready") == 0, "SIG%s: the command said \"%s\", not ready", sigs[k].name, line);
        kill(p, sigs[k].sig);
        int s = wait_status(p);
        CHECK(s == (int)(40 + k), "SIG%s sent to pm-init: the command exited %d, not %zu (its trap)",
              sigs[k].name, s, 40 + k);
    }
}

/* /proc/<pid>/<file> into buf (NUL-terminated); 0 when pid is gone or the file is empty. */
static int read_proc(long pid, const char *file, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/%s", pid, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return 1;
}

/* 'Z' when pid is a zombie, 0 when it is gone, else its state letter. */
static char state_of(long pid)
{
    char buf[512];
    if (!read_proc(pid, "stat", buf, sizeof buf))
        return 0;
    char *paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* The PPid of pid from /proc/pid/status; 0 when it is gone. */
static long parent_of(long pid)
{
    char buf[2048];
    if (!read_proc(pid, "status", buf, sizeof buf))
        return 0;
    char *pp = strstr(buf, "\nPPid:");
    return pp ? atol(pp + 7) : 0;
}

static void reaps_orphan(void)
{
    /*
     * The subshell starts `sleep 2` in the background, says its pid and exits: the sleep is an
     * orphan, which must be reparented to pm-init (-s) and, once it exits, reaped by it. Without
     * the first check a pm-init that never became a subreaper would pass: the orphan would go to
     * the reaper above, which reaps it too.
     */
    char *argv[] = { (char *)pm_init, "-s", "--", "/bin/sh", "-c", "(sleep 2 & echo $!); read x; exit 0", NULL };
    int in, out;
    pid_t p = start(argv, &in, &out);
    char line[32];
    read_line(out, line, sizeof line);
    close(out);
    long orphan = atol(line);
    CHECK(orphan > 0, "no orphan pid from the command: \"%s\"", line);
    long parent = -1;
    for (int i = 0; orphan > 0 && i < 150 && (parent = parent_of(orphan)) != (long)p && parent != 0; i++) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    CHECK(parent == (long)p, "orphan %ld has parent %ld, not pm-init %ld (1.5 s after its own parent exited)",
          orphan, parent, (long)p);
    char st = 'Z';
    for (int i = 0; orphan > 0 && i < 1000 && (st = state_of(orphan)) != 0; i++) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    CHECK(st == 0, "orphan %ld is still there (state %c) 10 s later, while pm-init runs", orphan, st);
    close(in); /* the command's read sees EOF and it exits 0 */
    int s = wait_status(p);
    CHECK(s == 0, "the command exited %d, not 0", s);
}

static void refuses_without_s(void)
{
    char *argv[] = { (char *)pm_init, "--", "/bin/true", NULL };
    int err[2];
    if (pipe2(err, O_CLOEXEC) < 0) {
        perror("pipe2");
        exit(1);
    }
    pid_t p = fork();
    if (p == 0) {
        dup2(err[1], 2);
        execv(argv[0], argv);
        _exit(125);
    }
    close(err[1]);
    char line[512];
    read_line(err[0], line, sizeof line);
    close(err[0]);
    int s = wait_status(p);
    CHECK(s == 2, "pm-init without -s, not PID 1, exited %d, not 2", s);
    CHECK(strstr(line, "not PID 1") && strstr(line, "-s"), "its message does not say why: \"%s\"", line);
}

static int as_pid1(void)
{
    char *probe[] = { "/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "/bin/true", NULL };
    if (access(probe[0], X_OK) != 0) {
        fprintf(stderr, "SKIP pid1: no %s\n", probe[0]);
        return SKIPPED;
    }
    int s = wait_status(start(probe, NULL, NULL));
    if (s != 0) {
        fprintf(stderr, "SKIP pid1: unshare --pid --fork --mount-proc is not permitted here (exit %d)\n", s);
        return SKIPPED;
    }
    /* Inside: pm-init is PID 1 (the command's parent); the orphan's zombie must go while the command waits. */
    const char *script = "[ \"$PPID\" = 1 ] || exit 3; (true &); i=0;"
                         " while grep -qs ') Z ' /proc/[0-9]*/stat; do"
                         " i=$((i+1)); [ $i -lt 400 ] || exit 4; sleep 0.025; done; exit 7";
    char *argv[] = { "/usr/bin/unshare", "--pid", "--fork", "--mount-proc", (char *)pm_init, "--",
                     "/bin/sh", "-c", (char *)script, NULL };
    s = wait_status(start(argv, NULL, NULL));
    CHECK(s != 3, "pm-init was not PID 1 in the new namespace");
    CHECK(s != 4, "a zombie stayed in the namespace for 10 s under pm-init as PID 1");
    CHECK(s == 7, "the command's exit 7 came back as %d", s);

    /*
     * SIGTERM to PID 1 from inside its namespace: the kernel drops a signal for which an init has
     * no handler, unless it is blocked; pm-init blocks it and must pass it on (docker stop's case).
     */
    const char *term = "trap 'exit 9' TERM; kill -TERM 1;"
                       " i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exit 99";
    char *targv[] = { "/usr/bin/unshare", "--pid", "--fork", "--mount-proc", (char *)pm_init, "--",
                      "/bin/sh", "-c", (char *)term, NULL };
    s = wait_status(start(targv, NULL, NULL));
    CHECK(s == 9, "SIGTERM to pm-init as PID 1: the command exited %d, not 9 (its trap)", s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_pm_init PM_INIT status|signals|orphan|refuses|pid1\n");
        return 1;
    }
    pm_init = argv[1];
    const char *s = argv[2];
    if (strcmp(s, "status") == 0)
        status_passthrough();
    else if (strcmp(s, "signals") == 0)
        forwards_signals();
    else if (strcmp(s, "orphan") == 0)
        reaps_orphan();
    else if (strcmp(s, "refuses") == 0)
        refuses_without_s();
    else if (strcmp(s, "pid1") == 0) {
        if (as_pid1() == SKIPPED)
            return SKIPPED;
    } else {
        fprintf(stderr, "unknown scenario %s\n", s);
        return 1;
    }
    return failures ? 1 : 0;
}
