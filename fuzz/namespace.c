/* fuzz/namespace: shared namespaces and sessions, driven as a small
 * program of operations over a pool of interpreters (see namespace.h for
 * the encoding).  Up to XF_NS_TABLE namespaces are live at once; each
 * operation may run in any interpreter of the pool.
 *
 * Oracles, per operation:
 *   NAMES   _PyXI_NamespaceFromNames returns a namespace exactly when every
 *           name can be copied as UTF-8; otherwise NULL with exactly the
 *           error of the first bad name (TypeError for a non-str,
 *           UnicodeEncodeError for a lone surrogate, ValueError for NUL),
 *           and NULL with no error for no names at all -- whatever the
 *           container (list, tuple, dict; None or NULL are no names).  A
 *           namespace holds the names in order and no data.  Containers
 *           the core cannot walk: a non-empty set is NotImplementedError,
 *           an iterator (no len()) TypeError, and a sequence whose last
 *           item raises gives that LookupError unless an earlier name
 *           fails first; a non-empty sequence whose len() raises when
 *           asked a second time gives that BufferError before any name
 *           is looked at when the core asks twice (once to decide whether
 *           there are names, once to size the namespace: the XF-003 fix),
 *           or what its names give when it asks once (3.13.5); an empty
 *           one no namespace and no error.
 *   FILL    _PyXI_FillNamespaceFromDict gives an item data exactly when the
 *           dict lookup by its name finds a value; fails exactly when one
 *           of those values cannot be shared (the sharing oracle of
 *           xid_oracle.h says which exception), and then no item keeps data.
 *           Inside a session, _PyXI_Exit then captures the failure, and
 *           _PyXI_ApplyCapturedException gives the caller its own
 *           NotShareableError with the same message (propagated directly)
 *           or the snapshot of any other error; a fill that succeeded
 *           leaves nothing captured.
 *   APPLY   _PyXI_ApplyNamespace sets every name to a value equal to the
 *           one shared (or to the default); with no default, an item
 *           without data is an error (KeyError), never a crash.
 *   FREE    _PyXI_FreeNamespace from any interpreter; the owner's pending
 *           calls then release everything (LeakSanitizer checks the rest).
 *   SESSION _PyXI_Enter fails with the exception raised directly when the
 *           updates are not a dict or cannot be shared, and with a captured
 *           exception when the interpreter is already running __main__,
 *           its __main__ cannot be had (the input hides it: InterpreterError
 *           "failed to get __main__ namespace") or the updates cannot be
 *           applied; exactly one of the two.  After a
 *           successful enter every update is in __main__, equal to what was
 *           shared.  _PyXI_HasCapturedException is true exactly when the
 *           code raised, and the captured exception names its type and
 *           message.
 * Across the input: no exception left set, no pending call left, no
 * refcount drift, no leak (core/harness/target.c, libFuzzer + LeakSanitizer).
 *
 * Fault injection (core/harness/fault.h): an opcode byte >= XF_FAULT_OPCODE
 * (0xf8) is FAULT, followed by a fault spec that stays on for the next
 * spec.ops operations.  It is armed around every core call of NAMES,
 * FILL, APPLY and SESSION (_PyXI_Enter, _PyXI_Exit,
 * _PyXI_ApplyCapturedException; not the nested session's, not FREE, whose
 * releases allocate nothing), never around the harness's own work.  When
 * an injected failure was hit during a call, the call may instead:
 *   NAMES   return NULL with exactly MemoryError (or the expected error);
 *   FILL    fail with exactly MemoryError (or the expected error), every
 *           item left without data (the namespace stays fresh);
 *   APPLY   fail with exactly MemoryError (or KeyError where expected),
 *           every name already set holding its item's value or the
 *           default (items apply in order: a prefix is documented);
 *   SESSION _PyXI_Enter either raises exactly MemoryError (or the expected
 *           error) or captures an error that applies as InterpreterError
 *           or MemoryError, never both; after _PyXI_Exit of code that
 *           raised, the captured error applies as the snapshot (checked as
 *           usual), or -- when the snapshot could not be made -- as
 *           MemoryError (_PyXI_ERR_NO_MEMORY) or InterpreterError
 *           (_PyXI_ERR_OTHER), or applying it fails with MemoryError.
 * A success is checked exactly as without injection: a failure the core
 * swallowed (e.g. a value missing after a successful FILL) is a finding.
 */
#include "target.h"
#include "avoid.h"
#include "fault.h"
#include "fault_oracle.h"
#include "namegen.h"
#include "namespace.h"
#include "objcmp.h"
#include "objgen.h"
#include "xid_oracle.h"
#include "xid_private.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    _PyXI_namespace *ns;        /* NULL: free entry */
    int owner;                  /* slot that holds the items' data, or -1 */
    PyObject *values[XF_NS_MAX_NAMES];  /* what was shared, owned by `owner` */
} ns_entry;

static ns_entry table[XF_NS_TABLE];

/* Small values: the namespace, not the tree, is under test here. */
static const xf_gen_opts value_opts = {
    .allow_unshareable = 1,
    .max_nodes = 24,
    .max_width = 4,
    .max_fill = 8,
    .max_depth = 8,
};

static const char *
type_name(PyObject *type)
{
    return type != NULL ? ((PyTypeObject *)type)->tp_name : "no exception";
}

/* The exception set must be exactly `expected` (NULL: none); clear it. */
static void
check_raised(PyObject *expected, const char *call)
{
    PyObject *got = PyErr_Occurred();
    if (got != expected) {
        const char *g = type_name(got);
        if (got != NULL) {
            PyErr_Print();
        }
        xf_fail("%s raised %s, expected %s", call, g, type_name(expected));
    }
    PyErr_Clear();
}

/* The raised exception is exactly `type` and says `msg`; it is cleared. */
static void
check_raised_text(PyObject *type, const char *msg, const char *what)
{
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    const char *got = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    if (exc == NULL || Py_TYPE(exc) != (PyTypeObject *)type
        || got == NULL || strcmp(got, msg) != 0) {
        xf_fail("%s is %s(\"%s\"), expected %s(\"%s\")", what,
                exc != NULL ? Py_TYPE(exc)->tp_name : "nothing", got != NULL ? got : "?",
                ((PyTypeObject *)type)->tp_name, msg);
    }
    Py_DECREF(text);
    Py_DECREF(exc);
}

