/* Structural comparison; see objcmp.h. */
#include "objcmp.h"

#include "pycore_long.h"          // _PyLong_SignedDigitCount()

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char path[256];
    size_t pathlen;     /* kept, not strlen'd: trees are 1,000+ deep */
    char *why;
    size_t whylen;
} cmp_state;

static int
differ(cmp_state *st, const char *fmt, const char *a, const char *b)
{
    char detail[160];
    snprintf(detail, sizeof(detail), fmt, a, b);
    snprintf(st->why, st->whylen, "at %s: %s",
             st->path[0] ? st->path : "top", detail);
    return 0;
}

static int
compare_long(cmp_state *st, PyObject *a, PyObject *b)
{
    /* Both are compact or both are not; compare the digits directly so no
     * exception can be raised (the original may exceed ssize_t). */
    PyLongObject *la = (PyLongObject *)a, *lb = (PyLongObject *)b;
    if (_PyLong_SignedDigitCount(la) != _PyLong_SignedDigitCount(lb)) {
        return differ(st, "int sign/size differ (%s vs %s)", "orig", "copy");
    }
    Py_ssize_t n = (Py_ssize_t)_PyLong_DigitCount(la);
    if (memcmp(la->long_value.ob_digit, lb->long_value.ob_digit,
               (size_t)n * sizeof(digit)) != 0) {
        return differ(st, "int digits differ (%s vs %s)", "orig", "copy");
    }
    return 1;
}

static int
compare_float(cmp_state *st, PyObject *a, PyObject *b)
{
    double x = PyFloat_AS_DOUBLE(a), y = PyFloat_AS_DOUBLE(b);
    char sx[40], sy[40];
    snprintf(sx, sizeof(sx), "%.17g", x);
    snprintf(sy, sizeof(sy), "%.17g", y);
    if (isnan(x) || isnan(y)) {
        return isnan(x) && isnan(y) ? 1 : differ(st, "float %s vs %s", sx, sy);
    }
    if (x != y || signbit(x) != signbit(y)) {
        return differ(st, "float %s vs %s", sx, sy);
    }
    return 1;
}

static int
compare_str(cmp_state *st, PyObject *a, PyObject *b)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    char sa[32], sb[32];
    if (n != PyUnicode_GET_LENGTH(b)) {
        snprintf(sa, sizeof(sa), "%zd", n);
        snprintf(sb, sizeof(sb), "%zd", PyUnicode_GET_LENGTH(b));
        return differ(st, "str length %s vs %s", sa, sb);
    }
    int kind = PyUnicode_KIND(a);
    if (kind != (int)PyUnicode_KIND(b)) {
        snprintf(sa, sizeof(sa), "%d", kind);
        snprintf(sb, sizeof(sb), "%d", (int)PyUnicode_KIND(b));
        return differ(st, "str kind %s vs %s", sa, sb);
    }
    if (memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)(n * kind)) != 0) {
        return differ(st, "str contents differ (%s vs %s)", "orig", "copy");
    }
    return 1;
}

static int
compare_bytes(cmp_state *st, PyObject *a, PyObject *b)
{
    Py_ssize_t n = PyBytes_GET_SIZE(a);
    if (n != PyBytes_GET_SIZE(b)
        || memcmp(PyBytes_AS_STRING(a), PyBytes_AS_STRING(b), (size_t)n) != 0)
    {
        return differ(st, "bytes differ (%s vs %s)", "orig", "copy");
    }
    return 1;
}

static int compare_node(cmp_state *st, PyObject *a, PyObject *b);

static int
compare_tuple(cmp_state *st, PyObject *a, PyObject *b)
{
    Py_ssize_t n = PyTuple_GET_SIZE(a);
    char sa[32], sb[32];
    if (n != PyTuple_GET_SIZE(b)) {
        snprintf(sa, sizeof(sa), "%zd", n);
        snprintf(sb, sizeof(sb), "%zd", PyTuple_GET_SIZE(b));
        return differ(st, "tuple length %s vs %s", sa, sb);
    }
    if (n > 0 && a == b) {
        return differ(st, "the copy %s the original (%s)", "is", "not rebuilt");
    }
    size_t mark = st->pathlen;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (mark + 24 < sizeof(st->path)) {
            int w = snprintf(st->path + mark, sizeof(st->path) - mark, "[%zd]", i);
            st->pathlen = mark + (size_t)w;
        }
        if (!compare_node(st, PyTuple_GET_ITEM(a, i), PyTuple_GET_ITEM(b, i))) {
            return 0;
        }
    }
    st->path[mark] = '\0';
    st->pathlen = mark;
    return 1;
}

static int
compare_node(cmp_state *st, PyObject *a, PyObject *b)
{
    if (a == NULL || b == NULL) {
        return differ(st, "NULL object (%s, %s)", a ? "orig ok" : "orig NULL",
                      b ? "copy ok" : "copy NULL");
    }
    PyTypeObject *ta = Py_TYPE(a), *tb = Py_TYPE(b);
    if (ta != tb) {
        return differ(st, "type %s vs %s", ta->tp_name, tb->tp_name);
    }
    if (a == Py_None || ta == &PyBool_Type) {
        return a == b ? 1 : differ(st, "%s vs %s", "singleton", "other object");
    }
    if (ta == &PyLong_Type) {
        return compare_long(st, a, b);
    }
    if (ta == &PyFloat_Type) {
        return compare_float(st, a, b);
    }
    if (ta == &PyUnicode_Type) {
        return compare_str(st, a, b);
    }
    if (ta == &PyBytes_Type) {
        return compare_bytes(st, a, b);
    }
    if (ta == &PyTuple_Type) {
        return compare_tuple(st, a, b);
    }
    return differ(st, "type %s is not a shareable type (%s)", ta->tp_name,
                  "cannot compare");
}

int
xf_compare(PyObject *orig, PyObject *copy, char *why, size_t whylen)
{
    cmp_state st = {.why = why, .whylen = whylen};
    if (whylen > 0) {
        why[0] = '\0';
    }
    return compare_node(&st, orig, copy);
}
