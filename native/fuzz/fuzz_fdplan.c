/*
 * fuzz_fdplan - libFuzzer target for fdplan_compute() and fdplan_gaps()
 *
 * Input: arbitrary bytes, read as a mode byte, a pair count, the source and
 * target numbers (mostly small, so that collisions, cycles, fan-out and
 * stdio numbers are common; sometimes any int, INT_MAX or negative) and a
 * scratch number (mostly the one pm_spawn picks, sometimes any).
 *
 * Invariants:
 *  - fdplan_compute() succeeds exactly when the request is valid (n within
 *    0..FDPLAN_MAX_PAIRS, scratch above 2 and above every number, no
 *    negative number, distinct targets), else -EINVAL; 2n+1 operations
 *    always suffice (never -E2BIG).
 *  - The plan, executed on a simulated descriptor table, maps every target
 *    to its source with FD_CLOEXEC off; no operation reads a closed number,
 *    dup2()s a number onto itself, or writes anything but a target or the
 *    scratch number (so stdio that is no target is never touched).
 *  - fdplan_gaps() (given n + 3 slots, always enough) lists exactly the
 *    ranges between the kept numbers (0, 1, 2 and the targets), the last one
 *    open-ended; so the scratch number, if used, is closed.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "fdplan.h"
#include "fuzz.h"

#define SLOTS (2 * FDPLAN_MAX_PAIRS + 4)

/* The simulated descriptor table: a few numbers, each with what it refers to. */
struct table {
    int n;
    long num[SLOTS];
    long ident[SLOTS];
    int cloexec[SLOTS];
};

static int slot(struct table *t, long fd)
{
    for (int i = 0; i < t->n; i++)
        if (t->num[i] == fd)
            return i;
    return -1;
}

static void set(struct table *t, long fd, long ident, int cloexec)
{
    int i = slot(t, fd);
    if (i < 0) {
        FUZZ_CHECK(t->n < SLOTS);
        i = t->n++;
        t->num[i] = fd;
    }
    t->ident[i] = ident;
    t->cloexec[i] = cloexec;
}

static int take_fd(struct fuzz_input *in)
{
    unsigned b = fuzz_byte(in);
    if (b < 0xf0)
        return (int)(b % 24);
    uint32_t v = fuzz_u32(in);
    switch (b & 3) {
    case 0:
        return (int)v; /* anything, negative included */
    case 1:
        return INT_MAX - (int)(v % 4);
    case 2:
        return -1 - (int)(v % 4);
    default:
        return (int)(v % 1024);
    }
}

static int is_target(const int *dst, int n, long fd)
{
    for (int i = 0; i < n; i++)
        if (dst[i] == fd)
            return 1;
    return 0;
}

