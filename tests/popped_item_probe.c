/* XF-047: the sender's interpreter ends while a receiver has its item out:
 * popped off the queue (or channel), not yet released.
 *
 * Interpreter A (own GIL, thread S) puts one item, a tuple, into a queue
 * (or sends it into a channel).  Interpreter B (own GIL, thread R) gets
 * it.  One of the tuple's items is an instance of a class A registered
 * for sharing, whose new-object function is this program's: it runs in R
 * in the middle of get(), after the pop and before the release.  There it
 * tells S to end A and waits for S to report the end finished, at most
 * WAIT seconds.
 *
 * On 3.13.5 the end finishes: get() then fails to release the data
 * (InterpreterNotFoundError), the item is lost, and so is the raw memory
 * _tuple_shared() allocated at put() (LeakSanitizer reports it at exit).
 * With the fix the end waits in the module's clear_interpreter() until
 * the item is released: R's wait times out, get() returns the item, and
 * A's end then finishes and carries out the release.
 *
 *   popped_item_probe [--by-receiver] queues|channels [WAIT]
 *
 * --by-receiver: R ends A itself, from inside the rebuild.  A's end then
 * cannot wait for the item (R, which would release it, is ending A), and
 * the fix must not make it try: the item is lost as on 3.13.5, and the
 * probe returns instead of hanging.
 *
 * Prints one line: what get() (recv()) did and whether the end finished
 * while the item was out.  Exit 0 when the item came out intact and the
 * end finished only after that, 1 otherwise.
 */
#include "runtime.h"

#include "pycore_crossinterp.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Long enough for an interpreter's end under ASan on a loaded machine
 * (about 0.1 s alone), so that 3.13.5 finishes it inside the window. */
#define DEFAULT_WAIT 3.0

enum { STEP_START, STEP_PUT, STEP_END_NOW, STEP_ENDED };

static struct {
    int channels;               /* else queues */
    int by_receiver;            /* R ends A, inside the rebuild */
    const char *module;
    double wait;
    int64_t id;                 /* the queue's or channel's */
    PyInterpreterState *a, *b;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int step;                   /* under mutex */
    int ended_while_out;        /* the end finished inside new_object() */
    int new_object_calls;
} pr = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
};

static void
set_step(int step)
{
    pthread_mutex_lock(&pr.mutex);
    pr.step = step;
    pthread_cond_broadcast(&pr.cond);
    pthread_mutex_unlock(&pr.mutex);
}

/* Wait for STEP, at most SECONDS (< 0: for ever); 1 if it came. */
static int
wait_step(int step, double seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    if (seconds >= 0) {
        long long ns = deadline.tv_nsec + (long long)(seconds * 1e9);
        deadline.tv_sec += (time_t)(ns / 1000000000);
        deadline.tv_nsec = (long)(ns % 1000000000);
    }
    pthread_mutex_lock(&pr.mutex);
    int rc = 0;
    while (pr.step < step && rc != ETIMEDOUT) {
        rc = seconds < 0 ? pthread_cond_wait(&pr.cond, &pr.mutex)
                         : pthread_cond_timedwait(&pr.cond, &pr.mutex,
                                                  &deadline);
    }
    int came = pr.step >= step;
    pthread_mutex_unlock(&pr.mutex);
    return came;
}

static void
die(const char *what)
{
    if (PyErr_Occurred()) {
        PyErr_Print();
    }
    fprintf(stderr, "popped_item_probe: %s failed\n", what);
    exit(2);
}

/* ---- the registered class ---------------------------------------------- */

/* Runs in R, inside get(): the item is popped and its data not released. */
static PyObject *
probe_new_object(_PyCrossInterpreterData *data)
{
    (void)data;
    pr.new_object_calls++;
    if (pr.by_receiver) {
        /* From B's thread state: a new one of A's is made, and B's is
         * current again afterwards. */
        _PyXI_EndInterpreter(pr.a, NULL, NULL);
        pr.ended_while_out = 1;
        return PyLong_FromLong(47);
    }
    set_step(STEP_END_NOW);
    /* B's GIL stays held: A has its own, and its end needs nothing of B. */
    pr.ended_while_out = wait_step(STEP_ENDED, pr.wait);
    return PyLong_FromLong(47);
}

