/* fuzz/excinfo: exception snapshots -- capture, format, apply across
 * interpreters (encoding in excinfo.h).
 *
 * Each operation makes an exception from the input with Python code (the
 * helper below): builtin types, subclasses made at run time with
 * generated __name__/__qualname__/__module__, __str__ that raises, returns
 * a non-str, a str subclass or 100,000 characters, notes (str or not),
 * __cause__/__context__ chains, exception groups, MemoryError,
 * KeyboardInterrupt, SystemExit; then drives the snapshot API on it.
 *
 * Oracle (differential): the helper's expect() says what the snapshot must
 * hold, computed by Python itself from the same exception --
 * type(e).__name__/__qualname__/__module__, str(e), and the text of
 * traceback.TracebackException.format() -- with the core's documented
 * rules on top: a string the core cannot copy as UTF-8 without NUL fails
 * the snapshot with a fixed message (or, for the traceback text, leaves
 * it out and reports an unraisable exception); MemoryError gives an empty
 * snapshot; the formatted text is "[module.]qualname: msg" with the
 * module left out for builtins and __main__ (even for an empty message,
 * unlike traceback.format_exception_only).
 *   SNAPSHOT _PyXI_InitExcInfo succeeds or fails exactly as expected
 *            (Exception(<failure>), nothing half-filled); the fields, then
 *            _PyXI_FormatExcInfo and _PyXI_ExcInfoAsObject in another
 *            interpreter, match; the object fed back to _PyXI_InitExcInfo
 *            gives the same snapshot (or the documented failure), and so
 *            does a class (not an exception class) whose class attributes
 *            are the object's: anything that is not an exception or an
 *            exception class is read as a snapshot object.
 *   APPLY    _PyXI_ApplyError raises the exception of its code with the
 *            documented message, with a proxy of the captured exception as
 *            __context__ when there is one; uncaught exceptions come back
 *            as the snapshot object.
 *   SESSION  raising in an entered interpreter is captured exactly when it
 *            was raised, and applies in the caller as the snapshot object.
 *   CLASS    the snapshot of an exception class (which the API accepts).
 *   RAW      a snapshot made by hand, with any field the core's
 *            invariants allow missing (no qualname, no message, no type):
 *            _PyXI_FormatExcInfo and _PyXI_ExcInfoAsObject follow the
 *            documented format, _PyXI_ApplyError chains its proxy;
 *            _PyXI_InitExcInfo(None or NULL) is ValueError.
 * Across the input: no leak, no refcount drift, no exception left set.
 *
 * Fault injection (core/harness/fault.h): an opcode byte >= XF_FAULT_OPCODE
 * (0xf8) is FAULT, followed by a fault spec that stays on for the next
 * spec.ops operations.  It is armed around each core call
 * (_PyXI_InitExcInfo, _PyXI_FormatExcInfo, _PyXI_ExcInfoAsObject,
 * _PyXI_ApplyError, _PyXI_Enter, _PyXI_Exit,
 * _PyXI_ApplyCapturedException), never around making the exception or
 * the helper's expect().  The core calls Python code (the traceback
 * module) inside InitExcInfo and Exit: their allocations count too.  While
 * a spec is on, SNAPSHOT and CLASS run the snapshot with the tuple and dict
 * freelists off (freelists_off()), so that the objects it makes are
 * allocations that can fail.  When
 * an injected failure was hit during a call, the documented outcomes are:
 *   _PyXI_InitExcInfo   -1 with Exception(<one of the documented failure
 *                       messages>) -- the core turns MemoryError into
 *                       that -- or MemoryError, and an empty snapshot; or
 *                       success with every field as expected except the
 *                       traceback text, which may be missing (dropped when
 *                       it cannot be made; the unraisable report may be
 *                       lost as well);
 *   _PyXI_FormatExcInfo, _PyXI_ExcInfoAsObject
 *                       NULL with exactly MemoryError; an object whose
 *                       errdisplay was dropped (best effort in the core);
 *   _PyXI_ApplyError    MemoryError, or the code's exception without the
 *                       proxy checks (the proxy is best effort);
 *   _PyXI_Enter         exactly MemoryError raised, or a captured error
 *                       applied as InterpreterError / MemoryError;
 *   _PyXI_Exit + apply  the snapshot (traceback text may be missing), or
 *                       MemoryError (_PyXI_ERR_NO_MEMORY) or
 *                       InterpreterError (_PyXI_ERR_OTHER).
 * Without a hit, the oracles above hold unchanged.
 */
#include "target.h"
#include "avoid.h"
#include "excinfo.h"
#include "fault.h"
#include "fault_oracle.h"
#include "namegen.h"
#include "xid_oracle.h"

#include "pycore_crossinterp.h"
#include "pycore_freelist.h"        // _PyTuple_ClearFreeList()
#include "pycore_interp.h"          // interp->object_state

#include <string.h>

/* The helpers (excinfo_helpers.py, embedded at build time): make(spec)
 * builds an input's exception, expect(e) predicts its snapshot. */
#include "excinfo_helpers.py.h"

/* Per slot: the helper's namespace, owned by that interpreter. */
static PyObject *helpers[XF_EI_NSLOTS];

/* What the snapshot of one exception must hold (C copies: the exception
 * may be made in one interpreter and checked in another). */
typedef struct {
    int kind;                   /* EXPECT_OK, _EMPTY (MemoryError, or nothing captured) or _FAILURE */
    char *failure;
    char *name;
    char *qualname;
    char *module;
    char *msg;
    char *display;
    int builtin;
    int unraisable;
    int display_fails;          /* DISPLAY_FORMAT or DISPLAY_COPY when unraisable */
} expectation;

enum { DISPLAY_FORMAT = 1, DISPLAY_COPY };

enum { EXPECT_OK, EXPECT_EMPTY, EXPECT_FAILURE };

/* ---- helpers ------------------------------------------------------------ */

static PyObject *
helper(const char *name)
{
    int slot = xf_slot_of(PyInterpreterState_Get());
    if (slot < 0 || slot >= XF_EI_NSLOTS || helpers[slot] == NULL) {
        xf_fail("excinfo: no helpers in this interpreter (slot %d)", slot);
    }
    PyObject *obj = PyDict_GetItemString(helpers[slot], name);
    if (obj == NULL) {
        xf_fail("excinfo: no helper '%s'", name);
    }
    return obj;
}

static void
fail_with_python_error(const char *what)
{
    PyErr_Print();
    xf_fail("excinfo: %s failed", what);
}

