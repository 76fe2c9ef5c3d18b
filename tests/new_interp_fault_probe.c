/* Allocation failures while the runtime creates an interpreter through
 * the xid core (_PyXI_NewInterpreter, the pool's isolated config).
 *
 *   new_interp_fault_probe count          how many allocations one creation
 *                                         makes (all domains)
 *   new_interp_fault_probe N [N...]       fail the N-th allocation of one
 *                                         creation, for each N in turn
 *   new_interp_fault_probe --every K [FROM [TO]]
 *                                         N = FROM, FROM+K, ... TO
 *
 * For each N: _PyXI_NewInterpreter either succeeds (the interpreter is then
 * ended) or returns NULL with InterpreterError and the caller's thread
 * state current again (core/harness/start_oracle.h, release_race's oracle
 * too); anything else is reported and the probe exits 1.
 * What a failed creation leaves behind is LeakSanitizer's to report,
 * after each creation (the production core's debug malloc: every object is
 * a block).
 */
#include "runtime.h"
#include "fault.h"
#include "start_oracle.h"
#include "pycore_crossinterp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LeakSanitizer's check on demand: what one failed creation lost is
 * reported with its N, not summed up at exit. */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* No allocation fails: the override counts them all. */
#define NO_FAILURE ((unsigned long)-1)

/* One creation with the n-th allocation failing (NO_FAILURE: none).
 * Returns 1 if the creation succeeded, 0 if it failed as it should,
 * -1 (after saying why) if it failed wrongly. */
static int
create_once(unsigned long n, unsigned long *allocs)
{
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    PyThreadState *before = PyThreadState_Get();
    xf_fault_set_override(n);
    xf_fault_begin_input();
    xf_fault_arm();
    PyInterpreterState *interp = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    xf_fault_disarm();
    *allocs = xf_fault_armed_allocs();
    int injected = xf_fault_hits() != 0;
    xf_fault_set_override(0);
    xf_fault_begin_input();
    PyObject *exc;
    char why[160];
    switch (xf_judge_start(interp, before, injected, &exc, why, sizeof(why))) {
    case XF_START_WRONG:
        fprintf(stderr, "new_interp_fault_probe: N=%lu: _PyXI_NewInterpreter() "
                "%s\n", n, why);
        return -1;
    case XF_START_MADE:
        if (n != NO_FAILURE) {
            printf("N=%lu: created (the failure was tolerated)\n", n);
        }
        return 1;
    case XF_START_FAILED:
        break;
    }
    PyObject *ctx = PyException_GetContext(exc);
    printf("N=%lu: %s", n, Py_TYPE(exc)->tp_name);
    if (ctx != NULL) {
        PyObject *s = PyObject_Str(ctx);
        printf(" from %s(%s)", Py_TYPE(ctx)->tp_name,
               s != NULL && PyUnicode_Check(s) ? PyUnicode_AsUTF8(s) : "?");
        Py_XDECREF(s);
        PyErr_Clear();
    }
    printf("\n");
    Py_XDECREF(ctx);
    Py_DECREF(exc);
    return 0;
}

static unsigned long
parse_n(const char *s)
{
    char *end;
    unsigned long n = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n == 0) {
        fprintf(stderr, "new_interp_fault_probe: '%s' is not a positive number\n", s);
        exit(2);
    }
    return n;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: new_interp_fault_probe count | N... | "
                "--every K [FROM [TO]]\n");
        return 2;
    }
    /* A crash must not lose the lines of the creations before it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    xf_runtime_init();
    unsigned long total;
    if (create_once(NO_FAILURE, &total) != 1) {
        return 1;
    }
    if (strcmp(argv[1], "count") == 0) {
        printf("new_interp_fault_probe: one creation makes %lu allocations\n", total);
        return 0;
    }
    unsigned long from = 1, to = total, step = 0;
    int explicit = strcmp(argv[1], "--every") != 0;
    if (!explicit) {
        if (argc < 3 || argc > 5) {
            fprintf(stderr, "new_interp_fault_probe: --every K [FROM [TO]]\n");
            return 2;
        }
        step = parse_n(argv[2]);
        from = argc > 3 ? parse_n(argv[3]) : 1;
        to = argc > 4 ? parse_n(argv[4]) : total;
    }
    int failed = 0, ok = 0, wrong = 0;
    for (int i = 1; ; i++) {
        unsigned long n;
        if (explicit) {
            if (i >= argc) {
                break;
            }
            n = parse_n(argv[i]);
        }
        else {
            n = from + (unsigned long)(i - 1) * step;
            if (n > to) {
                break;
            }
        }
        unsigned long allocs;
        int r = create_once(n, &allocs);
        if (r < 0) {
            wrong++;
            break;
        }
        if (__lsan_do_recoverable_leak_check != NULL
            && __lsan_do_recoverable_leak_check())
        {
            fprintf(stderr, "new_interp_fault_probe: N=%lu: the creation "
                    "leaked (LeakSanitizer's report above)\n", n);
            wrong++;
            break;
        }
        r ? ok++ : failed++;
    }
    printf("new_interp_fault_probe: %d creations failed as they should, %d "
           "succeeded, %d failed wrongly (of %lu allocations per creation)\n",
           failed, ok, wrong, total);
    return wrong ? 1 : 0;
}
