/*
 * child_notify_test.c - pm_child_notify in process: the 12-byte record on
 * fd 5 (docs/postfix-master.md §4.1) over a SOCK_SEQPACKET socketpair (procmaster), a SOCK_STREAM
 * socketpair and a pipe (Postfix), EPIPE without SIGPIPE when the master's
 * end is closed, and a bad GENERATION refused before anything is sent.
 * SIGPIPE keeps its default action here, so a SIGPIPE would kill the test.
 */
#define _GNU_SOURCE
#include "procmaster/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s (errno %s)\n", __FILE__, __LINE__, #cond, \
                    strerror(errno));                                            \
            failures++;                                                          \
        }                                                                        \
    } while (0)

/* Put fd at 5; the original is closed. */
static void place_at_5(int fd)
{
    if (fd == PM_CHILD_STATUS_FD)
        return;
    if (dup2(fd, PM_CHILD_STATUS_FD) < 0 || close(fd) < 0) {
        perror("dup2");
        exit(1);
    }
}

/* Read one record (up to 13 bytes, to catch oversize) within 2 s. */
static ssize_t read_record(int fd, struct pm_status_record *r)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 2000) != 1)
        return -1;
    char buf[13];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == (ssize_t)sizeof *r)
        memcpy(r, buf, sizeof *r);
    return n;
}

static int nothing_to_read(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 100) == 0;
}

int main(void)
{
    int sv[2];
    struct pm_status_record r;

    /* A bad GENERATION is refused before anything is sent. */
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    place_at_5(sv[1]);
    CHECK(setenv("GENERATION", "9", 1) == 0);
    errno = 0;
    CHECK(pm_child_avail() == -1 && errno == EINVAL);
    CHECK(nothing_to_read(sv[0]));

    /* SEQPACKET: one 12-byte message per call, octal generation. */
    CHECK(setenv("GENERATION", "17", 1) == 0);
    CHECK(pm_child_avail() == 0);
    CHECK(read_record(sv[0], &r) == 12);
    CHECK(r.pid == getpid() && r.generation == 15 && r.status == PM_STATUS_AVAIL);
    CHECK(pm_child_taken() == 0);
    CHECK(pm_child_notify(7) == 0);
    CHECK(read_record(sv[0], &r) == 12);
    CHECK(r.pid == getpid() && r.generation == 15 && r.status == PM_STATUS_TAKEN);
    CHECK(read_record(sv[0], &r) == 12);
    CHECK(r.status == 7);
    /* The generation is cached: a later change of the environment is not seen. */
    CHECK(setenv("GENERATION", "1", 1) == 0);
    CHECK(pm_child_avail() == 0);
    CHECK(read_record(sv[0], &r) == 12 && r.generation == 15);

    /* Master's end closed: EPIPE, and no SIGPIPE (which would kill us). */
    CHECK(close(sv[0]) == 0);
    errno = 0;
    CHECK(pm_child_avail() == -1 && errno == EPIPE);

    /* SOCK_STREAM socketpair, as a Postfix master uses. */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    place_at_5(sv[1]);
    CHECK(pm_child_taken() == 0);
    CHECK(read_record(sv[0], &r) == 12);
    CHECK(r.pid == getpid() && r.generation == 15 && r.status == PM_STATUS_TAKEN);
    CHECK(close(sv[0]) == 0);
    errno = 0;
    CHECK(pm_child_avail() == -1 && (errno == EPIPE || errno == ECONNRESET));

    /* A pipe (full-duplex-pipe systems): write() instead of send(). */
    int pp[2];
    CHECK(pipe(pp) == 0);
    place_at_5(pp[1]);
    CHECK(pm_child_avail() == 0);
    CHECK(read_record(pp[0], &r) == 12);
    CHECK(r.pid == getpid() && r.generation == 15 && r.status == PM_STATUS_AVAIL);
    CHECK(close(pp[0]) == 0);

    /* No fd 5 at all. */
    CHECK(close(PM_CHILD_STATUS_FD) == 0);
    errno = 0;
    CHECK(pm_child_avail() == -1 && errno == EBADF);

    if (failures) {
        fprintf(stderr, "child_notify_test: %d check(s) failed\n", failures);
        return 1;
    }
    printf("child_notify_test: all checks passed\n");
    return 0;
}