/* Like check_raised, but the exception stays set.  Returns its message
 * (malloc'ed; "" when the core cannot copy it as UTF-8, see
 * xf_name_copy_error, which *copyable then says). */
static char *
error_message_kept(PyObject *expected, const char *call, int *copyable)
{
    PyObject *got = PyErr_Occurred();
    if (got != expected) {
        check_raised(expected, call);   /* reports the mismatch */
    }
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *text = PyObject_Str(exc);
    if (text == NULL) {
        PyErr_Print();
        xf_fail("%s: str() of its %s failed", call, type_name(got));
    }
    *copyable = xf_name_copy_error(text) == NULL;
    char *msg = strdup(*copyable ? PyUnicode_AsUTF8(text) : "");
    Py_DECREF(text);
    PyErr_SetRaisedException(exc);
    return msg;
}

/* ---- NAMES ------------------------------------------------------------- */

/* A dict or set of the names: keys whose __hash__ or __eq__ raise
 * cannot go in, and are skipped. */
static PyObject *
names_hashed(int kind, PyObject *names)
{
    PyObject *coll = kind == XF_NS_NAMES_DICT ? PyDict_New() : PySet_New(NULL);
    for (Py_ssize_t i = 0; coll != NULL && i < PyList_GET_SIZE(names); i++) {
        PyObject *name = PyList_GET_ITEM(names, i);
        int rc = kind == XF_NS_NAMES_DICT ? PyDict_SetItem(coll, name, Py_None)
                                          : PySet_Add(coll, name);
        if (rc < 0) {
            PyErr_Clear();
        }
    }
    return coll;
}

static PyObject *
names_container(int kind, PyObject *names)
{
    switch (kind) {
    case XF_NS_NAMES_TUPLE:
        return PyList_AsTuple(names);
    case XF_NS_NAMES_DICT:
    case XF_NS_NAMES_SET:
        return names_hashed(kind, names);
    case XF_NS_NAMES_NONE:
    case XF_NS_NAMES_NULL:
        return Py_NewRef(Py_None);
    case XF_NS_NAMES_ITER:
        return PyObject_GetIter(names);
    case XF_NS_NAMES_FAILS_LAST:
        return PyObject_CallOneArg(xf_helper("SeqFailsLast"), names);
    case XF_NS_NAMES_LEN_ONCE:
        return PyObject_CallOneArg(xf_helper("SeqLenOnce"), names);
    default:
        return Py_NewRef(names);
    }
}

/* The names in the order the core will see them, and the error it must
 * raise (NULL: none) before it looks at any name. */
static PyObject *
names_seen(int kind, PyObject *container, PyObject *names, PyObject **error)
{
    *error = NULL;
    switch (kind) {
    case XF_NS_NAMES_DICT:
        return PyDict_Keys(container);
    case XF_NS_NAMES_NONE:
    case XF_NS_NAMES_NULL:
        return PyList_New(0);
    case XF_NS_NAMES_SET:
        if (PySet_GET_SIZE(container) > 0) {
            *error = PyExc_NotImplementedError;
        }
        return PyList_New(0);
    case XF_NS_NAMES_ITER:
        *error = PyExc_TypeError;
        return PyList_New(0);
    case XF_NS_NAMES_FAILS_LAST: {
        /* Every name but the last; LookupError if they all copy. */
        Py_ssize_t n = PyList_GET_SIZE(names);
        return PyList_GetSlice(names, 0, n > 0 ? n - 1 : 0);
    }
    case XF_NS_NAMES_LEN_ONCE:
        /* No name: the second len() fails first.  With no names the
         * first one already said there are none. */
        if (PyList_GET_SIZE(names) > 0) {
            *error = PyExc_BufferError;
        }
        return PyList_New(0);
    default:
        return Py_NewRef(names);
    }
}

static void
check_fresh_namespace(_PyXI_namespace *ns, PyObject *names)
{
    xf_ns_layout *view = xf_ns_view(ns);
    if (view->len != PyList_GET_SIZE(names)) {
        xf_fail("namespace has %zd items for %zd names", view->len,
                PyList_GET_SIZE(names));
    }
    for (Py_ssize_t i = 0; i < view->len; i++) {
        Py_ssize_t size;
        const char *want = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(names, i), &size);
        if (want == NULL || strcmp(view->items[i].name, want) != 0) {
            xf_fail("namespace item %zd is named '%s', expected '%s'", i,
                    view->items[i].name, want ? want : "?");
        }
        if (view->items[i].data != NULL) {
            xf_fail("a new namespace's item %zd already holds data", i);
        }
    }
}

static int
free_entry(void)
{
    for (int i = 0; i < XF_NS_TABLE; i++) {
        if (table[i].ns == NULL) {
            return i;
        }
    }
    return -1;
}

