/* registry: workers (worker i in interpreter i % interps, so several share
 * an interpreter and its GIL) register, look up, use and unregister
 *  - builtin types that are not shareable by default (list, dict, set,
 *    bytearray, frozenset, complex) in the global registry, which every
 *    interpreter shares under its mutex, all with the same getdata;
 *  - heap types of their own, in their interpreter's registry, which the
 *    GIL guards; some are dropped while still registered, so the registry
 *    holds entries whose class has died.
 *
 * Now and then a worker also misuses the API the way a buggy extension
 * would: registers a non-class or no getdata (ValueError, nothing
 * registered), unregisters a class nobody registered (0), and shares
 * through a getdata that fills in no new_object (SystemError "missing
 * new_object func", the object's reference given back); and shares
 * through getdata functions whose data is static (no free function),
 * with and without the object and its owner.
 *
 * Invariants: a class is found right after this worker registered it, and
 * with the getdata given; data made through it rebuilds to what the getdata
 * promised; every unregistration of a class this worker holds succeeds; at
 * the end no builtin class is left registered, and every interpreter's
 * registry holds nothing but entries of dead classes, which one lookup
 * purges. */
#include "stress.h"

#include "pycore_crossinterp.h"
#include "pycore_interp.h"         // interp->xi.registry
#include "pycore_runtime.h"        // _PyRuntime.xi.registry
#include "pycore_weakref.h"        // _PyWeakref_GET_REF()

#define N_GLOBAL 6
#define HEAP_SLOTS 4

static PyTypeObject *global_types[N_GLOBAL] = {
    &PyList_Type, &PyDict_Type, &PySet_Type,
    &PyByteArray_Type, &PyFrozenSet_Type, &PyComplex_Type,
};

static struct {
    PyInterpreterState *interps[XS_MAX_INTERPS];
    long heap_dropped_registered;
} reg;

/* The getdata of every registered class: share the object's length (or 7,
 * for what has none) as an int, through the builtin int support. */
static int
share_length(PyThreadState *tstate, PyObject *obj, _PyCrossInterpreterData *data)
{
    Py_ssize_t n = PyObject_Length(obj);
    if (n < 0) {
        PyErr_Clear();
        n = 7;
    }
    PyObject *len = PyLong_FromSsize_t(n);
    if (len == NULL) {
        return -1;
    }
    int res = _PyObject_GetCrossInterpreterData(len, data);
    Py_DECREF(len);
    return res;
}

static PyObject *
new_instance(PyTypeObject *type)
{
    PyObject *obj = PyObject_CallNoArgs((PyObject *)type);
    if (obj == NULL) {
        xs_fail_py("making an instance");
    }
    return obj;
}

/* Look up `type` through an instance; with `want` set, share one and
 * check what comes back. */
static void
check_lookup(PyTypeObject *type, crossinterpdatafunc want, const char *what)
{
    PyObject *obj = new_instance(type);
    crossinterpdatafunc got = _PyCrossInterpreterData_Lookup(obj);
    if (got != want) {
        xs_fail("%s: lookup of %s gave %s", what, type->tp_name,
                got == NULL ? "nothing" : "another getdata");
    }
    if (want == NULL) {
        Py_DECREF(obj);
        return;
    }
    _PyCrossInterpreterData data;
    if (_PyObject_GetCrossInterpreterData(obj, &data) < 0) {
        xs_fail_py("sharing through a registered class");
    }
    Py_ssize_t want_len = PyObject_Length(obj);
    if (want_len < 0) {
        PyErr_Clear();
        want_len = 7;
    }
    PyObject *back = _PyCrossInterpreterData_NewObject(&data);
    if (back == NULL || !PyLong_CheckExact(back) || PyLong_AsSsize_t(back) != want_len) {
        xs_fail("%s: an empty %s came back as something other than its length",
                what, type->tp_name);
    }
    Py_DECREF(back);
    if (_PyCrossInterpreterData_Release(&data) < 0) {
        xs_fail_py("_PyCrossInterpreterData_Release");
    }
    Py_DECREF(obj);
}

