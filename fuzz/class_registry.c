/* fuzz/class_registry: the xid core's class registry -- register, look up,
 * share through, unregister, and classes dying while registered -- over a
 * few interpreters, against a model of what is registered where.
 *
 * Classes: a table of XF_REG_NHEAP heap classes (indexes 0..3), each made
 * at run time by PyType_FromSpec in some slot (its home), with `object` or
 * another live class of the same home as base; and one static type of the
 * harness's own (index XF_REG_STATIC), readied once in the main
 * interpreter.  Instances of all of them hold one int64 value.  A heap
 * class is registered in the registry of the interpreter that registers it
 * (one per interpreter); the static type in the global registry, which
 * every interpreter shares.
 *
 * A heap class is also registered, instantiated and shared in
 * interpreters other than its home, as the per-interpreter registries
 * need: everything runs on one thread and no interpreter of the pool
 * ends, so this touches no freed state, and the harness never calls a
 * class or looks up its attributes outside its home (instances come from
 * tp_alloc).  The harness also keeps, per class, a weakref with a callback
 * (never the class's basic weakref, which the registry shares): it tells
 * whether the class died.
 *
 * Input: up to XF_REG_MAX_OPS operations, each an opcode byte (modulo
 * XF_REG_NOPS) and its operands, one byte each unless said; s and r are
 * slots (modulo XF_REG_NSLOTS), k a class index (modulo XF_REG_NCLASSES;
 * modulo XF_REG_NHEAP for MAKE and DROP):
 *   MAKE       s k b   make heap class k in slot s; a live class k is
 *                      dropped first (DROP).  b == 0: base object; else
 *                      base (b - 1) % NHEAP when that class is live, is
 *                      not k and has home s (else object)
 *   REGISTER   s k g   in slot s, _PyCrossInterpreterData_RegisterClass(k,
 *                      getdata g % 2); when k is already registered in
 *                      that registry, with the getdata it has there (the
 *                      core asserts that a repeated registration passes
 *                      the same one)
 *   UNREGISTER s k     in slot s, _PyCrossInterpreterData_UnregisterClass(k)
 *   SHARE      s k r v in slot s, on a new instance of k holding v (u16):
 *                      _PyCrossInterpreterData_Lookup, then
 *                      _PyObject_CheckCrossInterpreterData, then
 *                      _PyObject_GetCrossInterpreterData; the data is
 *                      rebuilt in slot r and released in slot s
 *   DROP       k       drop heap class k: its subclasses in the table
 *                      first, then (in its home) its reference cycle is
 *                      broken with tp_clear, as the collector would, and
 *                      the harness's last reference dropped; it dies
 *                      with its registrations still in place
 *   COLLECT    s k g   class k dies in a collection, and an object of its
 *                      own garbage registers it while it does: the
 *                      harness drops k's subclasses (DROP), hands its
 *                      last reference to a reviver (an object with a
 *                      finalizer, in k's home, that holds k and itself)
 *                      and collects the youngest generation there (and
 *                      all of them if k survived that).  The collector
 *                      clears k's weakrefs -- the registry's entries'
 *                      too -- before it calls finalizers, so the
 *                      reviver's _PyCrossInterpreterData_RegisterClass(k,
 *                      getdata g % 2, or the one k has there) finds k's
 *                      entries dead and must make a new weakref to k:
 *                      the one allocation of a registration that a live
 *                      class never reaches.  s: where an empty k is made
 * REGISTER, UNREGISTER, SHARE and COLLECT on an empty heap index first
 * make the class there (MAKE s k 0).  At the end of the input the harness
 * unregisters every registration the model holds, drops every class, and
 * looks up an unregistered class of its own in every slot (a miss walks
 * the whole registry and drops every dead entry).
 *
 * The getdata functions: G0 shares the instance's value as an int through
 * the core's own int support; G1 fills the data itself (no allocation):
 * the value as data->data and the instance as data->obj, rebuilt as the
 * value's 8 bytes, little-endian.
 *
 * Model: per (slot, heap class) and for the static type, the number of
 * registrations and the getdata they gave.  A heap class that dies takes
 * its registrations with it; a new class in its place starts unregistered.
 *
 * Oracles:
 *   - RegisterClass returns 0 (count + 1); UnregisterClass returns 1
 *     (count - 1) while the count is above 0 and 0 once it is 0 -- also
 *     for a class registered only in another interpreter, a class made
 *     after one that died registered, or one never registered; neither
 *     leaves an exception set;
 *   - Lookup returns exactly the model's getdata (registered in this
 *     slot's registry, or globally for the static type: any slot) or
 *     NULL, and raises nothing; lookup is by exact class, so an instance
 *     of a subclass of a registered class is not shareable;
 *   - Check returns 0 exactly when Lookup finds a getdata, else -1 with
 *     exactly this interpreter's NotShareableError;
 *   - Get succeeds exactly when registered, calls the getdata once with
 *     the current thread state and the instance (Check and Lookup never
 *     call it), and the data names slot s as its owner; it rebuilds in
 *     slot r as exactly int(v) (G0) or v's 8 bytes (G1); a failed Get
 *     raises exactly NotShareableError, calls no getdata and leaves the
 *     data empty; the release returns 0 and gives the instance back the
 *     references the data held;
 *   - a dropped class dies (the registry holds only a weak reference):
 *     still alive after a full collection is a finding;
 *   - COLLECT: the reviver's finalizer runs once, during the collection;
 *     its RegisterClass returns 0 with no exception, and a lookup made
 *     there finds exactly its getdata; the class still dies in that
 *     collection (the new entry holds it weakly too), and its entry is
 *     dead from then on (the end-of-input check);
 *   - at the end of the input every registry (each slot's and the global
 *     one) holds exactly the live entries it held at the start and no
 *     dead one; no exception or pending call is left; the total refcount
 *     does not drift (target.c); LeakSanitizer finds no leak.
 *
 * Fault injection (core/harness/fault.h): an opcode byte >= XF_FAULT_OPCODE
 * (0xf8) is FAULT, followed by a spec that stays on for the next spec.ops
 * operations (FAULT itself does not count).  It is armed around every
 * core call of REGISTER, UNREGISTER and SHARE (the getdata functions run
 * inside the share, so their allocations are armed too) and around the
 * reviver's registration in COLLECT, and nowhere else: not around making
 * or dropping classes or instances, nor the collection itself, nor the
 * end-of-input clean-up.  A call during which an injected failure was hit
 * may fail with exactly MemoryError (Check and Get of an unregistered
 * class: or NotShareableError, which they raise anyway) and must then
 * leave the model true: a failed RegisterClass registers nothing (Lookup
 * still agrees with the model), a failed Get leaves the data empty, a
 * failed rebuild changes nothing.  A failure with no exception set, or
 * with another one, is a finding.  Lookup, UnregisterClass and the
 * release allocate nothing: their oracles hold as always.  A call that hit
 * no injected failure has the normal oracle.  RegisterClass allocates
 * only when the class is not in that registry yet: the entry, and a
 * weakref to the class only when the class has no basic weakref.  A live
 * class always has one (its base's list of subclasses holds it, and
 * PyWeakref_NewRef reuses it); a class the collector is finalizing has
 * none, which is how COLLECT reaches that allocation.
 */
