/* A minimal test harness: CHECK records a failure with its line and goes
 * on; check_summary() prints "N passed, N failed" and gives the exit code. */
#ifndef XIDFUZZ_CHECK_H
#define XIDFUZZ_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            check_passed++;                                                \
        }                                                                  \
        else {                                                             \
            check_failed++;                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
        }                                                                  \
    } while (0)

static inline int
check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif
