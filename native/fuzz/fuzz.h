/*
 * fuzz.h - what every libFuzzer target of procmaster shares
 *
 * Each target defines LLVMFuzzerTestOneInput(). Built with
 * -DPROCMASTER_FUZZ=ON (clang, -fsanitize=fuzzer,address,undefined) it is a
 * libFuzzer binary (ci/fuzz.sh runs each for a bounded time); in the normal
 * build it is linked with replay_main.c into a plain program that feeds it
 * every file of its seed corpus (ctest, also under ci/sanitize.sh).
 *
 * FUZZ_CHECK: an invariant that does not hold is a finding: the input and
 * the broken invariant are printed and the process aborts, which libFuzzer
 * reports as a crash and saves the input (the replay fails the test).
 */
#ifndef PROCMASTER_FUZZ_H
#define PROCMASTER_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,          \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* A cursor over the fuzz input; reads past the end give zeros. */
struct fuzz_input {
    const uint8_t *p;
    size_t n;
};

static inline unsigned fuzz_byte(struct fuzz_input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)fuzz_byte(in) << (8 * i);
    return v;
}

#endif
