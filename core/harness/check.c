/* The per-input checks; see check.h. */
#include "check.h"
#include "known_leaks.h"
#include "pool.h"
#include "report.h"

#include "pycore_freelist.h"       // _PyObject_ClearFreeLists()
#include "pycore_gc.h"             // _PyGC_Collect()
#include "pycore_interp.h"         // interp->ceval.pending
#include "pycore_pystate.h"        // _PyThreadState_GET()

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* libFuzzer reruns, and asks LeakSanitizer about, every input whose
 * mallocs outnumber its frees.  The harness counts the same way (the
 * sanitizer allocator hooks; nothing is counted without them) so that it
 * can put right the caches that make a clean input come out short; see
 * drop_caches(). */
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *)) __attribute__((weak));

static long n_mallocs;
/* References the current input lost in a way the core documents. */
static Py_ssize_t lost_refs;

void
xf_lost_refs(Py_ssize_t n)
{
    lost_refs += n;
}

int
xf_keep(xf_kept *list, const void *p, size_t size, size_t first)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : first;
        void *items = realloc(list->items, cap * size);
        if (items == NULL) {
            return -1;
        }
        list->items = items;
        list->cap = cap;
    }
    memcpy((char *)list->items + list->n * size, p, size);
    list->n++;
    return 0;
}

static long n_frees;

static void
count_malloc(const volatile void *ptr, size_t size)
{
    __atomic_fetch_add(&n_mallocs, 1, __ATOMIC_RELAXED);
}

static void
count_free(const volatile void *ptr)
{
    __atomic_fetch_add(&n_frees, 1, __ATOMIC_RELAXED);
}

void
xf_check_install(void)
{
    if (__sanitizer_install_malloc_and_free_hooks != NULL) {
        __sanitizer_install_malloc_and_free_hooks(count_malloc, count_free);
    }
}

/* Exceptions left set and pending calls left queued, in every live slot. */
static void
check_slots_clean(void)
{
    for (int i = 0; i < XF_POOL_MAX; i++) {
        if (!xf_slot_alive(i)) {
            continue;
        }
        PyObject *exc = xf_tstate(i)->current_exception;
        if (exc != NULL) {
            xf_fail("an exception (%s) was left set in slot %d after the input",
                    Py_TYPE(exc)->tp_name, i);
        }
        PyInterpreterState *interp = xf_interp(i);
        int32_t npending = _Py_atomic_load_int32(&interp->ceval.pending.npending);
        if (npending != 0) {
            xf_fail("%d pending call(s) left queued in slot %d after the input",
                    (int)npending, i);
        }
    }
}

/* Thread states of an interpreter.  Every thread state of the pool's
 * interpreters is made on the harness's own thread, so the list does not
 * change under us. */
static int
count_tstates(PyInterpreterState *interp)
{
    int n = 0;
    for (PyThreadState *t = PyInterpreterState_ThreadHead(interp); t != NULL;
         t = PyThreadState_Next(t))
    {
        n++;
    }
    return n;
}

static void
count_pool_tstates(xf_check *check)
{
    for (int i = 0; i < XF_POOL_MAX; i++) {
        check->tstates[i] = xf_slot_alive(i) ? count_tstates(xf_interp(i)) : -1;
        check->interp_ids[i] = xf_slot_alive(i) ? xf_interp_id(i) : -1;
    }
}

/* Every interpreter of the pool that lived through the input has exactly
 * the thread states it had before it: a session (or anything else) that
 * makes one and does not delete it is a finding. */
static void
check_tstates(const xf_check *check)
{
    for (int i = 0; i < XF_POOL_MAX; i++) {
        if (check->tstates[i] < 0 || !xf_slot_alive(i)
            || xf_interp_id(i) != check->interp_ids[i])
        {
            continue;       /* created or ended during the input */
        }
        int n = count_tstates(xf_interp(i));
        if (n != check->tstates[i]) {
            xf_fail("slot %d has %d thread state(s) after the input, %d before",
                    i, n, check->tstates[i]);
        }
    }
}

/* In sanitizer builds: let LeakSanitizer name what leaked (objects whose
 * reference was dropped on the floor are unreachable blocks). */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static void
fail_drift(Py_ssize_t first, Py_ssize_t second, Py_ssize_t third)
{
    if (__lsan_do_recoverable_leak_check != NULL) {
        fprintf(stderr, "xidfuzz: refcount drift: asking LeakSanitizer what is unreachable\n");
        __lsan_do_recoverable_leak_check();
    }
    xf_fail("total refcount drifted by %zd over the input "
            "(and by %zd and %zd when it ran twice more)", first, second, third);
}

