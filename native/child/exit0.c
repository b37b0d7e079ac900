/*
 * pm-exit0 - the smallest child there is: static, no libc, exits 0 at once.
 * Spawn benchmarks use it so that they measure the spawn, not the dynamic
 * loader.
 */
void _start(void);

void _start(void)
{
#if defined(__x86_64__)
    __asm__ volatile("mov $231, %eax\n\t" /* exit_group(0) */
                     "xor %edi, %edi\n\t"
                     "syscall\n\t"
                     "hlt");
#elif defined(__aarch64__)
    __asm__ volatile("mov x8, #94\n\t" /* exit_group(0) */
                     "mov x0, #0\n\t"
                     "svc #0\n\t"
                     "brk #0");
#endif
    for (;;)
        ;
}
