/* Proof that the harness's oracles fire: each mode runs one "input" that
 * breaks exactly one invariant, the way a broken core would, through the
 * same checks the fuzz targets use.  ctest expects the matching ORACLE
 * FAILURE line for every mode, and a clean exit for "clean".
 *
 *   oracle_selftest MODE
 */
#include "fault.h"
#include "fault_oracle.h"
#include "objcmp.h"
#include "target.h"
#include "xid_oracle.h"
#include "xid_private.h"

#include <stdio.h>
#include <string.h>


static PyObject *
make_tree(void)
{
    return Py_BuildValue("(is(y#)d)", 1, "two", "3", (Py_ssize_t)1, 4.5);
}

/* Share in slot 1, rebuild in slot 2, compare, release: `drop` makes the
 * rebuilt tuple miss its last item, as a core bug would. */
static void
round_trip(int drop)
{
    int prev = xf_enter(1);
    PyObject *tree = make_tree();
    _PyCrossInterpreterData xid;
    int rc = _PyObject_GetCrossInterpreterData(tree, &xid);
    xf_check_share_result(XF_SHARE_OK, rc, &xid);
    xf_shared_tuple *shared = xid.data;
    shared->len -= drop;
    xf_enter(2);
    PyObject *copy = _PyCrossInterpreterData_NewObject(&xid);
    char why[256];
    int equal = xf_compare(tree, copy, why, sizeof(why));
    Py_DECREF(copy);
    xf_enter(1);
    shared->len += drop;
    _PyCrossInterpreterData_Release(&xid);
    Py_DECREF(tree);
    xf_leave(prev);
    if (!equal) {
        xf_fail("round trip differs: %s", why);
    }
}

static void input_clean(const uint8_t *d, size_t n) { round_trip(0); }
static void input_dropped_item(const uint8_t *d, size_t n) { round_trip(1); }

static void
input_leaked_ref(const uint8_t *d, size_t n)
{
    PyObject *obj = PyList_New(0);
    Py_INCREF(obj);         /* a reference the "core" never gives back */
    Py_DECREF(obj);
}

/* The pool's own lifetimes are not a drift (pool.h): ending slot 2 and
 * making it again, and ending slot 1 for good, is a clean input, judged
 * without reruns (the test fails on the drift check's "rerunning" note)
 * and with the allocations of start-ups and ends offset (on a balance of
 * 100 blocks or more either way). */
static void
input_end_and_make(const uint8_t *d, size_t n)
{
    xf_end_interp(2);
    (void)xf_interp(2);
    xf_end_interp(1);
}

/* ... but what an ended interpreter leaves behind is: a reference leaked
 * in slot 2 outlives its end. */
static void
input_end_leaked_ref(const uint8_t *d, size_t n)
{
    int prev = xf_enter(2);
    PyObject *obj = PyList_New(0);
    Py_INCREF(obj);
    Py_DECREF(obj);
    xf_leave(prev);
    xf_end_interp(2);
}

static void
input_exception_left(const uint8_t *d, size_t n)
{
    int prev = xf_enter(2);
    PyErr_SetString(PyExc_RuntimeError, "left behind");
    xf_leave(prev);
}

static int
noop(void *arg)
{
    return 0;
}

static void
input_pending_left(const uint8_t *d, size_t n)
{
    /* A cross-interpreter call scheduled in slot 1 and never run. */
    _Py_CallInInterpreter(xf_interp(1), noop, NULL);
}

static void
input_tstate_left(const uint8_t *d, size_t n)
{
    /* A thread state made for slot 2 and never deleted, as a session that
     * forgot its own would leave it. */
    (void)PyThreadState_New(xf_interp(2));
}

static void
input_wrong_error(const uint8_t *d, size_t n)
{
    PyObject *deep = Py_BuildValue("([])");
    _PyCrossInterpreterData xid;
    int rc = _PyObject_GetCrossInterpreterData(deep, &xid);
    Py_DECREF(deep);
    /* The core raised NotShareableError; claim RecursionError was due. */
    xf_check_share_result(XF_SHARE_RECURSION, rc, &xid);
}

/* Fault injection: the 1st armed allocation fails inside
 * _PyCrossInterpreterData_New(), which raises MemoryError as documented:
 * the fault oracle accepts it.  "fault-swallowed" then replaces the
 * MemoryError with a RuntimeError, as a core that swallowed the failure
 * and reported something else would. */
static void
injected_new(int swallow)
{
    unsigned long hits = xf_fault_hits();
    xf_fault_set((xf_fault_spec){XF_FAULT_NTH, 1, 1});
    xf_fault_arm();
    _PyCrossInterpreterData *xid = _PyCrossInterpreterData_New();
    xf_fault_disarm();
    if (xid != NULL) {
        xf_fail("the injected failure was not injected");
    }
    if (swallow) {
        PyErr_SetString(PyExc_RuntimeError, "not a MemoryError");
    }
    if (!xf_fault_failed(hits, NULL, "_PyCrossInterpreterData_New")) {
        xf_fail("no injected failure was counted");
    }
}

static void input_fault_clean(const uint8_t *d, size_t n) { injected_new(0); }
static void input_fault_swallowed(const uint8_t *d, size_t n) { injected_new(1); }

static const struct {
    const char *mode;
    xf_input_fn fn;
} modes[] = {
    {"clean", input_clean},
    {"dropped-item", input_dropped_item},
    {"leaked-ref", input_leaked_ref},
    {"end-and-make", input_end_and_make},
    {"end-leaked-ref", input_end_leaked_ref},
    {"exception-left", input_exception_left},
    {"pending-left", input_pending_left},
    {"tstate-left", input_tstate_left},
    {"wrong-error", input_wrong_error},
    {"fault-clean", input_fault_clean},
    {"fault-swallowed", input_fault_swallowed},
};

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: oracle_selftest MODE\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(argv[1], modes[i].mode) == 0) {
            xf_target_init(3);
            xf_target_run(modes[i].fn, NULL, 0);
            printf("oracle_selftest: %s: no oracle fired\n", argv[1]);
            return 0;
        }
    }
    fprintf(stderr, "oracle_selftest: unknown mode '%s'\n", argv[1]);
    return 2;
}
