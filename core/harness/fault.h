/* Allocation-failure injection: make chosen allocations of the raw, mem
 * and object domains fail while the xid core runs.
 *
 * core/harness/fault.c wraps CPython's three allocators in place after start-up
 * (PyMem_GetAllocator / PyMem_SetAllocator, the way tracemalloc does), so
 * blocks allocated before stay valid and every free goes to the allocator
 * that made the block.  A wrapped allocation fails (returns NULL) only
 * while injection is *armed*: a target arms it around its calls into the
 * xid core and nowhere else (not around object generation, comparison or
 * the harness's own Python helpers), so an injected failure always means
 * "an allocation made by, or on behalf of, the core failed".
 *
 * Which armed allocations fail is a *spec* chosen by the input (below):
 * the n-th, every k-th, or a bitmask over the next 32.  Armed allocations
 * are numbered from 1 from the moment the spec is set; a spec stays on for
 * a stretch of the target's operations (ops) and then turns itself off.
 *
 * XIDFUZZ_FAULT_NTH=N in the environment (or xf_fault_set_override(), as
 * the replay driver's --sweep does) overrides every input's own specs:
 * the N-th armed allocation of the whole input fails, and nothing else.
 *
 * Threads: the state is one set of plain globals.  Every target runs its
 * core calls on one thread (the pool's), so this is not synchronised; a
 * target that arms injection around calls that run other threads must say
 * so and serialise them.  PyMem_RawMalloc is also called under other locks
 * (e.g. the runtime's interpreter list); failing there is fine as long as
 * it is the core that asked.
 *
 * Cost when disarmed: one load and one branch per allocation.
 */
#ifndef XIDFUZZ_FAULT_H
#define XIDFUZZ_FAULT_H

#include "input.h"
#include "encode.h"

#include <stddef.h>
#include <stdint.h>

/* The environment variable that overrides the inputs' specs. */
#define XF_ENV_FAULT_NTH "XIDFUZZ_FAULT_NTH"
/* XIDFUZZ_FAULT_TRACE=1: print the stack of each injected failure. */
#define XF_ENV_FAULT_TRACE "XIDFUZZ_FAULT_TRACE"
/* XIDFUZZ_FAULT_AVOID=F1,F2,...: an allocation made by one of these
 * functions (the innermost of its stack, past the hooks) is never failed;
 * nor, for an entry "under:F", any allocation with F anywhere in its
 * stack.  Campaigns on the pristine core set it to the known bugs' fault
 * sites (`- fault-site:` and `- fault-site-under:` in KNOWN_BUGS.md), so
 * that they do not stop again and again on a finding that is already
 * known; nothing else sets it. */
#define XF_ENV_FAULT_AVOID "XIDFUZZ_FAULT_AVOID"

/* Spec encoding (xf_fault_read_spec / xf_fault_put_spec):
 *   u8 mode (% XF_FAULT_NMODES), then
 *     XF_FAULT_OFF    nothing (injection off from here)
 *     XF_FAULT_NTH    u8: fail armed allocation 1 + byte
 *     XF_FAULT_EVERY  u8: fail every (1 + byte % 16)-th armed allocation
 *     XF_FAULT_MASK   u32: fail armed allocation i (1..32) when bit i-1 set
 *   u8 ops: the spec stays on for 1 + byte % XF_FAULT_MAX_OPS operations
 *     of the target (what an operation is, the target says).
 */
typedef enum {
    XF_FAULT_OFF = 0,
    XF_FAULT_NTH,
    XF_FAULT_EVERY,
    XF_FAULT_MASK,
    XF_FAULT_NMODES
} xf_fault_mode;

#define XF_FAULT_MAX_OPS 8

typedef struct {
    xf_fault_mode mode;
    uint32_t param;     /* NTH: n >= 1; EVERY: k >= 1; MASK: the bits */
    int ops;            /* operations it stays on for, >= 1 */
} xf_fault_spec;

/* The opcode range that op-based targets reserve for "set a spec": an
 * opcode byte >= XF_FAULT_OPCODE is FAULT, followed by a spec.  Lower
 * bytes keep their old meaning (% the target's number of ops). */
#define XF_FAULT_OPCODE 0xf8

xf_fault_spec xf_fault_read_spec(xf_input *in);
void xf_fault_put_spec(xf_out *out, xf_fault_spec spec);
/* For op-based targets: if `op` is a FAULT opcode, read its spec from the
 * input, set it (xf_fault_set) and return 1; else return 0. */
int xf_fault_take_op(xf_input *in, uint8_t op);
/* For op-based seed writers: the FAULT opcode, then the spec. */
void xf_fault_put_op(xf_out *out, xf_fault_mode mode, uint32_t param, int ops);

/* Wrap the allocators; called once by xf_runtime_init() after start-up.
 * Reads XIDFUZZ_FAULT_NTH. */
void xf_fault_install(void);

/* Per run of an input (core/harness/target.c): forget the previous run's spec and
 * counters; under an override, switch it on for the whole run. */
void xf_fault_begin_input(void);

/* The input's spec (ignored under an override): numbering restarts. */
void xf_fault_set(xf_fault_spec spec);

/* The target finished one operation: count down the spec's stretch. */
void xf_fault_op_done(void);

/* Override every input's specs: fail the n-th armed allocation of each
 * run (n >= 1), or restore the inputs' control (n == 0). */
void xf_fault_set_override(unsigned long n);
unsigned long xf_fault_override(void);

/* Arm around a call into the core; disarm right after.  Arming does
 * nothing while no spec is on. */
extern int xf_fault_armed;
extern int xf_fault_on;

static inline void
xf_fault_arm(void)
{
    xf_fault_armed = xf_fault_on;
}

static inline void
xf_fault_disarm(void)
{
    xf_fault_armed = 0;
}

/* Injected failures since the run began (the target compares the value
 * before and after an operation to know whether its normal oracle
 * applies). */
unsigned long xf_fault_hits(void);

/* Armed allocations since the run began, all domains. */
unsigned long xf_fault_armed_allocs(void);

/* One line for messages: spec, armed allocations per domain, hits. */
const char *xf_fault_describe(void);

/* "xidfuzz: fault injection: <describe>" on stderr when injection did
 * anything in this run (xf_fail() calls it; the replay driver makes it
 * the sanitizers' death callback -- not the fuzzers, where libFuzzer's
 * own callback saves the input). */
void xf_fault_report(void);

#endif
