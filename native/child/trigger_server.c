/*
 * pm-trigger-server - a stand-in for the Postfix daemons that take the
 * master's wakeup triggers (tlsmgr, flush; docs/postfix-master.md §5.3), for
 * the tests of the master's trigger delivery.
 *
 * usage: pm-trigger-server [master options] LOGFILE [hold]
 *   The transport comes from the master's "-t TYPE" (unix, inet, pass, fifo).
 *   unix, inet: accept on fd 6; write a protocol announcement first, as
 *     Postfix 3.7's tlsmgr and flush do when they accept; then read the
 *     request up to its NUL.
 *   pass: accept on fd 6, receive one descriptor (SCM_RIGHTS, one data byte)
 *     and read the request from it; no announcement (the connection carries
 *     only the descriptor).
 *   fifo: read what is written into fd 6.
 *   hold: never close an accepted connection (a server that never lets go),
 *     and log when the master closes its end.
 *   handoff: after the request, hand the connection to a grandchild (not the
 *     master's child: neither a stop nor a removal ends it) that logs "peer
 *     closed by master" when the master closes its end, or "handoff timeout"
 *     after 30 s, and exits; this process closes its copy at once.
 * Every event is one line appended to LOGFILE, e.g. "accept 1",
 * "announce ok", "announce: Broken pipe", "request W", "request: EOF",
 * "peer closed 1", "fifo W". Exits 0 when fd 5 (the status channel) reports
 * EOF, i.e. when the master lets go. SIGPIPE is ignored, as Postfix does, so
 * a failed write is a line in the log and not a death.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HELD 64

static int log_fd = -1;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    (void)!write(log_fd, line, (size_t)n);
}

/* Reads one request up to its NUL (at most 2 s): "W", or why there is none. */
static void read_request(int fd)
{
    char req[64];
    size_t n = 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (n < sizeof req - 1) {
        if (poll(&p, 1, 2000) <= 0) {
            say("request: timeout");
            return;
        }
        ssize_t r = read(fd, req + n, 1);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0) {
            say("request: %s", r == 0 ? "EOF" : strerror(errno));
            return;
        }
        if (req[n] == 0)
            break;
        n++;
    }
    req[n] = 0;
    say("request %s", req);
}

/* One descriptor sent with SCM_RIGHTS, or -1. */
static int receive_fd(int sock)
{
    char byte;
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
    struct pollfd p = { .fd = sock, .events = POLLIN };
    if (poll(&p, 1, 2000) <= 0 || recvmsg(sock, &m, MSG_CMSG_CLOEXEC) <= 0)
        return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

int main(int argc, char **argv)
{
    const char *type = "unix", *logfile = NULL;
    int hold = 0, handoff = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-') {
            if (a[1] && !a[2] && strchr("ntos", a[1]) && i + 1 < argc) {
                if (a[1] == 't')
                    type = argv[i + 1];
                i++;
            }
        } else if (!logfile) {
            logfile = a;
        } else if (!strcmp(a, "hold")) {
            hold = 1;
        } else if (!strcmp(a, "handoff")) {
            handoff = 1;
        }
    }
    if (!logfile)
        return 2;
    log_fd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    say("start %s", type);

    int fifo = !strcmp(type, "fifo"), pass = !strcmp(type, "pass");
    int held[MAX_HELD], nheld = 0, accepted = 0;
    for (;;) {
        struct pollfd p[2 + MAX_HELD];
        p[0] = (struct pollfd){ .fd = 5, .events = POLLIN };
        p[1] = (struct pollfd){ .fd = 6, .events = POLLIN };
        for (int i = 0; i < nheld; i++)
            p[2 + i] = (struct pollfd){ .fd = held[i], .events = POLLIN };
        if (poll(p, (nfds_t)(2 + nheld), -1) < 0) {
            if (errno == EINTR)
                continue;
            return 3;
        }
        if (p[0].revents)
            return 0; /* the master let go of the status channel */
        for (int i = nheld - 1; i >= 0; i--) {
            char buf[64];
            if (p[2 + i].revents && read(held[i], buf, sizeof buf) <= 0) {
                say("peer closed %d", i + 1);
                close(held[i]);
                held[i] = held[--nheld];
            }
        }
        if (!p[1].revents)
            continue;
        if (fifo) {
            char buf[64];
            ssize_t r = read(6, buf, sizeof buf);
            for (ssize_t i = 0; i < r; i++)
                say("fifo %c", buf[i] ? buf[i] : '0');
            continue;
        }
        int c = accept4(6, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue; /* EAGAIN: the listener is non-blocking */
        fcntl(c, F_SETFL, fcntl(c, F_GETFL) & ~O_NONBLOCK);
        say("accept %d", ++accepted);
        if (pass) {
            int passed = receive_fd(c);
            if (passed < 0) {
                say("request: no descriptor");
            } else {
                read_request(passed);
                close(passed);
            }
        } else {
            static const char announce[] = "protocol\0pm-trigger\0\0";
            if (send(c, announce, sizeof announce, MSG_NOSIGNAL) < 0)
                say("announce: %s", strerror(errno));
            else
                say("announce ok");
            read_request(c);
        }
        if (handoff && fork() == 0) {
            close(5);
            close(6);
            struct pollfd w = { .fd = c, .events = POLLIN };
            char buf[64];
            int r = poll(&w, 1, 30000);
            say(r > 0 && read(c, buf, sizeof buf) <= 0 ? "peer closed by master" : "handoff timeout");
            _exit(0);
        }
        if (hold && !handoff && nheld < MAX_HELD)
            held[nheld++] = c;
        else
            close(c);
    }
}
