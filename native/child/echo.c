/*
 * echo.c - pm-echo, the example single-connection daemon.
 *
 * Runs under the master as a Postfix-style service, e.g. in master.cf:
 *   127.0.0.1:10025  inet  n  -  n  -  4  pm-echo  -o echo_max_lines=100
 * Each accepted connection gets its lines echoed back until the client
 * closes, echo_max_lines lines were echoed (0 = no limit, the default), or
 * the client stays silent for echo_timeout seconds (default 300). A line
 * longer than 4096 bytes is echoed in 4096-byte pieces, each counting as a
 * line. Then the connection is closed and the child goes back to accept.
 *
 * Exit status: 0 when the loop ends normally (max_use, max_idle, master
 * gone); 1 with a "fatal:" line on stderr when it cannot start (bad command
 * line, bad GENERATION, descriptors missing), which makes the master throttle.
 */
#include "procmaster/child.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define ECHO_BUF 4096

struct echo_conf {
    unsigned max_lines;
    unsigned timeout;
};

static int parse_conf_uint(const char *s, unsigned *out)
{
    char *end;
    if (s == NULL)
        return 0;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > 0xffffffffUL)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* Write all of buf; 0 or -1 (client gone, timeout). */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int echo_serve(int fd, void *arg)
{
    const struct echo_conf *conf = arg;
    struct timeval tv = {.tv_sec = (time_t)conf->timeout, .tv_usec = 0};
    if (conf->timeout != 0) {
        /* Best effort: without it a silent client only holds this child. */
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    char buf[ECHO_BUF];
    size_t have = 0;
    unsigned lines = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - have);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return 0; /* reset or timeout: drop this client, keep serving */
        }
        if (n == 0) {
            if (have > 0)
                (void)send_all(fd, buf, have); /* last line without newline */
            return 0;
        }
        have += (size_t)n;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', have - start);
            size_t end;
            if (nl != NULL)
                end = (size_t)(nl - buf) + 1;
            else if (start == 0 && have == sizeof buf)
                end = have; /* over-long line: echo a full buffer */
            else
                break;
            if (send_all(fd, buf + start, end - start) < 0)
                return 0;
            start = end;
            if (conf->max_lines != 0 && ++lines >= conf->max_lines)
                return 0;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
}

int main(int argc, char **argv)
{
    struct pm_child_opts opts;
    struct echo_conf conf = {.max_lines = 0, .timeout = 300};
    if (pm_child_parse_args(argc, argv, &opts) < 0) {
        fprintf(stderr, "%s: fatal: %s\n", opts.progname ? opts.progname : "pm-echo", opts.error);
        return 1;
    }
    if (parse_conf_uint(pm_child_param(&opts, "echo_max_lines"), &conf.max_lines) < 0) {
        fprintf(stderr, "%s: fatal: bad echo_max_lines value\n", opts.progname);
        return 1;
    }
    if (parse_conf_uint(pm_child_param(&opts, "echo_timeout"), &conf.timeout) < 0) {
        fprintf(stderr, "%s: fatal: bad echo_timeout value\n", opts.progname);
        return 1;
    }
    if (opts.argc > 0) {
        fprintf(stderr, "%s: fatal: unexpected argument: %s\n", opts.progname, opts.argv[0]);
        return 1;
    }
    opts.serve = echo_serve;
    opts.arg = &conf;
    int r = pm_child_serve(&opts);
    if (r < 0) {
        fprintf(stderr, "%s: fatal: %s\n", opts.progname, opts.error);
        return 1;
    }
    return 0;
}
