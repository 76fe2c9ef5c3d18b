/* Harness runtime; see runtime.h. */
#include "runtime.h"
#include "fault.h"

#include "pycore_ceval.h"          // _PyEval_MakePendingCalls()
#include "pycore_crossinterp.h"    // _PyXI_NewInterpreter()
#include "pycore_freelist.h"       // _PyObject_ClearFreeLists()
#include "pycore_gc.h"             // _PyGC_Collect()
#include "pycore_interp.h"         // interp->ceval.pending
#include "pycore_pystate.h"        // _PyThreadState_GET()

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>                // readlink()

#ifndef XIDFUZZ_PYTHON_EXECUTABLE
#  error "XIDFUZZ_PYTHON_EXECUTABLE must name the core's build-tree python"
#endif

/* Helpers defined in every interpreter of the pool.  They are heap types,
 * hence per-interpreter objects: each interpreter gets its own. */
static const char helpers_source[] =
    "class IntSub(int): pass\n"
    "class StrSub(str): pass\n"
    "class TupleSub(tuple): pass\n"
    "class BadEq:\n"
    "    def __eq__(self, other): raise RuntimeError('BadEq.__eq__')\n"
    "    def __hash__(self): return 7\n"
    "class BadHash:\n"
    "    def __hash__(self): raise RuntimeError('BadHash.__hash__')\n"
    "class StrBadHash(str):\n"
    "    def __hash__(self): raise RuntimeError('StrBadHash.__hash__')\n"
    "class StrBadEq(str):\n"
    "    __hash__ = str.__hash__\n"
    "    def __eq__(self, other): raise RuntimeError('StrBadEq.__eq__')\n"
    "class StrCollide(str):\n"
    "    def __hash__(self): return 42\n"
    "    __eq__ = str.__eq__\n"
    "class SeqFailsLast:\n"
    "    def __init__(self, items): self.items = items\n"
    "    def __len__(self): return len(self.items)\n"
    "    def __getitem__(self, i):\n"
    "        if i == len(self.items) - 1: raise LookupError(i)\n"
    "        return self.items[i]\n";

typedef struct {
    PyInterpreterState *interp;
    PyThreadState *tstate;
    int64_t id;
    PyObject *helpers;     /* dict, owned by this interpreter */
} xf_slot;

static struct {
    int initialized;
    int current;
    xf_slot slots[XF_POOL_MAX];
} rt;

void
xf_fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "xidfuzz: ORACLE FAILURE: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    xf_fault_report();
    fflush(stderr);
    abort();
}

static void
fail_status(const char *what, PyStatus status)
{
    fprintf(stderr, "xidfuzz: %s failed: %s%s%s\n", what,
            status.func ? status.func : "",
            status.func ? ": " : "",
            status.err_msg ? status.err_msg : "(no message)");
    fprintf(stderr, "xidfuzz: the core was built at %s; set %s to a directory "
            "holding lib/python3.13 if it moved\n",
            XIDFUZZ_PYTHON_EXECUTABLE, XF_ENV_PYTHONHOME);
    exit(2);
}

static void
check_status(const char *what, PyStatus status)
{
    if (PyStatus_Exception(status)) {
        fail_status(what, status);
    }
}

PyObject *
xf_new_namespace(const char *source)
{
    PyObject *ns = PyDict_New();
    if (ns == NULL) {
        return NULL;
    }
    if (PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0) {
        Py_DECREF(ns);
        return NULL;
    }
    PyObject *res = PyRun_String(source, Py_file_input, ns, ns);
    if (res == NULL) {
        Py_DECREF(ns);
        return NULL;
    }
    Py_DECREF(res);
    return ns;
}

static void
init_slot_helpers(int slot)
{
    rt.slots[slot].helpers = xf_new_namespace(helpers_source);
    if (rt.slots[slot].helpers == NULL) {
        PyErr_Print();
        xf_fail("cannot define the helper classes in slot %d", slot);
    }
}

static void in_every_slot(void (*fn)(void));

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

static void
install_alloc_counters(void)
{
    if (__sanitizer_install_malloc_and_free_hooks != NULL) {
        __sanitizer_install_malloc_and_free_hooks(count_malloc, count_free);
    }
}

#ifdef XIDFUZZ_HOME_RELATIVE
/* DIR/XIDFUZZ_HOME_RELATIVE for the directory DIR holding this program;
 * 0 if /proc/self/exe cannot be read or the result does not fit. */
