/*
 * strblock - split a spawn request's string block into its strings
 *
 * SYNOPSIS
 *   int strblock_check(long len, long nargv, long nenv, int hascwd);
 *   int strblock_split(char *block, long len, int nargv, int nenv, int hascwd,
 *                      char **path, char **argv, char **envp, char **cwd);
 *
 * DESCRIPTION
 *   Java sends a spawn's strings as one byte array: the program path, then
 *   nargv argument strings, then nenv environment strings, then (hascwd) the
 *   working directory, each terminated by a NUL, with the counts alongside.
 *
 *   strblock_check() says whether the counts and the length can describe
 *   such a block at all: nargv >= 1, nenv >= 0, 1 <= len <= STRBLOCK_MAX,
 *   and at least one byte (the NUL) per string. Callers check first and then
 *   size argv (nargv + 1 slots) and envp (nenv + 1), which are thus bounded
 *   by the block's length, whatever the counts say.
 *
 *   strblock_split() points *path, argv[0..nargv-1], envp[0..nenv-1] and
 *   *cwd (NULL without hascwd) into the block, in order, and NULL-terminates
 *   argv and envp. The block must hold exactly the expected number of
 *   strings: no fewer, and no byte after the last NUL.
 *
 * DIAGNOSTICS
 *   Both return 0, or -EINVAL when the block and counts do not match. After
 *   a failed split the outputs are unspecified, but no pointer points
 *   outside the block and nothing is written outside the arrays' sizes.
 *   Pure computation, no allocation; usable anywhere except between clone
 *   and exec (it is not marked for the child).
 */
#ifndef PROCMASTER_STRBLOCK_H
#define PROCMASTER_STRBLOCK_H

/* Largest string block accepted (bytes). */
#define STRBLOCK_MAX (16L * 1024 * 1024)

int strblock_check(long len, long nargv, long nenv, int hascwd);
int strblock_split(char *block, long len, int nargv, int nenv, int hascwd,
                   char **path, char **argv, char **envp, char **cwd);

#endif