static void
op_names(xf_input *in)
{
    int slot = xf_read_u8(in) % XF_NS_NSLOTS;
    int kind = xf_read_u8(in) % XF_NS_NAMES_NKINDS;
    int n = xf_read_u8(in) % (XF_NS_MAX_NAMES + 1);
    int prev = xf_enter(slot);
    PyObject *names = PyList_New(0);
    for (int i = 0; i < n; i++) {
        PyObject *name = xf_gen_name(in);
        if (name == NULL || PyList_Append(names, name) < 0) {
            PyErr_Print();
            xf_fail("generating names failed");
        }
        Py_DECREF(name);
    }
    PyObject *container = names_container(kind, names);
    if (container == NULL) {
        PyErr_Print();
        xf_fail("making the names' container failed");
    }
    PyObject *expect_error;
    PyObject *seen = names_seen(kind, container, names, &expect_error);
    /* FAILS_LAST's last name is never seen, but it makes the core look. */
    Py_ssize_t looked_at = kind == XF_NS_NAMES_FAILS_LAST ? PyList_GET_SIZE(names)
                                                          : PyList_GET_SIZE(seen);
    int expect_ns = expect_error == NULL && looked_at > 0;
    for (Py_ssize_t i = 0; expect_ns && i < PyList_GET_SIZE(seen); i++) {
        expect_error = xf_name_copy_error(PyList_GET_ITEM(seen, i));
        expect_ns = expect_error == NULL;
    }
    if (expect_ns && kind == XF_NS_NAMES_FAILS_LAST) {
        expect_error = PyExc_LookupError;
        expect_ns = 0;
    }
    /* How often the core asks len() is not the API's to say: 3.13.5 asks
     * once (to size the namespace), and only asks again after a failure;
     * the XF-003 fix asks first whether there are names.  A sequence
     * whose second len() raises then gives a namespace of all its names
     * (or the first name's copy error) when asked once. */
    int once_ns = 0, idx;
    PyObject *once_error = NULL;
    if (kind == XF_NS_NAMES_LEN_ONCE && expect_error == PyExc_BufferError) {
        once_ns = 1;
        for (Py_ssize_t i = 0; once_ns && i < PyList_GET_SIZE(names); i++) {
            once_error = xf_name_copy_error(PyList_GET_ITEM(names, i));
            once_ns = once_error == NULL;
        }
    }
    /* XF-003: on 3.13.5 every failure with a container that has a len()
     * (an empty one included, which fails inside) ends in a fatal error
     * or the wrong exception.  Avoided, only calls that succeed are made,
     * and with no injected failure. */
    int fails_xf003 = kind != XF_NS_NAMES_NONE && kind != XF_NS_NAMES_NULL
                      && kind != XF_NS_NAMES_ITER;
    int avoid_xf003 = fails_xf003 && xf_avoiding(3);
    if (avoid_xf003 && !expect_ns && !once_ns) {
        xf_avoided(3, "NAMES that would fail not made");
    }
    else if ((idx = free_entry()) >= 0) {
        unsigned long hits = xf_fault_hits();
        if (!avoid_xf003) {
            xf_fault_arm();
        }
        _PyXI_namespace *ns = _PyXI_NamespaceFromNames(
            kind == XF_NS_NAMES_NULL ? NULL : container);
        xf_fault_disarm();
        xf_note("namespace: NAMES slot=%d kind=%d names=%zd -> %s (expected %s)",
                slot, kind, PyList_GET_SIZE(seen), ns ? "namespace" : "NULL",
                expect_ns ? "namespace" : type_name(expect_error));
        if (ns == NULL && (expect_ns || PyErr_Occurred())
            && xf_fault_failed(hits, expect_error, "_PyXI_NamespaceFromNames"))
        {
            /* Failed by injection: nothing was made. */
        }
        else if (expect_ns) {
            if (ns == NULL) {
                PyErr_Print();
                xf_fail("_PyXI_NamespaceFromNames failed for valid names");
            }
            check_fresh_namespace(ns, seen);
            table[idx] = (ns_entry){.ns = ns, .owner = -1};
        }
        else if (ns != NULL && once_ns) {
            xf_note("namespace: len() was asked once");
            check_fresh_namespace(ns, names);
            table[idx] = (ns_entry){.ns = ns, .owner = -1};
        }
        else {
            if (ns != NULL) {
                xf_fail("_PyXI_NamespaceFromNames returned a namespace, "
                        "expected %s", type_name(expect_error));
            }
            if (once_error != NULL && PyErr_ExceptionMatches(once_error)
                && !PyErr_ExceptionMatches(expect_error))
            {
                expect_error = once_error;
            }
            check_raised(expect_error, "_PyXI_NamespaceFromNames");
        }
    }
    Py_DECREF(seen);
    Py_DECREF(container);
    Py_DECREF(names);
    xf_leave(prev);
}

/* ---- FILL -------------------------------------------------------------- */

static PyObject *
fill_key(int how, const char *name)
{
    PyObject *key = PyUnicode_FromString(name);
    if (key == NULL || how == XF_NS_FILL_PLAIN) {
        return key;
    }
    const char *cls = how == XF_NS_FILL_COLLIDE ? "StrCollide" : "StrBadEq";
    PyObject *sub = PyObject_CallOneArg(xf_helper(cls), key);
    Py_DECREF(key);
    return sub;
}

static void
check_no_data(_PyXI_namespace *ns, const char *after)
{
    xf_ns_layout *view = xf_ns_view(ns);
    for (Py_ssize_t i = 0; i < view->len; i++) {
        if (view->items[i].data != NULL) {
            xf_fail("item %zd ('%s') still holds data after %s", i,
                    view->items[i].name, after);
        }
    }
}

/* FILL inside a session (XF_NS_FILL_IN_SESSION): the core marks a
 * NotShareableError as one to propagate directly (the session's error
 * override), and _PyXI_Exit captures whatever the failed fill left set.
 * The caller then gets, from _PyXI_ApplyCapturedException: its own
 * interpreter's NotShareableError with the same message, or -- for any
 * other error -- the snapshot object of the error, as for code that
 * raised -- or InterpreterError when the message cannot be copied (no
 * snapshot).  `msg` is the failed fill's message (NULL: the fill
 * succeeded and nothing may be captured); after an injected failure the
 * capture is applied but not checked (`unchecked`). */
static void
exit_fill_session(_PyXI_session *session, xf_share_outcome fail,
                  const char *msg, int copyable, int unchecked)
{
    _PyXI_Exit(session);
    int captured = _PyXI_HasCapturedException(session);
    if (unchecked || msg == NULL) {
        if (captured) {
            PyObject *res = _PyXI_ApplyCapturedException(session);
            Py_XDECREF(res);
            PyErr_Clear();
            if (!unchecked) {
                xf_fail("a session whose fill succeeded captured an exception");
            }
        }
        return;
    }
    if (!captured && !copyable && xf_avoiding(7)) {
        /* XF-007: the error's snapshot failed, and the error was dropped. */
        xf_avoided(7, "a fill failure dropped by its failed snapshot accepted");
        return;
    }
    if (!captured) {
        xf_fail("_PyXI_Exit captured nothing after the fill failed with %s",
                xf_share_outcome_name(fail));
    }
    PyObject *res = _PyXI_ApplyCapturedException(session);
    if (!copyable) {
        /* No snapshot could be made: the error is _PyXI_ERR_OTHER. */
        if (res != NULL || PyErr_Occurred() != PyExc_InterpreterError) {
            Py_XDECREF(res);
            xf_fail("the failed fill's %s, whose message cannot be copied, "
                    "was applied as %s, expected InterpreterError",
                    xf_share_outcome_name(fail),
                    res != NULL ? "an object" : type_name(PyErr_Occurred()));
        }
        PyErr_Clear();
        return;
    }
    if (fail == XF_SHARE_NOT_SHAREABLE) {
        PyObject *got = PyErr_Occurred();
        if (res == NULL && xf_foreign_not_shareable_error(got) && xf_avoiding(8))
        {
            /* XF-008: the capturing interpreter's own NotShareableError
             * type, with the message checked as usual. */
            xf_avoided(8, "another interpreter's NotShareableError accepted");
        }
        else if (res != NULL || got != xf_not_shareable_error()) {
            Py_XDECREF(res);
            xf_fail("the failed fill's NotShareableError was applied as %s, "
                    "expected this interpreter's NotShareableError",
                    res != NULL ? "an object" : type_name(got));
        }
        check_raised_text(got, msg, "the propagated NotShareableError");
        return;
    }
    if (res == NULL) {
        PyErr_Print();
        xf_fail("the failed fill's %s was not applied as a snapshot",
                xf_share_outcome_name(fail));
    }
    char want[512];
    PyOS_snprintf(want, sizeof(want), "%s: %s", xf_share_outcome_name(fail), msg);
    PyObject *formatted = PyObject_GetAttrString(res, "formatted");
    const char *got = formatted != NULL ? PyUnicode_AsUTF8(formatted) : NULL;
    if (got == NULL || strcmp(got, want) != 0) {
        xf_fail("the failed fill's snapshot reads \"%s\", expected \"%s\"",
                got != NULL ? got : "?", want);
    }
    Py_DECREF(formatted);
    Py_DECREF(res);
}