static int
home_beside_executable(char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        return 0;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) {
        return 0;
    }
    *slash = '\0';
    int len = snprintf(buf, size, "%s/%s", exe, XIDFUZZ_HOME_RELATIVE);
    return len > 0 && (size_t)len < size;
}
#endif

void
xf_runtime_init(void)
{
    if (rt.initialized) {
        return;
    }
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
#ifdef XIDFUZZ_PREINIT_ALLOCATOR
    /* An isolated config ignores PYTHONMALLOC: variants that need a given
     * allocator (e.g. the system one for Valgrind) set it here. */
    preconfig.allocator = XIDFUZZ_PREINIT_ALLOCATOR;
#endif
    check_status("Py_PreInitialize", Py_PreInitialize(&preconfig));
#ifdef XIDFUZZ_MALLOC_ARENAS
    /* After pre-init (which installs the allocators), before init (which
     * allocates the first arena). */
    xf_use_malloc_arenas();
#endif

    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    /* libFuzzer and the sanitizers own the signals. */
    config.install_signal_handlers = 0;
    /* Same input, same run: str and bytes hashes (dict and set order,
     * collisions) must not change from one process to the next. */
    config.use_hash_seed = 1;
    config.hash_seed = 0;
    config.site_import = 0;
    config.parse_argv = 0;
    const char *home = getenv(XF_ENV_PYTHONHOME);
    PyStatus status;
#ifdef XIDFUZZ_HOME_RELATIVE
    /* Programs shipped away from the build tree (OSS-Fuzz copies them to
     * $OUT, which the runner mounts elsewhere) carry their stdlib beside
     * them: XIDFUZZ_HOME_RELATIVE names it relative to the executable. */
    char exe_home[4096];
    if ((home == NULL || home[0] == '\0') && home_beside_executable(exe_home, sizeof(exe_home))) {
        home = exe_home;
    }
#endif
    if (home != NULL && home[0] != '\0') {
        status = PyConfig_SetBytesString(&config, &config.home, home);
    }
    else {
        /* getpath finds the stdlib (and pybuilddir.txt, for the build's
         * extension modules) relative to the build tree's executable. */
        status = PyConfig_SetBytesString(&config, &config.executable,
                                         XIDFUZZ_PYTHON_EXECUTABLE);
    }
    if (PyStatus_Exception(status)) {
        PyConfig_Clear(&config);
        fail_status("PyConfig", status);
    }
    status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    check_status("Py_InitializeFromConfig", status);

    rt.slots[0].tstate = PyThreadState_Get();
    rt.slots[0].interp = rt.slots[0].tstate->interp;
    rt.slots[0].id = PyInterpreterState_GetID(rt.slots[0].interp);
    init_slot_helpers(0);
    rt.current = 0;
    install_alloc_counters();
#ifndef XIDFUZZ_MALLOC_ARENAS
    /* Not on the asan-pymalloc core: pymalloc's own checks
     * (_PyMem_PymallocEnabled) compare the object allocator with
     * _PyObject_Malloc, and a wrapped one would make interpreters created
     * later disagree about where their objects live. */
    xf_fault_install();
#endif
    rt.initialized = 1;
}

static void
check_slot_index(int slot)
{
    if (!rt.initialized) {
        xf_fail("runtime used before xf_runtime_init()");
    }
    if (slot < 0 || slot >= XF_POOL_MAX) {
        xf_fail("interpreter slot %d out of range", slot);
    }
}

/* Create the subinterpreter for `slot`; the current slot stays current. */
static void
create_slot(int slot)
{
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    PyThreadState *tstate = NULL;
    PyThreadState *save = NULL;
    /* As the stdlib's _interpreters.create() does: the caller says where
     * the interpreter comes from. */
    long whence = _PyInterpreterState_WHENCE_STDLIB;
    PyInterpreterState *interp = _PyXI_NewInterpreter(&config, &whence,
                                                      &tstate, &save);
    if (interp == NULL) {
        PyErr_Print();
        xf_fail("_PyXI_NewInterpreter failed for slot %d", slot);
    }
    if (_PyInterpreterState_GetWhence(interp) != whence) {
        xf_fail("slot %d's interpreter says it came from %ld, created as %ld",
                slot, _PyInterpreterState_GetWhence(interp), whence);
    }
    rt.slots[slot].interp = interp;
    rt.slots[slot].tstate = tstate;
    rt.slots[slot].id = PyInterpreterState_GetID(interp);
    init_slot_helpers(slot);
    PyThreadState_Swap(save);
}

