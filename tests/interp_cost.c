/* What one interpreter of the pool costs: start-up once, then N times
 * creating a slot's interpreter (xf_interp: _PyXI_NewInterpreter plus the
 * pool's helper classes) and ending it (xf_end_interp).  A measurement,
 * not a test: ctest only runs it once with N = 2 to keep it working.
 *
 *   interp_cost [N]
 */
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20;
    if (n < 1) {
        fprintf(stderr, "usage: interp_cost [N >= 1]\n");
        return 2;
    }
    double t0 = now();
    xf_runtime_init();
    double t1 = now();
    double create = 0, end = 0;
    for (int i = 0; i < n; i++) {
        double a = now();
        (void)xf_interp(1);
        double b = now();
        xf_end_interp(1);
        double c = now();
        create += b - a;
        end += c - b;
    }
    printf("interp_cost: start-up %.1f ms; per interpreter: create %.1f ms, "
           "end %.1f ms (n=%d)\n", (t1 - t0) * 1e3, create * 1e3 / n, end * 1e3 / n, n);
    return 0;
}