static void
op_fill(xf_input *in)
{
    ns_entry *e = &table[xf_read_u8(in) % XF_NS_TABLE];
    int where = xf_read_u8(in);
    int slot = where % XF_NS_NSLOTS;
    int in_session = (where & XF_NS_FILL_IN_SESSION) == XF_NS_FILL_IN_SESSION;
    int from = (where >> XF_NS_FILL_FROM_SHIFT) % XF_NS_NSLOTS;
    /* The API fills a namespace once: only fresh ones qualify. */
    if (e->ns == NULL || e->owner >= 0) {
        return;
    }
    xf_ns_layout *view = xf_ns_view(e->ns);
    int prev = xf_enter(in_session ? from : slot);
    _PyXI_session session = {0};
    if (in_session && _PyXI_Enter(&session, xf_interp(slot), NULL) != 0) {
        if (!PyErr_Occurred() && _PyXI_HasCapturedException(&session)) {
            (void)_PyXI_ApplyCapturedException(&session);
        }
        PyErr_Print();
        xf_fail("entering slot %d from slot %d with no updates failed", slot, from);
    }
    PyObject *dict = PyDict_New();
    for (Py_ssize_t i = 0; i < view->len; i++) {
        int how = xf_read_u8(in) % XF_NS_FILL_NHOW;
        if (how == XF_NS_FILL_ABSENT) {
            continue;
        }
        PyObject *key = fill_key(how, view->items[i].name);
        PyObject *value = xf_gen_object(in, &value_opts);
        if (key == NULL || value == NULL) {
            PyErr_Print();
            xf_fail("building the fill dict failed");
        }
        if (PyDict_SetItem(dict, key, value) < 0) {
            PyErr_Clear();      /* StrBadEq colliding with an earlier key */
        }
        Py_DECREF(key);
        Py_DECREF(value);
    }
    /* What the core's lookup by name finds (it swallows lookup errors),
     * and the first value that cannot be shared. */
    PyObject *found[XF_NS_MAX_NAMES];
    xf_share_outcome fail = XF_SHARE_OK;
    int budget = PyThreadState_Get()->c_recursion_remaining;
    for (Py_ssize_t i = 0; i < view->len; i++) {
        found[i] = PyDict_GetItemString(dict, view->items[i].name);
        if (found[i] != NULL && fail == XF_SHARE_OK) {
            fail = xf_expect_share(found[i], budget);
        }
    }
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyXI_FillNamespaceFromDict(e->ns, dict, in_session ? &session : NULL);
    xf_fault_disarm();
    xf_note("namespace: FILL slot=%d%s items=%zd rc=%d (expected %s)", slot,
            in_session ? " (in a session)" : "", view->len, rc,
            xf_share_outcome_name(fail));
    char *msg = NULL;
    int copyable = 1;
    int unchecked = 0;
    if (rc != 0 && xf_fault_failed(hits, xf_share_outcome_error(fail),
                                        "_PyXI_FillNamespaceFromDict")) {
        /* The namespace stays fresh: a later FILL may fill it. */
        check_no_data(e->ns, "a fill failed by an injected failure");
        unchecked = 1;
    }
    else if (fail != XF_SHARE_OK
             && !(rc == 0 && xf_fault_hit_since(hits) && xf_avoiding(15)))
    {
        /* (XF-015, avoided: the failing value's lookup can be what was
         * swallowed, and the fill then succeeds; judged below.) */
        if (rc == 0) {
            xf_fail("_PyXI_FillNamespaceFromDict succeeded, expected %s",
                    xf_share_outcome_name(fail));
        }
        if (in_session) {
            msg = error_message_kept(xf_share_outcome_error(fail),
                                     "_PyXI_FillNamespaceFromDict", &copyable);
        }
        else {
            check_raised(xf_share_outcome_error(fail), "_PyXI_FillNamespaceFromDict");
        }
        check_no_data(e->ns, "a failed fill");
    }
    else {
        if (rc != 0) {
            PyErr_Print();
            xf_fail("_PyXI_FillNamespaceFromDict failed with shareable values");
        }
        check_raised(NULL, "_PyXI_FillNamespaceFromDict");
        for (Py_ssize_t i = 0; i < view->len; i++) {
            _PyCrossInterpreterData *data = view->items[i].data;
            if (data == NULL && found[i] != NULL && xf_fault_hit_since(hits)
                && xf_avoiding(15))
            {
                /* XF-015: the lookup's MemoryError was swallowed, and the
                 * value reported absent. */
                xf_avoided(15, "a value reported absent after an injected failure accepted");
                continue;
            }
            if ((data != NULL) != (found[i] != NULL)) {
                xf_fail("item %zd ('%s') %s data but its name %s in the dict", i,
                        view->items[i].name, data ? "holds" : "lacks",
                        found[i] ? "is" : "is not");
            }
            if (data != NULL && _PyCrossInterpreterData_INTERPID(data) != xf_interp_id(slot)) {
                xf_fail("item %zd's data is owned by interpreter %lld, filled in %lld",
                        i, (long long)_PyCrossInterpreterData_INTERPID(data),
                        (long long)xf_interp_id(slot));
            }
            e->values[i] = Py_XNewRef(found[i]);
        }
        e->owner = slot;
    }
    Py_DECREF(dict);
    if (in_session) {
        /* The exception stays set for _PyXI_Exit to capture. */
        exit_fill_session(&session, fail, msg, copyable, unchecked);
        free(msg);
    }
    xf_leave(prev);
}

