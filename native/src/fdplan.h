/*
 * fdplan - move any set of descriptors to fixed numbers without collisions
 *
 * SYNOPSIS
 *   int  fdplan_compute(const int *src, const int *dst, int n, int scratch,
 *                       struct fdop *ops, int max_ops);
 *   int  fdplan_gaps(const int *dst, int n, struct fdrange *out, int max_out);
 *   long fdplan_apply(const struct fdop *ops, int nops, int *failed_op);
 *   long fdplan_close_gaps(const struct fdrange *gaps, int ngaps);
 *                                          (the last two: raw syscalls only)
 *
 * DESCRIPTION
 *   A spawn wants descriptor src[i] to appear as dst[i] in the child, for
 *   every i at once: a "parallel move". Done naively, dup2(src[0], dst[0])
 *   can destroy a source that a later pair still needs (src[1] == dst[0]),
 *   and cycles (3->4, 4->3) cannot be done without a spare number.
 *
 *   fdplan_compute() runs in the parent, where it may take its time, and
 *   turns the pairs into a straight list of operations that the child then
 *   executes blindly: a DUP2 whose target is not a pending source is always
 *   safe; when only cycles remain, one source is first parked on `scratch`
 *   (a number above every source and target, and above 2: the parked copy
 *   stays open until fdplan_gaps' ranges close it, and stdio is never
 *   closed) and the cycle unwinds. Pairs
 *   whose source already sits on its target just lose FD_CLOEXEC. Several
 *   pairs may share a source (fan-out); targets must be distinct.
 *
 *   fdplan_gaps() lists the number ranges the child must close so that only
 *   0, 1, 2 and the targets survive exec: ranges for close_range(2).
 *
 *   fdplan_apply() executes the operations, and fdplan_close_gaps() closes
 *   the ranges, with raw system calls; both are safe between
 *   clone(CLONE_VM|CLONE_VFORK) and execve: no libc state, no errno.
 *
 * DIAGNOSTICS
 *   fdplan_compute() returns the number of operations, or -EINVAL (a negative
 *   descriptor, duplicate targets, scratch not above all or below 3) or -E2BIG (max_ops
 *   too small; 2n+1 always suffices). fdplan_gaps() returns the number of
 *   ranges or -E2BIG (max_out too small). fdplan_apply() returns 0 or -errno
 *   of the first failing call, with the failing op's index in *failed_op
 *   (untouched on success). fdplan_close_gaps() returns 0 or -errno of the
 *   first failing close_range.
 */
#ifndef PROCMASTER_FDPLAN_H
#define PROCMASTER_FDPLAN_H

enum fdop_kind {
    FDOP_DUP2 = 1,          /* dup2(a, b): b becomes a copy of a, FD_CLOEXEC off */
    FDOP_CLEAR_CLOEXEC = 2  /* fcntl(a, F_SETFD, 0): a stays, survives exec */
};

struct fdop {
    int kind;
    int a;
    int b;
};

struct fdrange {
    unsigned int first;
    unsigned int last;      /* inclusive; ~0U means "to the end" */
};

/* Most pairs a single spawn may carry; keeps every buffer fixed-size. */
#define FDPLAN_MAX_PAIRS 256
#define FDPLAN_MAX_OPS (2 * FDPLAN_MAX_PAIRS + 1)

int fdplan_compute(const int *src, const int *dst, int n, int scratch,
                   struct fdop *ops, int max_ops);
int fdplan_gaps(const int *dst, int n, struct fdrange *out, int max_out);
long fdplan_apply(const struct fdop *ops, int nops, int *failed_op);
long fdplan_close_gaps(const struct fdrange *gaps, int ngaps);

#endif