/* Run `fn` in every live interpreter, then come back. */

static void
clear_type_cache(void)
{
    PyType_ClearCache();
}

void
xf_clear_type_caches(void)
{
    xf_in_every_slot(clear_type_cache);
}

/* Caches that make an input look unbalanced while nothing leaks:
 * - freelists keep the blocks of dead objects for the next allocation of
 *   their kind, in the interpreter that freed them: an input that fills a
 *   list ends with more mallocs than frees, and one whose objects die in
 *   another interpreter fills that one's lists (sessions that capture an
 *   exception did that to the dict-keys list on every run);
 * - the type attribute caches keep a strong reference to each name looked
 *   up (PyObject_GetAttrString() makes one on the fly) until the entry is
 *   reused: that moves the refcount total too.
 * The freelists are emptied only when they explain the whole shortfall:
 * mallocs - frees (what the input left allocated) is no more than what the
 * lists grew by.  A shortfall the lists do not explain is left for
 * libFuzzer's leak check to look at, so emptying never hides a leak that
 * libFuzzer would have seen.  The type caches are emptied (walking 4096
 * entries each) only when the refcount total moved.  This took the
 * namespace target from ~450 to ~2,500 exec/s under leak detection. */
static void
clear_freelists(void)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    _PyObject_ClearFreeLists(&interp->object_state.freelists, 0);
}

static long
count_freelist(int numfree)
{
    return numfree > 0 ? numfree : 0;
}

/* Blocks held by the freelists of every live interpreter. */
static long
freelist_blocks(void)
{
    long n = 0;
    for (int i = 0; i < XF_POOL_MAX; i++) {
        if (!xf_slot_alive(i)) {
            continue;
        }
        struct _Py_object_freelists *fl = &xf_interp(i)->object_state.freelists;
        n += count_freelist(fl->floats.numfree);
        for (int k = 0; k < PyTuple_NFREELISTS; k++) {
            n += count_freelist(fl->tuples.numfree[k]);
        }
        n += count_freelist(fl->lists.numfree);
        n += count_freelist(fl->dicts.numfree);
        n += count_freelist(fl->dictkeys.numfree);
        n += fl->slices.slice_cache != NULL;
        n += count_freelist(fl->contexts.numfree);
        n += count_freelist(fl->async_gens.numfree);
        n += count_freelist(fl->async_gen_asends.numfree);
        n += count_freelist((int)fl->object_stacks.numfree);
    }
    return n;
}

void
xf_empty_freelists(void)
{
    if (freelist_blocks() > 0) {
        xf_in_every_slot(clear_freelists);
    }
}

/* Cyclic garbage the input made (an exception and its traceback, a class
 * made at run time) sits in the young generations: collecting only those
 * (generation 1 takes 0 and 1) walks what the input allocated, not the
 * whole interpreter, so it is cheap enough to try before the full
 * collection and reruns of xf_check_end().  It frees only unreachable
 * cycles, so it cannot hide a reference that was leaked. */
/* Text written to sys.stderr (or stdout) and not flushed yet holds
 * references: a TextIOWrapper keeps pending str objects until its buffer
 * fills.  Under fault injection the core's unraisable reports (debug
 * builds), whose hook call failed, fall back to writing to sys.stderr,
 * and the input drifted by their pending text, then drifted back when a
 * later run flushed it.  Flushing writes the text out and drops them. */
static void
flush_std_streams(void)
{
    static const char *const names[] = {"stderr", "stdout"};
    for (int i = 0; i < 2; i++) {
        PyObject *stream = PySys_GetObject(names[i]);
        if (stream == NULL || stream == Py_None) {
            continue;
        }
        PyObject *res = PyObject_CallMethod(stream, "flush", NULL);
        if (res == NULL) {
            PyErr_Clear();
        }
        Py_XDECREF(res);
    }
}

static void
collect_young_and_clear(void)
{
    flush_std_streams();
    (void)_PyGC_Collect(_PyThreadState_GET(), 1, _Py_GC_REASON_MANUAL);
    PyType_ClearCache();
}

