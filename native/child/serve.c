/*
 * serve.c - the single-connection server loop (docs/postfix-master.md §8.2, §8.3).
 *
 * Postfix serializes the children of a service with a lock file so that one
 * connection wakes one child (docs/postfix-master.md §8.1); children waiting for the lock then miss
 * master EOF and their idle timers (docs/postfix-master.md §10 W9). Here every child waits in its own
 * epoll set with the shared listen sockets registered EPOLLEXCLUSIVE: the
 * kernel wakes one idle waiter per connection (a busy child, not being in
 * epoll_wait, does not absorb the wake-up) and every child always sees fd 5.
 * fd 5 is registered without EPOLLEXCLUSIVE because all children must learn
 * that the master is gone.
 *
 * Failure modes: setup problems return -1 with a message; a failed accept is
 * either "lost the race" (silent) or logged; a failed TAKEN is ignored (the
 * client is served anyway), a failed AVAIL ends the loop (master gone).
 * Timers use CLOCK_MONOTONIC, so a clock step neither hastens nor delays the
 * idle exit.
 */
#define _GNU_SOURCE /* accept4 */
#include "procmaster/child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fail(struct pm_child_opts *o, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct pm_child_opts *o, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->error, sizeof o->error, fmt, ap);
    va_end(ap);
    errno = err;
    return -1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    /* CLOCK_MONOTONIC cannot fail with a valid pointer. */
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_fd_flag(int fd, int getcmd, int setcmd, int flag)
{
    int fl = fcntl(fd, getcmd);
    if (fl < 0)
        return -1;
    if (fl & flag)
        return 0;
    return fcntl(fd, setcmd, fl | flag);
}

static void say(const struct pm_child_opts *o, const char *what)
{
    if (o->verbose)
        fprintf(stderr, "%s: %s\n", o->progname ? o->progname : "daemon", what);
}

/* Set up signals, fds and the epoll set. Returns the epoll fd or -1. */
static int setup(struct pm_child_opts *o)
{
    unsigned gen;
    if (pm_child_generation(&gen) < 0) {
        const char *v = getenv("GENERATION");
        return fail(o, errno, "bad generation: %s", v ? v : "");
    }
    if (o->serve == NULL)
        return fail(o, EINVAL, "no serve callback");
    if (o->transport == NULL)
        return fail(o, EINVAL, "no transport type specified");
    if (strcmp(o->transport, "inet") != 0 && strcmp(o->transport, "unix") != 0)
        return fail(o, ENOTSUP, "unsupported transport type: %s", o->transport);
    if (o->listen_count < 1 || o->listen_count > PM_CHILD_MAX_LISTEN)
        return fail(o, EINVAL, "bad listen socket count: %u", o->listen_count);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGPIPE, &sa, NULL) < 0 ||
        sigaction(SIGXFSZ, &sa, NULL) < 0)
        return fail(o, errno, "sigaction: %s", strerror(errno));

    /* Grandchildren must not inherit the protocol descriptors. 3 and 4 may be
     * absent (a daemon run by hand, or a test); 5 and the listeners may not. */
    for (int fd = PM_CHILD_FLOW_READ_FD; fd <= PM_CHILD_FLOW_WRITE_FD; fd++)
        if (set_fd_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
            return fail(o, errno, "fcntl fd %d: %s", fd, strerror(errno));
    if (set_fd_flag(PM_CHILD_STATUS_FD, F_GETFD, F_SETFD, FD_CLOEXEC) < 0)
        return fail(o, errno, "status channel fd %d: %s", PM_CHILD_STATUS_FD, strerror(errno));
    for (unsigned k = 0; k < o->listen_count; k++) {
        int fd = PM_CHILD_LISTEN_FD + (int)k;
        if (set_fd_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC) < 0 ||
            set_fd_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK) < 0)
            return fail(o, errno, "listen fd %d: %s", fd, strerror(errno));
    }

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return fail(o, errno, "epoll_create1: %s", strerror(errno));
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = PM_CHILD_STATUS_FD;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, PM_CHILD_STATUS_FD, &ev) < 0) {
        int err = errno;
        (void)close(ep);
        return fail(o, err, "epoll_ctl status fd %d: %s", PM_CHILD_STATUS_FD, strerror(err));
    }
    for (unsigned k = 0; k < o->listen_count; k++) {
        int fd = PM_CHILD_LISTEN_FD + (int)k;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN | EPOLLEXCLUSIVE;
        ev.data.fd = fd;
        int rc = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        if (rc < 0 && errno == EINVAL) {
            /* Kernel before 4.5: no EPOLLEXCLUSIVE. Correct, only noisier:
             * every idle child wakes and all but one get EAGAIN. */
            ev.events = EPOLLIN;
            rc = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
        if (rc < 0) {
            int err = errno;
            (void)close(ep);
            return fail(o, err, "epoll_ctl listen fd %d: %s", fd, strerror(err));
        }
    }
    return ep;
}

