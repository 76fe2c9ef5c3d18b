/* Unit tests of object generation (core/harness/objgen.c), the round-trip
 * comparer (core/harness/objcmp.c) and the sharing oracle (core/harness/xid_oracle.c). */
#include "check.h"
#include "objcmp.h"
#include "objgen.h"
#include "objgen_encode.h"
#include "xid_oracle.h"

#include <math.h>
#include <string.h>

static xf_out out;

static PyObject *
generate(void)
{
    xf_input in;
    xf_input_init(&in, out.data, out.size);
    PyObject *obj = xf_gen_object(&in, &xf_gen_default_opts);
    if (obj == NULL) {
        PyErr_Print();
    }
    return obj;
}

static PyObject *
eval(const char *expr)
{
    PyObject *globals = PyDict_New();
    PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
    PyObject *res = PyRun_String(expr, Py_eval_input, globals, globals);
    Py_DECREF(globals);
    if (res == NULL) {
        PyErr_Print();
    }
    return res;
}

static int
same(PyObject *a, PyObject *b)
{
    char why[256];
    return xf_compare(a, b, why, sizeof(why));
}

static void
test_scalars(void)
{
    static const uint32_t bmp[] = {0x20ac};
    static const uint32_t astral[] = {(0x1f600 - 0x10000) / 16};
    static const uint32_t lone[] = {0x0};
    static const uint32_t nul[] = {'a', 0};
    static const uint8_t two64[] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    xf_out_reset(&out);
    xf_enc_tuple(&out, 11);
    xf_enc_none(&out);
    xf_enc_bool(&out, 1);
    xf_enc_int(&out, INT64_MIN);
    xf_enc_bigint(&out, two64, 9);
    xf_enc_float_sel(&out, XF_FLOAT_NEG_ZERO);
    xf_enc_float_sel(&out, XF_FLOAT_NAN);
    xf_enc_str(&out, XF_STR_BMP, bmp, 1);
    xf_enc_str(&out, XF_STR_ASTRAL, astral, 1);
    xf_enc_str(&out, XF_STR_SURROGATES, lone, 1);
    xf_enc_str(&out, XF_STR_ASCII, nul, 2);
    xf_enc_bytes(&out, "b\0", 2);
    PyObject *got = generate();
    PyObject *want = eval("(None, True, -2**63, 2**64, -0.0, float('nan'), "
                          "'\\u20ac', '\\U0001f600', '\\ud800', 'a\\0', b'b\\0')");
    CHECK(got != NULL && want != NULL);
    CHECK(same(want, got));
    CHECK(PyUnicode_KIND(PyTuple_GET_ITEM(got, 6)) == PyUnicode_2BYTE_KIND);
    CHECK(PyUnicode_KIND(PyTuple_GET_ITEM(got, 7)) == PyUnicode_4BYTE_KIND);
    CHECK(signbit(PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(got, 4))));
    Py_XDECREF(got);
    Py_XDECREF(want);
}

static void
test_exhausted_input_is_none(void)
{
    xf_out_reset(&out);
    xf_enc_tuple(&out, 3);          /* three items promised, none given */
    PyObject *got = generate();
    PyObject *want = eval("(None, None, None)");
    CHECK(got != NULL && same(want, got));
    Py_XDECREF(got);
    Py_XDECREF(want);
}

static int
depth_of(PyObject *obj)
{
    int depth = 0;
    while (PyTuple_Check(obj) && PyTuple_GET_SIZE(obj) == 1) {
        obj = PyTuple_GET_ITEM(obj, 0);
        depth++;
    }
    return depth;
}

static void
test_deep_and_budget(void)
{
    /* 600 levels need a budget of 600 nodes, i.e. a long enough input. */
    xf_out_reset(&out);
    xf_enc_deep(&out, 600);
    xf_enc_int(&out, 7);
    xf_enc_pad_to(&out, 640);
    PyObject *got = generate();
    CHECK(got != NULL && depth_of(got) == 600);
    Py_XDECREF(got);

    /* A short input gets a small budget: the chain is cut, not the bytes. */
    xf_out_reset(&out);
    xf_enc_deep(&out, 600);
    xf_enc_int(&out, 7);
    got = generate();
    CHECK(got != NULL && depth_of(got) < 100);
    Py_XDECREF(got);
}