static char *
copy_utf8(PyObject *obj)
{
    if (obj == Py_None) {
        return NULL;
    }
    const char *s = PyBytes_Check(obj) ? PyBytes_AS_STRING(obj) : PyUnicode_AsUTF8(obj);
    if (s == NULL) {
        fail_with_python_error("reading an expectation");
    }
    return strdup(s);
}

static void
expectation_clear(expectation *ex)
{
    free(ex->failure);
    free(ex->name);
    free(ex->qualname);
    free(ex->module);
    free(ex->msg);
    free(ex->display);
    memset(ex, 0, sizeof(*ex));
}

/* Ask the helper what the snapshot of `exc` must hold. */
static void
expect(PyObject *exc, expectation *ex)
{
    memset(ex, 0, sizeof(*ex));
    PyObject *res = PyObject_CallOneArg(helper("expect"), exc);
    if (res == NULL) {
        fail_with_python_error("expect()");
    }
    const char *kind = PyUnicode_AsUTF8(PyTuple_GET_ITEM(res, 0));
    if (strcmp(kind, "ok") == 0) {
        ex->kind = EXPECT_OK;
    }
    else if (strcmp(kind, "memory") == 0) {
        ex->kind = EXPECT_EMPTY;
    }
    else {
        ex->kind = EXPECT_FAILURE;
        ex->failure = strdup(kind);
    }
    ex->name = copy_utf8(PyTuple_GET_ITEM(res, 1));
    ex->qualname = copy_utf8(PyTuple_GET_ITEM(res, 2));
    ex->module = copy_utf8(PyTuple_GET_ITEM(res, 3));
    ex->msg = copy_utf8(PyTuple_GET_ITEM(res, 4));
    ex->display = copy_utf8(PyTuple_GET_ITEM(res, 5));
    ex->builtin = PyObject_IsTrue(PyTuple_GET_ITEM(res, 6));
    PyObject *why = PyTuple_GET_ITEM(res, 7);
    ex->unraisable = why != Py_None;
    if (ex->unraisable) {
        ex->display_fails = PyUnicode_CompareWithASCIIString(why, "copy") == 0
                            ? DISPLAY_COPY : DISPLAY_FORMAT;
    }
    Py_DECREF(res);
}

/* Whether the snapshot of an exception with this expectation meets a
 * known bug that XIDFUZZ_AVOID asks to steer around: on 3.13.5 a
 * traceback that cannot be made crashes the snapshot (XF-005: a double
 * release when TracebackException.from_exception() fails, e.g. for an
 * exception class), and so does one whose text cannot be copied (XF-006:
 * a NUL or lone surrogate in a note or message). */
static int
avoid_snapshot(const expectation *ex, const char *what)
{
    if (ex->kind != EXPECT_OK || !ex->unraisable) {
        return 0;
    }
    int id = ex->display_fails == DISPLAY_COPY ? 6 : 5;
    if (!xf_avoiding(id)) {
        return 0;
    }
    xf_avoided(id, what);
    return 1;
}

/* Unraisable exceptions reported in the current interpreter since the
 * last call (the helper's sys.unraisablehook records them). */
static Py_ssize_t
take_unraisable(void)
{
    PyObject *list = helper("unraisable");
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (n > 0) {
        xf_note("excinfo: %zd unraisable report(s) in slot %d",
                n, xf_slot_of(PyInterpreterState_Get()));
    }
    if (PyList_SetSlice(list, 0, n, NULL) < 0) {
        fail_with_python_error("clearing the unraisable list");
    }
    return n;
}

/* An unraisable report exactly when the traceback text cannot be made. */
static void
check_unraisable(Py_ssize_t reported, const expectation *ex, const char *when)
{
    if (reported != ex->unraisable) {
        xf_fail("excinfo: %zd unraisable exception(s) reported %s, expected %d "
                "(the traceback could%s be formatted)", reported, when,
                ex->unraisable, ex->unraisable ? " not" : "");
    }
}

