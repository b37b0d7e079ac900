/*
 * test_fdplan - the fd plan over every permutation of up to 6 pairs.
 *
 * Each plan is checked twice: on a model descriptor table (every case,
 * fast) and, for a large subset, on real descriptors in a forked process
 * (the test may fork; the product never does).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdplan.h"

#define TBL 64
static long cases, real_cases, failures;

#include "check.h"
/* In this file a failed check also ends the current case. */
#undef CHECK
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            CHECK_REPORT(__VA_ARGS__);                                          \
            return;                                                             \
        }                                                                       \
    } while (0)

static void show(const int *src, const int *dst, int n, char *buf, size_t len)
{
    size_t o = 0;
    for (int i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%d->%d ", src[i], dst[i]);
}

/* Run the plan on a model table: every number holds a file id or -1. */
static void check_model(const int *src, const int *dst, int n)
{
    int file[TBL], cloexec[TBL], scratch = 3;
    struct fdop ops[FDPLAN_MAX_OPS];
    char desc[256] = "";

    show(src, dst, n, desc, sizeof desc);
    for (int i = 0; i < n; i++) {
        if (src[i] >= scratch) scratch = src[i] + 1;
        if (dst[i] >= scratch) scratch = dst[i] + 1;
    }
    for (int fd = 0; fd < TBL; fd++) {
        file[fd] = 5000 + fd; /* something unrelated is open everywhere */
        cloexec[fd] = 1;
    }
    for (int i = 0; i < n; i++)
        file[src[i]] = 1000 + src[i];
    int nops = fdplan_compute(src, dst, n, scratch, ops, FDPLAN_MAX_OPS);
    CHECK(nops >= 0, "compute failed %d for %s", nops, desc);
    CHECK(nops <= 2 * n + 1, "%d ops for %d pairs: %s", nops, n, desc);
    for (int k = 0; k < nops; k++) {
        CHECK(ops[k].a >= 0 && ops[k].a < TBL && ops[k].b >= 0 && ops[k].b < TBL, "op out of range");
        if (ops[k].kind == FDOP_DUP2) {
            CHECK(ops[k].a != ops[k].b, "dup2 onto itself in %s", desc);
            file[ops[k].b] = file[ops[k].a];
            cloexec[ops[k].b] = 0;
        } else {
            CHECK(ops[k].kind == FDOP_CLEAR_CLOEXEC, "bad op kind");
            cloexec[ops[k].a] = 0;
        }
    }
    for (int i = 0; i < n; i++) {
        CHECK(file[dst[i]] == 1000 + src[i], "target %d holds %d, want source %d: %s", dst[i], file[dst[i]],
              src[i], desc);
        CHECK(!cloexec[dst[i]], "target %d still close-on-exec: %s", dst[i], desc);
    }
    cases++;
}

/* The same plan on real descriptors, in a forked child that reports by exit code. */
static void check_real(const int *src, const int *dst, int n)
{
    char desc[256] = "";
    show(src, dst, n, desc, sizeof desc);
    pid_t pid = fork();
    if (pid == 0) {
        struct fdop ops[FDPLAN_MAX_OPS];
        struct fdrange gaps[FDPLAN_MAX_PAIRS + 4];
        ino_t want[TBL];
        int scratch = 3, failed;
        /* Park a distinct file on every source number: /dev/null dups differ by fd only, so use pipes. */
        int base = 40;
        for (int i = 0; i < n; i++) {
            int p[2];
            if (pipe2(p, O_CLOEXEC) < 0) _exit(10);
            if (dup3(p[0], base + i, O_CLOEXEC) < 0) _exit(11);
            close(p[0]);
            close(p[1]);
        }
        /* Sources may repeat: give each distinct source number one file. */
        for (int i = 0; i < n; i++) {
            int first = i;
            for (int j = 0; j < i; j++)
                if (src[j] == src[i]) { first = j; break; }
            if (first == i && dup3(base + i, src[i], O_CLOEXEC) < 0) _exit(12);
        }
        for (int i = 0; i < n; i++) {
            struct stat st;
            if (fstat(src[i], &st) < 0) _exit(13);
            want[i] = st.st_ino;
            if (src[i] >= scratch) scratch = src[i] + 1;
            if (dst[i] >= scratch) scratch = dst[i] + 1;
        }
        for (int i = 0; i < n; i++) close(base + i);
        int nops = fdplan_compute(src, dst, n, scratch, ops, FDPLAN_MAX_OPS);
        int ngaps = fdplan_gaps(dst, n, gaps, FDPLAN_MAX_PAIRS + 4);
        if (nops < 0 || ngaps < 0) _exit(14);
        if (fdplan_apply(ops, nops, &failed) < 0) _exit(15);
        if (fdplan_close_gaps(gaps, ngaps) < 0) _exit(16);
        for (int i = 0; i < n; i++) {
            struct stat st;
            if (fstat(dst[i], &st) < 0 || st.st_ino != want[i]) _exit(17);
            if (fcntl(dst[i], F_GETFD) & FD_CLOEXEC) _exit(18);
        }
        /* Nothing above 2 may survive but the targets. */
        for (int fd = 3; fd < 256; fd++) {
            int keep = 0;
            for (int i = 0; i < n; i++) keep |= dst[i] == fd;
            if (!keep && fcntl(fd, F_GETFD) >= 0) _exit(19);
        }
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "real fds: child status %d for %s", WEXITSTATUS(st), desc);
    real_cases++;
}

static int next_perm(int *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1]) i--;
    if (i < 0) return 0;
    int j = n - 1;
    while (a[j] <= a[i]) j--;
    int t = a[i]; a[i] = a[j]; a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--) { t = a[l]; a[l] = a[r]; a[r] = t; }
    return 1;
}