/* ---- APPLY ------------------------------------------------------------- */

static PyObject *
make_default(int sel)
{
    switch (sel) {
    case XF_NS_DEFAULT_NONE: return Py_NewRef(Py_None);
    case XF_NS_DEFAULT_INT: return PyLong_FromLong(123456789);
    default: return NULL;
    }
}

/* Whether a later item (before `stop`) has the same name as item i. */
static int
overwritten_later(xf_ns_layout *view, Py_ssize_t i, Py_ssize_t stop)
{
    for (Py_ssize_t j = i + 1; j < stop; j++) {
        if (strcmp(view->items[i].name, view->items[j].name) == 0) {
            return 1;
        }
    }
    return 0;
}

static void
check_applied(ns_entry *e, Py_ssize_t stop, PyObject *target, PyObject *dflt)
{
    xf_ns_layout *view = xf_ns_view(e->ns);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < stop; i++) {
        if (overwritten_later(view, i, stop)) {
            continue;
        }
        distinct++;
        PyObject *got = PyDict_GetItemString(target, view->items[i].name);
        if (got == NULL) {
            xf_fail("name '%s' missing after apply", view->items[i].name);
        }
        if (view->items[i].data == NULL) {
            if (got != dflt) {
                xf_fail("name '%s' is not the default after apply", view->items[i].name);
            }
            continue;
        }
        char why[512];
        if (!xf_compare(e->values[i], got, why, sizeof(why))) {
            xf_fail("name '%s' after apply differs from what was shared: %s",
                    view->items[i].name, why);
        }
    }
    if (PyDict_GET_SIZE(target) != distinct) {
        xf_fail("apply set %zd names, expected %zd", PyDict_GET_SIZE(target), distinct);
    }
}

/* After an apply that failed part-way: every name set is an item's name
 * and holds that item's value (or the default). */
static void
check_partially_applied(ns_entry *e, PyObject *target, PyObject *dflt)
{
    xf_ns_layout *view = xf_ns_view(e->ns);
    PyObject *key, *got;
    Py_ssize_t pos = 0;
    while (PyDict_Next(target, &pos, &key, &got)) {
        const char *name = PyUnicode_AsUTF8(key);
        int ok = 0;
        for (Py_ssize_t i = 0; !ok && name != NULL && i < view->len; i++) {
            if (strcmp(view->items[i].name, name) != 0) {
                continue;
            }
            if (view->items[i].data == NULL) {
                ok = got == dflt;
                continue;
            }
            char why[512];
            ok = xf_compare(e->values[i], got, why, sizeof(why));
        }
        if (!ok) {
            xf_fail("after a failed apply, name '%s' is not the value of any "
                    "item of that name", name != NULL ? name : "?");
        }
    }
}

static void
op_apply(xf_input *in)
{
    ns_entry *e = &table[xf_read_u8(in) % XF_NS_TABLE];
    int slot = xf_read_u8(in) % XF_NS_NSLOTS;
    int dsel = xf_read_u8(in) % XF_NS_NDEFAULTS;
    if (e->ns == NULL) {
        return;
    }
    xf_ns_layout *view = xf_ns_view(e->ns);
    int prev = xf_enter(slot);
    PyObject *dflt = make_default(dsel);
    PyObject *target = PyDict_New();
    /* Items apply in order; with no default, the first item without data
     * stops the apply with KeyError. */
    Py_ssize_t stop = view->len;
    for (Py_ssize_t i = 0; i < view->len; i++) {
        if (view->items[i].data == NULL && dflt == NULL) {
            stop = i;
            break;
        }
    }
    /* XF-001 crashes this apply; XF-015 leaves items without data that
     * lead to it. */
    if (stop < view->len && (xf_avoiding(1) || xf_avoiding(15))) {
        xf_avoided(xf_avoiding(1) ? 1 : 15,
                   "APPLY of an item without data and no default not made");
        Py_DECREF(target);
        xf_leave(prev);
        return;
    }
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyXI_ApplyNamespace(e->ns, target, dflt);
    xf_fault_disarm();
    xf_note("namespace: APPLY slot=%d default=%d rc=%d (expected %s)", slot, dsel,
            rc, stop < view->len ? "KeyError" : "success");
    if (rc != 0 && xf_fault_failed(hits, stop < view->len ? PyExc_KeyError : NULL,
                                   "_PyXI_ApplyNamespace")) {
        /* Items apply in order: what was set before the failure must be
         * right, and nothing else may be there. */
        check_partially_applied(e, target, dflt);
        Py_DECREF(target);
        Py_XDECREF(dflt);
        xf_leave(prev);
        return;
    }
    if (stop < view->len) {
        if (rc == 0) {
            xf_fail("_PyXI_ApplyNamespace succeeded though item '%s' has no "
                    "value and there is no default", view->items[stop].name);
        }
        check_raised(PyExc_KeyError, "_PyXI_ApplyNamespace");
    }
    else {
        if (rc != 0) {
            PyErr_Print();
            xf_fail("_PyXI_ApplyNamespace failed");
        }
        check_raised(NULL, "_PyXI_ApplyNamespace");
    }
    check_applied(e, stop, target, dflt);
    Py_DECREF(target);
    Py_XDECREF(dflt);
    xf_leave(prev);
}

/* ---- FREE -------------------------------------------------------------- */

static void
free_namespace(ns_entry *e, int slot)
{
    int prev = xf_enter(slot);
    _PyXI_FreeNamespace(e->ns);
    check_raised(NULL, "_PyXI_FreeNamespace");
    xf_leave(prev);
    if (e->owner >= 0) {
        /* Items freed elsewhere were released by pending calls. */
        if (xf_run_pending(e->owner) != 0) {
            PyErr_Print();
            xf_fail("running slot %d's pending calls failed", e->owner);
        }
        prev = xf_enter(e->owner);
        for (int i = 0; i < XF_NS_MAX_NAMES; i++) {
            Py_CLEAR(e->values[i]);
        }
        xf_leave(prev);
    }
    *e = (ns_entry){.ns = NULL, .owner = -1};
}

static void
op_free(xf_input *in)
{
    ns_entry *e = &table[xf_read_u8(in) % XF_NS_TABLE];
    int slot = xf_read_u8(in) % XF_NS_NSLOTS;
    if (e->ns != NULL) {
        xf_note("namespace: FREE slot=%d owner=%d", slot, e->owner);
        free_namespace(e, slot);
    }
}

