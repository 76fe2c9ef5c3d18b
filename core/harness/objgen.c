/* Object generation; see objgen.h for the encoding. */
#include "objgen.h"

#include <float.h>
#include <math.h>

const xf_gen_opts xf_gen_default_opts = {
    .allow_unshareable = 1,
    /* Sharing cost grows with the walk; these keep the average input near
     * a millisecond under ASan while still reaching every code path. */
    .max_nodes = 640,
    .max_width = 64,
    .max_fill = 640,
    /* Past the core's C recursion limit (Py_C_RECURSION_LIMIT is 500 in
     * a pydebug build), with room for nesting on top of it. */
    .max_depth = 1200,
};

typedef struct {
    xf_input *in;
    const xf_gen_opts *opts;
    /* Nodes of the tree as sharing walks it: an object that appears twice
     * (XF_GEN_REUSE, XF_GEN_FILL) counts twice, so a small DAG cannot
     * expand into an exponentially large walk. */
    int nodes;
    /* Earlier objects, for XF_GEN_REUSE: a tree may hold one object twice. */
    PyObject *made[XF_GEN_REUSE_SLOTS];
    int made_nodes[XF_GEN_REUSE_SLOTS];
    int nmade;
} gen_state;

static PyObject *gen_node(gen_state *g, int depth);

static void
remember(gen_state *g, PyObject *obj, int nodes)
{
    int i = g->nmade % XF_GEN_REUSE_SLOTS;
    Py_XSETREF(g->made[i], Py_NewRef(obj));
    g->made_nodes[i] = nodes;
    g->nmade++;
}

static int
budget_left(gen_state *g)
{
    int left = g->opts->max_nodes - g->nodes;
    return left > 0 ? left : 0;
}

static PyObject *
gen_bigint(xf_input *in)
{
    unsigned char buf[XF_GEN_MAX_BIGINT_BYTES];
    size_t n = xf_read_range(in, 1, XF_GEN_MAX_BIGINT_BYTES);
    for (size_t i = 0; i < n; i++) {
        buf[i] = xf_read_u8(in);
    }
    return _PyLong_FromByteArray(buf, n, /*little_endian=*/1, /*is_signed=*/1);
}

static PyObject *
gen_float(xf_input *in)
{
    double v;
    switch (xf_read_u8(in) % XF_FLOAT_NSEL) {
    case XF_FLOAT_NAN: v = NAN; break;
    case XF_FLOAT_NEG_NAN: v = -NAN; break;
    case XF_FLOAT_INF: v = INFINITY; break;
    case XF_FLOAT_NEG_INF: v = -INFINITY; break;
    case XF_FLOAT_NEG_ZERO: v = -0.0; break;
    case XF_FLOAT_ZERO: v = 0.0; break;
    case XF_FLOAT_DENORMAL_MIN: v = DBL_TRUE_MIN; break;
    case XF_FLOAT_MAX: v = DBL_MAX; break;
    default: v = xf_read_double(in); break;
    }
    return PyFloat_FromDouble(v);
}

static Py_UCS4
read_char(xf_input *in, int sel)
{
    switch (sel) {
    case XF_STR_ASCII: return xf_read_u8(in) & 0x7f;
    case XF_STR_LATIN1: return xf_read_u8(in);
    case XF_STR_BMP: return xf_read_u16(in);
    case XF_STR_ASTRAL: return 0x10000 + (Py_UCS4)xf_read_u16(in) * 16;
    case XF_STR_SURROGATES: return 0xD800 + xf_read_u16(in) % 0x800;
    default: return xf_read_u32(in) % 0x110000;
    }
}

PyObject *
xf_gen_str_payload(xf_input *in)
{
    Py_UCS4 buf[XF_GEN_MAX_STR];
    int sel = xf_read_u8(in) % XF_STR_NSEL;
    size_t len = xf_read_range(in, 0, XF_GEN_MAX_STR);
    for (size_t i = 0; i < len; i++) {
        buf[i] = read_char(in, sel);
    }
    /* Picks the narrowest kind that holds every character. */
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, (Py_ssize_t)len);
}