static void
do_register(PyTypeObject *type)
{
    if (_PyCrossInterpreterData_RegisterClass(type, share_length) < 0) {
        xs_fail_py("_PyCrossInterpreterData_RegisterClass");
    }
}

static void
do_unregister(PyTypeObject *type)
{
    int res = _PyCrossInterpreterData_UnregisterClass(type);
    if (res != 1) {
        xs_fail("unregistering %s, which this worker holds, returned %d",
                type->tp_name, res);
    }
}

static PyTypeObject *
new_heap_type(int self, long n)
{
    char name[64];
    snprintf(name, sizeof(name), "XsHeap_%d_%ld", self, n);
    PyObject *type = PyObject_CallFunction((PyObject *)&PyType_Type, "s(O){}",
                                           name, (PyObject *)&PyBaseObject_Type);
    if (type == NULL) {
        xs_fail_py("making a heap type");
    }
    return (PyTypeObject *)type;
}

/* A buggy getdata: the data holds the object but no way to rebuild it. */
static int
share_without_new_object(PyThreadState *tstate, PyObject *obj,
                         _PyCrossInterpreterData *data)
{
    (void)tstate;
    data->obj = Py_NewRef(obj);
    return 0;
}

/* Getdata functions whose data is a static string (no free function):
 * one keeps the object and names its owner, the other leaves both out
 * (the core fills in the owner). */
static const char static_payload[] = "static payload";

static PyObject *
new_from_static(_PyCrossInterpreterData *data)
{
    return PyUnicode_FromString((const char *)data->data);
}

static int
share_static_with_obj(PyThreadState *tstate, PyObject *obj,
                      _PyCrossInterpreterData *data)
{
    _PyCrossInterpreterData_Init(data, tstate->interp, (void *)static_payload,
                                 obj, new_from_static);
    return 0;
}

static int
share_static_bare(PyThreadState *tstate, PyObject *obj,
                  _PyCrossInterpreterData *data)
{
    (void)tstate;
    (void)obj;
    _PyCrossInterpreterData_Init(data, NULL, (void *)static_payload, NULL,
                                 new_from_static);
    return 0;
}

/* Share an instance of `type` through `getdata`: it rebuilds as the
 * static payload, and the release gives the object's reference back. */
static void
check_static_share(int self, long n, crossinterpdatafunc getdata)
{
    PyTypeObject *type = new_heap_type(self, -100 - n);
    if (_PyCrossInterpreterData_RegisterClass(type, getdata) < 0) {
        xs_fail_py("_PyCrossInterpreterData_RegisterClass");
    }
    PyObject *obj = new_instance(type);
    Py_ssize_t refcnt = Py_REFCNT(obj);
    _PyCrossInterpreterData data;
    if (_PyObject_GetCrossInterpreterData(obj, &data) < 0) {
        xs_fail_py("sharing through a static getdata");
    }
    if (_PyCrossInterpreterData_INTERPID(&data) != PyInterpreterState_GetID(PyInterpreterState_Get())) {
        xs_fail("static data is owned by interpreter %lld",
                (long long)_PyCrossInterpreterData_INTERPID(&data));
    }
    PyObject *back = _PyCrossInterpreterData_NewObject(&data);
    const char *text = back != NULL ? PyUnicode_AsUTF8(back) : NULL;
    if (text == NULL || strcmp(text, static_payload) != 0) {
        xs_fail("static data came back as \"%s\"", text != NULL ? text : "?");
    }
    Py_DECREF(back);
    if (_PyCrossInterpreterData_Release(&data) < 0) {
        xs_fail_py("_PyCrossInterpreterData_Release(static data)");
    }
    if (Py_REFCNT(obj) != refcnt) {
        xs_fail("after the release of static data the object's refcount is "
                "%zd, was %zd", Py_REFCNT(obj), refcnt);
    }
    Py_DECREF(obj);
    do_unregister(type);
    Py_DECREF(type);
}