#include "target.h"
#include "fault.h"
#include "fault_oracle.h"
#include "xid_oracle.h"
#include "class_registry.h"

#include "pycore_interp.h"         // interp->xi.registry
#include "pycore_runtime.h"        // _PyRuntime.xi.registry
#include "pycore_weakref.h"        // _PyWeakref_IS_DEAD()

#include <string.h>

/* The instances of every class of the target. */
typedef struct {
    PyObject_HEAD
    int64_t value;
} reg_obj;

typedef struct {
    PyTypeObject *cls;      /* strong reference; NULL: index empty */
    PyObject *alive;        /* weakref with a callback, made in home */
    int home;
    int base;               /* index of its base class, or -1 */
    int count[XF_REG_NSLOTS];
    crossinterpdatafunc getdata[XF_REG_NSLOTS];
} reg_class;

typedef struct {
    int live;
    int dead;
} reg_entries;

static struct {
    reg_class heap[XF_REG_NHEAP];
    /* The static type: one registration count for every interpreter. */
    int static_count;
    crossinterpdatafunc static_getdata;
    /* What the getdata functions saw (the Get oracle). */
    unsigned long getdata_calls;
    PyObject *getdata_obj;
    PyThreadState *getdata_tstate;
    crossinterpdatafunc getdata_fn;
    /* Per slot, made once: a weakref callback and an instance of a class
     * that is never registered (its lookup walks the whole registry). */
    PyObject *callback[XF_REG_NSLOTS];
    PyObject *probe[XF_REG_NSLOTS];
    PyTypeObject *reviver_type[XF_REG_NSLOTS];
    PyObject *gc_collect[XF_REG_NSLOTS];    /* gc.collect, per slot */
    /* What COLLECT asks of its reviver, and what the reviver saw. */
    struct reg_revival {
        int k;
        crossinterpdatafunc fn;
        int finalized;      /* times the finalizer ran */
        int registered;     /* its registration succeeded */
        int injected;       /* ... failed under an injected failure */
    } revival;
    /* Live entries of each registry when the input started. */
    int baseline[XF_REG_NSLOTS];
    int static_baseline;
} reg;

/* ---- the classes ---- */

static PyType_Slot heap_slots[] = {{0, NULL}};

#define HEAP_SPEC(NAME)                                          \
    {                                                            \
        .name = NAME,                                            \
        .basicsize = sizeof(reg_obj),                            \
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,       \
        .slots = heap_slots,                                     \
    }

static PyType_Spec heap_specs[XF_REG_NHEAP] = {
    HEAP_SPEC("xidfuzz.RegClass0"),
    HEAP_SPEC("xidfuzz.RegClass1"),
    HEAP_SPEC("xidfuzz.RegClass2"),
    HEAP_SPEC("xidfuzz.RegClass3"),
};

static PyType_Spec probe_spec = HEAP_SPEC("xidfuzz.RegProbe");

static void
static_dealloc(PyObject *self)
{
    PyObject_Free(self);
}