int
xf_slot_alive(int slot)
{
    check_slot_index(slot);
    return rt.slots[slot].interp != NULL;
}

PyInterpreterState *
xf_interp(int slot)
{
    check_slot_index(slot);
    if (rt.slots[slot].interp == NULL) {
        create_slot(slot);
    }
    return rt.slots[slot].interp;
}

int64_t
xf_interp_id(int slot)
{
    xf_interp(slot);
    return rt.slots[slot].id;
}

PyThreadState *
xf_tstate(int slot)
{
    xf_interp(slot);
    return rt.slots[slot].tstate;
}

int
xf_enter(int slot)
{
    int previous = rt.current;
    PyThreadState *tstate = xf_tstate(slot);
    if (slot != previous) {
        PyThreadState_Swap(tstate);
        rt.current = slot;
    }
    return previous;
}

void
xf_leave(int previous)
{
    xf_enter(previous);
}

void
xf_check_rejected_config(void)
{
    /* Per-interpreter obmalloc without the single-phase-init check: the
     * runtime refuses it before the interpreter runs anything. */
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    config.use_main_obmalloc = 0;
    config.check_multi_interp_extensions = 0;
    PyThreadState *before = PyThreadState_Get();
    PyInterpreterState *interp = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    if (interp != NULL) {
        xf_fail("_PyXI_NewInterpreter accepted a config the runtime rejects");
    }
    if (PyThreadState_Get() != before) {
        xf_fail("a rejected _PyXI_NewInterpreter left another thread state current");
    }
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *context = exc != NULL ? PyException_GetContext(exc) : NULL;
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    PyObject *why = context != NULL ? PyObject_Str(context) : NULL;
    const char *t = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    const char *w = why != NULL ? PyUnicode_AsUTF8(why) : NULL;
    if (exc == NULL || !PyErr_GivenExceptionMatches(exc, PyExc_InterpreterError)
        || t == NULL || strcmp(t, "sub-interpreter creation failed") != 0
        || context == NULL || Py_TYPE(context) != (PyTypeObject *)PyExc_RuntimeError
        || w == NULL || strstr(w, "per-interpreter obmalloc") == NULL)
    {
        xf_fail("a rejected _PyXI_NewInterpreter raised %s(\"%s\") from %s(\"%s\"), "
                "expected InterpreterError(\"sub-interpreter creation failed\") "
                "from the RuntimeError of the rejected config",
                exc ? Py_TYPE(exc)->tp_name : "nothing", t ? t : "?",
                context ? Py_TYPE(context)->tp_name : "nothing", w ? w : "?");
    }
    Py_DECREF(why);
    Py_DECREF(text);
    Py_DECREF(context);
    Py_DECREF(exc);
}

int64_t
xf_end_interp(int slot)
{
    return xf_end_interp_as(slot, 0);
}

int64_t
xf_end_interp_as(int slot, int from_inside)
{
    check_slot_index(slot);
    if (slot == 0) {
        xf_fail("the main interpreter cannot be ended");
    }
    xf_slot *s = &rt.slots[slot];
    if (s->interp == NULL) {
        return -1;
    }
    if (rt.current == slot) {
        xf_enter(0);
    }
    int64_t id = s->id;
    /* The helpers belong to the dying interpreter: drop them in it. */
    PyThreadState *prev = PyThreadState_Swap(s->tstate);
    Py_CLEAR(s->helpers);
    if (from_inside) {
        /* No thread state given: the core ends the interpreter on the
         * current one, then swaps to the one we hand back. */
        _PyXI_EndInterpreter(s->interp, NULL, &prev);
    }
    else {
        PyThreadState_Swap(prev);
        _PyXI_EndInterpreter(s->interp, s->tstate, NULL);
    }
    if (PyThreadState_Get() != prev) {
        xf_fail("ending slot %d left another thread state current", slot);
    }
    *s = (xf_slot){0};
    return id;
}