/* The call failed with exactly `type` and `msg`; clear it. */
static void
check_rejected(int res, PyObject *type, const char *msg, const char *what)
{
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    const char *got = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    if (res != -1 || exc == NULL || Py_TYPE(exc) != (PyTypeObject *)type
        || got == NULL || strcmp(got, msg) != 0)
    {
        xs_fail("%s returned %d with %s(\"%s\"), expected -1 with %s(\"%s\")",
                what, res, exc != NULL ? Py_TYPE(exc)->tp_name : "no exception",
                got != NULL ? got : "", ((PyTypeObject *)type)->tp_name, msg);
    }
    Py_XDECREF(text);
    Py_XDECREF(exc);
    PyErr_Clear();
}

static void
misuse_step(int self, long n)
{
    PyObject *not_a_class = PyLong_FromLong(n);
    check_rejected(_PyCrossInterpreterData_RegisterClass(
                       (PyTypeObject *)not_a_class, share_length),
                   PyExc_ValueError, "only classes may be registered",
                   "registering an int");
    Py_DECREF(not_a_class);

    PyTypeObject *type = new_heap_type(self, -1 - n);
    check_rejected(_PyCrossInterpreterData_RegisterClass(type, NULL),
                   PyExc_ValueError, "missing 'getdata' func",
                   "registering no getdata");
    int res = _PyCrossInterpreterData_UnregisterClass(type);
    if (res != 0) {
        xs_fail("unregistering a class nobody registered returned %d", res);
    }
    check_lookup(type, NULL, "after rejected registrations");

    if (_PyCrossInterpreterData_RegisterClass(type, share_without_new_object) < 0) {
        xs_fail_py("_PyCrossInterpreterData_RegisterClass");
    }
    PyObject *obj = new_instance(type);
    Py_ssize_t refcnt = Py_REFCNT(obj);
    _PyCrossInterpreterData data;
    check_rejected(_PyObject_GetCrossInterpreterData(obj, &data),
                   PyExc_SystemError, "missing new_object func",
                   "sharing through a getdata without new_object");
    if (Py_REFCNT(obj) != refcnt) {
        xs_fail("a rejected share left the object's refcount at %zd, was %zd",
                Py_REFCNT(obj), refcnt);
    }
    Py_DECREF(obj);
    do_unregister(type);
    Py_DECREF(type);

    check_static_share(self, n, share_static_with_obj);
    check_static_share(self, n, share_static_bare);
}

typedef struct {
    int self;
    xs_rng rng;
    int global_held[N_GLOBAL];
    PyTypeObject *heap[HEAP_SLOTS];   /* registered heap types, strong refs */
    long heap_made;
} reg_state;

static void
global_step(reg_state *s)
{
    int t = (int)xs_rng_below(&s->rng, N_GLOBAL);
    PyTypeObject *type = global_types[t];
    if (s->global_held[t] > 0 && xs_rng_below(&s->rng, 2) == 0) {
        do_unregister(type);
        s->global_held[t]--;
        return;
    }
    do_register(type);
    s->global_held[t]++;
    check_lookup(type, share_length, "global");
}

static void
heap_step(reg_state *s)
{
    int slot = (int)xs_rng_below(&s->rng, HEAP_SLOTS);
    PyTypeObject *type = s->heap[slot];
    if (type == NULL) {
        type = new_heap_type(s->self, s->heap_made++);
        do_register(type);
        check_lookup(type, share_length, "heap");
        s->heap[slot] = type;
        return;
    }
    if (xs_rng_below(&s->rng, 3) == 0) {
        /* Dies while registered (once the collector frees its cycles). */
        __atomic_fetch_add(&reg.heap_dropped_registered, 1, __ATOMIC_RELAXED);
    }
    else {
        do_unregister(type);
        check_lookup(type, NULL, "heap after unregistering");
    }
    s->heap[slot] = NULL;
    Py_DECREF(type);
    if (xs_rng_below(&s->rng, 8) == 0) {
        (void)PyGC_Collect();
    }
}

