/* XF-046: a send that waits for a receiver times out just as a receiver
 * takes its item.  Interpreter A (own GIL, its own thread) sends COUNT
 * small ints into one channel, each with blocking=True and a timeout of
 * a few tens of microseconds; interpreter B (own GIL, its own thread)
 * receives from it without a pause.  On 3.13.5, when the timeout fires
 * after B popped the item and before A removes it, A's
 * channel_clear_sent() finds no item and _channel_remove() releases a
 * NULL data pointer (_xidata_release() dereferences it); and A returns
 * while B still has to release the item's _waiting_t, a variable on A's
 * stack (a debug build asserts `waiting.status == WAITING_RELEASED`).
 *
 *   channel_send_timeout_probe COUNT
 *
 * Prints one line at the end: the sends that returned None, those that
 * raised TimeoutError, and what B received.  A send that returned None
 * was received: B must have received exactly those items, each once, and
 * none of a send that timed out.  Exit 1 on any other outcome.
 */
#include "runtime.h"

#include "pycore_crossinterp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Timeouts, in seconds, in turn: the window is short, and where it falls
 * depends on the machine. */
static const double timeouts[] = {0.00002, 0.00005, 0.0001, 0.0002};
#define NTIMEOUTS ((int)(sizeof(timeouts) / sizeof(timeouts[0])))

static struct {
    long count;
    int64_t cid;
    PyInterpreterState *a, *b;
    int sender_done;            /* atomic */
    unsigned char *sent_ok;     /* per item: send() returned None */
    unsigned char *got;         /* per item: times B received it */
    long returned_none, timed_out, received, wrong;
} pr;

static PyObject *
import_channels(void)
{
    PyObject *mod = PyImport_ImportModule("_interpchannels");
    if (mod == NULL) {
        PyErr_Print();
        fprintf(stderr, "channel_send_timeout_probe: cannot import _interpchannels\n");
        exit(1);
    }
    return mod;
}

static void *
sender(void *arg)
{
    (void)arg;
    PyThreadState *tstate = PyThreadState_New(pr.a);
    PyEval_RestoreThread(tstate);
    PyObject *mod = import_channels();
    PyObject *send = PyObject_GetAttrString(mod, "send");
    PyObject *kw[NTIMEOUTS];
    for (int i = 0; i < NTIMEOUTS; i++) {
        kw[i] = Py_BuildValue("{s:O,s:d}", "blocking", Py_True, "timeout", timeouts[i]);
    }
    for (long n = 0; n < pr.count; n++) {
        PyObject *args = Py_BuildValue("(Ll)", (long long)pr.cid, n);
        PyObject *res = PyObject_Call(send, args, kw[n % NTIMEOUTS]);
        Py_DECREF(args);
        if (res != NULL) {
            Py_DECREF(res);
            pr.sent_ok[n] = 1;
            pr.returned_none++;
        }
        else if (PyErr_ExceptionMatches(PyExc_TimeoutError)) {
            PyErr_Clear();
            pr.timed_out++;
        }
        else {
            PyErr_Print();
            pr.wrong++;
        }
    }
    for (int i = 0; i < NTIMEOUTS; i++) {
        Py_DECREF(kw[i]);
    }
    Py_DECREF(send);
    Py_DECREF(mod);
    __atomic_store_n(&pr.sender_done, 1, __ATOMIC_SEQ_CST);
    PyThreadState_Clear(tstate);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void
receive_one(PyObject *recv, PyObject *empty)
{
    PyObject *res = PyObject_CallFunction(recv, "L", (long long)pr.cid);
    if (res == NULL) {
        if (PyErr_ExceptionMatches(empty)) {
            PyErr_Clear();
            return;
        }
        PyErr_Print();
        pr.wrong++;
        return;
    }
    PyObject *obj, *unbound;
    long n;
    if (!PyArg_ParseTuple(res, "OO", &obj, &unbound) || unbound != Py_None
            || (n = PyLong_AsLong(obj)) < 0 || n >= pr.count) {
        PyErr_Clear();
        fprintf(stderr, "channel_send_timeout_probe: recv() returned an "
                "item not sent\n");
        pr.wrong++;
    }
    else {
        pr.got[n]++;
        pr.received++;
    }
    Py_DECREF(res);
}

static void *
receiver(void *arg)
{
    (void)arg;
    PyThreadState *tstate = PyThreadState_New(pr.b);
    PyEval_RestoreThread(tstate);
    PyObject *mod = import_channels();
    PyObject *recv = PyObject_GetAttrString(mod, "recv");
    PyObject *empty = PyObject_GetAttrString(mod, "ChannelEmptyError");
    while (!__atomic_load_n(&pr.sender_done, __ATOMIC_SEQ_CST)) {
        receive_one(recv, empty);
    }
    receive_one(recv, empty);   /* nothing may be left: a send returned */
    Py_DECREF(empty);
    Py_DECREF(recv);
    Py_DECREF(mod);
    PyThreadState_Clear(tstate);
    PyThreadState_DeleteCurrent();
    return NULL;
}

int
main(int argc, char **argv)
{
    char *end = NULL;
    pr.count = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *argv[1] == '\0' || *end != '\0' || pr.count <= 0) {
        fprintf(stderr, "usage: channel_send_timeout_probe COUNT\n");
        return 2;
    }
    pr.sent_ok = calloc((size_t)pr.count, 1);
    pr.got = calloc((size_t)pr.count, 1);
    if (pr.sent_ok == NULL || pr.got == NULL) {
        fprintf(stderr, "channel_send_timeout_probe: out of memory\n");
        return 2;
    }
    xf_runtime_init();
    PyObject *mod = import_channels();
    /* The ChannelID keeps the channel alive: held to the end. */
    PyObject *cidobj = PyObject_CallMethod(mod, "create", "i", 3);
    PyObject *index = cidobj != NULL ? PyNumber_Index(cidobj) : NULL;
    if (index == NULL) {
        PyErr_Print();
        return 1;
    }
    pr.cid = PyLong_AsLongLong(index);
    Py_DECREF(index);
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    pr.a = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    pr.b = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    if (pr.a == NULL || pr.b == NULL) {
        PyErr_Print();
        return 1;
    }
    PyThreadState *main_tstate = PyEval_SaveThread();
    pthread_t ts, tr;
    pthread_create(&tr, NULL, receiver, NULL);
    pthread_create(&ts, NULL, sender, NULL);
    pthread_join(ts, NULL);
    pthread_join(tr, NULL);
    PyEval_RestoreThread(main_tstate);
    long lost = 0, twice = 0, untimely = 0;
    for (long n = 0; n < pr.count; n++) {
        lost += pr.sent_ok[n] && pr.got[n] == 0;
        twice += pr.got[n] > 1;
        untimely += !pr.sent_ok[n] && pr.got[n] > 0;
    }
    printf("channel_send_timeout_probe: %ld sends: %ld returned None, %ld "
           "timed out; %ld received (%ld sent items not received, %ld "
           "received twice, %ld of a send that timed out), %ld other "
           "outcomes\n", pr.count, pr.returned_none, pr.timed_out,
           pr.received, lost, twice, untimely, pr.wrong);
    _PyXI_EndInterpreter(pr.a, NULL, NULL);
    _PyXI_EndInterpreter(pr.b, NULL, NULL);
    Py_DECREF(cidobj);
    Py_DECREF(mod);
    return lost || twice || untimely || pr.wrong ? 1 : 0;
}
