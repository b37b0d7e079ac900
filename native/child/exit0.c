/*
 * pm-exit0 - the smallest child there is: static, no libc, exits 0 at once.
 * Spawn benchmarks use it so that they measure the spawn, not the dynamic
 * loader. The system call number comes from the target's headers
 * (SYS_exit_group: 231 on x86_64, 94 on aarch64); test_sysnums runs it.
 */
#include <sys/syscall.h>

void _start(void);

void _start(void)
{
#if defined(__x86_64__)
    __asm__ volatile("mov %0, %%eax\n\t" /* exit_group(0) */
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "hlt" ::"i"(SYS_exit_group));
#elif defined(__aarch64__)
    __asm__ volatile("mov x8, %0\n\t" /* exit_group(0) */
                     "mov x0, #0\n\t"
                     "svc #0\n\t"
                     "brk #0" ::"i"(SYS_exit_group));
#else
#error "pm-exit0: x86_64 and aarch64 only"
#endif
    for (;;)
        ;
}
