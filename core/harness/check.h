/* The per-input checks every target runs (target.c calls them around
 * each input): nothing left behind in any interpreter of the pool, no
 * reference drift, and the malloc/free balance libFuzzer's leak check
 * reads. */
#ifndef XIDFUZZ_CHECK_H
#define XIDFUZZ_CHECK_H

#include "pool.h"

/* Per-input invariants: call xf_check_begin() before the input and
 * xf_check_end() after it.  End reports (and aborts) when an exception
 * is left set or a pending call left queued in any live slot, when an
 * interpreter that lived through the input has more or fewer thread
 * states than before it, or when the total reference count moved.
 * A drift can come from a one-time cache filled by this input, so a
 * target passes a function that reruns the same input: a real leak drifts
 * on the second run too, a cache does not. */
typedef struct {
    Py_ssize_t refs;
    Py_ssize_t lifetime_refs;       /* xf_pool_lifetime_refs() at the start */
    long freelist_blocks;
    int slot;
    /* Per slot: its thread states and interpreter id (-1: not alive). */
    int tstates[XF_POOL_MAX];
    int64_t interp_ids[XF_POOL_MAX];
} xf_check;

/* Empty every live interpreter's type attribute cache.  The cache keeps a
 * strong reference to each attribute name it saw; a name made on the fly
 * (PyObject_GetAttrString) then outlives the input until its slot is
 * reused, which moves the total refcount and the malloc/free balance
 * without anything leaking. */
void xf_clear_type_caches(void);

/* Empty the freelists of every live interpreter, if any holds a block.
 * Fault injection does this whenever it turns on (fault.c): whether an
 * allocation is served by a freelist or by the allocator decides which
 * allocation "nth" fails, and what earlier inputs or runs left in the
 * lists must not decide that. */
void xf_empty_freelists(void);

typedef void (*xf_rerun_fn)(void *arg);

void xf_check_begin(xf_check *check);

/* The current input lost `n` references in a way the core documents
 * (e.g. data still out when its owner interpreter ended): the drift check
 * discounts exactly that many.  A target that calls this says so. */
void xf_lost_refs(Py_ssize_t n);

void xf_check_end(xf_check *check, xf_rerun_fn rerun, void *arg);

/* Memory the core loses in a way it documents (data still out when its
 * owner interpreter ended, the allocator of such an interpreter, its
 * objects that views elsewhere hold) is kept reachable from a list like
 * this for the life of the process, so that LeakSanitizer reports only
 * what is really lost. */
typedef struct {
    void *items;            /* n elements, never freed */
    size_t n, cap;
} xf_kept;

/* Append a copy of the `size` bytes at `p` to `list` (the same size on
 * every call); the list grows by doubling, from `first` elements.
 * Returns 0, or -1 with nothing kept when out of memory: the caller says
 * what it could not keep.  Not thread-safe: threads that share a list
 * hold a lock of their own around the call. */
int xf_keep(xf_kept *list, const void *p, size_t size, size_t first);

/* Mallocs minus frees since xf_check_begin() (the sanitizer hooks; 0
 * without them): more than 0 after xf_check_end() is what makes libFuzzer
 * ask LeakSanitizer, and the replay driver's sweep does the same. */
long xf_alloc_balance(void);

/* Make `n` allocations (n > 0) or free -n (n < 0) of blocks kept for
 * the purpose, as far as the reserve goes.  An interpreter the pool makes
 * during an input allocates thousands of blocks that are not lost (it is
 * the pool's, for later inputs), and libFuzzer reruns every input with
 * more mallocs than frees and then has LeakSanitizer scan the whole heap.
 * The pool frees as many kept blocks as a start-up allocated, and keeps
 * as many again when it ends that interpreter, so that an input's counts
 * are what it did besides the pool's own lifetimes (pool.c). */
void xf_offset_blocks(long n);

/* Install the allocation counters (xf_runtime_init() calls it). */
void xf_check_install(void);

#endif
