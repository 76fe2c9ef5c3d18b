/* Reporting: an oracle failure, and the verbose per-input notes; see
 * report.h. */
#include "report.h"
#include "fault.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
xf_fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "xidfuzz: ORACLE FAILURE: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    xf_fault_report();
    fflush(stderr);
    abort();
}

int
xf_verbose(void)
{
    static int verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("XIDFUZZ_VERBOSE");
        verbose = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
    }
    return verbose;
}

void
xf_note(const char *fmt, ...)
{
    if (!xf_verbose()) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