static PyObject *
gen_bytes(xf_input *in)
{
    size_t len;
    const uint8_t *p = xf_read_span(in, XF_GEN_MAX_BYTES, &len);
    return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)len);
}

static PyObject *
call_helper(const char *name, PyObject *arg)
{
    PyObject *cls = xf_helper(name);
    return arg != NULL ? PyObject_CallOneArg(cls, arg) : PyObject_CallNoArgs(cls);
}

/* A value of a type the core does not share. */
static PyObject *
gen_unshareable(gen_state *g)
{
    PyObject *res = NULL, *tmp = NULL;
    switch (xf_read_u8(g->in) % XF_UNSH_NSEL) {
    case XF_UNSH_LIST: return PyList_New(0);
    case XF_UNSH_DICT: return PyDict_New();
    case XF_UNSH_INT_SUB:
        tmp = PyLong_FromLong((long)(int8_t)xf_read_u8(g->in));
        res = tmp ? call_helper("IntSub", tmp) : NULL;
        break;
    case XF_UNSH_STR_SUB:
        tmp = xf_gen_str_payload(g->in);
        res = tmp ? call_helper("StrSub", tmp) : NULL;
        break;
    case XF_UNSH_TUPLE_SUB:
        tmp = PyTuple_New(0);
        res = tmp ? call_helper("TupleSub", tmp) : NULL;
        break;
    case XF_UNSH_BAD_EQ: return call_helper("BadEq", NULL);
    case XF_UNSH_BAD_HASH: return call_helper("BadHash", NULL);
    case XF_UNSH_OBJECT: return PyBaseObject_Type.tp_alloc(&PyBaseObject_Type, 0);
    case XF_UNSH_BYTEARRAY: return PyByteArray_FromStringAndSize("xid", 3);
    case XF_UNSH_COMPLEX: return PyComplex_FromDoubles(1.0, -0.0);
    case XF_UNSH_STR_BAD_HASH:
        tmp = xf_gen_str_payload(g->in);
        res = tmp ? call_helper("StrBadHash", tmp) : NULL;
        break;
    default:
        tmp = xf_gen_str_payload(g->in);
        res = tmp ? call_helper("StrBadEq", tmp) : NULL;
        break;
    }
    Py_XDECREF(tmp);
    return res;
}

static PyObject *
gen_tuple(gen_state *g, int width, int depth)
{
    PyObject *tuple = PyTuple_New(width);
    if (tuple == NULL) {
        return NULL;
    }
    for (int i = 0; i < width; i++) {
        PyObject *item = gen_node(g, depth + 1);
        if (item == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, item);
    }
    return tuple;
}

/* A repeat count: one byte (mod XF_GEN_SHORT_COUNTS), or 0xff then a u16
 * for a long one.  Random
 * bytes then mostly ask for short chains and fills, so the fuzzer's
 * average input stays cheap; long ones take a deliberate escape byte
 * (which the dictionary offers). */
static int
read_count(xf_input *in, int max)
{
    int n = xf_read_u8(in);
    if (n == XF_GEN_LONG_COUNT) {
        n = xf_read_u16(in);
    }
    else {
        n %= XF_GEN_SHORT_COUNTS;
    }
    return n < max ? n : max;
}

static PyObject *
gen_fill(gen_state *g, int depth)
{
    int width = read_count(g->in, g->opts->max_fill);
    int before = g->nodes;
    PyObject *item = gen_node(g, depth + 1);
    if (item == NULL) {
        return NULL;
    }
    /* The item was counted once; each further copy costs as much. */
    int item_nodes = g->nodes - before;
    if (item_nodes < 1) {
        item_nodes = 1;
    }
    int copies = budget_left(g) / item_nodes;
    if (width > copies + 1) {
        width = copies + 1;
    }
    if (width > 1) {
        g->nodes += (width - 1) * item_nodes;
    }
    PyObject *tuple = PyTuple_New(width);
    if (tuple != NULL) {
        for (int i = 0; i < width; i++) {
            PyTuple_SET_ITEM(tuple, i, Py_NewRef(item));
        }
    }
    Py_DECREF(item);
    return tuple;
}

