/* Structural comparison for cross-interpreter round trips.
 *
 * `orig` lives in the interpreter that shared it and `copy` in the one that
 * rebuilt it.  The comparer only reads both objects (no reference counts
 * touched, no allocation, no exception raised), so it may run with either
 * interpreter current.  It is strict: the copy must have the exact builtin
 * type of the original (bool stays bool, never a subclass), NaN matches
 * NaN, -0.0 matches only -0.0, and str must also agree on its kind.
 */
#ifndef XIDFUZZ_OBJCMP_H
#define XIDFUZZ_OBJCMP_H

#include "runtime.h"

/* 1 when equal; 0 when not, with a description of the first difference
 * (and where in the tree it is, e.g. "[2][0]") written to why. */
int xf_compare(PyObject *orig, PyObject *copy, char *why, size_t whylen);

#endif
