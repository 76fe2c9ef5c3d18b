/* sessions: workers, each on a thread state of the main interpreter (as
 * Python threads calling interp.exec() are), enter target interpreters
 * with _PyXI_Enter() and run a little code in their __main__.  A target
 * whose __main__ another thread is running must refuse: _PyXI_Enter()
 * fails, with nothing raised in the caller, and the captured error applies
 * as InterpreterError("interpreter already running").  The targets are
 * --interps subinterpreters and the main interpreter itself (entering it
 * from its own thread state takes the no-switch path).
 *
 * Invariants: every attempt either entered or was refused cleanly; each
 * target's __main__ counter equals the sessions that entered it (so no
 * two ran at once without the counter noticing a lost update... and none
 * was lost); at the end no target is marked as running. */
#include "stress.h"

#include "pycore_crossinterp.h"
#include "pycore_pystate.h"        // _PyInterpreterState_IsRunningMain()

#include <string.h>

static struct {
    PyInterpreterState *targets[XS_MAX_INTERPS + 1];
    int ntargets;
    long entered[XS_MAX_INTERPS + 1];
    long refused[XS_MAX_INTERPS + 1];
} ss;

/* Code run inside a session: bump the counter, and sometimes give up the
 * GIL halfway (time.sleep(0)) so that other threads collide with us.  Each
 * target compiles both once, at set-up, into its __main__ (_xs_code0/1):
 * running source text (PyRun_String) in several own-GIL interpreters at
 * once trips two races in CPython itself, outside the xid core (the
 * parser's debug-build memo statistics, and the unhandled_keyboard_interrupt
 * store in run_eval_code_obj; see docs/stress.md), which would hide everything
 * else under ThreadSanitizer. */
#include "sessions_setup.py.h"

static void
run_in_session(PyObject *main_ns, int variant)
{
    PyObject *code = PyDict_GetItemString(main_ns, variant ? "_xs_code1" : "_xs_code0");
    if (code == NULL) {
        xs_fail("a target's __main__ lost its session code");
    }
    PyObject *res = PyEval_EvalCode(code, main_ns, main_ns);
    if (res == NULL) {
        xs_fail_py("code in a session");
    }
    Py_DECREF(res);
}

/* _PyXI_Enter() refused: check how, and clear the error. */
static void
check_refusal(_PyXI_session *session, int target)
{
    if (PyErr_Occurred()) {
        xs_fail_py("_PyXI_Enter raised in the caller instead of capturing");
    }
    if (!_PyXI_HasCapturedException(session)) {
        xs_fail("_PyXI_Enter failed for target %d and captured nothing", target);
    }
    PyObject *excinfo = _PyXI_ApplyCapturedException(session);
    Py_XDECREF(excinfo);
    PyObject *exc = PyErr_GetRaisedException();
    if (exc == NULL) {
        xs_fail("applying the refusal for target %d raised nothing", target);
    }
    PyObject *text = PyObject_Str(exc);
    const char *msg = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    if (!PyErr_GivenExceptionMatches(exc, PyExc_InterpreterError)
            || msg == NULL || strcmp(msg, "interpreter already running") != 0) {
        xs_fail("target %d refused with %s: %s", target, Py_TYPE(exc)->tp_name,
                msg != NULL ? msg : "?");
    }
    Py_DECREF(text);
    Py_DECREF(exc);
}

static void *
ss_worker_main(void *arg)
{
    int self = (int)(intptr_t)arg;
    xs_rng rng;
    xs_rng_init(&rng, self);
    PyThreadState *tstate = xs_attach(ss.targets[0]);
    for (long i = 0; i < xs_params_g.iterations && !xs_should_stop(); i++) {
        int target = (int)xs_rng_below(&rng, (uint32_t)ss.ntargets);
        _PyXI_session session = {0};
        if (_PyXI_Enter(&session, ss.targets[target], NULL) < 0) {
            check_refusal(&session, target);
            __atomic_fetch_add(&ss.refused[target], 1, __ATOMIC_RELAXED);
        }
        else {
            run_in_session(session.main_ns, (int)xs_rng_below(&rng, 2));
            /* Counted inside the session: the final check compares it with
             * a counter only the session's owner updates. */
            __atomic_fetch_add(&ss.entered[target], 1, __ATOMIC_RELAXED);
            _PyXI_Exit(&session);
            if (_PyXI_HasCapturedException(&session)) {
                xs_fail("a session in target %d captured an exception", target);
            }
        }
        if (PyThreadState_Get() != tstate) {
            xs_fail("after a session in target %d the thread state changed", target);
        }
        xs_progress_add(1);
        if (xs_rng_below(&rng, 4) == 0) {
            PyEval_SaveThread();
            PyEval_RestoreThread(tstate);
        }
    }
    xs_detach(tstate);
    return NULL;
}

/* Set up (or read back) _xs_count in a target's __main__, in a session. */
static long
with_counter(int target, int init)
{
    _PyXI_session session = {0};
    if (_PyXI_Enter(&session, ss.targets[target], NULL) < 0) {
        check_refusal(&session, target);
        xs_fail("target %d refused the main thread with no worker running", target);
    }
    long value = 0;
    if (init) {
        PyObject *res = PyRun_String(sessions_setup_source, Py_file_input,
                                     session.main_ns, session.main_ns);
        if (res == NULL) {
            xs_fail_py("setting up a target");
        }
        Py_DECREF(res);
    }
    else {
        PyObject *count = PyDict_GetItemString(session.main_ns, "_xs_count");
        if (count == NULL || (value = PyLong_AsLong(count)) < 0) {
            xs_fail("target %d has no counter", target);
        }
    }
    _PyXI_Exit(&session);
    return value;
}

int
xs_sessions(void)
{
    ss.ntargets = xs_params_g.interps + 1;
    ss.targets[0] = PyInterpreterState_Get();
    for (int i = 1; i < ss.ntargets; i++) {
        ss.targets[i] = xs_new_interp();
    }
    for (int i = 0; i < ss.ntargets; i++) {
        with_counter(i, 1);
    }
    PyThreadState *main_tstate = PyEval_SaveThread();
    xs_run_workers(xs_params_g.threads, ss_worker_main);
    PyEval_RestoreThread(main_tstate);
    long entered = 0, refused = 0;
    for (int i = 0; i < ss.ntargets; i++) {
        if (_PyInterpreterState_IsRunningMain(ss.targets[i])) {
            xs_fail("target %d is still marked as running __main__", i);
        }
        long count = with_counter(i, 0);
        if (count != ss.entered[i]) {
            xs_fail("target %d: __main__ counted %ld sessions, %ld entered",
                    i, count, ss.entered[i]);
        }
        entered += ss.entered[i];
        refused += ss.refused[i];
    }
    long want = xs_params_g.threads * xs_params_g.iterations;
    if (xs_params_g.duration == 0 && entered + refused != want) {
        xs_fail("%ld sessions entered and %ld refused, %ld attempted",
                entered, refused, want);
    }
    for (int i = 1; i < ss.ntargets; i++) {
        xs_end_interp(ss.targets[i]);
    }
    printf("sessions: %ld entered, %ld refused as already running\n", entered, refused);
    return 0;
}
