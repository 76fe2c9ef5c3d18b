/* The harness runtime, for targets, scenarios and tests: start-up and the
 * interpreter pool (pool.h), the per-input checks (check.h) and reporting
 * (report.h). */
#ifndef XIDFUZZ_RUNTIME_H
#define XIDFUZZ_RUNTIME_H

#include "pool.h"
#include "check.h"
#include "report.h"

#endif