static void
test_fill_and_reuse(void)
{
    xf_out_reset(&out);
    xf_enc_tuple(&out, 2);
    xf_enc_fill(&out, 100);
    xf_enc_ascii(&out, "s");
    xf_enc_reuse(&out, 0);          /* the str made first */
    xf_enc_pad_to(&out, 200);
    PyObject *got = generate();
    CHECK(got != NULL && PyTuple_GET_SIZE(PyTuple_GET_ITEM(got, 0)) == 100);
    CHECK(got != NULL && PyTuple_GET_ITEM(got, 1)
                         == PyTuple_GET_ITEM(PyTuple_GET_ITEM(got, 0), 99));
    Py_XDECREF(got);
}

static void
test_unshareable_types(void)
{
    const char *names[XF_UNSH_NSEL] = {
        "list", "dict", "IntSub", "StrSub", "TupleSub", "BadEq", "BadHash",
        "object", "bytearray", "complex", "StrBadHash", "StrBadEq"};
    for (int sel = 0; sel < XF_UNSH_NSEL; sel++) {
        xf_out_reset(&out);
        xf_enc_unshareable(&out, (enum xf_unshareable_sel)sel);
        PyObject *got = generate();
        CHECK(got != NULL && strcmp(Py_TYPE(got)->tp_name, names[sel]) == 0);
        CHECK(got != NULL && xf_expect_share(got, 500) == XF_SHARE_NOT_SHAREABLE);
        Py_XDECREF(got);
    }
}

static void
test_generation_is_deterministic(void)
{
    uint8_t data[512];
    for (int seed = 1; seed < 40; seed++) {
        for (size_t i = 0; i < sizeof(data); i++) {
            data[i] = (uint8_t)((i * 2654435761u) >> (seed % 24));
        }
        xf_input in1, in2;
        xf_input_init(&in1, data, sizeof(data));
        xf_input_init(&in2, data, sizeof(data));
        xf_gen_opts opts = xf_gen_default_opts;
        opts.allow_unshareable = 0;
        PyObject *a = xf_gen_object(&in1, &opts);
        PyObject *b = xf_gen_object(&in2, &opts);
        CHECK(a != NULL && b != NULL && same(a, b));
        CHECK(in1.pos == in2.pos);
        Py_XDECREF(a);
        Py_XDECREF(b);
    }
}