static Py_ssize_t
drop_caches(const xf_check *check)
{
    Py_ssize_t drift = _Py_GetGlobalRefTotal() - check->refs;
    if (drift != 0) {
        /* Before the freelists are judged: what it frees feeds them. */
        xf_in_every_slot(collect_young_and_clear);
        drift = _Py_GetGlobalRefTotal() - check->refs;
    }
    /* Blocks of the known leaks are balanced apart (known_leaks.h): with
     * them counted here, an input that both leaked them and grew the
     * freelists kept its freelists, and libFuzzer scanned it. */
    long shortfall = __atomic_load_n(&n_mallocs, __ATOMIC_RELAXED)
                     - __atomic_load_n(&n_frees, __ATOMIC_RELAXED)
                     - xf_known_leaks_outstanding();
    long grown = freelist_blocks() - check->freelist_blocks;
    xf_note("balance: %ld more mallocs than frees, freelists grew by %ld", shortfall, grown);
    if (shortfall > 0 && shortfall <= grown) {
        xf_in_every_slot(clear_freelists);
    }
    return drift;
}

/* Blocks held back to balance the pool's interpreter lifetimes; see
 * xf_offset_blocks().  A fixed array: growing one would itself allocate
 * and free while the counts are being put right.  When it is full (or
 * empty), the rest goes uncounted: libFuzzer then asks LeakSanitizer,
 * which costs time and finds nothing, as before this existed. */
#define RESERVE_MAX (XF_POOL_MAX * 32768)
static void *reserve[RESERVE_MAX];
static long reserve_n;

void
xf_offset_blocks(long n)
{
    for (; n > 0 && reserve_n < RESERVE_MAX; n--) {
        void *p = malloc(1);
        if (p == NULL) {
            return;
        }
        reserve[reserve_n++] = p;
    }
    for (; n < 0 && reserve_n > 0; n++) {
        free(reserve[--reserve_n]);
    }
}

long
xf_alloc_balance(void)
{
    return __atomic_load_n(&n_mallocs, __ATOMIC_RELAXED)
           - __atomic_load_n(&n_frees, __ATOMIC_RELAXED);
}

void
xf_check_begin(xf_check *check)
{
    check->slot = xf_current_slot();
    check->refs = _Py_GetGlobalRefTotal();
    check->lifetime_refs = xf_pool_lifetime_refs();
    lost_refs = 0;
    check->freelist_blocks = freelist_blocks();
    count_pool_tstates(check);
    __atomic_store_n(&n_mallocs, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&n_frees, 0, __ATOMIC_RELAXED);
}

/* What holds references without leaking them: cyclic garbage (an
 * exception, its traceback and frames) waiting for its own interpreter's
 * collector, and attribute names held by the type caches.  Both go before
 * a drift is judged. */
static void
collect_and_clear(void)
{
    flush_std_streams();
    (void)PyGC_Collect();
    PyType_ClearCache();
}

static void
collect_all(void)
{
    xf_in_every_slot(collect_and_clear);
}

void
xf_check_end(xf_check *check, xf_rerun_fn rerun, void *arg)
{
    if (xf_current_slot() != check->slot) {
        xf_fail("the input ended in slot %d but started in slot %d",
                xf_current_slot(), check->slot);
    }
    check_slots_clean();
    check_tstates(check);
    /* The pool's interpreters made or ended during the input moved the
     * total by what they held (pool.h), and nothing else may: an end
     * that leaves references behind still drifts. */
    check->refs += lost_refs + xf_pool_lifetime_refs() - check->lifetime_refs;
    lost_refs = 0;
    /* Reported as measured, before any clean-up. */
    Py_ssize_t drift = _Py_GetGlobalRefTotal() - check->refs;
    Py_ssize_t after_caches = drop_caches(check);
    if (after_caches == 0) {
        return;
    }
    xf_note("drift: %zd (%zd after emptying the caches): collecting and rerunning",
            drift, after_caches);
    /* The clean-up also drops what was cached before the input, so only
     * runs measured between two clean-ups are comparable. */
    collect_all();
    if (rerun == NULL) {
        xf_fail("total refcount drifted by %zd over the input", drift);
    }
    /* Caches filled by the first run (interned strings, imports) do not
     * refill, though some take two runs to settle: a drift on both reruns
     * is a real one. */
    Py_ssize_t again[2];
    for (int i = 0; i < 2; i++) {
        Py_ssize_t before = _Py_GetGlobalRefTotal();
        Py_ssize_t lifetime_before = xf_pool_lifetime_refs();
        lost_refs = 0;
        rerun(arg);
        check_slots_clean();
        collect_all();
        again[i] = _Py_GetGlobalRefTotal() - before - lost_refs
                   - (xf_pool_lifetime_refs() - lifetime_before);
        if (again[i] == 0) {
            return;
        }
    }
    fail_drift(drift, again[0], again[1]);
}