static int
probe_getdata(PyThreadState *tstate, PyObject *obj,
              _PyCrossInterpreterData *data)
{
    (void)obj;
    _PyCrossInterpreterData_Init(data, tstate->interp, NULL, NULL,
                                 probe_new_object);
    return 0;
}

static PyType_Slot probe_slots[] = {{0, NULL}};
static PyType_Spec probe_spec = {
    .name = "popped_item_probe.Probe",
    .basicsize = sizeof(PyObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = probe_slots,
};

/* ---- the sender: A ------------------------------------------------------ */

static void *
sender(void *arg)
{
    (void)arg;
    PyThreadState *tstate = PyThreadState_New(pr.a);
    PyEval_RestoreThread(tstate);
    PyObject *mod = PyImport_ImportModule(pr.module);
    PyObject *cls = PyType_FromSpec(&probe_spec);
    if (mod == NULL || cls == NULL) {
        die("A: import or class");
    }
    if (_PyCrossInterpreterData_RegisterClass((PyTypeObject *)cls,
                                              probe_getdata) < 0) {
        die("A: registering the class");
    }
    PyObject *probe = PyObject_CallNoArgs(cls);
    PyObject *item = probe ? Py_BuildValue("(y#iO)", "xidfuzz", (Py_ssize_t)7,
                                           12345, probe) : NULL;
    if (item == NULL) {
        die("A: the item");
    }
    /* Unbound op 1 (REMOVE): had the item still been queued, A's end
     * would have removed it; popped, it is the receiver's. */
    PyObject *res = NULL;
    if (pr.channels) {
        /* Not blocking: a send waits for the receiver by default. */
        PyObject *args = Py_BuildValue("(LOi)", (long long)pr.id, item, 1);
        PyObject *kw = Py_BuildValue("{s:O}", "blocking", Py_False);
        PyObject *send = PyObject_GetAttrString(mod, "send");
        if (args != NULL && kw != NULL && send != NULL) {
            res = PyObject_Call(send, args, kw);
        }
        Py_XDECREF(args);
        Py_XDECREF(kw);
        Py_XDECREF(send);
    }
    else {
        res = PyObject_CallMethod(mod, "put", "LOii", (long long)pr.id,
                                  item, 0, 1);
    }
    if (res == NULL) {
        die(pr.channels ? "A: send()" : "A: put()");
    }
    Py_DECREF(res);
    Py_DECREF(item);
    Py_DECREF(probe);
    Py_DECREF(cls);
    Py_DECREF(mod);
    if (pr.by_receiver) {
        /* A's end needs its only thread state: R's. */
        PyThreadState_Clear(tstate);
        PyThreadState_DeleteCurrent();
        set_step(STEP_PUT);
        return NULL;
    }
    set_step(STEP_PUT);

    Py_BEGIN_ALLOW_THREADS
    wait_step(STEP_END_NOW, -1);
    Py_END_ALLOW_THREADS
    _PyXI_EndInterpreter(pr.a, NULL, NULL);
    set_step(STEP_ENDED);
    return NULL;
}

/* ---- the receiver: B ---------------------------------------------------- */

static char got_error[200];     /* what went wrong with get(), if anything */

static void *
receiver(void *arg)
{
    (void)arg;
    PyThreadState *tstate = PyThreadState_New(pr.b);
    PyEval_RestoreThread(tstate);
    PyObject *mod = PyImport_ImportModule(pr.module);
    if (mod == NULL) {
        die("B: import");
    }
    Py_BEGIN_ALLOW_THREADS
    wait_step(STEP_PUT, -1);
    Py_END_ALLOW_THREADS
    PyObject *res = PyObject_CallMethod(mod, pr.channels ? "recv" : "get",
                                        "L", (long long)pr.id);
    if (res != NULL) {
        /* (obj, unboundop) from recv(), (obj, fmt, unboundop) from get() */
        PyObject *obj = PyTuple_Check(res) && PyTuple_GET_SIZE(res) > 0
            ? PyTuple_GET_ITEM(res, 0) : NULL;
        PyObject *want = Py_BuildValue("(y#ii)", "xidfuzz", (Py_ssize_t)7,
                                       12345, 47);
        int same = obj != NULL && want != NULL
            && PyObject_RichCompareBool(obj, want, Py_EQ) == 1;
        PyErr_Clear();
        if (!same) {
            PyObject *repr = PyObject_Repr(res);
            snprintf(got_error, sizeof(got_error), "returned %s, not the item",
                     repr ? PyUnicode_AsUTF8(repr) : "?");
            PyErr_Clear();
            Py_XDECREF(repr);
        }
        Py_XDECREF(want);
        Py_DECREF(res);
    }
    else {
        PyObject *exc = PyErr_GetRaisedException();
        snprintf(got_error, sizeof(got_error), "raised %s",
                 _PyType_Name(Py_TYPE(exc)));
        Py_DECREF(exc);
    }
    Py_DECREF(mod);
    PyThreadState_Clear(tstate);
    PyThreadState_DeleteCurrent();
    return NULL;
}

int
main(int argc, char **argv)
{
    char *end = NULL;
    if (argc > 1 && strcmp(argv[1], "--by-receiver") == 0) {
        pr.by_receiver = 1;
        argv++;
        argc--;
    }
    pr.wait = argc == 3 ? strtod(argv[2], &end) : DEFAULT_WAIT;
    if (argc < 2 || argc > 3
            || (strcmp(argv[1], "queues") && strcmp(argv[1], "channels"))
            || (argc == 3 && (*argv[2] == '\0' || *end != '\0'
                              || !(pr.wait > 0)))) {
        fprintf(stderr, "usage: popped_item_probe [--by-receiver] "
                "queues|channels [WAIT]\n");
        return 2;
    }
    pr.channels = strcmp(argv[1], "channels") == 0;
    pr.module = pr.channels ? "_interpchannels" : "_interpqueues";
    xf_runtime_init();
    PyObject *mod = PyImport_ImportModule(pr.module);
    /* The ChannelID keeps a channel alive; a queue lives until destroy(). */
    PyObject *idobj = mod == NULL ? NULL : pr.channels
        ? PyObject_CallMethod(mod, "create", "i", 1)
        : PyObject_CallMethod(mod, "create", "nii", (Py_ssize_t)0, 0, 1);
    PyObject *index = idobj != NULL ? PyNumber_Index(idobj) : NULL;
    if (index == NULL) {
        die("create()");
    }
    pr.id = PyLong_AsLongLong(index);
    Py_DECREF(index);
    PyInterpreterConfig config =
        (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    pr.a = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    pr.b = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    if (pr.a == NULL || pr.b == NULL) {
        die("making the interpreters");
    }
    PyThreadState *main_tstate = PyEval_SaveThread();
    pthread_t ts, tr;
    pthread_create(&ts, NULL, sender, NULL);
    pthread_create(&tr, NULL, receiver, NULL);
    pthread_join(tr, NULL);
    pthread_join(ts, NULL);
    PyEval_RestoreThread(main_tstate);

    int ok = got_error[0] == '\0' && !pr.ended_while_out
        && pr.new_object_calls == 1;
    printf("popped_item_probe: %s: %s %s; the sender's interpreter %s\n",
           argv[1], pr.channels ? "recv()" : "get()",
           got_error[0] ? got_error : "returned the item intact",
           pr.ended_while_out
               ? "finished ending while the item was out"
               : "was still ending when the wait ran out, and ended after "
                 "the release");
    /* Before LeakSanitizer's report at exit, which the test reads after it. */
    fflush(stdout);
    _PyXI_EndInterpreter(pr.b, NULL, NULL);
    if (!pr.channels) {
        PyObject *res = PyObject_CallMethod(mod, "destroy", "L",
                                            (long long)pr.id);
        if (res == NULL) {
            die("destroy()");
        }
        Py_DECREF(res);
    }
    Py_DECREF(idobj);
    Py_DECREF(mod);
    return ok ? 0 : 1;
}