static void
release_everything(reg_state *s)
{
    for (int t = 0; t < N_GLOBAL; t++) {
        for (; s->global_held[t] > 0; s->global_held[t]--) {
            do_unregister(global_types[t]);
        }
    }
    for (int i = 0; i < HEAP_SLOTS; i++) {
        if (s->heap[i] != NULL) {
            do_unregister(s->heap[i]);
            Py_CLEAR(s->heap[i]);
        }
    }
}

static void *
reg_worker_main(void *arg)
{
    reg_state s = {.self = (int)(intptr_t)arg};
    xs_rng_init(&s.rng, s.self);
    PyThreadState *tstate = xs_attach(reg.interps[s.self % xs_params_g.interps]);
    for (long i = 0; i < xs_params_g.iterations && !xs_should_stop(); i++) {
        if (xs_rng_below(&s.rng, 8) == 0) {
            misuse_step(s.self, i);
        }
        else if (xs_rng_below(&s.rng, 2) == 0) {
            global_step(&s);
        }
        else {
            heap_step(&s);
        }
        xs_progress_add(1);
        if (xs_rng_below(&s.rng, 16) == 0) {
            /* Let the interpreter's other workers in between steps. */
            PyEval_SaveThread();
            PyEval_RestoreThread(tstate);
        }
    }
    release_everything(&s);
    xs_detach(tstate);
    return NULL;
}

/* Entries of `registry` whose heap class is alive (or static). */
static int
count_live_entries(struct _xidregistry *registry, int *dead)
{
    int live = 0;
    *dead = 0;
    for (struct _xidregitem *cur = registry->head; cur != NULL; cur = cur->next) {
        PyObject *cls = cur->weakref != NULL ? _PyWeakref_GET_REF(cur->weakref) : NULL;
        if (cur->weakref == NULL || cls != NULL) {
            live++;
        }
        else {
            (*dead)++;
        }
        Py_XDECREF(cls);
    }
    return live;
}

/* In interpreter `interp`: only dead entries remain, and a lookup that
 * misses walks (and purges) all of them. */
static void
check_interp_registry(int i)
{
    PyThreadState *prev = xs_switch_to(reg.interps[i]);
    (void)PyGC_Collect();
    struct _xidregistry *registry = &reg.interps[i]->xi.registry;
    int dead;
    int live = count_live_entries(registry, &dead);
    if (live != 0) {
        xs_fail("interpreter %d: %d heap class(es) still registered", i, live);
    }
    PyTypeObject *probe = new_heap_type(-1, i);
    check_lookup(probe, NULL, "final probe");
    Py_DECREF(probe);
    int left = count_live_entries(registry, &dead);
    if (left != 0 || dead != 0) {
        xs_fail("interpreter %d: %d live and %d dead entries after a lookup",
                i, left, dead);
    }
    xs_switch_back(prev);
}

static void
check_global_registry(void)
{
    for (int t = 0; t < N_GLOBAL; t++) {
        check_lookup(global_types[t], NULL, "after every worker unregistered");
    }
}

int
xs_registry(void)
{
    for (int i = 0; i < xs_params_g.interps; i++) {
        reg.interps[i] = xs_new_interp();
    }
    PyThreadState *main_tstate = PyEval_SaveThread();
    xs_run_workers(xs_params_g.threads, reg_worker_main);
    PyEval_RestoreThread(main_tstate);
    check_global_registry();
    for (int i = 0; i < xs_params_g.interps; i++) {
        check_interp_registry(i);
        xs_end_interp(reg.interps[i]);
    }
    printf("registry: %ld heap classes died while registered\n",
           reg.heap_dropped_registered);
    return 0;
}