int
xf_run_pending(int slot)
{
    int previous = xf_enter(slot);
    /* Py_MakePendingCalls() only runs them for the main interpreter on the
     * main thread; this internal entry point serves every interpreter. */
    int res = _PyEval_MakePendingCalls(rt.slots[slot].tstate);
    xf_leave(previous);
    return res;
}

PyObject *
xf_helper(const char *name)
{
    /* By interpreter, not by rt.current: inside a session the entered
     * interpreter runs on the session's own thread state. */
    int slot = xf_slot_of(PyInterpreterState_Get());
    PyObject *helpers = slot >= 0 ? rt.slots[slot].helpers : NULL;
    PyObject *obj = helpers != NULL ? PyDict_GetItemString(helpers, name) : NULL;
    if (obj == NULL) {
        xf_fail("no helper '%s' in slot %d", name, slot);
    }
    return obj;
}

int
xf_slot_of(PyInterpreterState *interp)
{
    for (int i = 0; i < XF_POOL_MAX; i++) {
        if (rt.slots[i].interp == interp) {
            return i;
        }
    }
    return -1;
}

int
xf_exec(const char *source)
{
    PyObject *main_mod = PyImport_AddModuleRef("__main__");
    if (main_mod == NULL) {
        return -1;
    }
    PyObject *ns = PyModule_GetDict(main_mod);
    PyObject *res = PyRun_String(source, Py_file_input, ns, ns);
    Py_DECREF(main_mod);
    if (res == NULL) {
        return -1;
    }
    Py_DECREF(res);
    return 0;
}

int
xf_verbose(void)
{
    static int verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("XIDFUZZ_VERBOSE");
        verbose = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
    }
    return verbose;
}

void
xf_note(const char *fmt, ...)
{
    if (!xf_verbose()) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Exceptions left set and pending calls left queued, in every live slot. */
static void
check_slots_clean(void)
{
    for (int i = 0; i < XF_POOL_MAX; i++) {
        xf_slot *s = &rt.slots[i];
        if (s->interp == NULL) {
            continue;
        }
        PyObject *exc = s->tstate->current_exception;
        if (exc != NULL) {
            xf_fail("an exception (%s) was left set in slot %d after the input",
                    Py_TYPE(exc)->tp_name, i);
        }
        int32_t npending = _Py_atomic_load_int32(&s->interp->ceval.pending.npending);
        if (npending != 0) {
            xf_fail("%d pending call(s) left queued in slot %d after the input",
                    (int)npending, i);
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
in_every_slot(void (*fn)(void))
{
    int prev = rt.current;
    for (int i = 0; i < XF_POOL_MAX; i++) {
        if (rt.slots[i].interp != NULL) {
            xf_enter(i);
            fn();
        }
    }
    xf_leave(prev);
}

static void
clear_type_cache(void)
{
    PyType_ClearCache();
}

void
xf_clear_type_caches(void)
{
    in_every_slot(clear_type_cache);
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
        if (rt.slots[i].interp == NULL) {
            continue;
        }
        struct _Py_object_freelists *fl = &rt.slots[i].interp->object_state.freelists;
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
        in_every_slot(collect_young_and_clear);
        drift = _Py_GetGlobalRefTotal() - check->refs;
    }
    long shortfall = __atomic_load_n(&n_mallocs, __ATOMIC_RELAXED)
                     - __atomic_load_n(&n_frees, __ATOMIC_RELAXED);
    long grown = freelist_blocks() - check->freelist_blocks;
    xf_note("balance: %ld more mallocs than frees, freelists grew by %ld", shortfall, grown);
    if (shortfall > 0 && shortfall <= grown) {
        in_every_slot(clear_freelists);
    }
    return drift;
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
    check->slot = rt.current;
    check->refs = _Py_GetGlobalRefTotal();
    lost_refs = 0;
    check->freelist_blocks = freelist_blocks();
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
    in_every_slot(collect_and_clear);
}

void
xf_check_end(xf_check *check, xf_rerun_fn rerun, void *arg)
{
    if (rt.current != check->slot) {
        xf_fail("the input ended in slot %d but started in slot %d",
                rt.current, check->slot);
    }
    check_slots_clean();
    check->refs += lost_refs;
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
        lost_refs = 0;
        rerun(arg);
        check_slots_clean();
        collect_all();
        again[i] = _Py_GetGlobalRefTotal() - before - lost_refs;
        if (again[i] == 0) {
            return;
        }
    }
    fail_drift(drift, again[0], again[1]);
}
