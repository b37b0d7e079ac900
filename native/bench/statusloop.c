/*
 * pm-statusloop - status records through the C loop, timed in C: the
 * physical limit benchmark 4 (StatusThroughput) is compared with.
 *
 * usage: pm-statusloop [-r ROUNDS] [-w WRITERS] [-n RECORDS] WRITER
 *
 *   Each round opens nothing new: one status channel (pm_channel, SEQPACKET
 *   with SO_PASSCRED, as the master's) is registered with a pm_loop; WRITERS
 *   copies of WRITER ("pm-status-writer count:RECORDS", fd 5 = the child end)
 *   are spawned through pm_spawn and watched by pidfd; pm_loop_poll (batches
 *   of 1024 records, recvmmsg underneath) is called until every record and
 *   every exit has been seen. Per record the consumer checks the flags and
 *   counts, which is less than StatusThroughput's Java consumer does. The
 *   same kernel path as the JVM's, minus the JVM and the JNI crossing.
 *
 * OUTPUT
 *   One line on stdout, key=value separated by spaces: the records per
 *   second of each round's median, min and max, e.g.
 *   pm-statusloop rounds=... writers=... records=... p50_per_s=...
 *   min_per_s=... max_per_s=...
 *
 * DIAGNOSTICS
 *   Exit 1 with a message on stderr when a spawn or poll fails, a record is
 *   flagged, a writer fails, or a round loses records.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "sock.h"
#include "spawn.h"

#define BATCH 1024
#define MAX_WRITERS 16

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void usage(void)
{
    fprintf(stderr, "usage: pm-statusloop [-r ROUNDS] [-w WRITERS] [-n RECORDS] WRITER\n");
    exit(2);
}

/* One round: spawn the writers, drain until all records and exits are in; records/s. */
static int round_once(pm_loop_t loop, int child_end, const struct pm_spawn_req *req, int writers,
                      long records, double *per_s)
{
    static struct pm_event ev[BATCH];
    long want = (long)writers * records, got = 0;
    int exits = 0;
    int src[1] = { child_end }, dst[1] = { 5 };
    struct pm_spawn_req r = *req;
    r.fd_src = src;
    r.fd_dst = dst;
    r.nfds = 1;

    uint64_t t0 = now_ns();
    for (int i = 0; i < writers; i++) {
        struct pm_spawn_res res;
        int e = pm_spawn(&r, &res);
        if (e < 0) {
            fprintf(stderr, "pm-statusloop: spawn %s: %s at %s\n", r.path, strerror(-e),
                    pm_spawn_stage_name(res.stage));
            return -1;
        }
        if ((e = pm_loop_ctl(loop, PM_CTL_ADD, res.pidfd, PM_REG_PIDFD, 100 + i, 0)) < 0) {
            fprintf(stderr, "pm-statusloop: watch: %s\n", strerror(-e));
            return -1;
        }
    }
    while (got < want || exits < writers) {
        int n = pm_loop_poll(loop, ev, BATCH, 10000);
        if (n < 0) {
            fprintf(stderr, "pm-statusloop: poll: %s\n", strerror(-n));
            return -1;
        }
        if (n == 0 && now_ns() - t0 > 30000000000ull) {
            /* 0 also means EINTR or events that made no record: judge a stall by time */
            fprintf(stderr, "pm-statusloop: stalled at %ld of %ld records, %d exits\n", got, want, exits);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].kind == PM_EV_STATUS) {
                if (ev[i].events & (PM_ST_FORGED | PM_ST_MALFORMED | PM_ST_NOCRED)) {
                    fprintf(stderr, "pm-statusloop: flagged record (flags %d)\n", ev[i].events);
                    return -1;
                }
                got++;
            } else if (ev[i].kind == PM_EV_EXIT) {
                pm_loop_close_fd(loop, ev[i].fd);
                if (ev[i].b != 0) {
                    fprintf(stderr, "pm-statusloop: writer exit code %d signal %d\n", ev[i].b, ev[i].c);
                    return -1;
                }
                exits++;
            }
        }
    }
    uint64_t t = now_ns() - t0;
    if (got != want) {
        fprintf(stderr, "pm-statusloop: %ld records, wanted %ld\n", got, want);
        return -1;
    }
    *per_s = (double)want * 1e9 / (double)t;
    return 0;
}

int main(int argc, char **argv)
{
    long records = 50000;
    int rounds = 20, writers = 2, opt;

    while ((opt = getopt(argc, argv, "+r:w:n:")) != -1) {
        switch (opt) {
        case 'r': rounds = atoi(optarg); break;
        case 'w': writers = atoi(optarg); break;
        case 'n': records = atol(optarg); break;
        default: usage();
        }
    }
    if (optind != argc - 1 || rounds < 1 || writers < 1 || writers > MAX_WRITERS || records < 1)
        usage();

    static char path[PATH_MAX], count[32];
    if (!realpath(argv[optind], path)) {
        fprintf(stderr, "pm-statusloop: %s: %s\n", argv[optind], strerror(errno));
        return 1;
    }
    snprintf(count, sizeof count, "count:%ld", records);
    char *args[] = { path, count, NULL };
    char *envp[] = { "GENERATION=1", NULL };
    struct pm_spawn_req req;
    memset(&req, 0, sizeof req);
    req.path = path;
    req.argv = args;
    req.envp = envp;
    req.mechanism = PM_MECH_CLONE3;

    int err = 0, ch[2];
    pm_loop_t loop = pm_loop_create(&err);
    if (!loop) {
        fprintf(stderr, "pm-statusloop: loop: %s\n", strerror(err));
        return 1;
    }
    if ((err = pm_channel(PM_CH_STATUS, ch)) < 0 || (err = pm_loop_ctl(loop, PM_CTL_ADD, ch[0], PM_REG_STATUS, 1, 0)) < 0) {
        fprintf(stderr, "pm-statusloop: status channel: %s\n", strerror(-err));
        return 1;
    }
    double *per_s = malloc((size_t)rounds * sizeof *per_s);
    if (!per_s) {
        fprintf(stderr, "pm-statusloop: out of memory\n");
        return 1;
    }
    for (int i = 0; i < rounds; i++)
        if (round_once(loop, ch[1], &req, writers, records, &per_s[i]) < 0)
            return 1;
    qsort(per_s, (size_t)rounds, sizeof *per_s, cmp_double);
    printf("pm-statusloop rounds=%d writers=%d records=%ld p50_per_s=%.0f min_per_s=%.0f max_per_s=%.0f\n", rounds,
           writers, records, per_s[rounds / 2], per_s[0], per_s[rounds - 1]);
    free(per_s);
    pm_loop_close_fd(loop, ch[0]);
    close(ch[1]);
    pm_loop_destroy(loop);
    return 0;
}
