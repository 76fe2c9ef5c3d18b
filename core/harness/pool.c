/* Start-up and the interpreter pool; see pool.h. */
#include "pool.h"
#include "check.h"
#include "fault.h"
#include "report.h"

#include "pycore_ceval.h"          // _PyEval_MakePendingCalls()
#include "pycore_crossinterp.h"    // _PyXI_NewInterpreter()
#include "pycore_pylifecycle.h"    // _PyInterpreterConfig_*()
#include "pycore_pystate.h"        // _PyThreadState_GET()
#include "marshal.h"               // PyMarshal_ReadObjectFromString()

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>                // readlink()

#ifndef XIDFUZZ_PYTHON_EXECUTABLE
#  error "XIDFUZZ_PYTHON_EXECUTABLE must name the core's build-tree python"
#endif

/* The build tree's extension modules resolve the core's symbols against
 * the program that imports them (LINKFORSHARED exports them).  The program
 * links the core statically, so an object file nothing in the harness
 * references is left out: Python/interpconfig.c, used only by
 * _interpreters, is one, and importing _interpreters (directly, or through
 * test.support.interpreters) then fails.  Referencing its functions here,
 * in the file every program links, keeps it in for all of them. */
__attribute__((used)) static const void *const keep_interpconfig[] = {
    (const void *)_PyInterpreterConfig_AsDict,
    (const void *)_PyInterpreterConfig_InitFromDict,
    (const void *)_PyInterpreterConfig_InitFromState,
    (const void *)_PyInterpreterConfig_UpdateFromDict,
};

/* The helper classes defined in every interpreter of the pool
 * (pool_helpers.py, embedded at build time as pool_helpers_source). */
#include "pool_helpers.py.h"

typedef struct {
    PyInterpreterState *interp;
    PyThreadState *tstate;
    int64_t id;
    PyObject *helpers;     /* dict, owned by this interpreter */
    Py_ssize_t start_refs; /* its reference total once started */
    long start_blocks;     /* blocks its start-up left allocated */
} xf_slot;

static struct {
    int initialized;
    int current;
    xf_slot slots[XF_POOL_MAX];
    /* See xf_pool_lifetime_refs(). */
    Py_ssize_t lifetime_refs;
} rt;

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

/* Helper sources compiled once, kept marshalled.  Parsing and compiling
 * a helper source under ASan is most of what defining its classes costs,
 * and every new interpreter of the pool (and of some targets) defines them
 * again; unmarshalling the code is several times cheaper (measured with
 * tests/interp_cost.c).  Code objects belong to one interpreter, their
 * marshalled bytes to none, so each interpreter still gets its own code
 * and classes.  Keyed by the source's address: the sources are the
 * embedded helper files, static for the life of the process. */
#define XF_CODE_CACHE_MAX 8

static struct {
    const char *source;
    char *data;             /* malloc'd, kept for the life of the process */
    Py_ssize_t size;
} code_cache[XF_CODE_CACHE_MAX];
static int code_cache_len;

