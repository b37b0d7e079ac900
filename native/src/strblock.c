/*
 * strblock - see strblock.h. Counts are compared in long arithmetic, so no
 * count, however large, can overflow the expected number of strings.
 */
#include <errno.h>
#include <string.h>

#include "strblock.h"

int strblock_check(long len, long nargv, long nenv, int hascwd)
{
    if (nargv < 1 || nenv < 0 || len <= 0 || len > STRBLOCK_MAX)
        return -EINVAL;
    /* Each string takes at least its NUL: more strings than bytes cannot match. */
    if (nargv > len || nenv > len || 1 + nargv + nenv + (hascwd != 0) > len)
        return -EINVAL;
    return 0;
}

int strblock_split(char *block, long len, int nargv, int nenv, int hascwd,
                   char **path, char **argv, char **envp, char **cwd)
{
    if (strblock_check(len, nargv, nenv, hascwd) < 0)
        return -EINVAL;
    long want = 1L + nargv + nenv + (hascwd != 0), got = 0;
    char *p = block, *end = block + len;

    *path = NULL;
    *cwd = NULL;
    argv[nargv] = NULL;
    envp[nenv] = NULL;
    while (p < end && got < want) {
        char *z = memchr(p, 0, (size_t)(end - p));
        if (!z)
            break;
        if (got == 0)
            *path = p;
        else if (got <= nargv)
            argv[got - 1] = p;
        else if (got <= (long)nargv + nenv)
            envp[got - 1 - nargv] = p;
        else
            *cwd = p;
        got++;
        p = z + 1;
    }
    return got == want && p == end ? 0 : -EINVAL;
}