/* ---- SESSION ----------------------------------------------------------- */

typedef struct {
    const char *source;
    const char *type;       /* the exception it raises, or NULL */
    const char *msg;
} session_code;

static const session_code codes[XF_NS_NCODES] = {
    [XF_NS_CODE_NONE] = {NULL, NULL, NULL},
    [XF_NS_CODE_PASS] = {"pass\n", NULL, NULL},
    [XF_NS_CODE_VALUE_ERROR] = {"raise ValueError('xidfuzz')\n", "ValueError", "xidfuzz"},
    [XF_NS_CODE_ZERO_DIV] = {"x_ = 1 / 0\n", "ZeroDivisionError", "division by zero"},
    /* XidfuzzError is defined in every __main__ before the first input
     * (define_custom_error): a class made per input would be cyclic
     * garbage that only a full collection frees. */
    [XF_NS_CODE_CUSTOM] = {"raise XidfuzzError('custom')\n", "XidfuzzError", "custom"},
    [XF_NS_CODE_KEYBOARD] = {"raise KeyboardInterrupt\n", "KeyboardInterrupt", ""},
};

static PyObject *
main_dict(void)
{
    PyObject *mod = PyImport_AddModuleRef("__main__");
    if (mod == NULL) {
        PyErr_Print();
        xf_fail("no __main__ module");
    }
    PyObject *dict = PyModule_GetDict(mod);
    Py_DECREF(mod);
    return dict;
}

/* Put slot's __main__ back to the keys it had (a new reference to the
 * list of keys, taken with `snapshot`). */
static PyObject *
snapshot_main(int slot)
{
    int prev = xf_enter(slot);
    PyObject *keys = PyDict_Keys(main_dict());
    xf_leave(prev);
    return keys;
}

static void
restore_main(int slot, PyObject *keys)
{
    int prev = xf_enter(slot);
    PyObject *dict = main_dict();
    PyObject *now = PyDict_Keys(dict);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(now); i++) {
        PyObject *key = PyList_GET_ITEM(now, i);
        if (!PySequence_Contains(keys, key) && PyDict_DelItem(dict, key) < 0) {
            PyErr_Print();
            xf_fail("cannot restore __main__ of slot %d", slot);
        }
    }
    Py_DECREF(now);
    Py_DECREF(keys);
    xf_leave(prev);
}

/* Code bytes from XF_NS_CODE_HIDE_MAIN up: while _PyXI_Enter runs,
 * sys.modules['__main__'] of the entered interpreter is an int, so the
 * core cannot get __main__'s namespace (it is put back afterwards). */
static PyObject *
hide_main(int slot)
{
    int prev = xf_enter(slot);
    PyObject *modules = PyImport_GetModuleDict();
    PyObject *main = Py_XNewRef(PyDict_GetItemString(modules, "__main__"));
    PyObject *zero = PyLong_FromLong(0);
    if (main == NULL || zero == NULL
        || PyDict_SetItemString(modules, "__main__", zero) < 0) {
        PyErr_Print();
        xf_fail("cannot hide __main__ of slot %d", slot);
    }
    Py_DECREF(zero);
    xf_leave(prev);
    return main;
}

static void
unhide_main(int slot, PyObject *main)
{
    int prev = xf_enter(slot);
    if (PyDict_SetItemString(PyImport_GetModuleDict(), "__main__", main) < 0) {
        PyErr_Print();
        xf_fail("cannot put __main__ of slot %d back", slot);
    }
    Py_DECREF(main);
    xf_leave(prev);
}

/* _PyXI_Enter with __main__ hidden: it fails with nothing raised and
 * the error captured, which applies as InterpreterError("failed to get
 * __main__ namespace"). */
static void
check_main_hidden(_PyXI_session *session, int rc)
{
    if (rc == 0 || PyErr_Occurred() || !_PyXI_HasCapturedException(session)) {
        xf_fail("_PyXI_Enter with __main__ hidden: rc=%d, exception %s, captured %d",
                rc, type_name(PyErr_Occurred()), _PyXI_HasCapturedException(session));
    }
    if (_PyXI_ApplyCapturedException(session) != NULL) {
        xf_fail("the __main__ failure applied as an object");
    }
    check_raised_text(PyExc_InterpreterError, "failed to get __main__ namespace",
                      "the applied __main__ failure");
}

typedef struct {
    PyObject *raise;        /* raised directly by _PyXI_Enter */
    int missing_value;      /* an update the core's lookup cannot find */
} enter_expect;

static enter_expect
expect_enter(int kind, PyObject *updates, int budget)
{
    enter_expect ex = {0};
    if (kind == XF_NS_UPDATES_LIST) {
        ex.raise = PyExc_TypeError;
        return ex;
    }
    if (kind != XF_NS_UPDATES_DICT) {
        return ex;
    }
    PyObject *keys = PyDict_Keys(updates);
    for (Py_ssize_t i = 0; ex.raise == NULL && i < PyList_GET_SIZE(keys); i++) {
        ex.raise = xf_name_copy_error(PyList_GET_ITEM(keys, i));
    }
    for (Py_ssize_t i = 0; ex.raise == NULL && i < PyList_GET_SIZE(keys); i++) {
        const char *name = PyUnicode_AsUTF8(PyList_GET_ITEM(keys, i));
        PyObject *value = PyDict_GetItemString(updates, name);
        if (value == NULL) {
            ex.missing_value = 1;
            continue;
        }
        ex.raise = xf_share_outcome_error(xf_expect_share(value, budget));
    }
    Py_DECREF(keys);
    return ex;
}

static PyObject *
make_updates(xf_input *in, int kind)
{
    switch (kind) {
    case XF_NS_UPDATES_NULL: return NULL;
    case XF_NS_UPDATES_LIST: return PyList_New(0);
    case XF_NS_UPDATES_EMPTY: return PyDict_New();
    case XF_NS_UPDATES_NONE: return Py_NewRef(Py_None);
    default: break;
    }
    PyObject *dict = PyDict_New();
    int n = 1 + xf_read_u8(in) % XF_NS_MAX_UPDATES;
    for (int i = 0; i < n; i++) {
        PyObject *key = xf_gen_name(in);
        PyObject *value = xf_gen_object(in, &value_opts);
        if (key == NULL || value == NULL) {
            PyErr_Print();
            xf_fail("building the updates failed");
        }
        if (PyDict_SetItem(dict, key, value) < 0) {
            PyErr_Clear();      /* keys whose __hash__/__eq__ raise */
        }
        Py_DECREF(key);
        Py_DECREF(value);
    }
    return dict;
}