/* No dot in the name: its repr (in NotShareableError's message) then
 * makes no module name to intern in whichever interpreter formats it. */
static PyTypeObject static_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "xidfuzz_RegStatic",
    .tp_basicsize = sizeof(reg_obj),
    .tp_dealloc = static_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

/* Instances are made with tp_alloc, not by calling the class: no
 * attribute lookup, so a class of one interpreter can be instantiated in
 * another without its attributes landing in that one's type cache. */
static PyObject *
new_instance(PyTypeObject *cls, int64_t value)
{
    PyObject *obj = cls->tp_alloc(cls, 0);
    if (obj == NULL) {
        PyErr_Print();
        xf_fail("making an instance of %s failed", cls->tp_name);
    }
    ((reg_obj *)obj)->value = value;
    return obj;
}

static PyObject *
on_class_death(PyObject *self, PyObject *wr)
{
    (void)self;
    (void)wr;
    Py_RETURN_NONE;
}

static PyMethodDef on_class_death_def = {
    "on_class_death", on_class_death, METH_O, NULL,
};

/* The reviver of COLLECT: garbage with a finalizer that registers the
 * class it holds.  One heap type per slot (made in init()), so that each
 * interpreter collects objects of its own types. */
typedef struct {
    PyObject_HEAD
    PyObject *cls;      /* the dying class */
    PyObject *self;     /* itself: the cycle that makes it garbage */
} reg_reviver;

