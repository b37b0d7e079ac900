/*
 * reap - collect exactly one child through its pidfd, signal it safely
 *
 * SYNOPSIS
 *   int pm_reap(int pidfd, int nohang, struct pm_exit *out);
 *   int pm_signal(int pidfd, int sig);
 *
 * DESCRIPTION
 *   pm_reap() is waitid(P_PIDFD, pidfd, WEXITED|__WALL): it can only ever
 *   collect the child the pidfd names, never a ProcessBuilder child of the
 *   same JVM (no waitpid(-1), no SIGCHLD handler). It does not close the
 *   pidfd: the caller first removes it from any epoll set (a sibling that
 *   has not exec'd yet may still hold a copy), then closes it.
 *
 *   pm_signal() is pidfd_send_signal(): it cannot hit a reused pid.
 *
 * DIAGNOSTICS
 *   pm_reap returns 1 with *out filled, 0 when nohang and the child still
 *   runs, else -errno. pm_signal returns 0 or -errno (ESRCH: already gone).
 */
#ifndef PROCMASTER_REAP_H
#define PROCMASTER_REAP_H

struct pm_exit {
    int pid;
    int code;       /* exit status, or -1 if killed */
    int signal;     /* terminating signal, or 0 */
    int core;       /* 1 if a core was dumped */
};

int pm_reap(int pidfd, int nohang, struct pm_exit *out);
int pm_signal(int pidfd, int sig);

#endif