/* Accept on one ready listener and serve. Returns -1 to keep going, or a
 * pm_child_exit reason; *served is set when a connection was served. */
static int take_one(struct pm_child_opts *o, int lfd, int *served)
{
    *served = 0;
    int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) {
        switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
        case ECONNABORTED:
        case EPROTO:
        case EINTR:
            return -1; /* another child won, or the client left */
        default: {
            fprintf(stderr, "%s: accept on fd %d: %s\n", o->progname, lfd, strerror(errno));
            struct timespec pause = {0, 100 * 1000 * 1000};
            while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
                ;
            return -1;
        }
        }
    }
    /* accept4 gives a blocking socket: O_NONBLOCK is not inherited on Linux. */
    if (pm_child_taken() < 0 && o->verbose)
        fprintf(stderr, "%s: status TAKEN: %s (serving anyway)\n", o->progname, strerror(errno));
    int rc = o->serve(conn, o->arg);
    if (close(conn) < 0 && errno != EINTR && o->verbose)
        fprintf(stderr, "%s: close connection: %s\n", o->progname, strerror(errno));
    *served = 1;
    if (pm_child_avail() < 0) {
        say(o, "status AVAIL failed: master disconnect -- exiting");
        return PM_CHILD_EXIT_MASTER_GONE;
    }
    if (rc != 0) {
        say(o, "service asked to stop -- exiting");
        return PM_CHILD_EXIT_STOP;
    }
    return -1;
}

int pm_child_serve(struct pm_child_opts *o)
{
    o->error[0] = '\0';
    int ep = setup(o);
    if (ep < 0)
        return -1;

    int result;
    if (pm_child_avail() < 0) {
        say(o, "status AVAIL failed: master disconnect -- exiting");
        result = PM_CHILD_EXIT_MASTER_GONE;
        goto out;
    }

    unsigned use_count = 0;
    int64_t idle_ms = (int64_t)o->max_idle * 1000;
    int64_t deadline = idle_ms ? now_ms() + idle_ms : 0;
    for (;;) {
        if (o->max_use != 0 && use_count >= o->max_use) {
            say(o, "max_use reached -- exiting");
            result = PM_CHILD_EXIT_MAX_USE;
            goto out;
        }
        int timeout = -1;
        if (deadline) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                say(o, "idle timeout -- exiting");
                result = PM_CHILD_EXIT_IDLE;
                goto out;
            }
            timeout = left > 60 * 60 * 1000 ? 60 * 60 * 1000 : (int)left;
        }
        struct epoll_event evs[16];
        int n = epoll_wait(ep, evs, (int)(sizeof evs / sizeof evs[0]), timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            fail(o, err, "epoll_wait: %s", strerror(err));
            (void)close(ep);
            errno = err;
            return -1;
        }
        /* The master going away wins over pending connections: the next
         * generation's children (or the master itself) will take those. */
        for (int k = 0; k < n; k++) {
            if (evs[k].data.fd == PM_CHILD_STATUS_FD) {
                say(o, "master disconnect -- exiting");
                result = PM_CHILD_EXIT_MASTER_GONE;
                goto out;
            }
        }
        for (int k = 0; k < n; k++) {
            int served;
            int r = take_one(o, evs[k].data.fd, &served);
            if (served) {
                if (use_count < UINT32_MAX)
                    use_count++;
                deadline = idle_ms ? now_ms() + idle_ms : 0;
            }
            if (r >= 0) {
                result = r;
                goto out;
            }
            /* One connection per wake-up: recheck limits and fd 5 first. */
            if (served)
                break;
        }
    }
out:
    (void)close(ep);
    return result;
}