/* `depth` nested 1-tuples around one node, built bottom-up without
 * recursion so that chains past the recursion limit stay cheap. */
static PyObject *
gen_deep(gen_state *g, int depth)
{
    int chain = read_count(g->in, g->opts->max_depth);
    int room = g->opts->max_depth - depth - 1;
    if (chain > room) {
        chain = room > 0 ? room : 0;
    }
    if (chain > budget_left(g)) {
        chain = budget_left(g);
    }
    g->nodes += chain;
    PyObject *obj = gen_node(g, depth + chain);
    for (int i = 0; obj != NULL && i < chain; i++) {
        PyObject *outer = PyTuple_Pack(1, obj);
        Py_SETREF(obj, outer);
    }
    return obj;
}

static PyObject *
gen_node(gen_state *g, int depth)
{
    if (g->nodes >= g->opts->max_nodes || depth >= g->opts->max_depth) {
        return Py_NewRef(Py_None);
    }
    int before = g->nodes++;
    PyObject *obj;
    switch (xf_read_u8(g->in) % XF_GEN_NOPS) {
    case XF_GEN_BOOL:
        obj = PyBool_FromLong(xf_read_bool(g->in));
        break;
    case XF_GEN_INT:
        obj = PyLong_FromLongLong((long long)xf_read_u64(g->in));
        break;
    case XF_GEN_BIGINT:
        obj = gen_bigint(g->in);
        break;
    case XF_GEN_FLOAT:
        obj = gen_float(g->in);
        break;
    case XF_GEN_STR:
        obj = xf_gen_str_payload(g->in);
        break;
    case XF_GEN_BYTES:
        obj = gen_bytes(g->in);
        break;
    case XF_GEN_TUPLE:
        obj = gen_tuple(g, (int)xf_read_range(g->in, 0, (uint32_t)g->opts->max_width),
                        depth);
        break;
    case XF_GEN_FILL:
        obj = gen_fill(g, depth);
        break;
    case XF_GEN_DEEP:
        obj = gen_deep(g, depth);
        break;
    case XF_GEN_REUSE: {
        uint8_t idx = xf_read_u8(g->in);
        int n = g->nmade < XF_GEN_REUSE_SLOTS ? g->nmade : XF_GEN_REUSE_SLOTS;
        if (n == 0 || g->made_nodes[idx % n] > budget_left(g) + 1) {
            return Py_NewRef(Py_None);
        }
        g->nodes += g->made_nodes[idx % n] - 1;
        return Py_NewRef(g->made[idx % n]);
    }
    case XF_GEN_UNSHAREABLE:
        if (!g->opts->allow_unshareable) {
            (void)xf_read_u8(g->in);
            return Py_NewRef(Py_None);
        }
        obj = gen_unshareable(g);
        break;
    default:
        return Py_NewRef(Py_None);
    }
    if (obj != NULL) {
        remember(g, obj, g->nodes - before);
    }
    return obj;
}

PyObject *
xf_gen_object(xf_input *in, const xf_gen_opts *opts)
{
    gen_state g = {.in = in, .opts = opts != NULL ? opts : &xf_gen_default_opts};
    /* Work in proportion to the input: a few bytes make a small tree, so
     * the fuzzer's many short inputs stay fast.  XF_GEN_NODES_PER_BYTE
     * still lets an input of ~500 bytes nest past the recursion limit. */
    size_t scaled = XF_GEN_BASE_NODES + XF_GEN_NODES_PER_BYTE * xf_input_remaining(in);
    if (scaled < (size_t)g.opts->max_nodes) {
        g.nodes = g.opts->max_nodes - (int)scaled;
    }
    PyObject *obj = gen_node(&g, 0);
    for (int i = 0; i < XF_GEN_REUSE_SLOTS; i++) {
        Py_XDECREF(g.made[i]);
    }
    return obj;
}
