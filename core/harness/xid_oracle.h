/* Oracles for _PyObject_GetCrossInterpreterData(): what sharing an object
 * must do, derived independently of the core from the object itself. */
#ifndef XIDFUZZ_XID_ORACLE_H
#define XIDFUZZ_XID_ORACLE_H

#include "runtime.h"
#include "pycore_crossinterp.h"

typedef enum {
    XF_SHARE_OK = 0,
    XF_SHARE_NOT_SHAREABLE,   /* the interpreter's NotShareableError */
    XF_SHARE_OVERFLOW,        /* OverflowError: int beyond ssize_t */
    XF_SHARE_RECURSION,       /* RecursionError: tuples nested too deep */
} xf_share_outcome;

const char *xf_share_outcome_name(xf_share_outcome outcome);

/* The outcome of sharing `obj` from a thread state whose C recursion
 * budget is `recursion_remaining`.  Sharing walks the tree depth-first and
 * stops at the first problem, so the outcome is the first of: a leaf of a
 * type that is not registered, an int that does not fit ssize_t, or an
 * item nested past the budget -- and a leaf error at the very last depth
 * the budget admits is a RecursionError too (there is no recursion left
 * to build the error with). */
xf_share_outcome xf_expect_share(PyObject *obj, int recursion_remaining);

/* The exception type an outcome raises (borrowed; NULL for XF_SHARE_OK). */
PyObject *xf_share_outcome_error(xf_share_outcome outcome);

/* The current interpreter's NotShareableError (a borrowed reference). */
PyObject *xf_not_shareable_error(void);

/* Whether `type` is another interpreter's NotShareableError: a type of
 * that name that is not the current interpreter's (what XF-008 raises). */
int xf_foreign_not_shareable_error(PyObject *type);

/* Check one share call: rc must be 0 exactly when `expect` is OK; on
 * failure the exception must be exactly the expected type, and `data`
 * must hold nothing (no buffer, no object reference).  The expected
 * exception is cleared; anything else is an oracle failure. */
void xf_check_share_result(xf_share_outcome expect, int rc,
                           const _PyCrossInterpreterData *data);

/* _PyObject_CheckCrossInterpreterData(obj) looks up the getdata function
 * of obj's own type only (it does not walk a tuple): it must return 0
 * exactly when that type is one the core registers (the targets register
 * no class of their own), and otherwise -1 with exactly NotShareableError,
 * which is cleared. */
void xf_check_lookup(PyObject *obj);

#endif
