/*
 * fuzz_strblock - libFuzzer target for strblock_check() and strblock_split()
 *
 * Input: two count selectors (mostly 0..7, sometimes any int: negative,
 * INT_MAX), a flags byte (bit 0: a working directory follows), then the
 * block itself, copied into a buffer of exactly its size.
 *
 * Invariants:
 *  - strblock_check() accepts exactly nargv >= 1, nenv >= 0,
 *    1 <= len <= STRBLOCK_MAX and 1 + nargv + nenv + hascwd <= len, with no
 *    overflow whatever the counts.
 *  - strblock_split() succeeds exactly when the block holds that many NUL
 *    bytes and ends with one; then path, argv, envp and cwd are the
 *    block's strings in order, end to end, covering the whole block; argv
 *    and envp are NULL-terminated; cwd is NULL without the flag.
 */
#include <limits.h>
#include <string.h>

#include "fuzz.h"
#include "strblock.h"

static int take_count(struct fuzz_input *in)
{
    unsigned b = fuzz_byte(in);
    if (b < 0xf0)
        return (int)(b % 8);
    uint32_t v = fuzz_u32(in);
    switch (b & 3) {
    case 0:
        return (int)v;
    case 1:
        return INT_MAX - (int)(v % 4);
    case 2:
        return INT_MIN + (int)(v % 4);
    default:
        return (int)(v % 70000);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { data, size };
    int nargv = take_count(&in);
    int nenv = take_count(&in);
    int hascwd = fuzz_byte(&in) & 1;
    long len = (long)in.n;

    long want = 1L + nargv + nenv + hascwd;
    int expect_ok = nargv >= 1 && nenv >= 0 && len >= 1 && len <= STRBLOCK_MAX && want <= len;
    int ok = strblock_check(len, nargv, nenv, hascwd) == 0;
    FUZZ_CHECK(ok == expect_ok);
    if (!ok)
        return 0;

    char *block = malloc((size_t)len);
    char **argv = malloc(sizeof *argv * ((size_t)nargv + 1)); /* bounded by len, as in spawn0 */
    char **envp = malloc(sizeof *envp * ((size_t)nenv + 1));
    FUZZ_CHECK(block && argv && envp);
    memcpy(block, in.p, (size_t)len);
    long nuls = 0;
    for (long i = 0; i < len; i++)
        nuls += block[i] == 0;

    char *path, *cwd;
    int r = strblock_split(block, len, nargv, nenv, hascwd, &path, argv, envp, &cwd);
    FUZZ_CHECK((r == 0) == (nuls == want && block[len - 1] == 0));
    if (r == 0) {
        char *q = block;
        FUZZ_CHECK(path == q);
        q += strlen(q) + 1;
        for (int i = 0; i < nargv; i++) {
            FUZZ_CHECK(argv[i] == q);
            q += strlen(q) + 1;
        }
        for (int i = 0; i < nenv; i++) {
            FUZZ_CHECK(envp[i] == q);
            q += strlen(q) + 1;
        }
        if (hascwd) {
            FUZZ_CHECK(cwd == q);
            q += strlen(q) + 1;
        } else {
            FUZZ_CHECK(cwd == NULL);
        }
        FUZZ_CHECK(q == block + len);
        FUZZ_CHECK(argv[nargv] == NULL && envp[nenv] == NULL);
    }
    free(block);
    free(argv);
    free(envp);
    return 0;
}