static int
same_str(const char *a, const char *b)
{
    return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

static void
check_field(const char *what, const char *got, const char *want)
{
    if (!same_str(got, want)) {
        xf_fail("excinfo: %s is \"%.200s\", expected \"%.200s\"", what,
                got ? got : "(NULL)", want ? want : "(NULL)");
    }
}

/* A Python str (or None for NULL) equal to `want`. */
static void
check_str_obj(const char *what, PyObject *obj, const char *want)
{
    if (obj == NULL) {
        fail_with_python_error(what);
    }
    if (obj == Py_None) {
        check_field(what, NULL, want);
        return;
    }
    if (!PyUnicode_Check(obj)) {
        xf_fail("excinfo: %s is a %s, not a str", what, Py_TYPE(obj)->tp_name);
    }
    const char *got = PyUnicode_AsUTF8(obj);
    if (got == NULL) {
        fail_with_python_error(what);
    }
    check_field(what, got, want);
}

/* The documented format of any snapshot: "[module.]qualname[: msg]",
 * the qualname falling back to the name, the module left out for
 * builtins and __main__; just msg without a type; None without both. */
static char *
documented_format(const _PyXI_excinfo *info)
{
    const char *qualname = info->type.qualname ? info->type.qualname : info->type.name;
    const char *msg = info->msg;
    if (info->type.name == NULL) {
        return msg != NULL ? strdup(msg) : NULL;
    }
    const char *module = info->type.module;
    int show_module = strcmp(module, "builtins") != 0 && strcmp(module, "__main__") != 0;
    size_t len = strlen(module) + strlen(qualname) + (msg ? strlen(msg) : 0) + 4;
    char *buf = malloc(len);
    snprintf(buf, len, "%s%s%s%s%s", show_module ? module : "", show_module ? "." : "",
             qualname, msg ? ": " : "", msg ? msg : "");
    return buf;
}

/* What _PyXI_FormatExcInfo must give for an expected snapshot (NULL:
 * none, for an empty one). */
static char *
expected_formatted(const expectation *ex)
{
    if (ex->kind != EXPECT_OK) {
        return NULL;
    }
    _PyXI_excinfo info = {
        .type = {.name = ex->name, .qualname = ex->qualname, .module = ex->module},
        .msg = ex->msg,
    };
    return documented_format(&info);
}

/* ---- making exceptions -------------------------------------------------- */

static PyObject *gen_spec(xf_input *in, int depth);

static PyObject *
gen_optional_name(xf_input *in, int present)
{
    return present ? xf_gen_name(in) : Py_NewRef(Py_None);
}

static PyObject *
gen_notes(xf_input *in)
{
    int n = xf_read_u8(in) % (XF_EI_MAX_NOTES + 1);
    PyObject *notes = PyTuple_New(n);
    for (int i = 0; notes != NULL && i < n; i++) {
        PyObject *note = xf_gen_name(in);
        if (note == NULL) {
            Py_CLEAR(notes);
            break;
        }
        PyTuple_SET_ITEM(notes, i, note);
    }
    return notes;
}

static PyObject *
gen_nested(xf_input *in, int present, int depth)
{
    if (!present || depth >= XF_EI_MAX_DEPTH) {
        return Py_NewRef(Py_None);
    }
    return gen_spec(in, depth + 1);
}

/* A plain ValueError(): the member of a group too deep for more. */
static PyObject *
plain_spec(void)
{
    return Py_BuildValue("(iiOOOiONOOO)", XF_EI_VALUE_ERROR, 0, Py_None, Py_None,
                         Py_None, XF_EI_MSG_NONE, Py_None, PyTuple_New(0),
                         Py_None, Py_None, Py_None);
}

static PyObject *
gen_members(xf_input *in, int base, int depth)
{
    if (base != XF_EI_EXCEPTION_GROUP && base != XF_EI_BASE_EXCEPTION_GROUP) {
        return PyTuple_New(0);
    }
    int n = 1 + xf_read_u8(in) % XF_EI_MAX_SUBS;
    PyObject *members = PyTuple_New(n);
    for (int i = 0; members != NULL && i < n; i++) {
        PyObject *m = depth < XF_EI_MAX_DEPTH ? gen_spec(in, depth + 1) : plain_spec();
        if (m == NULL) {
            Py_CLEAR(members);
            break;
        }
        PyTuple_SET_ITEM(members, i, m);
    }
    return members;
}

/* The helper's spec tuple, decoded from the input (see excinfo.h). */
static PyObject *
gen_spec(xf_input *in, int depth)
{
    int base = xf_read_u8(in) % XF_EI_NBASES;
    int flags = xf_read_u8(in);
    PyObject *name = gen_optional_name(in, flags & XF_EI_SET_NAME);
    PyObject *qualname = gen_optional_name(in, flags & XF_EI_SET_QUALNAME);
    PyObject *module = gen_optional_name(in, flags & XF_EI_SET_MODULE);
    int mode = xf_read_u8(in) % XF_EI_NMSG;
    PyObject *msg = gen_optional_name(in, mode != XF_EI_MSG_NONE);
    PyObject *notes = gen_notes(in);
    PyObject *cause = gen_nested(in, flags & XF_EI_CAUSE, depth);
    PyObject *context = gen_nested(in, flags & XF_EI_CONTEXT, depth);
    PyObject *members = gen_members(in, base, depth);
    PyObject *spec = NULL;
    if (name && qualname && module && msg && notes && cause && context && members) {
        spec = Py_BuildValue("(iiOOOiOOOOO)", base, flags, name, qualname, module,
                             mode, msg, notes, cause, context, members);
    }
    Py_XDECREF(name);
    Py_XDECREF(qualname);
    Py_XDECREF(module);
    Py_XDECREF(msg);
    Py_XDECREF(notes);
    Py_XDECREF(cause);
    Py_XDECREF(context);
    Py_XDECREF(members);
    return spec;
}

/* Raise `exc` from module-level code so that it gets a traceback.  The
 * code runs in a dict of its own, emptied afterwards: no frame keeps the
 * exception (no reference cycle for the collector to find later). */
static PyObject *
with_traceback(PyObject *exc)
{
    PyObject *globals = Py_BuildValue("{sOsO}", "__builtins__", PyEval_GetBuiltins(),
                                      "e", exc);
    if (globals == NULL) {
        fail_with_python_error("making a globals dict");
    }
    PyObject *res = PyRun_String("raise e\n", Py_file_input, globals, globals);
    if (res != NULL) {
        xf_fail("excinfo: 'raise e' did not raise");
    }
    PyObject *raised = PyErr_GetRaisedException();
    PyDict_Clear(globals);
    Py_DECREF(globals);
    return raised;
}

/* An exception made in the current interpreter from the input. */
static PyObject *
make_exception(xf_input *in, int *flags)
{
    PyObject *spec = gen_spec(in, 0);
    if (spec == NULL) {
        fail_with_python_error("decoding the exception spec");
    }
    *flags = (int)PyLong_AsLong(PyTuple_GET_ITEM(spec, 1));
    PyObject *exc = PyObject_CallOneArg(helper("make"), spec);
    Py_DECREF(spec);
    if (exc == NULL) {
        fail_with_python_error("make()");
    }
    if (*flags & XF_EI_RAISE) {
        PyObject *raised = with_traceback(exc);
        Py_DECREF(exc);
        exc = raised;
    }
    return exc;
}

/* ---- checking snapshots ------------------------------------------------- */

static void
check_empty(const _PyXI_excinfo *info, const char *when)
{
    if (info->type.builtin || info->type.name || info->type.qualname
        || info->type.module || info->msg || info->errdisplay)
    {
        xf_fail("excinfo: the snapshot is not empty %s", when);
    }
}

/* The snapshot's own fields. */
static void
check_fields(const _PyXI_excinfo *info, const expectation *ex, PyObject *exc)
{
    if (ex->kind == EXPECT_EMPTY) {
        check_empty(info, "for a MemoryError");
        return;
    }
    check_field("type name", info->type.name, ex->name);
    check_field("type qualname", info->type.qualname, ex->qualname);
    check_field("type module", info->type.module, ex->module);
    check_field("message", info->msg, ex->msg);
    check_field("error display", info->errdisplay, ex->display);
    if ((info->type.builtin != NULL) != ex->builtin) {
        xf_fail("excinfo: builtin type %s, expected %s",
                info->type.builtin ? info->type.builtin->tp_name : "(NULL)",
                ex->builtin ? "the exception's type" : "(NULL)");
    }
    if (exc != NULL && info->type.builtin != NULL && info->type.builtin != Py_TYPE(exc)) {
        xf_fail("excinfo: builtin type %s is not the exception's type %s",
                info->type.builtin->tp_name, Py_TYPE(exc)->tp_name);
    }
}

/* `Exception(failure)` is set; clear it. */
static void
check_failure_raised(const char *call, const char *failure)
{
    PyObject *exc = PyErr_GetRaisedException();
    if (exc == NULL || Py_TYPE(exc) != (PyTypeObject *)PyExc_Exception) {
        PyErr_SetRaisedException(exc);
        if (exc != NULL) {
            PyErr_Print();
        }
        xf_fail("excinfo: %s failed without Exception('%s')", call, failure);
    }
    PyObject *text = PyObject_Str(exc);
    check_str_obj("the failure's message", text, failure);
    Py_XDECREF(text);
    Py_DECREF(exc);
}

/* Every message _PyXI_InitExcInfo() may fail with (crossinterp.c,
 * _PyXI_excinfo_InitFromException / _InitFromObject): an allocation that
 * fails in any step surfaces as Exception(<that step's message>), not as
 * MemoryError. */
static const char *const init_failures[] = {
    "error while initializing exception type snapshot",
    "error while formatting exception",
    "error while copying exception message",
    "exception snapshot missing 'type' attribute",
    "exception snapshot missing 'msg' attribute",
    "exception snapshot missing 'errdisplay' attribute",
    "error while copying exception error display",
};

/* _PyXI_InitExcInfo after an injected failure was hit during it.  It may
 * fail with Exception(<any documented message>) (or MemoryError, when
 * raising that failed too), and then leaves the snapshot empty; or
 * succeed, and then the snapshot is what the expectation says, except
 * that the traceback text may be missing (documented: dropped when it
 * cannot be made; the unraisable report about it may be lost as well).
 * The expectation is updated to what later checks must see. */
static int
check_injected_init(_PyXI_excinfo *info, int rc, expectation *ex,
                    PyObject *exc, const char *call)
{
    if (rc != 0) {
        PyObject *raised = PyErr_GetRaisedException();
        PyObject *type = raised != NULL ? (PyObject *)Py_TYPE(raised) : NULL;
        int ok = type == PyExc_MemoryError;
        if (type == PyExc_Exception) {
            PyObject *args = ((PyBaseExceptionObject *)raised)->args;
            PyObject *text = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : NULL;
            for (size_t i = 0; !ok && text != NULL && PyUnicode_Check(text)
                               && i < Py_ARRAY_LENGTH(init_failures); i++) {
                ok = PyUnicode_CompareWithASCIIString(text, init_failures[i]) == 0;
            }
        }
        if (!ok) {
            PyErr_SetRaisedException(raised);
            if (raised != NULL) {
                PyErr_Print();
            }
            xf_fail("excinfo: %s failed after an injected allocation failure "
                    "without Exception(<a documented failure>) or MemoryError", call);
        }
        Py_DECREF(raised);
        check_empty(info, "after a failure (injected)");
        return rc;
    }
    if (PyErr_Occurred()) {
        fail_with_python_error("_PyXI_InitExcInfo succeeded with an exception set");
    }
    if (ex->kind == EXPECT_FAILURE) {
        xf_fail("excinfo: %s succeeded after an injected failure, expected '%s'",
                call, ex->failure);
    }
    if (info->errdisplay == NULL && ex->display != NULL) {
        free(ex->display);
        ex->display = NULL;
    }
    check_fields(info, ex, exc);
    return rc;
}

/* An object a freelist serves is no allocation, so injection can never
 * fail it.  The snapshot packs the arguments of
 * TracebackException.from_exception() in a 1-tuple and a dict right after
 * PyImport_Import() freed a dict of its own (crossinterp.c,
 * _convert_exc_to_TracebackException): with the freelists on, those two
 * failure paths never run.  They do when the freelists are empty and stay
 * so, e.g. right after a full collection and without that import's dict:
 * while a spec is on, the current interpreter's tuple and dict freelists
 * are switched off around the snapshots of SNAPSHOT and CLASS, as
 * finalization switches them off (emptied, and nothing kept), then back on
 * (empty).  Only there: the other operations' fault inputs (XF-014's
 * regression among them) keep the numbering of their allocations. */
static int
freelists_off(void)
{
    if (!xf_fault_on) {
        return 0;
    }
    struct _Py_object_freelists *fl =
        &PyInterpreterState_Get()->object_state.freelists;
    _PyTuple_ClearFreeList(fl, 1);
    _PyDict_ClearFreeList(fl, 1);
    return 1;
}

static void
freelists_on(int was_off)
{
    if (!was_off) {
        return;
    }
    struct _Py_object_freelists *fl =
        &PyInterpreterState_Get()->object_state.freelists;
    for (int k = 0; k < PyTuple_NFREELISTS; k++) {
        fl->tuples.numfree[k] = 0;
    }
    fl->dicts.numfree = 0;
    fl->dictkeys.numfree = 0;
}

/* _PyXI_InitExcInfo's result against the expectation; returns rc. */
static int
init_and_check(_PyXI_excinfo *info, PyObject *exc, expectation *ex)
{
    (void)take_unraisable();
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyXI_InitExcInfo(info, exc);
    xf_fault_disarm();
    Py_ssize_t unraisable = take_unraisable();
    xf_note("excinfo: InitExcInfo(%s) -> %d (expected %s)", Py_TYPE(exc)->tp_name, rc,
            ex->kind == EXPECT_FAILURE ? ex->failure : "success");
    if (xf_fault_hit_since(hits)) {
        return check_injected_init(info, rc, ex, exc, "_PyXI_InitExcInfo");
    }
    if (ex->kind == EXPECT_FAILURE) {
        if (rc == 0) {
            xf_fail("excinfo: _PyXI_InitExcInfo succeeded, expected '%s'", ex->failure);
        }
        check_failure_raised("_PyXI_InitExcInfo", ex->failure);
        check_empty(info, "after a failure");
        return rc;
    }
    if (rc != 0) {
        fail_with_python_error("_PyXI_InitExcInfo (expected to succeed)");
    }
    check_unraisable(unraisable, ex, "by the snapshot");
    check_fields(info, ex, exc);
    return rc;
}

static void
check_formatted(_PyXI_excinfo *info, const expectation *ex)
{
    char *want = expected_formatted(ex);
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    PyObject *got = _PyXI_FormatExcInfo(info);
    xf_fault_disarm();
    if (got == NULL && xf_fault_failed(hits, NULL, "_PyXI_FormatExcInfo")) {
        free(want);
        return;
    }
    check_str_obj("_PyXI_FormatExcInfo()", got, want);
    Py_DECREF(got);
    free(want);
}

static PyObject *
get_attr(PyObject *obj, const char *name)
{
    PyObject *value = PyObject_GetAttrString(obj, name);
    if (value == NULL) {
        fail_with_python_error(name);
    }
    return value;
}

static void
check_type_attr(PyObject *type, const char *attr, const char *want)
{
    PyObject *value = get_attr(type, attr);
    check_str_obj(attr, value, want);
    Py_DECREF(value);
}

/* _PyXI_ExcInfoAsObject's namespace (or _PyXI_ApplyError's result). */
static void
check_object(PyObject *obj, const expectation *ex)
{
    if (obj == NULL) {
        fail_with_python_error("_PyXI_ExcInfoAsObject");
    }
    PyObject *type = get_attr(obj, "type");
    if (ex->kind == EXPECT_OK) {
        check_type_attr(type, "__name__", ex->name);
        check_type_attr(type, "__qualname__", ex->qualname);
        check_type_attr(type, "__module__", ex->module);
    }
    else if (type != Py_None) {
        xf_fail("excinfo: the object's type is not None for an empty snapshot");
    }
    Py_DECREF(type);
    PyObject *msg = get_attr(obj, "msg");
    check_str_obj("the object's msg", msg, ex->msg);
    Py_DECREF(msg);
    char *want = expected_formatted(ex);
    PyObject *formatted = get_attr(obj, "formatted");
    check_str_obj("the object's formatted", formatted, want);
    Py_DECREF(formatted);
    free(want);
    PyObject *display = PyObject_GetAttrString(obj, "errdisplay");
    if (display == NULL) {
        PyErr_Clear();
        display = Py_NewRef(Py_None);
    }
    check_str_obj("the object's errdisplay", display, ex->display);
    Py_DECREF(display);
}

/* Feeding the object back: the same snapshot, or the documented failure
 * when the object lacks what a snapshot needs. */
static void
check_round_trip(PyObject *obj, const _PyXI_excinfo *info, const expectation *ex)
{
    const char *what = PyType_Check(obj) ? "_PyXI_InitExcInfo(snapshot class)"
                                         : "_PyXI_InitExcInfo(snapshot object)";
    const char *failure = NULL;
    if (ex->kind == EXPECT_EMPTY) {
        failure = "error while initializing exception type snapshot";   /* type is None */
    }
    else if (ex->display == NULL) {
        failure = "exception snapshot missing 'errdisplay' attribute";
    }
    _PyXI_excinfo again = {0};
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyXI_InitExcInfo(&again, obj);
    xf_fault_disarm();
    if (rc != 0 && xf_fault_hit_since(hits)) {
        expectation any = {.kind = EXPECT_OK};
        check_injected_init(&again, rc, &any, NULL, what);
        return;
    }
    if (failure != NULL) {
        if (rc == 0) {
            xf_fail("excinfo: %s round-tripped, expected '%s'", what, failure);
        }
        check_failure_raised(what, failure);
        check_empty(&again, "after a failed round trip");
        return;
    }
    if (rc != 0) {
        fail_with_python_error(what);
    }
    check_field("round-tripped name", again.type.name, info->type.name);
    check_field("round-tripped qualname", again.type.qualname, info->type.qualname);
    check_field("round-tripped module", again.type.module, info->type.module);
    check_field("round-tripped message", again.msg, info->msg);
    check_field("round-tripped display", again.errdisplay, info->errdisplay);
    if (again.type.builtin != NULL) {
        xf_fail("excinfo: a round-tripped snapshot claims a builtin type");
    }
    _PyXI_ClearExcInfo(&again);
}

/* The same with a class that holds the object's attributes as its own:
 * a class, but not an exception class, so the core reads it as it reads
 * the object (crossinterp.c, _PyXI_InitExcInfo: anything else than an
 * exception or an exception class is a snapshot object). */
static void
check_round_trip_as_class(PyObject *obj, const _PyXI_excinfo *info,
                          const expectation *ex)
{
    PyObject *attrs = PyObject_GenericGetDict(obj, NULL);
    PyObject *cls = attrs != NULL
        ? PyObject_CallFunction((PyObject *)&PyType_Type, "s()O",
                                "SnapshotClass", attrs)
        : NULL;
    if (cls == NULL) {
        fail_with_python_error("making a class of the snapshot object");
    }
    Py_DECREF(attrs);
    check_round_trip(cls, info, ex);
    Py_DECREF(cls);
}

/* After an injected failure: an object whose errdisplay the core dropped
 * (documented best effort) is checked without it. */
static void
drop_display_if_missing(PyObject *obj, expectation *ex)
{
    if (ex->display != NULL && !PyObject_HasAttrString(obj, "errdisplay")) {
        free(ex->display);
        ex->display = NULL;
    }
}

/* ---- operations --------------------------------------------------------- */

static int
read_slot(xf_input *in)
{
    return xf_read_u8(in) % XF_EI_NSLOTS;
}

static void
snapshot(xf_input *in, int as_class)
{
    int make = read_slot(in);
    int use = read_slot(in);
    int prev = xf_enter(make);
    int flags;
    PyObject *exc = make_exception(in, &flags);
    if (as_class) {
        Py_SETREF(exc, Py_NewRef(Py_TYPE(exc)));
    }
    expectation ex;
    expect(exc, &ex);
    if (avoid_snapshot(&ex, "a snapshot whose traceback text fails not made")) {
        Py_DECREF(exc);
        expectation_clear(&ex);
        xf_leave(prev);
        return;
    }
    _PyXI_excinfo info = {0};
    int off = freelists_off();
    int rc = init_and_check(&info, exc, &ex);
    freelists_on(off);
    Py_DECREF(exc);
    if (rc == 0) {
        /* The snapshot is raw memory: read it in another interpreter. */
        int made_in = xf_enter(use);
        check_formatted(&info, &ex);
        unsigned long hits = xf_fault_hits();
        xf_fault_arm();
        PyObject *obj = _PyXI_ExcInfoAsObject(&info);
        xf_fault_disarm();
        if (obj == NULL && xf_fault_failed(hits, NULL, "_PyXI_ExcInfoAsObject")) {
            /* Nothing to check on. */
        }
        else {
            /* The object's errdisplay is dropped (documented) when it
             * cannot be made: the round trip then fails as documented. */
            if (xf_fault_hit_since(hits)) {
                drop_display_if_missing(obj, &ex);
            }
            check_object(obj, &ex);
            check_round_trip(obj, &info, &ex);
            check_round_trip_as_class(obj, &info, &ex);
            Py_DECREF(obj);
        }
        _PyXI_ClearExcInfo(&info);
        check_empty(&info, "after _PyXI_ClearExcInfo");
        xf_leave(made_in);
    }
    expectation_clear(&ex);
    xf_leave(prev);
}

static const char *
code_message(_PyXI_errcode code)
{
    switch (code) {
    case _PyXI_ERR_ALREADY_RUNNING:
        return "interpreter already running";
    case _PyXI_ERR_MAIN_NS_FAILURE:
        return "failed to get __main__ namespace";
    case _PyXI_ERR_APPLY_NS_FAILURE:
        return "failed to apply namespace to __main__";
    default:
        return NULL;
    }
}

static PyObject *
code_exception(_PyXI_errcode code)
{
    switch (code) {
    case _PyXI_ERR_NO_MEMORY:
        return PyExc_MemoryError;
    case _PyXI_ERR_NOT_SHAREABLE:
        return xf_not_shareable_error();
    default:
        return PyExc_InterpreterError;
    }
}

/* The proxy of the captured exception, chained as __context__. */
static void
check_proxy(PyObject *raised, const expectation *ex)
{
    PyObject *context = PyException_GetContext(raised);
    int captured = ex->kind == EXPECT_OK;
    if (!captured) {
        if (context != NULL) {
            xf_fail("excinfo: a proxy was chained with nothing captured");
        }
        return;
    }
    if (context == NULL || Py_TYPE(context) != (PyTypeObject *)PyExc_InterpreterError) {
        xf_fail("excinfo: the applied error has no InterpreterError proxy as __context__");
    }
    char *want = expected_formatted(ex);
    PyObject *text = PyObject_Str(context);
    check_str_obj("the proxy's message", text, want);
    Py_XDECREF(text);
    free(want);
    PyObject *display = PyObject_GetAttrString(context, "_errdisplay");
    if (display == NULL) {
        PyErr_Clear();
        display = Py_NewRef(Py_None);
    }
    check_str_obj("the proxy's _errdisplay", display, ex->display);
    Py_DECREF(display);
    Py_DECREF(context);
}

static void
check_applied(PyObject *res, _PyXI_errcode code, const expectation *ex)
{
    if (code == _PyXI_ERR_UNCAUGHT_EXCEPTION) {
        if (res == NULL) {
            fail_with_python_error("_PyXI_ApplyError(uncaught)");
        }
        check_object(res, ex);
        return;
    }
    if (res != NULL) {
        xf_fail("excinfo: _PyXI_ApplyError(%d) returned an object", (int)code);
    }
    PyObject *raised = PyErr_GetRaisedException();
    PyObject *want_type = code_exception(code);
    if (raised != NULL && code == _PyXI_ERR_NOT_SHAREABLE
        && xf_foreign_not_shareable_error((PyObject *)Py_TYPE(raised))
        && xf_avoiding(8))
    {
        /* XF-008: the capturing interpreter's own NotShareableError type;
         * the message is checked as usual. */
        xf_avoided(8, "another interpreter's NotShareableError accepted");
    }
    else if (raised == NULL || (PyObject *)Py_TYPE(raised) != want_type) {
        PyErr_SetRaisedException(raised);
        PyErr_Print();
        xf_fail("excinfo: _PyXI_ApplyError(%d) did not raise %s", (int)code,
                ((PyTypeObject *)want_type)->tp_name);
    }
    if (code == _PyXI_ERR_NOT_SHAREABLE) {
        /* Raised directly, with the captured message. */
        PyObject *text = PyObject_Str(raised);
        check_str_obj("the not-shareable message", text,
                      ex->msg ? ex->msg : "object does not support cross-interpreter data");
        Py_XDECREF(text);
    }
    else {
        const char *want = code_message(code);
        PyObject *args = get_attr(raised, "args");
        Py_ssize_t nargs = PyTuple_GET_SIZE(args);
        int bad = code == _PyXI_ERR_OTHER ? nargs != 0 : want != NULL && nargs != 1;
        if (bad) {
            xf_fail("excinfo: _PyXI_ApplyError(%d) raised with %zd arguments",
                    (int)code, nargs);
        }
        if (want != NULL) {
            check_str_obj("the applied error's message", PyTuple_GET_ITEM(args, 0), want);
        }
        Py_DECREF(args);
        check_proxy(raised, ex);
    }
    Py_DECREF(raised);
}

/* _PyXI_ApplyError raised after an injected failure was hit during it:
 * MemoryError, or the code's own exception (whose proxy __context__ and
 * message may then be missing: they are best effort). */
static void
check_injected_apply(_PyXI_errcode code, const expectation *ex)
{
    (void)ex;
    PyObject *exc = PyErr_Occurred();
    PyObject *want = code == _PyXI_ERR_UNCAUGHT_EXCEPTION ? NULL : code_exception(code);
    if (exc != PyExc_MemoryError && (want == NULL || exc != want)) {
        if (exc != NULL) {
            PyErr_Print();
        }
        xf_fail("excinfo: _PyXI_ApplyError(%d) after an injected allocation "
                "failure raised %s, expected MemoryError%s%s", (int)code,
                exc != NULL ? ((PyTypeObject *)exc)->tp_name : "nothing",
                want != NULL ? " or " : "",
                want != NULL ? ((PyTypeObject *)want)->tp_name : "");
    }
    PyErr_Clear();
}

/* _PyXI_ApplyError(err) in the current interpreter, checked against what
 * its captured exception must give (`ex`). */
static void
apply_and_check(_PyXI_error *err, expectation *ex)
{
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    PyObject *res = _PyXI_ApplyError(err);
    xf_fault_disarm();
    if (xf_fault_hit_since(hits)) {
        /* Best effort after a failure: the proxy's _errdisplay (reported
         * as unraisable when it cannot be set) and the object's
         * errdisplay. */
        (void)take_unraisable();
        if (res != NULL) {
            drop_display_if_missing(res, ex);
        }
    }
    if (res == NULL && xf_fault_hit_since(hits)) {
        check_injected_apply(err->code, ex);
    }
    else {
        check_applied(res, err->code, ex);
    }
    Py_XDECREF(res);
}

static void
apply_error(xf_input *in)
{
    int make = read_slot(in);
    int apply = read_slot(in);
    _PyXI_errcode code = (_PyXI_errcode)(-1 - xf_read_u8(in) % XF_EI_NCODES);
    int with_uncaught = xf_read_u8(in) & 1;
    int prev = xf_enter(make);
    _PyXI_error err = {.interp = xf_interp(make), .code = code};
    expectation ex = {.kind = EXPECT_EMPTY};
    if (with_uncaught) {
        int flags;
        PyObject *exc = make_exception(in, &flags);
        expect(exc, &ex);
        if (avoid_snapshot(&ex, "an uncaught exception whose traceback text "
                                "fails left out")) {
            expectation_clear(&ex);
            ex.kind = EXPECT_EMPTY;
        }
        else if (init_and_check(&err.uncaught, exc, &ex) != 0) {
            expectation_clear(&ex);
            ex.kind = EXPECT_EMPTY;
        }
        Py_DECREF(exc);
    }
    int made_in = xf_enter(apply);
    xf_note("excinfo: ApplyError(code %d) %d->%d", (int)code, make, apply);
    apply_and_check(&err, &ex);
    _PyXI_ClearExcInfo(&err.uncaught);
    xf_leave(made_in);
    expectation_clear(&ex);
    xf_leave(prev);
}

static void
session(xf_input *in)
{
    int from = read_slot(in);
    int into = read_slot(in);
    int prev = xf_enter(from);
    _PyXI_session s = {0};
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyXI_Enter(&s, xf_interp(into), NULL);
    xf_fault_disarm();
    if (rc != 0 && xf_fault_hit_since(hits)) {
        /* Raised (exactly MemoryError) or captured, never both; a
         * captured error applies as InterpreterError or MemoryError. */
        int captured = _PyXI_HasCapturedException(&s);
        if (PyErr_Occurred() && captured) {
            xf_fail("excinfo: _PyXI_Enter both raised and captured (injected failure)");
        }
        if (captured && _PyXI_ApplyCapturedException(&s) != NULL) {
            xf_fail("excinfo: _PyXI_Enter's captured error applied as an object");
        }
        PyObject *exc = PyErr_Occurred();
        if (exc != PyExc_MemoryError && (!captured || exc != PyExc_InterpreterError)) {
            if (exc != NULL) {
                PyErr_Print();
            }
            xf_fail("excinfo: _PyXI_Enter failed after an injected allocation "
                    "failure with %s", exc ? ((PyTypeObject *)exc)->tp_name : "nothing");
        }
        PyErr_Clear();
        /* The exception's bytes are not read: the op ends here. */
        xf_leave(prev);
        return;
    }
    if (rc != 0) {
        fail_with_python_error("_PyXI_Enter");
    }
    /* Now in `into`, on the session's thread state. */
    int flags;
    PyObject *exc = make_exception(in, &flags);
    expectation ex;
    expect(exc, &ex);
    (void)take_unraisable();
    if (avoid_snapshot(&ex, "a session raising an exception whose traceback "
                            "text fails ended without it")) {
        Py_DECREF(exc);
        _PyXI_Exit(&s);
        if (PyErr_Occurred() || _PyXI_HasCapturedException(&s)) {
            xf_fail("excinfo: a session that raised nothing failed or captured");
        }
        expectation_clear(&ex);
        xf_leave(prev);
        return;
    }
    PyErr_SetRaisedException(exc);
    hits = xf_fault_hits();
    xf_fault_arm();
    _PyXI_Exit(&s);
    xf_fault_disarm();
    xf_note("excinfo: SESSION %d->%d captured=%d (expected %s)", from, into,
            _PyXI_HasCapturedException(&s),
            ex.kind == EXPECT_FAILURE ? ex.failure : "a snapshot");
    if (PyErr_Occurred()) {
        fail_with_python_error("_PyXI_Exit left an exception");
    }
    if (!_PyXI_HasCapturedException(&s)
        && (ex.kind == EXPECT_FAILURE || xf_fault_hit_since(hits)) && xf_avoiding(7))
    {
        /* XF-007: a snapshot that failed (as expected, or on an injected
         * failure) is dropped, and the session reports success. */
        xf_avoided(7, "an exception dropped by its failed snapshot accepted");
        int here = xf_enter(into);
        (void)take_unraisable();
        xf_leave(here);
        expectation_clear(&ex);
        xf_leave(prev);
        return;
    }
    if (!_PyXI_HasCapturedException(&s)) {
        xf_fail("excinfo: the session's code raised %s, but no exception was captured%s%s",
                ex.name ? ex.name : "an exception",
                ex.failure ? " (its snapshot fails: " : "", ex.failure ? ex.failure : "");
    }
    /* The snapshot was made in `into`: so were its unraisable reports. */
    int here = xf_enter(into);
    Py_ssize_t unraisable = take_unraisable();
    xf_leave(here);
    int exit_hit = xf_fault_hit_since(hits);
    if (ex.kind == EXPECT_OK && !exit_hit) {
        check_unraisable(unraisable, &ex, "by the capture");
    }
    xf_fault_arm();
    PyObject *res = _PyXI_ApplyCapturedException(&s);
    xf_fault_disarm();
    if (xf_fault_hit_since(hits) && (res == NULL || ex.kind != EXPECT_OK)) {
        /* The capture (or applying it) failed: the session carries
         * _PyXI_ERR_NO_MEMORY (MemoryError) or _PyXI_ERR_OTHER
         * (InterpreterError) instead of a snapshot; or applying it raised
         * MemoryError. */
        if (res != NULL) {
            xf_fail("excinfo: a capture whose snapshot failed applied as an object");
        }
        check_injected_apply(_PyXI_ERR_OTHER, &ex);
    }
    else if (xf_fault_hit_since(hits) && res != NULL) {
        /* A snapshot: its traceback text may have been dropped. */
        drop_display_if_missing(res, &ex);
        check_applied(res, _PyXI_ERR_UNCAUGHT_EXCEPTION, &ex);
    }
    else if (ex.kind == EXPECT_FAILURE) {
        /* The snapshot failed: the caller gets InterpreterError. */
        if (res != NULL || !PyErr_ExceptionMatches(PyExc_InterpreterError)) {
            xf_fail("excinfo: a capture whose snapshot failed did not apply as InterpreterError");
        }
        PyErr_Clear();
    }
    else {
        check_applied(res, _PyXI_ERR_UNCAUGHT_EXCEPTION, &ex);
    }
    Py_XDECREF(res);
    expectation_clear(&ex);
    xf_leave(prev);
}

/* ---- RAW: a snapshot made by hand ------------------------------------- */

/* A C string for a snapshot field, owned by the raw allocator as the
 * core's own are (_PyXI_ClearExcInfo frees it): a generated name, or a
 * fixed one when the name cannot be copied as UTF-8. */
static char *
raw_name(xf_input *in)
{
    PyObject *name = xf_gen_name(in);
    if (name == NULL) {
        fail_with_python_error("generating a name");
    }
    const char *utf8 = xf_name_copy_error(name) == NULL ? PyUnicode_AsUTF8(name) : "x";
    size_t size = strlen(utf8) + 1;
    char *copy = PyMem_RawMalloc(size);
    memcpy(copy, utf8, size);
    Py_DECREF(name);
    return copy;
}

static const char *const raw_modules[] = {"builtins", "__main__", "pkg.mod", NULL};

static void
check_raw_type(PyObject *type, const char *attr, const char *want)
{
    PyObject *value = PyObject_GetAttrString(type, attr);
    if (value == NULL && want == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return;
    }
    check_str_obj(attr, value, want);
    Py_DECREF(value);
}

/* _PyXI_ExcInfoAsObject of a hand-made snapshot: `type` is None without
 * any type field, else a namespace with exactly the fields set.  After an
 * injected failure (`injected`) the errdisplay may be missing: the core
 * drops it when it cannot be made (best effort). */
static void
check_raw_object(PyObject *obj, const _PyXI_excinfo *info, const char *formatted,
                 int injected)
{
    if (obj == NULL) {
        fail_with_python_error("_PyXI_ExcInfoAsObject(hand-made snapshot)");
    }
    PyObject *type = get_attr(obj, "type");
    if (info->type.name == NULL) {
        if (type != Py_None) {
            xf_fail("excinfo: a snapshot without a type gave a type object");
        }
    }
    else {
        check_raw_type(type, "__name__", info->type.name);
        check_raw_type(type, "__qualname__", info->type.qualname);
        check_raw_type(type, "__module__", info->type.module);
    }
    Py_DECREF(type);
    PyObject *msg = get_attr(obj, "msg");
    check_str_obj("the hand-made object's msg", msg, info->msg);
    Py_DECREF(msg);
    PyObject *got = get_attr(obj, "formatted");
    check_str_obj("the hand-made object's formatted", got, formatted);
    Py_DECREF(got);
    if (injected && !PyObject_HasAttrString(obj, "errdisplay")) {
        return;
    }
    check_raw_type(obj, "errdisplay", info->errdisplay);
}

static char *
copy_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

/* _PyXI_ApplyError(_PyXI_ERR_OTHER) with the hand-made snapshot as the
 * captured exception, checked as APPLY checks it: InterpreterError with
 * no arguments, chained to a proxy whose message is the formatted
 * snapshot (and whose _errdisplay is its error display) when it has a
 * type or a message, to nothing otherwise. */
static void
raw_apply(const _PyXI_excinfo *info)
{
    _PyXI_error err = {.interp = PyInterpreterState_Get(), .code = _PyXI_ERR_OTHER,
                       .uncaught = *info};
    expectation ex = {
        .kind = (info->type.name != NULL || info->msg != NULL) ? EXPECT_OK : EXPECT_EMPTY,
        .name = copy_or_null(info->type.name),
        .qualname = copy_or_null(info->type.qualname),
        .module = copy_or_null(info->type.module),
        .msg = copy_or_null(info->msg),
        .display = copy_or_null(info->errdisplay),
    };
    apply_and_check(&err, &ex);
    expectation_clear(&ex);
}

/* u8 slot, u8 fields, then the names the fields take.  The snapshot
 * invariants the core asserts hold: a type has a name and a module; no
 * type, no qualname or module.  With XF_EI_RAW_NONE, _PyXI_InitExcInfo
 * is given None (or NULL, with XF_EI_RAW_NULL) first: ValueError("missing
 * exc"), the snapshot untouched. */
static void
raw_snapshot(xf_input *in)
{
    int slot = read_slot(in);
    int fields = xf_read_u8(in);
    int prev = xf_enter(slot);
    _PyXI_excinfo info = {0};
    if (fields & XF_EI_RAW_NONE) {
        unsigned long hits = xf_fault_hits();
        xf_fault_arm();
        PyObject *missing = (fields & XF_EI_RAW_NULL) ? NULL : Py_None;
        int rc = _PyXI_InitExcInfo(&info, missing);
        xf_fault_disarm();
        if (rc == -1 && xf_fault_failed(hits, PyExc_ValueError, "_PyXI_InitExcInfo(no exception)")) {
            /* The ValueError could not be made: MemoryError instead. */
        }
        else if (rc != -1 || PyErr_Occurred() != PyExc_ValueError) {
            xf_fail("excinfo: _PyXI_InitExcInfo(%s) returned %d with %s, "
                    "expected -1 with ValueError", missing ? "None" : "NULL", rc,
                    PyErr_Occurred() ? ((PyTypeObject *)PyErr_Occurred())->tp_name
                                     : "no exception");
        }
        PyErr_Clear();
        check_empty(&info, "after _PyXI_InitExcInfo(no exception)");
    }
    if (fields & XF_EI_RAW_TYPE) {
        info.type.name = raw_name(in);
        const char *module = raw_modules[(fields >> 4) % 4];
        if (module != NULL) {
            size_t size = strlen(module) + 1;
            info.type.module = memcpy(PyMem_RawMalloc(size), module, size);
        }
        else {
            info.type.module = raw_name(in);
        }
        if (fields & XF_EI_RAW_QUALNAME) {
            info.type.qualname = raw_name(in);
        }
    }
    if (fields & XF_EI_RAW_MSG) {
        info.msg = raw_name(in);
    }
    if (fields & XF_EI_RAW_DISPLAY) {
        info.errdisplay = raw_name(in);
    }
    char *want = documented_format(&info);
    xf_note("excinfo: RAW slot=%d fields=0x%x formatted=%s", slot, fields,
            want ? want : "None");
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    PyObject *got = _PyXI_FormatExcInfo(&info);
    xf_fault_disarm();
    if (got != NULL || !xf_fault_failed(hits, NULL, "_PyXI_FormatExcInfo")) {
        check_str_obj("_PyXI_FormatExcInfo(hand-made snapshot)", got, want);
        Py_DECREF(got);
    }
    hits = xf_fault_hits();
    xf_fault_arm();
    PyObject *obj = _PyXI_ExcInfoAsObject(&info);
    xf_fault_disarm();
    if (obj != NULL || !xf_fault_failed(hits, NULL, "_PyXI_ExcInfoAsObject")) {
        check_raw_object(obj, &info, want, xf_fault_hit_since(hits));
        Py_DECREF(obj);
    }
    raw_apply(&info);
    free(want);
    _PyXI_ClearExcInfo(&info);
    check_empty(&info, "after _PyXI_ClearExcInfo");
    xf_leave(prev);
}

static void
run(const uint8_t *data, size_t size)
{
    xf_input in;
    xf_input_init(&in, data, size);
    for (int i = 0; i < XF_EI_MAX_OPS && !xf_input_exhausted(&in); i++) {
        uint8_t op = xf_read_u8(&in);
        if (xf_fault_take_op(&in, op)) {
            continue;
        }
        switch (op % XF_EI_NOPS) {
        case XF_EI_OP_SNAPSHOT:
            snapshot(&in, 0);
            break;
        case XF_EI_OP_APPLY:
            apply_error(&in);
            break;
        case XF_EI_OP_SESSION:
            session(&in);
            break;
        case XF_EI_OP_CLASS:
            snapshot(&in, 1);
            break;
        case XF_EI_OP_RAW:
            raw_snapshot(&in);
            break;
        }
        xf_fault_op_done();
    }
}

static void
define_helpers(int slot)
{
    int prev = xf_enter(slot);
    helpers[slot] = xf_new_namespace(excinfo_helpers_source);
    if (helpers[slot] == NULL) {
        fail_with_python_error("defining the excinfo helpers");
    }
    xf_leave(prev);
}

static void
init(void)
{
    for (int slot = 0; slot < XF_EI_NSLOTS; slot++) {
        define_helpers(slot);
    }
}

XF_FUZZ_TARGET_INIT(run, XF_EI_NSLOTS, init)
