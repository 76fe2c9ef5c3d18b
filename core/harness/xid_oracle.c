/* Sharing oracles; see xid_oracle.h. */
#include "xid_oracle.h"

#include <string.h>

#include "pycore_interp.h"         // interp->xi

const char *
xf_share_outcome_name(xf_share_outcome outcome)
{
    switch (outcome) {
    case XF_SHARE_OK: return "ok";
    case XF_SHARE_NOT_SHAREABLE: return "NotShareableError";
    case XF_SHARE_OVERFLOW: return "OverflowError";
    case XF_SHARE_RECURSION: return "RecursionError";
    }
    return "?";
}

static int
is_shareable_type(PyTypeObject *t)
{
    /* The core looks types up by exact match: subclasses do not share. */
    return t == Py_TYPE(Py_None) || t == &PyBool_Type || t == &PyLong_Type
        || t == &PyFloat_Type || t == &PyUnicode_Type || t == &PyBytes_Type
        || t == &PyTuple_Type;
}

static int
fits_ssize_t(PyObject *obj)
{
    Py_ssize_t v = PyLong_AsSsize_t(obj);
    if (v == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

/* An error raised for a leaf needs one more level of C recursion of its
 * own (PyObject_Str for the NotShareableError message, the call that
 * builds the OverflowError).  At the deepest depth the sharing check
 * admits, the counter is already below zero, and CPython raises
 * RecursionError instead ("Normalization failed: type=OverflowError"),
 * as it does for any error raised at the recursion limit. */
static xf_share_outcome
leaf_error(xf_share_outcome error, int remaining)
{
    return remaining < 0 ? XF_SHARE_RECURSION : error;
}

/* Mirrors _Py_EnterRecursiveCallTstate() of a pydebug build on Linux:
 * the check is "remaining-- < 0", and a failed check restores the
 * counter (_Py_CheckRecursiveCall increments it back). */
static xf_share_outcome
expect_node(PyObject *obj, int *remaining)
{
    PyTypeObject *t = Py_TYPE(obj);
    if (!is_shareable_type(t)) {
        return leaf_error(XF_SHARE_NOT_SHAREABLE, *remaining);
    }
    if (t == &PyLong_Type && !fits_ssize_t(obj)) {
        return leaf_error(XF_SHARE_OVERFLOW, *remaining);
    }
    if (t != &PyTuple_Type) {
        return XF_SHARE_OK;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(obj); i++) {
        int before = (*remaining)--;
        if (before < 0) {
            (*remaining)++;
            return XF_SHARE_RECURSION;
        }
        xf_share_outcome res = expect_node(PyTuple_GET_ITEM(obj, i), remaining);
        (*remaining)++;
        if (res != XF_SHARE_OK) {
            return res;
        }
    }
    return XF_SHARE_OK;
}

xf_share_outcome
xf_expect_share(PyObject *obj, int recursion_remaining)
{
    return expect_node(obj, &recursion_remaining);
}

PyObject *
xf_not_shareable_error(void)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    return _PyInterpreterState_GetXIState(interp)->PyExc_NotShareableError;
}

int
xf_foreign_not_shareable_error(PyObject *type)
{
    return type != NULL && type != xf_not_shareable_error() && PyType_Check(type)
           && strcmp(((PyTypeObject *)type)->tp_name, "NotShareableError") == 0;
}

PyObject *
xf_share_outcome_error(xf_share_outcome expect)
{
    switch (expect) {
    case XF_SHARE_NOT_SHAREABLE: return xf_not_shareable_error();
    case XF_SHARE_OVERFLOW: return PyExc_OverflowError;
    case XF_SHARE_RECURSION: return PyExc_RecursionError;
    default: return NULL;
    }
}

void
xf_check_share_result(xf_share_outcome expect, int rc,
                      const _PyCrossInterpreterData *data)
{
    PyObject *exc = PyErr_Occurred();
    const char *got = exc != NULL ? ((PyTypeObject *)exc)->tp_name : "no exception";
    if (expect == XF_SHARE_OK) {
        if (rc != 0 || exc != NULL) {
            if (exc != NULL) {
                PyErr_Print();
            }
            xf_fail("sharing failed (rc=%d, %s) but every leaf is shareable", rc, got);
        }
        return;
    }
    if (rc == 0) {
        xf_fail("sharing succeeded but %s was expected", xf_share_outcome_name(expect));
    }
    if (exc != xf_share_outcome_error(expect)) {
        if (exc != NULL) {
            PyErr_Print();
        }
        xf_fail("sharing raised %s, expected exactly %s", got,
                xf_share_outcome_name(expect));
    }
    if (data->data != NULL || data->obj != NULL) {
        xf_fail("sharing failed with %s but left data=%p obj=%p behind",
                got, data->data, (void *)data->obj);
    }
    PyErr_Clear();
}

void
xf_check_lookup(PyObject *obj)
{
    int want = is_shareable_type(Py_TYPE(obj)) ? 0 : -1;
    int rc = _PyObject_CheckCrossInterpreterData(obj);
    PyObject *exc = PyErr_Occurred();
    PyObject *want_exc = want == 0 ? NULL : xf_not_shareable_error();
    if (rc != want || exc != want_exc) {
        if (exc != NULL) {
            PyErr_Print();
        }
        xf_fail("_PyObject_CheckCrossInterpreterData(%s) returned %d with %s, "
                "expected %d with %s", Py_TYPE(obj)->tp_name, rc,
                exc != NULL ? ((PyTypeObject *)exc)->tp_name : "no exception",
                want, want_exc != NULL ? ((PyTypeObject *)want_exc)->tp_name
                                       : "no exception");
    }
    PyErr_Clear();
}
