/* The oracle every target applies after a core call made under fault
 * injection (core/harness/fault.h): a call during which an injected allocation
 * failure was hit may fail, but only with exactly MemoryError (or an
 * error the target documents for that call). */
#ifndef XIDFUZZ_FAULT_ORACLE_H
#define XIDFUZZ_FAULT_ORACLE_H

#include "runtime.h"

/* After a core call that reported failure.  `hits_before` is
 * xf_fault_hits() taken before the call.
 *   - No injected failure was hit during the call: returns 0 and leaves
 *     the exception alone (the target's normal oracle judges it).
 *   - One was hit and MemoryError is set: clears it, returns 1.
 *   - One was hit and `also` (may be NULL) is set: returns 0 and leaves
 *     it set (the failure the normal oracle expects anyway).
 *   - Anything else (another exception, or none): an oracle failure
 *     naming `call`. */
int xf_fault_failed(unsigned long hits_before, PyObject *also, const char *call);

/* Whether an injected failure was hit since `hits_before`. */
int xf_fault_hit_since(unsigned long hits_before);

#endif