/* In the entered interpreter: every update is in __main__, equal. */
static void
check_updates_applied(PyObject *main_ns, PyObject *updates)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(updates, &pos, &key, &value)) {
        const char *name = PyUnicode_AsUTF8(key);
        PyObject *shared = PyDict_GetItemString(updates, name);
        PyObject *got = PyDict_GetItemString(main_ns, name);
        if (got == NULL) {
            xf_fail("update '%s' is not in the entered __main__", name);
        }
        char why[512];
        if (!xf_compare(shared, got, why, sizeof(why))) {
            xf_fail("update '%s' in __main__ differs: %s", name, why);
        }
    }
}

/* A second session, from inside the first: into the same interpreter it
 * must fail as already running, with a captured error. */
static void
nested_session(int outer, int into)
{
    _PyXI_session session = {0};
    int rc = _PyXI_Enter(&session, xf_interp(into), NULL);
    if (into == outer) {
        if (rc == 0 || PyErr_Occurred() || !_PyXI_HasCapturedException(&session)) {
            xf_fail("entering a running interpreter: rc=%d, exception %s, captured %d",
                    rc, type_name(PyErr_Occurred()), _PyXI_HasCapturedException(&session));
        }
        PyObject *res = _PyXI_ApplyCapturedException(&session);
        if (res != NULL) {
            xf_fail("the already-running error applied as an object");
        }
        check_raised(PyExc_InterpreterError, "applying the already-running error");
        return;
    }
    if (rc != 0) {
        PyErr_Print();
        xf_fail("nested _PyXI_Enter into idle slot %d failed", into);
    }
    _PyXI_Exit(&session);
    if (_PyXI_HasCapturedException(&session)) {
        xf_fail("an empty nested session captured an exception");
    }
}

/* `hits`: xf_fault_hits() before _PyXI_Exit.  After an injected failure
 * during the exit or the apply, the capture may have failed (the session
 * then carries _PyXI_ERR_NO_MEMORY, applied as MemoryError, or
 * _PyXI_ERR_OTHER, applied as InterpreterError, instead of the
 * snapshot), or applying it may fail with MemoryError. */
static void
check_captured(_PyXI_session *session, const session_code *code,
               unsigned long hits)
{
    xf_fault_arm();
    PyObject *info = _PyXI_ApplyCapturedException(session);
    xf_fault_disarm();
    if (info == NULL && xf_fault_hit_since(hits)) {
        PyObject *exc = PyErr_Occurred();
        if (exc != PyExc_InterpreterError && exc != PyExc_MemoryError) {
            if (exc != NULL) {
                PyErr_Print();
            }
            xf_fail("the captured %s (injected failure) applied as %s, expected "
                    "the snapshot, InterpreterError or MemoryError", code->type,
                    type_name(exc));
        }
        PyErr_Clear();
        return;
    }
    if (info == NULL) {
        PyErr_Print();
        xf_fail("applying the captured %s failed", code->type);
    }
    check_raised(NULL, "_PyXI_ApplyCapturedException");
    PyObject *type = PyObject_GetAttrString(info, "type");
    PyObject *name = type ? PyObject_GetAttrString(type, "__name__") : NULL;
    PyObject *msg = PyObject_GetAttrString(info, "msg");
    if (name == NULL || msg == NULL) {
        PyErr_Print();
        xf_fail("the captured exception has no type name or message");
    }
    if (!PyUnicode_Check(name) || PyUnicode_CompareWithASCIIString(name, code->type) != 0
        || !PyUnicode_Check(msg) || PyUnicode_CompareWithASCIIString(msg, code->msg) != 0)
    {
        xf_fail("captured %s('%s') does not describe the raised %s('%s')",
                PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : "?",
                PyUnicode_Check(msg) ? PyUnicode_AsUTF8(msg) : "?",
                code->type, code->msg);
    }
    Py_DECREF(name);
    Py_DECREF(msg);
    Py_DECREF(type);
    Py_DECREF(info);
}

/* _PyXI_Enter failed during an injected failure: it either raised
 * (exactly MemoryError, or the error expected anyway) or captured an
 * error, never both; a captured error applies as InterpreterError (the
 * session's error codes) or MemoryError (_PyXI_ERR_NO_MEMORY). */
static void
enter_failed_by_injection(_PyXI_session *session, unsigned long hits,
                          PyObject *expected)
{
    int captured = _PyXI_HasCapturedException(session);
    if (PyErr_Occurred()) {
        if (captured) {
            xf_fail("_PyXI_Enter both raised and captured (injected failure)");
        }
        if (!xf_fault_failed(hits, expected, "_PyXI_Enter")) {
            check_raised(expected, "_PyXI_Enter");
        }
        return;
    }
    if (!captured && xf_avoiding(7)) {
        /* XF-007: the apply failure's snapshot failed (injected), and the
         * failure was dropped. */
        xf_avoided(7, "an enter failure dropped by its failed snapshot accepted");
        return;
    }
    if (!captured) {
        xf_fail("_PyXI_Enter failed after an injected failure with nothing "
                "raised and nothing captured");
    }
    if (_PyXI_ApplyCapturedException(session) != NULL) {
        xf_fail("_PyXI_Enter's captured error applied as an object");
    }
    PyObject *exc = PyErr_Occurred();
    if (exc != PyExc_InterpreterError && exc != PyExc_MemoryError) {
        PyErr_Print();
        xf_fail("_PyXI_Enter's captured error (injected failure) applied as "
                "%s, expected InterpreterError or MemoryError", type_name(exc));
    }
    PyErr_Clear();
}

