/*
 * pm-spawnloop - spawn + exit + reap of one trivial child, timed in C: the
 * physical limit the JVM benchmarks are compared with.
 *
 * usage: pm-spawnloop [-n N] [-w WARMUP] [-c CPU] [-m clone3|posix_spawn]
 *                     [-M HEAP_MB] PROGRAM [ARG...]
 *
 *   Each iteration is pm_spawn() (the same C core the JNI library uses; empty
 *   environment, no fd plan) followed by a blocking pm_reap() of the pidfd and
 *   its close: exactly what the Java side pays for, minus the JVM. -c pins
 *   this process (and so its children) to one CPU; -M allocates and touches
 *   HEAP_MB MiB first, to show that a vfork-style spawn does not care.
 *
 * OUTPUT
 *   One line on stdout, key=value separated by spaces, times in nanoseconds:
 *   pm-spawnloop mech=clone3 n=... heap_mb=... cpu=... min_ns=... p10_ns=...
 *   p50_ns=... p90_ns=... p99_ns=... max_ns=... mean_ns=... per_s=...
 *
 * DIAGNOSTICS
 *   Exit 1 with a message on stderr when a spawn, a reap or the child fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "reap.h"
#include "spawn.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t pct(const uint64_t *s, long n, double p)
{
    long i = (long)(p * (double)(n - 1) + 0.5);
    return s[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void usage(void)
{
    fprintf(stderr, "usage: pm-spawnloop [-n N] [-w WARMUP] [-c CPU] [-m clone3|posix_spawn] "
                    "[-M HEAP_MB] PROGRAM [ARG...]\n");
    exit(2);
}

static int once(const struct pm_spawn_req *req)
{
    struct pm_spawn_res res;
    struct pm_exit x;
    int r = pm_spawn(req, &res);
    if (r < 0) {
        fprintf(stderr, "pm-spawnloop: spawn %s: %s at %s\n", req->path, strerror(-r),
                pm_spawn_stage_name(res.stage));
        return -1;
    }
    r = pm_reap(res.pidfd, 0, &x);
    close(res.pidfd);
    if (r <= 0) {
        fprintf(stderr, "pm-spawnloop: reap: %s\n", strerror(-r));
        return -1;
    }
    if (x.code != 0) {
        fprintf(stderr, "pm-spawnloop: child exit code %d signal %d\n", x.code, x.signal);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long n = 20000, warm = 2000, heap_mb = 0;
    int cpu = -1, mech = PM_MECH_CLONE3;
    const char *mech_name = "clone3";
    int opt;

    while ((opt = getopt(argc, argv, "+n:w:c:m:M:")) != -1) {
        switch (opt) {
        case 'n': n = atol(optarg); break;
        case 'w': warm = atol(optarg); break;
        case 'c': cpu = atoi(optarg); break;
        case 'M': heap_mb = atol(optarg); break;
        case 'm':
            if (!strcmp(optarg, "clone3"))
                mech = PM_MECH_CLONE3;
            else if (!strcmp(optarg, "posix_spawn"))
                mech = PM_MECH_POSIX_SPAWN;
            else
                usage();
            mech_name = optarg;
            break;
        default: usage();
        }
    }
    if (optind >= argc || n < 1 || warm < 0 || heap_mb < 0)
        usage();

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) < 0) {
            fprintf(stderr, "pm-spawnloop: sched_setaffinity %d: %s\n", cpu, strerror(errno));
            return 1;
        }
    }
    if (heap_mb > 0) {
        size_t len = (size_t)heap_mb << 20;
        char *h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (h == MAP_FAILED) {
            fprintf(stderr, "pm-spawnloop: mmap %ld MiB: %s\n", heap_mb, strerror(errno));
            return 1;
        }
        for (size_t off = 0; off < len; off += 4096)
            h[off] = 1; /* touched, like -XX:+AlwaysPreTouch; kept mapped until exit */
    }

    char *envp[] = { NULL };
    struct pm_spawn_req req;
    memset(&req, 0, sizeof req);
    static char path[PATH_MAX];
    if (!realpath(argv[optind], path)) {
        fprintf(stderr, "pm-spawnloop: %s: %s\n", argv[optind], strerror(errno));
        return 1;
    }
    req.path = path;
    req.argv = argv + optind;
    req.envp = envp;
    req.mechanism = mech;

    uint64_t *s = malloc((size_t)n * sizeof *s);
    if (!s) {
        fprintf(stderr, "pm-spawnloop: out of memory\n");
        return 1;
    }
    for (long i = 0; i < warm; i++)
        if (once(&req) < 0)
            return 1;
    uint64_t total0 = now_ns();
    for (long i = 0; i < n; i++) {
        uint64_t t0 = now_ns();
        if (once(&req) < 0)
            return 1;
        s[i] = now_ns() - t0;
    }
    uint64_t total = now_ns() - total0;
    uint64_t sum = 0;
    for (long i = 0; i < n; i++)
        sum += s[i];
    qsort(s, (size_t)n, sizeof *s, cmp_u64);
    printf("pm-spawnloop mech=%s n=%ld heap_mb=%ld cpu=%d min_ns=%llu p10_ns=%llu p50_ns=%llu p90_ns=%llu "
           "p99_ns=%llu max_ns=%llu mean_ns=%llu per_s=%.0f\n",
           mech_name, n, heap_mb, cpu, (unsigned long long)s[0], (unsigned long long)pct(s, n, 0.10),
           (unsigned long long)pct(s, n, 0.50), (unsigned long long)pct(s, n, 0.90),
           (unsigned long long)pct(s, n, 0.99), (unsigned long long)s[n - 1], (unsigned long long)(sum / (uint64_t)n),
           (double)n * 1e9 / (double)total);
    free(s);
    return 0;
}