static PyObject *
helpers_code(const char *source)
{
    for (int i = 0; i < code_cache_len; i++) {
        if (code_cache[i].source == source) {
            return PyMarshal_ReadObjectFromString(code_cache[i].data,
                                                  code_cache[i].size);
        }
    }
    PyObject *code = Py_CompileString(source, "<string>", Py_file_input);
    if (code == NULL || code_cache_len == XF_CODE_CACHE_MAX) {
        return code;
    }
    PyObject *bytes = PyMarshal_WriteObjectToString(code, Py_MARSHAL_VERSION);
    if (bytes == NULL) {
        Py_DECREF(code);
        return NULL;
    }
    Py_ssize_t size = PyBytes_GET_SIZE(bytes);
    char *data = malloc(size);
    if (data == NULL) {
        xf_fail("out of memory caching the code of a helper source");
    }
    memcpy(data, PyBytes_AS_STRING(bytes), size);
    Py_DECREF(bytes);
    code_cache[code_cache_len].source = source;
    code_cache[code_cache_len].data = data;
    code_cache[code_cache_len].size = size;
    code_cache_len++;
    return code;
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
    PyObject *code = helpers_code(source);
    if (code == NULL) {
        Py_DECREF(ns);
        return NULL;
    }
    PyObject *res = PyEval_EvalCode(code, ns, ns);
    Py_DECREF(code);
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
    rt.slots[slot].helpers = xf_new_namespace(pool_helpers_source);
    if (rt.slots[slot].helpers == NULL) {
        PyErr_Print();
        xf_fail("cannot define the helper classes in slot %d", slot);
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
#if defined(XIDFUZZ_PYMALLOC_HARNESS)
    /* The pymalloc harness: pymalloc without the debug hooks, on the same
     * core as the production harness (build_cpython.sh, asan), so that
     * each own-GIL interpreter has its own obmalloc state and an object
     * freed by the wrong interpreter, or touched after its interpreter is
     * gone, is reported. */
    preconfig.allocator = PYMEM_ALLOCATOR_PYMALLOC;
#elif defined(XIDFUZZ_PREINIT_ALLOCATOR)
    /* An isolated config ignores PYTHONMALLOC: each recipe names the
     * allocator its harness runs (build_cpython.sh: malloc with the debug
     * hooks under ASan, the system one for Valgrind). */
    preconfig.allocator = XIDFUZZ_PREINIT_ALLOCATOR;
#endif
    check_status("Py_PreInitialize", Py_PreInitialize(&preconfig));
#ifdef XIDFUZZ_PYMALLOC_HARNESS
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
    /* The stdlib modules every interpreter imports as it starts (encodings,
     * codecs, io, abc, os, ...) from the bytecode frozen into the core, as
     * release builds do, not from Lib/: debug builds turn that off so that
     * edits to Lib/ show, which the harness never needs.  It makes each
     * interpreter of the pool cheaper to create (measured with
     * tests/interp_cost.c); the xid core's paths are the same. */
    config.use_frozen_modules = 1;
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
    xf_check_install();
#ifndef XIDFUZZ_PYMALLOC_HARNESS
    /* Not in the pymalloc harness: pymalloc's own checks
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
    long blocks = xf_alloc_balance();
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
    /* Start-up leaves cyclic garbage and a filled type attribute cache,
     * which a later collection would take off the total: gone now, the
     * interpreter's reference total is what it holds for as long as it
     * lives (xf_pool_lifetime_refs()). */
    (void)PyGC_Collect();
    PyType_ClearCache();
    /* A new slot starts with empty freelists, as every run of an input
     * starts (xf_empty_freelists()): what its start-up happened to free
     * must not decide which allocation fault injection fails in it. */
    _PyObject_ClearFreeLists(&interp->object_state.freelists, 0);
    rt.slots[slot].start_refs = _PyInterpreterState_GetRefTotal(interp);
    rt.lifetime_refs += rt.slots[slot].start_refs;
    PyThreadState_Swap(save);
    rt.slots[slot].start_blocks = xf_alloc_balance() - blocks;
    xf_offset_blocks(-rt.slots[slot].start_blocks);
    xf_note("pool: made slot %d (interpreter %lld): %zd references, "
            "%ld blocks", slot, (long long)rt.slots[slot].id,
            rt.slots[slot].start_refs, rt.slots[slot].start_blocks);
}

Py_ssize_t
xf_pool_lifetime_refs(void)
{
    return rt.lifetime_refs;
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
    /* The end must take off what start-up made, and whatever inputs
     * added since, unless it is lost: only the former is discounted. */
    rt.lifetime_refs -= s->start_refs;
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
    xf_offset_blocks(s->start_blocks);
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

/* Run `fn` in every live interpreter, then come back. */
void
xf_in_every_slot(void (*fn)(void))
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

int
xf_current_slot(void)
{
    return rt.current;
}