static void
op_session(xf_input *in)
{
    int from = xf_read_u8(in) % XF_NS_NSLOTS;
    int into = xf_read_u8(in) % XF_NS_NSLOTS;
    int kind = xf_read_u8(in) % XF_NS_NUPDATES;
    int prev = xf_enter(from);
    PyObject *updates = make_updates(in, kind);
    int code_byte = xf_read_u8(in);
    const session_code *code = &codes[xf_ns_decode_code(code_byte)];
    int nested = xf_read_u8(in);
    enter_expect ex = expect_enter(kind, updates,
                                   xf_tstate(from)->c_recursion_remaining);
    /* XF-001: _PyXI_Enter applies its updates with no default, and an
     * update whose value the fill did not find again crashes it: a key it
     * cannot look up (ex.missing_value), or one whose lookup failed on an
     * injected allocation failure (PyDict_GetItemString() swallows the
     * MemoryError).  Avoided, neither happens. */
    int avoid_xf001 = updates != NULL && PyDict_Check(updates)
                      && PyDict_GET_SIZE(updates) > 0 && xf_avoiding(1);
    if (avoid_xf001 && ex.missing_value) {
        xf_avoided(1, "SESSION with an update it cannot find again not made");
        Py_XDECREF(updates);
        xf_leave(prev);
        return;
    }
    PyObject *keys = snapshot_main(into);
    PyObject *hidden = code_byte >= XF_NS_CODE_HIDE_MAIN ? hide_main(into) : NULL;

    _PyXI_session session = {0};
    unsigned long hits = xf_fault_hits();
    if (!avoid_xf001) {
        xf_fault_arm();
    }
    int rc = _PyXI_Enter(&session, xf_interp(into), updates);
    xf_fault_disarm();
    xf_note("namespace: SESSION %d->%d updates=%d rc=%d (expected %s%s) code=%s",
            from, into, kind, rc, type_name(ex.raise),
            ex.missing_value ? ", a missing value" : "", code->type ? code->type : "-");
    if (rc != 0 && xf_fault_hit_since(hits)) {
        enter_failed_by_injection(&session, hits, ex.raise);
    }
    else if (hidden != NULL && ex.raise == NULL) {
        check_main_hidden(&session, rc);
    }
    else if (ex.raise != NULL) {
        if (rc == 0) {
            xf_fail("_PyXI_Enter succeeded, expected %s", type_name(ex.raise));
        }
        if (_PyXI_HasCapturedException(&session)) {
            xf_fail("_PyXI_Enter both raised and captured");
        }
        check_raised(ex.raise, "_PyXI_Enter");
    }
    else if (ex.missing_value) {
        /* The update's name cannot be looked up again: applying it must
         * fail inside the session, as a captured error. */
        if (rc == 0 || PyErr_Occurred() || !_PyXI_HasCapturedException(&session)) {
            xf_fail("_PyXI_Enter with an update it cannot find: rc=%d, exception %s",
                    rc, type_name(PyErr_Occurred()));
        }
        if (_PyXI_ApplyCapturedException(&session) != NULL) {
            xf_fail("the apply failure applied as an object");
        }
        check_raised(PyExc_InterpreterError, "applying the captured apply failure");
    }
    else {
        if (rc != 0) {
            if (!PyErr_Occurred() && _PyXI_HasCapturedException(&session)) {
                (void)_PyXI_ApplyCapturedException(&session);
            }
            PyErr_Print();
            xf_fail("_PyXI_Enter into slot %d failed", into);
        }
        if (updates != NULL && kind == XF_NS_UPDATES_DICT) {
            check_updates_applied(session.main_ns, updates);
        }
        if (nested & 1) {
            nested_session(into, (nested >> 1) % XF_NS_NSLOTS);
        }
        int raised = 0;
        if (code->source != NULL) {
            PyObject *res = PyRun_String(code->source, Py_file_input,
                                         session.main_ns, session.main_ns);
            raised = res == NULL;
            Py_XDECREF(res);
        }
        if (raised != (code->type != NULL)) {
            PyErr_Print();
            xf_fail("the session's code %s", raised ? "raised unexpectedly" : "did not raise");
        }
        hits = xf_fault_hits();
        xf_fault_arm();
        _PyXI_Exit(&session);
        xf_fault_disarm();
        check_raised(NULL, "_PyXI_Exit");
        if (raised && !_PyXI_HasCapturedException(&session)
            && xf_fault_hit_since(hits) && xf_avoiding(7))
        {
            /* XF-007: a snapshot that failed (here on an injected
             * failure) is dropped, and the session reports success. */
            xf_avoided(7, "an exception dropped by a failed snapshot accepted");
        }
        else if (_PyXI_HasCapturedException(&session) != raised) {
            xf_fail("session captured an exception: %d, code raised: %d",
                    _PyXI_HasCapturedException(&session), raised);
        }
        else if (raised) {
            check_captured(&session, code, hits);
        }
    }
    /* _PyXI_Enter freed the updates in `into`: their releases are pending
     * calls to `from`, which real code runs at its next eval breaker. */
    if (xf_run_pending(from) != 0) {
        PyErr_Print();
        xf_fail("running slot %d's pending calls failed", from);
    }
    if (hidden != NULL) {
        unhide_main(into, hidden);
    }
    restore_main(into, keys);
    Py_XDECREF(updates);
    xf_leave(prev);
}

/* ---- the program --------------------------------------------------------- */

static void
run(const uint8_t *data, size_t size)
{
    xf_input in;
    xf_input_init(&in, data, size);
    for (int step = 0; step < XF_NS_MAX_OPS && !xf_input_exhausted(&in); step++) {
        uint8_t op = xf_read_u8(&in);
        if (xf_fault_take_op(&in, op)) {
            continue;
        }
        switch (op % XF_NS_NOPS) {
        case XF_NS_OP_NAMES: op_names(&in); break;
        case XF_NS_OP_FILL: op_fill(&in); break;
        case XF_NS_OP_APPLY: op_apply(&in); break;
        case XF_NS_OP_FREE: op_free(&in); break;
        default: op_session(&in); break;
        }
        xf_fault_op_done();
    }
    xf_fault_set((xf_fault_spec){XF_FAULT_OFF, 0, 1});
    /* Whatever the input left live is freed where it was made. */
    for (int i = 0; i < XF_NS_TABLE; i++) {
        if (table[i].ns != NULL) {
            free_namespace(&table[i], table[i].owner >= 0 ? table[i].owner : 0);
        }
    }
}

static void
define_custom_error(int slot)
{
    int prev = xf_enter(slot);
    /* The core imports traceback on the first exception it snapshots in
     * an interpreter; doing it here keeps that cost out of the inputs. */
    if (xf_exec("class XidfuzzError(Exception): pass\nimport traceback\n") < 0) {
        PyErr_Print();
        xf_fail("cannot define XidfuzzError in slot %d", slot);
    }
    xf_leave(prev);
}

static void
init(void)
{
    for (int slot = 0; slot < XF_NS_NSLOTS; slot++) {
        define_custom_error(slot);
    }
}

XF_FUZZ_TARGET_INIT(run, XF_NS_NSLOTS, init)
