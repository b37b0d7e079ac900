/*
 * status.c - GENERATION and the 12-byte status record on fd 5.
 *
 * pm_child_generation parses the octal GENERATION variable strictly: the
 * master writes it with no prefix, and anything else is a broken master or a
 * hand-made environment, which the daemon must refuse rather than guess.
 * pm_child_notify sends one record per call in one system call, so that on a
 * stream socket or pipe it cannot interleave with a sibling's record, and on
 * a SOCK_SEQPACKET socket it is exactly one message. A short write is an
 * error: the master discards partial records.
 */
#include "procmaster/child.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int pm_child_generation(unsigned *out)
{
    const char *s = getenv("GENERATION");
    if (s == NULL) {
        *out = 0;
        return 0;
    }
    if (*s == '\0') {
        errno = EINVAL;
        return -1;
    }
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '7') {
            errno = EINVAL;
            return -1;
        }
        v = v * 8 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX) {
            errno = ERANGE;
            return -1;
        }
    }
    *out = (unsigned)v;
    return 0;
}

/* Cached per process: the environment and fd 5's kind do not change under us. */
static int have_generation;
static unsigned cached_generation;
static enum { KIND_UNKNOWN, KIND_SOCKET, KIND_OTHER } status_fd_kind;

int pm_child_notify(int status)
{
    if (!have_generation) {
        if (pm_child_generation(&cached_generation) < 0)
            return -1;
        have_generation = 1;
    }
    struct pm_status_record rec = {
        .pid = (int32_t)getpid(),
        .generation = (uint32_t)cached_generation,
        .status = (int32_t)status,
    };
    ssize_t n;
    for (;;) {
        if (status_fd_kind != KIND_OTHER) {
            n = send(PM_CHILD_STATUS_FD, &rec, sizeof rec, MSG_NOSIGNAL);
            if (n < 0 && errno == ENOTSOCK) {
                status_fd_kind = KIND_OTHER;
                continue;
            }
            if (n >= 0)
                status_fd_kind = KIND_SOCKET;
        } else {
            n = write(PM_CHILD_STATUS_FD, &rec, sizeof rec);
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    if (n < 0)
        return -1;
    if ((size_t)n != sizeof rec) {
        errno = EIO;
        return -1;
    }
    return 0;
}

int pm_child_avail(void)
{
    return pm_child_notify(PM_STATUS_AVAIL);
}

int pm_child_taken(void)
{
    return pm_child_notify(PM_STATUS_TAKEN);
}
