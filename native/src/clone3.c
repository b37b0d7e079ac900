/*
 * clone3 - see clone3.h. The system call and the child's first call are one
 * asm block per architecture: between them the child has only registers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "clone3.h"
#include "rawsys.h"

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

int pm_clone3_args(struct clone_args *ca, void *stack, size_t size, int *pidfd)
{
    uintptr_t top = (uintptr_t)stack + size;
    if (!stack || size == 0 || (top & 15) != 0)
        return -EINVAL;
    memset(ca, 0, sizeof *ca);
    ca->flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
    ca->pidfd = (uint64_t)(uintptr_t)pidfd;
    ca->exit_signal = 0; /* invisible to waitpid(-1) and to SIGCHLD auto-reaping */
    ca->stack = (uint64_t)(uintptr_t)stack; /* the lowest address: the kernel adds stack_size */
    ca->stack_size = size;
    return 0;
}

PM_CHILD_CODE long pm_clone3_run(struct clone_args *ca, int (*fn)(void *), void *arg)
{
#if defined(__x86_64__)
    /* The child: rbp cleared (no frame above), fn(arg) by call (rsp = top - 8 at its entry, as the ABI wants). */
    long ret;
    register void *r12 __asm__("r12") = (void *)fn;
    register void *r13 __asm__("r13") = arg;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "mov %%r13, %%rdi\n\t"
                     "call *%%r12\n\t"
                     "mov %%eax, %%edi\n\t"
                     "mov %[exit_nr], %%eax\n\t"
                     "syscall\n\t"
                     "hlt\n"
                     "1:\n\t"
                     : "=a"(ret)
                     : "0"((long)SYS_clone3), "D"(ca), "S"(sizeof(*ca)), "r"(r12), "r"(r13),
                       [exit_nr] "i"(SYS_exit_group)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    /* The child: fp and lr cleared (no frame above), fn(arg) by blr (sp = top, 16-byte aligned). */
    register long x8 __asm__("x8") = SYS_clone3;
    register long x0 __asm__("x0") = (long)ca;
    register long x1 __asm__("x1") = (long)sizeof(*ca);
    register long x19 __asm__("x19") = (long)fn;
    register long x20 __asm__("x20") = (long)arg;
    __asm__ volatile("svc #0\n\t"
                     "cbnz x0, 1f\n\t"
                     "mov x29, xzr\n\t"
                     "mov x30, xzr\n\t"
                     "mov x0, x20\n\t"
                     "blr x19\n\t"
                     "mov x8, %[exit_nr]\n\t"
                     "svc #0\n\t"
                     "brk #0\n"
                     "1:\n\t"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x19), "r"(x20), [exit_nr] "i"(SYS_exit_group)
                     : "memory");
    return x0;
#endif
}