static int
reviver_traverse(PyObject *op, visitproc visit, void *arg)
{
    reg_reviver *r = (reg_reviver *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(r->cls);
    Py_VISIT(r->self);
    return 0;
}

static int
reviver_clear(PyObject *op)
{
    reg_reviver *r = (reg_reviver *)op;
    Py_CLEAR(r->cls);
    Py_CLEAR(r->self);
    return 0;
}

static void
reviver_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    (void)reviver_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static void reviver_finalize(PyObject *op);

static PyType_Slot reviver_slots[] = {
    {Py_tp_traverse, reviver_traverse},
    {Py_tp_clear, reviver_clear},
    {Py_tp_dealloc, reviver_dealloc},
    {Py_tp_finalize, reviver_finalize},
    {0, NULL},
};

static PyType_Spec reviver_spec = {
    .name = "xidfuzz.RegReviver",
    .basicsize = sizeof(reg_reviver),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = reviver_slots,
};

static PyTypeObject *
class_at(int k)
{
    return k == XF_REG_STATIC ? &static_type : reg.heap[k].cls;
}

static const char *
class_name(int k)
{
    static char names[XF_REG_NCLASSES][16];
    if (k == XF_REG_STATIC) {
        return "static";
    }
    snprintf(names[k], sizeof(names[k]), "K%d", k);
    return names[k];
}

static void
make_class(int k, int s, int base)
{
    int prev = xf_enter(s);
    PyObject *bases = base >= 0 ? (PyObject *)reg.heap[base].cls : NULL;
    PyObject *cls = PyType_FromSpecWithBases(&heap_specs[k], bases);
    if (cls == NULL) {
        PyErr_Print();
        xf_fail("making class K%d in slot %d failed", k, s);
    }
    /* With a callback, so that it is not the class's basic weakref:
     * that one the registry's entries share, and the harness must not
     * keep it alive after the class is gone. */
    PyObject *alive = PyWeakref_NewRef(cls, reg.callback[s]);
    if (alive == NULL) {
        PyErr_Print();
        xf_fail("making a weakref to class K%d failed", k);
    }
    xf_leave(prev);
    reg_class *c = &reg.heap[k];
    *c = (reg_class){
        .cls = (PyTypeObject *)cls, .alive = alive, .home = s, .base = base,
    };
    xf_note("registry: MAKE K%d in slot %d, base %s", k, s,
            base >= 0 ? class_name(base) : "object");
}

static void drop_class(int k);

/* Drop the live subclasses of class k (they hold it as their base). */
static void
drop_subclasses(int k)
{
    for (int j = 0; j < XF_REG_NHEAP; j++) {
        if (reg.heap[j].cls != NULL && reg.heap[j].base == k) {
            drop_class(j);
        }
    }
}

/* How many registrations of heap class k the model holds, all slots. */
static int
registrations(int k)
{
    int n = 0;
    for (int s = 0; s < XF_REG_NSLOTS; s++) {
        n += reg.heap[k].count[s];
    }
    return n;
}

/* Drop the harness's last reference to class k, its subclasses first.
 * It must die: nothing else keeps it, and the registries hold it only
 * weakly. */
static void
drop_class(int k)
{
    drop_subclasses(k);
    reg_class *c = &reg.heap[k];
    int registered = registrations(k);
    int prev = xf_enter(c->home);
    /* A class is in a reference cycle (its MRO holds it).  Breaking it
     * the way the collector would (tp_clear) lets it die at once; a
     * collection per drop cost most of each input (the pydebug collector
     * validates the whole older generation), and which generation holds
     * the class depends on earlier inputs.  If something else still holds
     * it, a full collection rules out garbage before that is reported. */
    Py_TYPE(c->cls)->tp_clear((PyObject *)c->cls);
    Py_CLEAR(c->cls);
    if (!_PyWeakref_IS_DEAD(c->alive)) {
        (void)PyGC_Collect();
    }
    if (!_PyWeakref_IS_DEAD(c->alive)) {
        xf_fail("class K%d (registered %d times) is still alive after its "
                "last reference was dropped and a full collection: the "
                "registry must hold classes only weakly", k, registered);
    }
    Py_CLEAR(c->alive);
    xf_leave(prev);
    xf_note("registry: DROP K%d (home slot %d, registered %d times): died",
            k, c->home, registered);
    /* Its entries are dead now, whatever the model held: the next lookup
     * in each registry drops them. */
    *c = (reg_class){.base = -1};
}

/* ---- the getdata functions ---- */

static void
saw_getdata(PyThreadState *tstate, PyObject *obj, crossinterpdatafunc fn)
{
    reg.getdata_calls++;
    reg.getdata_obj = obj;
    reg.getdata_tstate = tstate;
    reg.getdata_fn = fn;
}

static int
getdata_as_int(PyThreadState *tstate, PyObject *obj,
               _PyCrossInterpreterData *data)
{
    saw_getdata(tstate, obj, getdata_as_int);
    PyObject *value = PyLong_FromLongLong(((reg_obj *)obj)->value);
    if (value == NULL) {
        return -1;
    }
    int res = _PyObject_GetCrossInterpreterData(value, data);
    Py_DECREF(value);
    return res;
}

static PyObject *
new_value_bytes(_PyCrossInterpreterData *data)
{
    uint64_t value = (uint64_t)(uintptr_t)data->data;
    char buf[8];
    for (int i = 0; i < 8; i++) {
        buf[i] = (char)(value >> (8 * i));
    }
    return PyBytes_FromStringAndSize(buf, sizeof(buf));
}

static int
getdata_own(PyThreadState *tstate, PyObject *obj,
            _PyCrossInterpreterData *data)
{
    saw_getdata(tstate, obj, getdata_own);
    _PyCrossInterpreterData_Init(
        data, tstate->interp, (void *)(uintptr_t)((reg_obj *)obj)->value,
        obj, new_value_bytes);
    return 0;
}

static const crossinterpdatafunc getdata_fns[2] = {
    getdata_as_int, getdata_own,
};

static const char *
getdata_name(crossinterpdatafunc fn)
{
    return fn == NULL ? "NULL" : fn == getdata_as_int ? "G0"
           : fn == getdata_own ? "G1" : "another getdata";
}

/* For a report: the name of the exception set (printed, then cleared),
 * or "no exception". */
static const char *
print_exception(void)
{
    PyObject *exc = PyErr_Occurred();
    if (exc == NULL) {
        return "no exception";
    }
    const char *name = ((PyTypeObject *)exc)->tp_name;
    PyErr_Print();
    return name;
}

/* ---- the model ---- */

static int *
model_count(int k, int s)
{
    return k == XF_REG_STATIC ? &reg.static_count : &reg.heap[k].count[s];
}

static crossinterpdatafunc *
model_getdata(int k, int s)
{
    return k == XF_REG_STATIC ? &reg.static_getdata : &reg.heap[k].getdata[s];
}

/* The getdata a lookup of class k in slot s must find. */
static crossinterpdatafunc
expected_getdata(int k, int s)
{
    return *model_count(k, s) > 0 ? *model_getdata(k, s) : NULL;
}

/* "registered 2/0/1 times in slots 0/1/2", for reports. */
static void
describe_registrations(int k, char *buf, size_t size)
{
    if (k == XF_REG_STATIC) {
        snprintf(buf, size, "registered %d times globally", reg.static_count);
        return;
    }
    char counts[64] = "";
    char slots[64] = "";
    for (int s = 0; s < XF_REG_NSLOTS; s++) {
        size_t n = strlen(counts);
        snprintf(counts + n, sizeof(counts) - n, "%s%d", s ? "/" : "",
                 reg.heap[k].count[s]);
        n = strlen(slots);
        snprintf(slots + n, sizeof(slots) - n, "%s%d", s ? "/" : "", s);
    }
    snprintf(buf, size, "registered %s times in slots %s", counts, slots);
}

/* Lookup of class k (through `obj`) in the current slot s agrees with the
 * model.  It allocates nothing, so this holds under fault injection too. */
static void
check_lookup_agrees(int k, int s, PyObject *obj, int armed, const char *when)
{
    crossinterpdatafunc want = expected_getdata(k, s);
    if (armed) {
        xf_fault_arm();
    }
    crossinterpdatafunc got = _PyCrossInterpreterData_Lookup(obj);
    xf_fault_disarm();
    if (PyErr_Occurred()) {
        PyErr_Print();
        xf_fail("_PyCrossInterpreterData_Lookup(%s) in slot %d left an "
                "exception set", class_name(k), s);
    }
    if (got != want) {
        char model[96];
        describe_registrations(k, model, sizeof(model));
        xf_fail("_PyCrossInterpreterData_Lookup(%s) in slot %d%s returned "
                "%s, expected %s (%s)", class_name(k), s, when,
                getdata_name(got), getdata_name(want), model);
    }
}

/* ---- operations ---- */

static int
read_slot(xf_input *in)
{
    return xf_read_u8(in) % XF_REG_NSLOTS;
}

/* Class index k for REGISTER, UNREGISTER and SHARE; an empty heap index
 * gets a class made in slot s. */
static int
read_class(xf_input *in, int s)
{
    int k = xf_read_u8(in) % XF_REG_NCLASSES;
    if (k != XF_REG_STATIC && reg.heap[k].cls == NULL) {
        make_class(k, s, -1);
    }
    return k;
}

static void
op_make(xf_input *in)
{
    int s = read_slot(in);
    int k = xf_read_u8(in) % XF_REG_NHEAP;
    int b = xf_read_u8(in);
    if (reg.heap[k].cls != NULL) {
        drop_class(k);
    }
    int base = -1;
    if (b != 0) {
        int j = (b - 1) % XF_REG_NHEAP;
        if (j != k && reg.heap[j].cls != NULL && reg.heap[j].home == s) {
            base = j;
        }
    }
    make_class(k, s, base);
}

static void
op_register(xf_input *in)
{
    int s = read_slot(in);
    int k = read_class(in, s);
    int g = xf_read_u8(in) % 2;
    int *count = model_count(k, s);
    crossinterpdatafunc fn = *count > 0 ? *model_getdata(k, s)
                                        : getdata_fns[g];

    int prev = xf_enter(s);
    PyTypeObject *cls = class_at(k);
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyCrossInterpreterData_RegisterClass(cls, fn);
    xf_fault_disarm();
    xf_note("registry: REGISTER %s in slot %d with %s: rc=%d (count was %d)",
            class_name(k), s, getdata_name(fn), rc, *count);
    if (rc == 0 && !PyErr_Occurred()) {
        *count += 1;
        *model_getdata(k, s) = fn;
    }
    else if (rc == -1
             && xf_fault_failed(hits, NULL,
                                "_PyCrossInterpreterData_RegisterClass")) {
        /* Nothing may have been registered: a half-made entry would show
         * here as a getdata the model does not expect. */
        PyObject *obj = new_instance(cls, 0);
        check_lookup_agrees(k, s, obj, 0, " after a failed registration");
        Py_DECREF(obj);
    }
    else {
        xf_fail("_PyCrossInterpreterData_RegisterClass(%s) in slot %d "
                "returned %d with %s, expected 0 with no exception",
                class_name(k), s, rc, print_exception());
    }
    xf_leave(prev);
}

static void
unregister_class(int k, int s, int armed)
{
    int *count = model_count(k, s);
    int want = *count > 0 ? 1 : 0;
    int prev = xf_enter(s);
    if (armed) {
        xf_fault_arm();
    }
    int rc = _PyCrossInterpreterData_UnregisterClass(class_at(k));
    xf_fault_disarm();
    xf_note("registry: UNREGISTER %s in slot %d: rc=%d (count was %d)",
            class_name(k), s, rc, *count);
    if (PyErr_Occurred()) {
        PyErr_Print();
        xf_fail("_PyCrossInterpreterData_UnregisterClass(%s) in slot %d left "
                "an exception set", class_name(k), s);
    }
    if (rc != want) {
        char model[96];
        describe_registrations(k, model, sizeof(model));
        xf_fail("_PyCrossInterpreterData_UnregisterClass(%s) in slot %d "
                "returned %d, expected %d (%s)", class_name(k), s, rc, want,
                model);
    }
    *count -= want;
    xf_leave(prev);
}

static void
op_unregister(xf_input *in)
{
    int s = read_slot(in);
    int k = read_class(in, s);
    unregister_class(k, s, 1);
}

/* After a failed Check or Get: with an injected failure hit, MemoryError
 * (cleared here; returns 1) or the expected error; else exactly `want`
 * (NotShareableError when the class is not registered, nothing when it
 * is: then any failure is a finding). */
static int
check_failure(unsigned long hits, PyObject *want, const char *call, int k,
              int s)
{
    if (xf_fault_failed(hits, want, call)) {
        return 1;
    }
    PyObject *exc = PyErr_Occurred();
    if (want == NULL || exc != want) {
        char model[96];
        describe_registrations(k, model, sizeof(model));
        xf_fail("%s(%s) in slot %d failed with %s, expected %s (%s)", call,
                class_name(k), s, print_exception(),
                want != NULL ? ((PyTypeObject *)want)->tp_name : "success",
                model);
    }
    PyErr_Clear();
    return 0;
}

/* Rebuild the data in slot r: exactly what the getdata encoded. */
static void
rebuild(_PyCrossInterpreterData *data, crossinterpdatafunc fn, int64_t value,
        int k, int r)
{
    int prev = xf_enter(r);
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    PyObject *copy = _PyCrossInterpreterData_NewObject(data);
    xf_fault_disarm();
    if (copy == NULL) {
        if (!xf_fault_failed(hits, NULL,
                             "_PyCrossInterpreterData_NewObject")) {
            PyErr_Print();
            xf_fail("_PyCrossInterpreterData_NewObject of %s data failed in "
                    "slot %d", class_name(k), r);
        }
        xf_leave(prev);
        return;
    }
    int ok;
    if (fn == getdata_as_int) {
        ok = PyLong_CheckExact(copy) && PyLong_AsLongLong(copy) == value;
    }
    else {
        ok = PyBytes_CheckExact(copy) && PyBytes_GET_SIZE(copy) == 8;
        for (int i = 0; ok && i < 8; i++) {
            uint8_t byte = (uint8_t)PyBytes_AS_STRING(copy)[i];
            ok = byte == (uint8_t)(value >> (8 * i));
        }
    }
    if (!ok) {
        PyObject *repr = PyObject_Repr(copy);
        xf_fail("%s data made by %s for value %lld rebuilt in slot %d as %s",
                class_name(k), getdata_name(fn), (long long)value, r,
                repr != NULL ? PyUnicode_AsUTF8(repr) : "?");
    }
    Py_DECREF(copy);
    xf_leave(prev);
}

static void
op_share(xf_input *in)
{
    int s = read_slot(in);
    int k = read_class(in, s);
    int r = read_slot(in);
    int64_t value = xf_read_u16(in);
    crossinterpdatafunc want = expected_getdata(k, s);

    int prev = xf_enter(s);
    PyObject *obj = new_instance(class_at(k), value);
    Py_ssize_t refcnt = Py_REFCNT(obj);
    PyObject *not_shareable = xf_not_shareable_error();
    unsigned long calls = reg.getdata_calls;

    check_lookup_agrees(k, s, obj, 1, "");

    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyObject_CheckCrossInterpreterData(obj);
    xf_fault_disarm();
    if (rc != 0) {
        check_failure(hits, want != NULL ? NULL : not_shareable,
                      "_PyObject_CheckCrossInterpreterData", k, s);
    }
    else if (want == NULL || PyErr_Occurred()) {
        if (PyErr_Occurred()) {
            PyErr_Print();
        }
        xf_fail("_PyObject_CheckCrossInterpreterData(%s) in slot %d returned "
                "0, expected -1 with NotShareableError (not registered here)",
                class_name(k), s);
    }
    if (reg.getdata_calls != calls) {
        xf_fail("Lookup or Check of %s called its getdata", class_name(k));
    }

    _PyCrossInterpreterData data = {0};
    hits = xf_fault_hits();
    xf_fault_arm();
    rc = _PyObject_GetCrossInterpreterData(obj, &data);
    xf_fault_disarm();
    xf_note("registry: SHARE %s (value %lld) in slot %d, rebuilt in %d: "
            "expected %s, rc=%d", class_name(k), (long long)value, s, r,
            getdata_name(want), rc);
    if (rc != 0) {
        int injected = check_failure(
            hits, want != NULL ? NULL : not_shareable,
            "_PyObject_GetCrossInterpreterData", k, s);
        if (data.data != NULL || data.obj != NULL) {
            xf_fail("a failed _PyObject_GetCrossInterpreterData(%s) left "
                    "data=%p obj=%p behind", class_name(k), data.data,
                    (void *)data.obj);
        }
        if (!injected && reg.getdata_calls != calls) {
            xf_fail("_PyObject_GetCrossInterpreterData(%s) called a getdata "
                    "although the class is not registered in slot %d",
                    class_name(k), s);
        }
    }
    else {
        if (PyErr_Occurred()) {
            PyErr_Print();
            xf_fail("_PyObject_GetCrossInterpreterData(%s) succeeded with an "
                    "exception set", class_name(k));
        }
        if (want == NULL) {
            xf_fail("_PyObject_GetCrossInterpreterData(%s) in slot %d "
                    "succeeded, expected NotShareableError (not registered "
                    "here)", class_name(k), s);
        }
        if (reg.getdata_calls != calls + 1 || reg.getdata_obj != obj
            || reg.getdata_tstate != xf_tstate(s) || reg.getdata_fn != want)
        {
            xf_fail("sharing %s in slot %d made %lu getdata call(s), the last "
                    "%s with %s object and %s thread state; expected one %s "
                    "call with the instance and slot %d's thread state",
                    class_name(k), s, reg.getdata_calls - calls,
                    getdata_name(reg.getdata_fn),
                    reg.getdata_obj == obj ? "the" : "another",
                    reg.getdata_tstate == xf_tstate(s) ? "the current"
                                                       : "another",
                    getdata_name(want), s);
        }
        if (_PyCrossInterpreterData_INTERPID(&data) != xf_interp_id(s)) {
            xf_fail("data of %s shared in slot %d names interpreter %lld as "
                    "its owner, not %lld", class_name(k), s,
                    (long long)_PyCrossInterpreterData_INTERPID(&data),
                    (long long)xf_interp_id(s));
        }
        rebuild(&data, want, value, k, r);
        xf_fault_arm();
        rc = _PyCrossInterpreterData_Release(&data);
        xf_fault_disarm();
        if (rc != 0) {
            PyErr_Print();
            xf_fail("releasing %s data in its owner failed (rc=%d)",
                    class_name(k), rc);
        }
    }
    if (Py_REFCNT(obj) != refcnt) {
        xf_fail("the %s instance's refcount is %zd after its data was "
                "released, was %zd", class_name(k), Py_REFCNT(obj), refcnt);
    }
    Py_DECREF(obj);
    xf_leave(prev);
}

static void
op_drop(xf_input *in)
{
    int k = xf_read_u8(in) % XF_REG_NHEAP;
    if (reg.heap[k].cls != NULL) {
        drop_class(k);
    }
}

/* COLLECT's finalizer: runs inside the collection, after the collector
 * cleared the weakrefs of the class it holds (a finalizer must leave no
 * exception: it keeps the one it found). */
static void
reviver_finalize(PyObject *op)
{
    reg_reviver *r = (reg_reviver *)op;
    if (r->cls == NULL) {
        return;
    }
    PyObject *exc = PyErr_GetRaisedException();
    int k = reg.revival.k;
    crossinterpdatafunc fn = reg.revival.fn;
    PyTypeObject *cls = (PyTypeObject *)r->cls;
    reg.revival.finalized++;

    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyCrossInterpreterData_RegisterClass(cls, fn);
    xf_fault_disarm();
    crossinterpdatafunc want = fn;
    if (rc == 0 && !PyErr_Occurred()) {
        reg.revival.registered = 1;
    }
    else if (rc == -1
             && xf_fault_failed(hits, NULL,
                                "_PyCrossInterpreterData_RegisterClass")) {
        /* Nothing registered, and what was registered before is dead. */
        reg.revival.injected = 1;
        want = NULL;
    }
    else {
        xf_fail("_PyCrossInterpreterData_RegisterClass(%s) in the finalizer "
                "of its own garbage returned %d with %s, expected 0 with no "
                "exception", class_name(k), rc, print_exception());
    }
    /* The class is still here (finalizers run before anything is
     * cleared): a lookup through an instance made now sees the new entry,
     * or none. */
    PyObject *obj = new_instance(cls, 0);
    crossinterpdatafunc got = _PyCrossInterpreterData_Lookup(obj);
    Py_DECREF(obj);
    if (got != want || PyErr_Occurred()) {
        if (PyErr_Occurred()) {
            PyErr_Print();
        }
        xf_fail("_PyCrossInterpreterData_Lookup(%s) in the finalizer of its "
                "own garbage, after %s registration, returned %s, expected %s",
                class_name(k), want != NULL ? "its" : "a failed",
                getdata_name(got), getdata_name(want));
    }
    PyErr_SetRaisedException(exc);
}

static void
op_collect(xf_input *in)
{
    int s = read_slot(in);
    int k = xf_read_u8(in) % XF_REG_NHEAP;
    int g = xf_read_u8(in) % 2;
    if (reg.heap[k].cls == NULL) {
        make_class(k, s, -1);
    }
    drop_subclasses(k);
    reg_class *c = &reg.heap[k];
    int home = c->home;
    int registered = registrations(k);
    /* A registration the home registry already has passes its getdata
     * again (the core asserts that a repeated one does). */
    reg.revival = (struct reg_revival){
        .k = k,
        .fn = c->count[home] > 0 ? c->getdata[home] : getdata_fns[g],
    };

    int prev = xf_enter(home);
    PyTypeObject *tp = reg.reviver_type[home];
    PyObject *r = tp->tp_alloc(tp, 0);
    if (r == NULL) {
        PyErr_Print();
        xf_fail("making COLLECT's reviver in slot %d failed", home);
    }
    ((reg_reviver *)r)->cls = (PyObject *)c->cls;     /* the table's ref */
    ((reg_reviver *)r)->self = Py_NewRef(r);
    c->cls = NULL;
    Py_DECREF(r);
    /* The youngest generation first (a full collection walks the
     * interpreter's whole heap): the class was made by this input and is
     * there, unless a collection since moved it on.  Then the reviver
     * alone may have been collected (its finalizer registering a class
     * that was still alive), and the full collection collects the class. */
    PyObject *res = PyObject_CallFunction(reg.gc_collect[home], "i", 0);
    if (res == NULL) {
        PyErr_Print();
        xf_fail("gc.collect(0) failed in slot %d", home);
    }
    Py_DECREF(res);
    if (!_PyWeakref_IS_DEAD(c->alive)) {
        (void)PyGC_Collect();
    }
    int finalized = reg.revival.finalized;
    int dead = _PyWeakref_IS_DEAD(c->alive);
    Py_CLEAR(c->alive);
    xf_leave(prev);
    xf_note("registry: COLLECT K%d in slot %d (registered %d times) with %s: "
            "finalized %d time(s), registration %s, class %s", k, home,
            registered, getdata_name(reg.revival.fn), finalized,
            reg.revival.registered ? "made"
            : reg.revival.injected ? "failed (injected)" : "not made",
            dead ? "died" : "alive");
    if (finalized != 1) {
        xf_fail("COLLECT K%d: the reviver's finalizer ran %d times in a full "
                "collection, expected once", k, finalized);
    }
    if (!dead) {
        xf_fail("class K%d, registered by a finalizer of its own garbage, "
                "is still alive after that collection: the registry must "
                "hold classes only weakly", k);
    }
    *c = (reg_class){.base = -1};
}

/* ---- the registries ---- */

static reg_entries
count_entries(const struct _xidregistry *registry)
{
    reg_entries n = {0, 0};
    for (struct _xidregitem *cur = registry->head; cur != NULL;
         cur = cur->next)
    {
        if (cur->weakref != NULL && _PyWeakref_IS_DEAD(cur->weakref)) {
            n.dead++;
        }
        else {
            n.live++;
        }
    }
    return n;
}

static reg_entries
slot_entries(int s)
{
    return count_entries(&xf_interp(s)->xi.registry);
}

static reg_entries
global_entries(void)
{
    return count_entries(&_PyRuntime.xi.registry);
}

static void
take_baseline(void)
{
    for (int s = 0; s < XF_REG_NSLOTS; s++) {
        reg.baseline[s] = slot_entries(s).live;
    }
    reg.static_baseline = global_entries().live;
}

/* Undo what the model holds, drop every class, then make each registry
 * drop its dead entries: it must be back where the input found it. */
static void
teardown(void)
{
    while (reg.static_count > 0) {
        unregister_class(XF_REG_STATIC, 0, 0);
    }
    for (int k = 0; k < XF_REG_NHEAP; k++) {
        for (int s = 0; s < XF_REG_NSLOTS; s++) {
            while (reg.heap[k].count[s] > 0) {
                unregister_class(k, s, 0);
            }
        }
    }
    for (int k = 0; k < XF_REG_NHEAP; k++) {
        if (reg.heap[k].cls != NULL) {
            drop_class(k);
        }
    }
    for (int s = 0; s < XF_REG_NSLOTS; s++) {
        int prev = xf_enter(s);
        crossinterpdatafunc fn = _PyCrossInterpreterData_Lookup(reg.probe[s]);
        if (fn != NULL || PyErr_Occurred()) {
            xf_fail("a class never registered was found in slot %d's "
                    "registry", s);
        }
        reg_entries n = slot_entries(s);
        if (n.dead != 0 || n.live != reg.baseline[s]) {
            xf_fail("slot %d's registry holds %d live and %d dead entries at "
                    "the end of the input, %d live at the start", s, n.live,
                    n.dead, reg.baseline[s]);
        }
        xf_leave(prev);
    }
    reg_entries n = global_entries();
    if (n.live != reg.static_baseline) {
        xf_fail("the global registry holds %d entries at the end of the "
                "input, %d at the start", n.live, reg.static_baseline);
    }
}

static void
run(const uint8_t *data, size_t size)
{
    xf_input in;
    xf_input_init(&in, data, size);
    for (int k = 0; k < XF_REG_NHEAP; k++) {
        reg.heap[k] = (reg_class){.base = -1};
    }
    reg.static_count = 0;
    reg.static_getdata = NULL;
    take_baseline();
    for (int n = 0; n < XF_REG_MAX_OPS && !xf_input_exhausted(&in); n++) {
        uint8_t op = xf_read_u8(&in);
        if (xf_fault_take_op(&in, op)) {
            continue;
        }
        switch (op % XF_REG_NOPS) {
        case XF_REG_MAKE:
            op_make(&in);
            break;
        case XF_REG_REGISTER:
            op_register(&in);
            break;
        case XF_REG_UNREGISTER:
            op_unregister(&in);
            break;
        case XF_REG_SHARE:
            op_share(&in);
            break;
        case XF_REG_DROP:
            op_drop(&in);
            break;
        case XF_REG_COLLECT:
            op_collect(&in);
            break;
        }
        xf_fault_op_done();
    }
    teardown();
}

static void
init(void)
{
    int prev = xf_enter(0);
    if (PyType_Ready(&static_type) < 0) {
        PyErr_Print();
        xf_fail("readying the static type failed");
    }
    xf_leave(prev);
    for (int s = 0; s < XF_REG_NSLOTS; s++) {
        prev = xf_enter(s);
        reg.callback[s] = PyCFunction_New(&on_class_death_def, NULL);
        PyObject *probe = PyType_FromSpec(&probe_spec);
        if (reg.callback[s] == NULL || probe == NULL) {
            PyErr_Print();
            xf_fail("making slot %d's probe failed", s);
        }
        reg.probe[s] = new_instance((PyTypeObject *)probe, 0);
        Py_DECREF(probe);       /* the instance holds it */
        PyObject *gc = PyImport_ImportModule("gc");
        reg.gc_collect[s] = gc != NULL ? PyObject_GetAttrString(gc, "collect")
                                       : NULL;
        Py_XDECREF(gc);
        if (reg.gc_collect[s] == NULL) {
            PyErr_Print();
            xf_fail("gc.collect in slot %d", s);
        }
        reg.reviver_type[s] = (PyTypeObject *)PyType_FromSpec(&reviver_spec);
        if (reg.reviver_type[s] == NULL) {
            PyErr_Print();
            xf_fail("making slot %d's reviver type failed", s);
        }
        xf_leave(prev);
    }
}

XF_FUZZ_TARGET_INIT(run, XF_REG_NSLOTS, init)
