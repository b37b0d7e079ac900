/*
 * pm-notify-recv - a stand-in for systemd's notify socket, for the tests of
 * the master's sd_notify messages (docs/systemd.md). JDK 17 cannot bind a
 * unix datagram socket, so the Java tests run this program instead.
 *
 * usage: pm-notify-recv ADDRESS
 *   ADDRESS is a socket path, or "@name" for the abstract name "name" (the
 *   address exactly as long as the name, as systemd binds it).
 *   Binds a non-blocking AF_UNIX SOCK_DGRAM socket there with SO_PASSCRED,
 *   prints "bound" on stdout, then one line per datagram:
 *     "pid=<sender pid> <payload>"
 *   with each newline of the payload printed as a TAB (the payload's lines
 *   are NAME=value assignments, which hold no TAB or newline of their own).
 *   Output is flushed after every line. Exits 0 when stdin reaches EOF or
 *   fails (the test that started it closed it or went away), so it never
 *   outlives its test; a path socket is unlinked then.
 *
 * DIAGNOSTICS
 *   Exit 2 on a bad argument or a failed socket/bind, with a message on
 *   stderr naming the call and the address.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void print_datagram(const char *buf, ssize_t n, long pid)
{
    printf("pid=%ld ", pid);
    for (ssize_t i = 0; i < n; i++)
        putchar(buf[i] == '\n' ? '\t' : buf[i]);
    putchar('\n');
    fflush(stdout);
}

/* One datagram and its sender's pid (SCM_CREDENTIALS; -1 when none came). */
static ssize_t receive(int fd, char *buf, size_t size, long *pid)
{
    union {
        char bytes[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = size };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                        .msg_controllen = sizeof control.bytes };
    ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);
    *pid = -1;
    if (n < 0)
        return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof u);
            *pid = (long)u.pid;
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    struct sockaddr_un a;
    socklen_t len;
    int fd, one = 1;
    const char *where;

    if (argc != 2 || !argv[1][0] || strlen(argv[1]) >= sizeof a.sun_path) {
        fprintf(stderr, "usage: pm-notify-recv PATH|@NAME (shorter than %zu bytes)\n", sizeof a.sun_path);
        return 2;
    }
    where = argv[1];
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (where[0] == '@') {
        memcpy(a.sun_path + 1, where + 1, strlen(where + 1));
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(where));
    } else {
        memcpy(a.sun_path, where, strlen(where));
        len = sizeof a;
        unlink(where);
    }
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0
        || bind(fd, (struct sockaddr *)&a, len) < 0) {
        fprintf(stderr, "pm-notify-recv: socket/bind %s: %s\n", where, strerror(errno));
        return 2;
    }
    printf("bound\n");
    fflush(stdout);
    for (;;) {
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
        char buf[8192], junk[256];
        long pid;
        ssize_t n;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        while ((n = receive(fd, buf, sizeof buf, &pid)) >= 0)
            print_datagram(buf, n, pid);
        if (p[1].revents && read(0, junk, sizeof junk) <= 0)
            break;
    }
    if (where[0] != '@')
        unlink(where);
    return 0;
}
