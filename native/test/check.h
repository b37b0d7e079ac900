/* check.h - the assertion macro of the C tests: count and report a failure, go on. */
#ifndef PROCMASTER_TEST_CHECK_H
#define PROCMASTER_TEST_CHECK_H

#include <stdio.h>

/* Each test file defines `static long failures;` (or int) before including this. */
#define CHECK_REPORT(...)                                                       \
    do {                                                                        \
        failures++;                                                             \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                    \
        fprintf(stderr, __VA_ARGS__);                                           \
        fputc('\n', stderr);                                                    \
    } while (0)

/* Records a failure and continues with the next check. */
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond))                                                            \
            CHECK_REPORT(__VA_ARGS__);                                          \
    } while (0)

#endif
