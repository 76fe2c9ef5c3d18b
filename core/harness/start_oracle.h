/* The oracle of one interpreter start under fault injection: what
 * _PyXI_NewInterpreter() must leave behind when one of its allocations
 * fails.  Shared by release_race's failing NEW and
 * tests/new_interp_fault_probe.c, so that both judge a start alike. */
#ifndef XIDFUZZ_START_ORACLE_H
#define XIDFUZZ_START_ORACLE_H

#include "runtime.h"

typedef enum {
    XF_START_WRONG = -1,    /* a finding: `why` says what went wrong */
    XF_START_FAILED = 0,    /* failed as it must, with InterpreterError */
    XF_START_MADE = 1,      /* made an interpreter, which is ended here */
} xf_start_outcome;

/* Judge a start that returned `interp`, called with `before` the current
 * thread state; `injected`: whether an injected failure was hit during
 * it.  Whatever happened, the caller's thread state is current again.  A
 * made interpreter comes with no exception set and ends cleanly (here).
 * A failed start had an injected failure and raises InterpreterError,
 * which *exc gets (a new reference; the error indicator is left clear).
 * XF_START_WRONG: `why` (of `size` bytes) ends the sentence
 * "_PyXI_NewInterpreter() ..." and any exception has been printed. */
xf_start_outcome xf_judge_start(PyInterpreterState *interp,
                                PyThreadState *before, int injected,
                                PyObject **exc, char *why, size_t size);

#endif
