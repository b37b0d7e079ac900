/* reap - see reap.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reap.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int pm_reap(int pidfd, int nohang, struct pm_exit *out)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    for (;;) {
        if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL | (nohang ? WNOHANG : 0)) == 0)
            break;
        if (errno != EINTR)
            return -errno;
    }
    if (si.si_pid == 0)
        return 0; /* WNOHANG and still running */
    out->pid = si.si_pid;
    out->code = -1;
    out->signal = 0;
    out->core = 0;
    if (si.si_code == CLD_EXITED)
        out->code = si.si_status;
    else {
        out->signal = si.si_status;
        out->core = si.si_code == CLD_DUMPED;
    }
    return 1;
}

int pm_signal(int pidfd, int sig)
{
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return -errno;
    return 0;
}
