/*
 * pm-status-writer - write status records to fd 5 as told, for tests and
 * benchmarks of the status channel.
 *
 * usage: pm-status-writer ACTION...
 *   avail | taken        one well-formed record for this pid
 *   forge:PID            a record that claims to come from PID
 *   short:N | long:N     a packet of N bytes (N != 12)
 *   count:N              N AVAIL records as fast as possible
 *   wait                 block until fd 5 reports EOF (the master let go)
 *   exit:CODE            exit with CODE now
 * GENERATION from the environment (octal) goes into every record. Options
 * the master puts first (-l -z -u -c -d -v, and -n -t -o -s with a value)
 * are skipped, so it runs as a service too.
 * Exit 3 when a write fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned generation;

static int put(int32_t pid, int32_t status, size_t len)
{
    unsigned char buf[64];
    memset(buf, 0xab, sizeof buf);
    memcpy(buf, &pid, 4);
    memcpy(buf + 4, &generation, 4);
    memcpy(buf + 8, &status, 4);
    if (len > sizeof buf)
        len = sizeof buf;
    ssize_t r = send(5, buf, len, MSG_NOSIGNAL);
    if (r < 0 && errno == ENOTSOCK)
        r = write(5, buf, len);
    return r == (ssize_t)len ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *g = getenv("GENERATION");
    if (g)
        generation = (unsigned)strtoul(g, NULL, 8);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = 0;
        if (a[0] == '-') {
            if (strchr("ntos", a[1]) && a[1] && !a[2])
                i++; /* an option with a value */
            continue;
        }
        if (!strcmp(a, "avail"))
            r = put(getpid(), 1, 12);
        else if (!strcmp(a, "taken"))
            r = put(getpid(), 0, 12);
        else if (!strncmp(a, "forge:", 6))
            r = put(atoi(a + 6), 1, 12);
        else if (!strncmp(a, "short:", 6) || !strncmp(a, "long:", 5))
            r = put(getpid(), 1, (size_t)atoi(strchr(a, ':') + 1));
        else if (!strncmp(a, "count:", 6)) {
            /* getpid() is a system call (glibc no longer caches it): once, not per record, so
             * the benchmark measures the channel, not a second syscall per write. */
            int32_t self = getpid();
            long n = atol(a + 6);
            for (long k = 0; k < n && r == 0; k++)
                r = put(self, (int32_t)(k & 1), 12);
        } else if (!strcmp(a, "wait")) {
            char c;
            while (read(5, &c, 1) > 0)
                ;
        } else if (!strncmp(a, "exit:", 5))
            return atoi(a + 5);
        else {
            fprintf(stderr, "pm-status-writer: unknown action %s\n", a);
            return 2;
        }
        if (r < 0) {
            fprintf(stderr, "pm-status-writer: write: %s\n", strerror(errno));
            return 3;
        }
    }
    return 0;
}