/* The comparer must tell apart what a broken round trip would produce. */
static void
test_comparer_detects(void)
{
    const char *pairs[][2] = {
        {"(1, 2)", "(1, 2, 3)"},
        {"(1, (2, 3))", "(1, (2, 4))"},
        {"1", "True"},
        {"0.0", "-0.0"},
        {"float('nan')", "0.0"},
        {"'abc'", "'abd'"},
        {"'\\xe9'", "'\\u0100'"},
        {"b'x'", "b'x\\0'"},
        {"2**70", "2**70 + 1"},
        {"-5", "5"},
        {"None", "()"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        PyObject *a = eval(pairs[i][0]), *b = eval(pairs[i][1]);
        CHECK(a != NULL && b != NULL && !same(a, b));
        Py_XDECREF(a);
        Py_XDECREF(b);
    }
    PyObject *a = eval("(float('nan'), -0.0, 2**70, '\\U0001f600', (b'',))");
    PyObject *b = eval("(float('-nan'), -0.0, 2**70, '\\U0001f600', (b'',))");
    CHECK(same(a, b));
    char why[256];
    PyObject *c = eval("((1, 2), (3, (4, 'x')))");
    PyObject *d = eval("((1, 2), (3, (4, 'y')))");
    CHECK(!xf_compare(c, d, why, sizeof(why)));
    CHECK(strstr(why, "[1][1][1]") != NULL);
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(c);
    Py_XDECREF(d);
}

/* Comparing across interpreters: the copy lives in a subinterpreter. */
static void
test_compare_across_interpreters(void)
{
    PyObject *orig = eval("(1, 'two', b'3', 4.0, (None, True))");
    int prev = xf_enter(1);
    PyObject *copy = eval("(1, 'two', b'3', 4.0, (None, True))");
    CHECK(orig != NULL && copy != NULL && same(orig, copy));
    Py_XDECREF(copy);
    xf_leave(prev);
    Py_XDECREF(orig);
}

static PyObject *
nest(int depth, PyObject *leaf)
{
    PyObject *obj = leaf;
    for (int i = 0; i < depth; i++) {
        Py_SETREF(obj, PyTuple_Pack(1, obj));
    }
    return obj;
}

static void
test_share_oracle(void)
{
    /* Items deeper than budget + 1 fail (see xid_oracle.c). */
    PyObject *ok = nest(11, PyLong_FromLong(1));
    PyObject *deep = nest(12, PyLong_FromLong(1));
    CHECK(xf_expect_share(ok, 10) == XF_SHARE_OK);
    CHECK(xf_expect_share(deep, 10) == XF_SHARE_RECURSION);
    Py_DECREF(ok);
    Py_DECREF(deep);
    PyObject *big = eval("(1, 2**63)");
    CHECK(xf_expect_share(big, 500) == XF_SHARE_OVERFLOW);
    PyObject *fits = eval("(1, -2**63, 2**63 - 1)");
    CHECK(xf_expect_share(fits, 500) == XF_SHARE_OK);
    /* First problem in depth-first order wins. */
    PyObject *order = eval("(2**64, [])");
    CHECK(xf_expect_share(order, 500) == XF_SHARE_OVERFLOW);
    PyObject *order2 = eval("([], 2**64)");
    CHECK(xf_expect_share(order2, 500) == XF_SHARE_NOT_SHAREABLE);
    CHECK(!PyErr_Occurred());
    Py_XDECREF(big);
    Py_XDECREF(fits);
    Py_XDECREF(order);
    Py_XDECREF(order2);
}

/* The oracle against the core itself, on the same objects. */
static void
test_share_oracle_matches_core(void)
{
    const char *exprs[] = {"(1, 'a', (b'', 2.5))", "(1, [2])", "(2**64,)",
                           "((((),),),)", "True", "{}"};
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        PyObject *obj = eval(exprs[i]);
        xf_share_outcome expect = xf_expect_share(
            obj, PyThreadState_Get()->c_recursion_remaining);
        _PyCrossInterpreterData data;
        int rc = _PyObject_GetCrossInterpreterData(obj, &data);
        CHECK((rc == 0) == (expect == XF_SHARE_OK));
        xf_check_share_result(expect, rc, &data);     /* aborts on mismatch */
        if (rc == 0) {
            CHECK(_PyCrossInterpreterData_Release(&data) == 0);
        }
        Py_DECREF(obj);
    }
}

/* Ending a pool slot: it is gone, its id is not reused, and the next use
 * creates a fresh interpreter that works. */
static void
test_end_and_recreate_slot(void)
{
    int64_t old_id = xf_interp_id(3);
    CHECK(xf_slot_alive(3));
    CHECK(xf_end_interp(3) == old_id);
    CHECK(!xf_slot_alive(3));
    CHECK(xf_interp_id(3) != old_id);
    int prev = xf_enter(3);
    CHECK(xf_exec("x = (1, 'two')\n") == 0);
    xf_leave(prev);
    CHECK(!PyErr_Occurred());
}

int
main(void)
{
    xf_runtime_init();
    test_scalars();
    test_exhausted_input_is_none();
    test_deep_and_budget();
    test_fill_and_reuse();
    test_unshareable_types();
    test_generation_is_deterministic();
    test_comparer_detects();
    test_compare_across_interpreters();
    test_share_oracle();
    test_share_oracle_matches_core();
    test_end_and_recreate_slot();
    CHECK(!PyErr_Occurred());
    return check_summary("test_objgen");
}