static void test_rejects_bad_plans(void)
{
    struct fdop ops[FDPLAN_MAX_OPS];
    int s1[] = { 3, 4 }, d1[] = { 5, 5 };
    if (fdplan_compute(s1, d1, 2, 10, ops, FDPLAN_MAX_OPS) >= 0) { failures++; fprintf(stderr, "FAIL duplicate targets accepted\n"); }
    int s2[] = { -1 }, d2[] = { 3 };
    if (fdplan_compute(s2, d2, 1, 10, ops, FDPLAN_MAX_OPS) >= 0) { failures++; fprintf(stderr, "FAIL negative source accepted\n"); }
    int s3[] = { 3 }, d3[] = { 4 };
    if (fdplan_compute(s3, d3, 1, 4, ops, FDPLAN_MAX_OPS) >= 0) { failures++; fprintf(stderr, "FAIL scratch not above accepted\n"); }
    int s4[] = { 3, 4 }, d4[] = { 4, 3 };
    if (fdplan_compute(s4, d4, 2, 10, ops, 2) != -7 /* E2BIG */) { failures++; fprintf(stderr, "FAIL small ops buffer\n"); }
}

static void test_gaps(void)
{
    struct fdrange g[8];
    int d[] = { 6, 3, 4, 5, 9 };
    int n = fdplan_gaps(d, 5, g, 8);
    /* keep 0-6 and 9: close 7-8 and 10-end */
    if (n != 2 || g[0].first != 7 || g[0].last != 8 || g[1].first != 10 || g[1].last != ~0U) {
        failures++;
        fprintf(stderr, "FAIL gaps: n=%d\n", n);
    }
    n = fdplan_gaps(d, 0, g, 8);
    if (n != 1 || g[0].first != 3 || g[0].last != ~0U) { failures++; fprintf(stderr, "FAIL gaps empty plan\n"); }
}

int main(void)
{
    int src[8], dst[8];
    test_rejects_bad_plans();
    test_gaps();
    for (int n = 1; n <= 6; n++) {
        for (int i = 0; i < n; i++) dst[i] = 3 + i;
        /* Bijections from a window of sources onto the targets: below, overlapping, equal, above. */
        for (int off = -3; off <= n; off++) {
            for (int i = 0; i < n; i++) src[i] = 3 + off + i;
            do {
                check_model(src, dst, n);
                if (n <= 5 || off == 0 || off == -1) check_real(src, dst, n);
            } while (next_perm(src, n));
        }
        /* Fan-out: every n-tuple of sources from the target window, repeats included. */
        long total = 1;
        for (int i = 0; i < n; i++) total *= n;
        for (long k = 0; k < total; k++) {
            long v = k;
            for (int i = 0; i < n; i++) { src[i] = 3 + (int)(v % n); v /= n; }
            check_model(src, dst, n);
            if (n <= 3) check_real(src, dst, n);
        }
        /* Scattered targets with sources below them (listen fds at 6.. from low numbers). */
        for (int i = 0; i < n; i++) dst[i] = 6 + 2 * i;
        for (int i = 0; i < n; i++) src[i] = 3 + i;
        do {
            check_model(src, dst, n);
        } while (next_perm(src, n));
    }
    printf("fdplan: %ld model cases, %ld real-descriptor cases, %ld failures\n", cases, real_cases, failures);
    return failures ? 1 : 0;
}
