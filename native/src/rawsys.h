/*
 * rawsys - system calls without libc, for the window between a vfork-style
 * clone and execve.
 *
 * In that window the child shares the parent's memory and thread pointer:
 * glibc's syscall() would write the parent thread's errno, and anything that
 * takes a lock or allocates could deadlock on state another JVM thread holds.
 * These helpers issue the instruction directly and return -errno in the
 * kernel's convention; they touch no memory but their arguments.
 */
#ifndef PROCMASTER_RAWSYS_H
#define PROCMASTER_RAWSYS_H

#include <stdint.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
static inline long raw_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
static inline long raw_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}
#else
#error "procmaster: raw system calls are implemented for x86_64 and aarch64 only"
#endif

/*
 * The kernel's own types for the raw calls above (glibc's differ).
 *
 * struct sigaction of rt_sigaction: handler, flags, restorer, mask, on
 * x86_64 and on aarch64 alike (both define SA_RESTORER); the mask is the
 * kernel's sigset of _NSIG = 64 bits, so sigsetsize is 8 on both. All zero
 * means SIG_DFL, no flags, no mask.
 * struct rlimit64 of prlimit64: two u64, on every architecture.
 * test_kabi checks both against the kernel the tests run on.
 */
struct pm_kernel_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};
#define PM_KERNEL_SIGSET_SIZE 8

struct pm_kernel_rlimit {
    uint64_t cur;
    uint64_t max;
};

#define RAW0(n) raw_syscall6((n), 0, 0, 0, 0, 0, 0)
#define RAW1(n, a) raw_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define RAW2(n, a, b) raw_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define RAW3(n, a, b, c) raw_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define RAW4(n, a, b, c, d) raw_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

#endif

/*
 * Code that runs in the vfork-style child: never inlined into instrumented
 * callers, never instrumented by the sanitizers (their runtime is not safe
 * to enter on the child's private stack before exec).
 */
#define PM_CHILD_CODE __attribute__((noinline, no_sanitize("address", "undefined")))
