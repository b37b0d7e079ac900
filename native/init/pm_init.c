/*
 * pm_init.c - pm-init, the init process of a container that runs procmaster
 *
 * SYNOPSIS
 *   pm-init [-s] [--] command [argument ...]
 *   e.g.  ENTRYPOINT ["/usr/libexec/procmaster/pm-init", "--", "procmaster", "run"]
 *
 * DESCRIPTION
 *   Runs as PID 1 of a PID namespace (a container), or, with -s, anywhere as
 *   a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so that the kernel
 *   hands it every orphaned descendant. It starts the command as its only
 *   child of its own, and then does two jobs until the command exits:
 *
 *   - It passes TERM, INT, HUP, QUIT, USR1, USR2 and WINCH on to the
 *     command (docker stop sends TERM to PID 1; a PID 1 without a handler
 *     would ignore it, since the kernel does not kill an init with a signal
 *     it does not catch).
 *   - It reaps every process that exits as its child: the command, and any
 *     orphan reparented to it (a daemon's double-forked grandchild, a
 *     ProcessBuilder child's background job). waitpid(-1) is safe here, and
 *     only here: pm-init starts nothing else, so no exit status it collects
 *     is anybody else's. The JVM cannot do this job itself without taking
 *     the exit codes its own ProcessBuilder children owe to Java
 *     (docs/containers.md).
 *
 *   When the command exits, pm-init reaps what has exited by then and exits
 *   with the command's status: its exit code, or 128 + the signal number
 *   when a signal ended it (as a shell reports it). As PID 1 its exit ends
 *   the container: the kernel kills what is left in the namespace; as a
 *   subreaper (-s), what is left passes to the next reaper up.
 *
 *   The command keeps pm-init's process group, session, environment,
 *   descriptors and signal mask (pm-init blocks the signals it waits for
 *   only in itself). A terminal's ^C therefore reaches the command directly
 *   and again through pm-init; procmaster takes a second stop request as
 *   the first.
 *
 *   -s  set PR_SET_CHILD_SUBREAPER when pm-init is not PID 1 (a supervisor
 *       that is not the namespace's init, a test, docker run --init with
 *       pm-init below the runtime's init). Without -s, pm-init refuses to
 *       run anywhere but as PID 1: no orphan would reach it.
 *
 * DIAGNOSTICS
 *   Exit status: the command's, as above; 126 when the command cannot be
 *   executed, 127 when it is not found (each with "pm-init: cannot run
 *   COMMAND: reason" on stderr, as a shell); 2 when pm-init itself cannot
 *   start (bad usage, not PID 1 without -s, prctl, sigprocmask or fork
 *   failed), with a line on stderr naming what failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PM_INIT_FAILED 2

/* What pm-init passes on to the command (docker stop, systemctl, kill, a resized terminal). */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static void usage(void)
{
    fputs("usage: pm-init [-s] [--] command [argument ...]\n"
          "  runs command as PID 1's only child, passes TERM INT HUP QUIT USR1 USR2 WINCH on to it,\n"
          "  reaps orphans, exits with its status; -s: as a child subreaper when not PID 1\n",
          stderr);
}

/* The child between fork and exec: the caller's mask back, then the command or 126/127. */
static void run_command(char **argv, const sigset_t *mask)
{
    sigprocmask(SIG_SETMASK, mask, NULL);
    execvp(argv[0], argv);
    int e = errno;
    fprintf(stderr, "pm-init: cannot run %s: %s\n", argv[0], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
}

/* A wait status as a shell reports it: the exit code, or 128 + the signal. */
static int shell_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return PM_INIT_FAILED;
}

/*
 * Reaps every child that has exited (the command and orphans alike); returns 1 and sets
 * *status when the command was among them.
 */
static int reap_exited(pid_t command, int *status)
{
    int found = 0, st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0 || (p < 0 && errno == EINTR)) {
        if (p == command) {
            *status = st;
            found = 1;
        }
    }
    return found;
}

int main(int argc, char **argv)
{
    int subreaper = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-s") == 0) {
            subreaper = 1;
        } else {
            fprintf(stderr, "pm-init: unknown option %s\n", argv[i]);
            usage();
            return PM_INIT_FAILED;
        }
    }
    if (i >= argc) {
        fputs("pm-init: no command given\n", stderr);
        usage();
        return PM_INIT_FAILED;
    }
    if (getpid() != 1) {
        if (!subreaper) {
            fprintf(stderr, "pm-init: not PID 1 (pid %ld) and no -s: orphans would not reach pm-init,"
                            " so nobody would reap them; run it as the container's entrypoint or add -s\n",
                    (long)getpid());
            return PM_INIT_FAILED;
        }
        if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) < 0) {
            fprintf(stderr, "pm-init: prctl(PR_SET_CHILD_SUBREAPER): %s\n", strerror(errno));
            return PM_INIT_FAILED;
        }
    }

    /* Blocked before the fork, so that no signal meant for the command falls between. */
    sigset_t waited, caller;
    sigemptyset(&waited);
    sigaddset(&waited, SIGCHLD);
    for (size_t k = 0; k < sizeof forwarded / sizeof forwarded[0]; k++)
        sigaddset(&waited, forwarded[k]);
    if (sigprocmask(SIG_BLOCK, &waited, &caller) < 0) {
        fprintf(stderr, "pm-init: sigprocmask: %s\n", strerror(errno));
        return PM_INIT_FAILED;
    }
    fflush(NULL);
    pid_t command = fork();
    if (command < 0) {
        fprintf(stderr, "pm-init: fork: %s\n", strerror(errno));
        return PM_INIT_FAILED;
    }
    if (command == 0)
        run_command(argv + i, &caller);

    int status = 0;
    for (;;) {
        /* SIGCHLD may have come before the wait: reap first, then sleep until the next signal. */
        if (reap_exited(command, &status))
            return shell_status(status);
        siginfo_t si;
        int sig = sigwaitinfo(&waited, &si);
        if (sig < 0 || sig == SIGCHLD)
            continue; /* EINTR, or children to reap */
        if (kill(command, sig) < 0 && errno != ESRCH)
            fprintf(stderr, "pm-init: kill(%ld, %d): %s\n", (long)command, sig, strerror(errno));
    }
}