static void check_gaps(const int *dst, int n)
{
    struct fdrange gaps[FDPLAN_MAX_PAIRS + 3];
    long keep[FDPLAN_MAX_PAIRS + 3];
    int nkeep = 0, bad = 0;

    for (int i = 0; i < n; i++)
        bad |= dst[i] < 0;
    int g = fdplan_gaps(dst, n, gaps, n + 3);
    if (bad) {
        FUZZ_CHECK(g == -EINVAL);
        return;
    }
    FUZZ_CHECK(g >= 1);
    /* The expected ranges: between consecutive distinct kept numbers, then to the end. */
    for (long fd = 0; fd < 3; fd++)
        keep[nkeep++] = fd;
    for (int i = 0; i < n; i++)
        keep[nkeep++] = dst[i];
    for (int i = 1; i < nkeep; i++) /* insertion sort */
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            long x = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = x;
        }
    int want = 0;
    for (int i = 0; i < nkeep; i++) {
        if (i + 1 < nkeep && keep[i + 1] <= keep[i] + 1)
            continue;
        FUZZ_CHECK(want < g);
        FUZZ_CHECK(gaps[want].first == (unsigned long)keep[i] + 1);
        if (i + 1 < nkeep)
            FUZZ_CHECK(gaps[want].last == (unsigned long)keep[i + 1] - 1);
        else
            FUZZ_CHECK(gaps[want].last == ~0U);
        want++;
    }
    FUZZ_CHECK(want == g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int src[FDPLAN_MAX_PAIRS + 2], dst[FDPLAN_MAX_PAIRS + 2];
    static struct fdop ops[FDPLAN_MAX_OPS];
    static struct table t;
    struct fuzz_input in = { data, size };

    unsigned mode = fuzz_byte(&in);
    int n = (int)(fuzz_byte(&in) % ((mode & 2) ? FDPLAN_MAX_PAIRS + 2 : 40));
    unsigned base = fuzz_byte(&in);
    long top = 2;
    for (int i = 0; i < n; i++) {
        src[i] = take_fd(&in);
        /* mode bit 0: distinct targets, so that large plans are valid too. */
        dst[i] = (mode & 1) ? (int)((base + (unsigned)i * (1 + (mode >> 4))) % 4096) : take_fd(&in);
        if (src[i] > top)
            top = src[i];
        if (dst[i] > top)
            top = dst[i];
    }
    long scratch_l = (mode & 4) ? take_fd(&in) : top + 1; /* pm_spawn's choice: above all and above 2 */
    int scratch = scratch_l > INT_MAX ? INT_MAX : (int)scratch_l;

    int valid = n <= FDPLAN_MAX_PAIRS && scratch >= 3;
    for (int i = 0; i < n && valid; i++) {
        valid = src[i] >= 0 && dst[i] >= 0 && src[i] < scratch && dst[i] < scratch;
        for (int j = 0; j < i && valid; j++)
            valid = dst[j] != dst[i];
    }
    int nops = fdplan_compute(src, dst, n, scratch, ops, 2 * n + 1);
    FUZZ_CHECK(nops != -E2BIG);
    FUZZ_CHECK((nops >= 0) == valid);
    if (n <= FDPLAN_MAX_PAIRS)
        check_gaps(dst, n);
    if (!valid)
        return 0;
    FUZZ_CHECK(nops <= 2 * n + 1);

    /* Before: stdio and every source open, each referring to itself, close-on-exec. */
    memset(&t, 0, sizeof t);
    for (long fd = 0; fd < 3; fd++)
        set(&t, fd, fd, 1);
    for (int i = 0; i < n; i++)
        set(&t, src[i], src[i], 1);
    int used_scratch = 0;
    for (int k = 0; k < nops; k++) {
        int a = slot(&t, ops[k].a);
        FUZZ_CHECK(a >= 0); /* reads only open numbers */
        if (ops[k].kind == FDOP_DUP2) {
            FUZZ_CHECK(ops[k].a != ops[k].b); /* dup3(a, a) is EINVAL */
            FUZZ_CHECK(is_target(dst, n, ops[k].b) || ops[k].b == scratch);
            used_scratch |= ops[k].b == scratch;
            set(&t, ops[k].b, t.ident[a], 0);
        } else {
            FUZZ_CHECK(ops[k].kind == FDOP_CLEAR_CLOEXEC);
            FUZZ_CHECK(is_target(dst, n, ops[k].a));
            t.cloexec[a] = 0;
        }
    }
    for (int i = 0; i < n; i++) {
        int s = slot(&t, dst[i]);
        FUZZ_CHECK(s >= 0);
        FUZZ_CHECK(t.ident[s] == src[i]);
        FUZZ_CHECK(t.cloexec[s] == 0);
    }
    for (long fd = 0; fd < 3; fd++)
        if (!is_target(dst, n, fd))
            FUZZ_CHECK(t.ident[slot(&t, fd)] == fd); /* stdio untouched */
    if (used_scratch)
        FUZZ_CHECK(!is_target(dst, n, scratch) && scratch > 2); /* hence inside a gap: closed */
    return 0;
}
