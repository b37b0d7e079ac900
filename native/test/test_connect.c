/*
 * test_connect - pm_connect, pm_socket_error and pm_send_fd (sock.h), the
 * calls behind the master's wakeup triggers (docs/postfix-master.md §5.8):
 * a unix and an inet connection to a listener, the errors for nobody
 * listening, a full unix backlog refusing at once (never blocking), bad
 * arguments, and a descriptor passed with its one NUL data byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../src/sock.h"

static long failures;
#include "check.h"

static int writable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    return poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT);
}

static void test_unix(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/s", dir);
    int l = pm_listen(PM_LS_UNIX, path, 0, 1, 0600);
    CHECK(l >= 0, "listen %s: %d", path, l);
    int c = pm_connect(PM_LS_UNIX, path, 0);
    CHECK(c >= 0, "connect: %d", c);
    CHECK(fcntl(c, F_GETFL) & O_NONBLOCK, "non-blocking");
    CHECK(fcntl(c, F_GETFD) & FD_CLOEXEC, "close-on-exec");
    CHECK(writable(c) && pm_socket_error(c) == 0, "connected");

    /* A backlog of 1 is full after one or two more: the next connect fails at once. */
    int extra[8], n = 0, r = 0;
    while (n < 8 && (r = pm_connect(PM_LS_UNIX, path, 0)) >= 0)
        extra[n++] = r;
    CHECK(r == -EAGAIN, "full backlog: %d after %d", r, n);

    /* A descriptor passed: one NUL byte and the descriptor arrive. */
    int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    CHECK(s >= 0, "accept");
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    CHECK(pm_send_fd(c, p[0]) == 0, "send fd");
    char byte = 1, control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
    CHECK(recvmsg(s, &m, 0) == 1 && byte == 0, "one NUL data byte");
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    CHECK(h && h->cmsg_type == SCM_RIGHTS, "SCM_RIGHTS");
    if (h && h->cmsg_type == SCM_RIGHTS) {
        int got;
        memcpy(&got, CMSG_DATA(h), sizeof got);
        char w[2] = { 'W', 0 }, rd[2] = { 0, 1 };
        CHECK(write(p[1], w, 2) == 2 && read(got, rd, 2) == 2 && rd[0] == 'W' && rd[1] == 0,
              "the passed pipe carries the trigger");
        close(got);
    }
    close(p[0]);
    close(p[1]);
    close(s);
    for (int i = 0; i < n; i++)
        close(extra[i]);
    close(c);
    close(l);
    unlink(path);

    CHECK(pm_connect(PM_LS_UNIX, path, 0) == -ENOENT, "nobody there: ENOENT");
    char longpath[200];
    memset(longpath, 'x', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = 0;
    CHECK(pm_connect(PM_LS_UNIX, longpath, 0) == -ENAMETOOLONG, "path too long");
}

static void test_inet(void)
{
    int l = pm_listen(PM_LS_INET, "127.0.0.1", 0, 4, 0);
    CHECK(l >= 0, "listen inet: %d", l);
    int port = pm_local_port(l);
    int c = pm_connect(PM_LS_INET, "127.0.0.1", port);
    CHECK(c >= 0 && writable(c) && pm_socket_error(c) == 0, "inet connected");
    close(c);
    close(l);
    /* Nobody on the port now: refused, at once or once the attempt is done. */
    c = pm_connect(PM_LS_INET, "127.0.0.1", port);
    CHECK(c == -ECONNREFUSED || (c >= 0 && writable(c) && pm_socket_error(c) == -ECONNREFUSED),
          "refused: %d", c);
    if (c >= 0)
        close(c);
    CHECK(pm_connect(PM_LS_INET, "not-an-address", 25) == -EINVAL, "a literal only");
    CHECK(pm_connect(PM_LS_INET, "127.0.0.1", 0) == -EINVAL, "port 0");
    CHECK(pm_connect(PM_LS_FIFO, "x", 0) == -EINVAL, "not a stream kind");
}

int main(void)
{
    char dir[] = "/tmp/pm-test-connect-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_unix(dir);
    test_inet();
    rmdir(dir);
    if (failures)
        fprintf(stderr, "%ld failure(s)\n", failures);
    return failures ? 1 : 0;
}
