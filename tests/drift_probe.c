/* Soundness of the refcount-drift oracle (core/harness/check.c).
 *
 * Snapshotting an exception that a session's code raised makes the total
 * refcount rise by about 2 per session, with no leak behind it: the core
 * looks attributes up by names it makes on the fly
 * (PyObject_GetAttrString in _convert_exc_to_TracebackException), and each
 * interpreter's type attribute cache keeps a strong reference to such a
 * name until its slot is reused.  This probe measures the drift per
 * session after a garbage collection alone, and after a collection plus
 * PyType_ClearCache() in every interpreter, which is what the oracle does
 * before judging a drift.  It passes when the second is exactly zero (and
 * a control session that raises nothing drifts by zero either way).
 *
 *   drift_probe [SESSIONS [FROM_SLOT INTO_SLOT]]   (default: 300, 0 -> 1)
 */
#include "target.h"
#include "pycore_crossinterp.h"

#include <stdio.h>
#include <stdlib.h>

static const char uncaught[] = "raise ValueError('probe')\n";
static const char caught[] = "try:\n    raise ValueError('probe')\nexcept ValueError:\n    pass\n";

static int from_slot = 0, into_slot = 1;

static void
session(const char *code)
{
    int prev = xf_enter(from_slot);
    _PyXI_session s = {0};
    if (_PyXI_Enter(&s, xf_interp(into_slot), NULL) != 0) {
        PyErr_Print();
        xf_fail("_PyXI_Enter failed");
    }
    PyObject *res = PyRun_String(code, Py_file_input, s.main_ns, s.main_ns);
    Py_XDECREF(res);
    _PyXI_Exit(&s);
    if (_PyXI_HasCapturedException(&s)) {
        /* Read the snapshot the way fuzz/namespace.c checks it. */
        PyObject *info = _PyXI_ApplyCapturedException(&s);
        PyObject *type = info ? PyObject_GetAttrString(info, "type") : NULL;
        PyObject *msg = info ? PyObject_GetAttrString(info, "msg") : NULL;
        if (type == NULL || msg == NULL) {
            PyErr_Print();
            xf_fail("the captured exception has no type or msg");
        }
        Py_DECREF(type);
        Py_DECREF(msg);
        Py_DECREF(info);
    }
    xf_leave(prev);
}

static void
collect(int clear_caches)
{
    for (int slot = 0; slot < 3; slot++) {
        int prev = xf_enter(slot);
        (void)PyGC_Collect();
        xf_leave(prev);
    }
    if (clear_caches) {
        xf_clear_type_caches();
    }
}

/* Mean drift per session, and the largest drift of a single session. */
static double
drift_per_session(const char *code, int n, int clear_caches, Py_ssize_t *worst)
{
    *worst = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        collect(clear_caches);
        Py_ssize_t before = _Py_GetGlobalRefTotal();
        session(code);
        collect(clear_caches);
        Py_ssize_t d = _Py_GetGlobalRefTotal() - before;
        *worst = d > *worst ? d : *worst;
        sum += (double)d;
    }
    return sum / n;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    if (argc == 4) {
        from_slot = atoi(argv[2]);
        into_slot = atoi(argv[3]);
    }
    if (n <= 0 || (argc != 1 && argc != 2 && argc != 4)
        || from_slot < 0 || from_slot > 2 || into_slot < 0 || into_slot > 2) {
        fprintf(stderr, "usage: drift_probe [SESSIONS > 0 [FROM INTO (slots 0-2)]]\n");
        return 2;
    }
    xf_target_init(3);
    /* First sessions import traceback and fill other one-time caches. */
    for (int i = 0; i < 20; i++) {
        session(uncaught);
    }
    Py_ssize_t worst_gc, worst_clear, worst_control;
    double gc_only = drift_per_session(uncaught, n, 0, &worst_gc);
    double cleared = drift_per_session(uncaught, n, 1, &worst_clear);
    double control = drift_per_session(caught, n, 1, &worst_control);
    printf("drift_probe: %d sessions, slot %d -> %d\n", n, from_slot, into_slot);
    printf("drift_probe: captured exception, GC only:             %.3f refs/session (max %zd)\n",
           gc_only, worst_gc);
    printf("drift_probe: captured exception, GC + type caches:    %.3f refs/session (max %zd)\n",
           cleared, worst_clear);
    printf("drift_probe: control (caught inside), GC + caches:    %.3f refs/session (max %zd)\n",
           control, worst_control);
    if (worst_clear != 0 || worst_control != 0 || cleared != 0.0 || control != 0.0) {
        printf("drift_probe: FAIL: the oracle's clean-up does not account for all drift\n");
        return 1;
    }
    printf("drift_probe: ok: nothing drifts once the type caches are cleared\n");
    return 0;
}
