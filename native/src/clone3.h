/*
 * clone3 - the vfork-style clone3 call of spawn.c, on a private child stack
 *
 * SYNOPSIS
 *   #define PM_CHILD_STACK 32768
 *   int pm_clone3_args(struct clone_args *ca, void *stack, size_t size, int *pidfd);
 *   long pm_clone3_run(struct clone_args *ca, int (*fn)(void *), void *arg);
 *
 * DESCRIPTION
 *   pm_clone3_args() fills ca for CLONE_VM|CLONE_VFORK|CLONE_PIDFD|
 *   CLONE_CLEAR_SIGHAND, exit signal 0 (only the pidfd reaps the child), the
 *   pidfd written to *pidfd, and the child stack [stack, stack + size).
 *   clone3 takes the stack's lowest address and its size, not its top: the
 *   kernel starts the child at stack + size, as the stack grows down on
 *   x86_64 and on aarch64 alike. That top must be 16-byte aligned: both
 *   ABIs want it at a call, and aarch64 faults on any access through a
 *   misaligned sp (test_clone3_stack checks where the child really runs).
 *
 *   pm_clone3_run() issues clone3 (raw: no errno is written). The child
 *   calls fn(arg) on the new stack, in assembly, with no frame to return
 *   to, and exits (exit_group) with fn's return value: it can never come
 *   back into the parent's frames. CLONE_VFORK suspends the calling thread
 *   until the child has exec'd or exited.
 *
 * DIAGNOSTICS
 *   pm_clone3_args: 0, or -EINVAL if stack is NULL, size is 0 or the top is
 *   not 16-byte aligned. pm_clone3_run: the child's pid in the parent, or
 *   -errno (ENOSYS where clone3 is refused: old kernels, some seccomp
 *   filters, qemu's user-mode emulation).
 */
#ifndef PROCMASTER_CLONE3_H
#define PROCMASTER_CLONE3_H

#include <linux/sched.h>
#include <stddef.h>

#define PM_CHILD_STACK 32768

int pm_clone3_args(struct clone_args *ca, void *stack, size_t size, int *pidfd);
long pm_clone3_run(struct clone_args *ca, int (*fn)(void *), void *arg);

#endif
