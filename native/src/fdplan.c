/*
 * fdplan - see fdplan.h. The computation is a textbook parallel-copy
 * sequentialisation; the executor is raw system calls only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "fdplan.h"
#include "rawsys.h"

int fdplan_compute(const int *src, const int *dst, int n, int scratch,
                   struct fdop *ops, int max_ops)
{
    int cur[FDPLAN_MAX_PAIRS];
    unsigned char done[FDPLAN_MAX_PAIRS];
    int nops = 0, remaining = 0;

    /* scratch is left open for fdplan_gaps() to close: never on stdio, which stays. */
    if (n < 0 || n > FDPLAN_MAX_PAIRS || scratch < 3)
        return -EINVAL;
    for (int i = 0; i < n; i++) {
        if (src[i] < 0 || dst[i] < 0 || src[i] >= scratch || dst[i] >= scratch)
            return -EINVAL;
        for (int j = 0; j < i; j++)
            if (dst[j] == dst[i])
                return -EINVAL;
    }

#define EMIT(k, x, y)                                                          \
    do {                                                                       \
        if (nops >= max_ops)                                                   \
            return -E2BIG;                                                     \
        ops[nops].kind = (k);                                                  \
        ops[nops].a = (x);                                                     \
        ops[nops].b = (y);                                                     \
        nops++;                                                                \
    } while (0)

    for (int i = 0; i < n; i++) {
        cur[i] = src[i];
        done[i] = src[i] == dst[i];
        if (done[i])
            EMIT(FDOP_CLEAR_CLOEXEC, dst[i], dst[i]);
        else
            remaining++;
    }

    while (remaining > 0) {
        int progress = 0;
        for (int i = 0; i < n; i++) {
            if (done[i])
                continue;
            /* Writing dst[i] is safe only if no pending pair still reads it. */
            int blocked = 0;
            for (int j = 0; j < n && !blocked; j++)
                blocked = j != i && !done[j] && cur[j] == dst[i];
            if (blocked)
                continue;
            EMIT(FDOP_DUP2, cur[i], dst[i]);
            done[i] = 1;
            remaining--;
            progress = 1;
        }
        if (progress)
            continue;
        /*
         * Every pending pair is blocked: what is left are cycles. Park one
         * source on the scratch number; its cycle then unwinds completely in
         * the next passes, so a single scratch number is always enough.
         */
        for (int i = 0; i < n; i++) {
            if (done[i])
                continue;
            int parked = cur[i];
            EMIT(FDOP_DUP2, parked, scratch);
            for (int j = 0; j < n; j++)
                if (!done[j] && cur[j] == parked)
                    cur[j] = scratch;
            break;
        }
    }
#undef EMIT
    return nops;
}

int fdplan_gaps(const int *dst, int n, struct fdrange *out, int max_out)
{
    /* Keep 0, 1, 2 and every target; close everything between and above. */
    unsigned int keep[FDPLAN_MAX_PAIRS + 3];
    int nkeep = 0, nout = 0;

    if (n < 0 || n > FDPLAN_MAX_PAIRS)
        return -EINVAL;
    for (unsigned int fd = 0; fd < 3; fd++)
        keep[nkeep++] = fd;
    for (int i = 0; i < n; i++) {
        if (dst[i] < 0)
            return -EINVAL;
        keep[nkeep++] = (unsigned int)dst[i];
    }
    /* Insertion sort: n is small and this runs in the parent. */
    for (int i = 1; i < nkeep; i++) {
        unsigned int v = keep[i];
        int j = i - 1;
        while (j >= 0 && keep[j] > v) {
            keep[j + 1] = keep[j];
            j--;
        }
        keep[j + 1] = v;
    }
    for (int i = 0; i < nkeep; i++) {
        unsigned int next = i + 1 < nkeep ? keep[i + 1] : ~0U;
        if (i + 1 < nkeep && next <= keep[i] + 1)
            continue; /* adjacent or duplicate: no gap */
        if (nout >= max_out)
            return -E2BIG;
        out[nout].first = keep[i] + 1;
        out[nout].last = i + 1 < nkeep ? next - 1 : ~0U;
        nout++;
    }
    return nout;
}

PM_CHILD_CODE long fdplan_apply(const struct fdop *ops, int nops, int *failed_op)
{
    for (int i = 0; i < nops; i++) {
        long r;
        if (ops[i].kind == FDOP_DUP2)
            r = RAW3(SYS_dup3, ops[i].a, ops[i].b, 0);
        else
            r = RAW3(SYS_fcntl, ops[i].a, F_SETFD, 0);
        if (r < 0) {
            *failed_op = i;
            return r;
        }
    }
    return 0;
}

PM_CHILD_CODE long fdplan_close_gaps(const struct fdrange *gaps, int ngaps)
{
    for (int i = 0; i < ngaps; i++) {
        long r = RAW3(SYS_close_range, gaps[i].first, gaps[i].last, 0);
        if (r < 0)
            return r;
    }
    return 0;
}
