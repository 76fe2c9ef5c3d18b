/* queues: lifecycle's race through the _interpqueues module, the way
 * programs meet it.  Everything is called on the module objects from C
 * (PyObject_CallMethod), never through compiled source.
 *
 * --interps putter threads each live through --iterations own-GIL
 * interpreters: create one (from a thread state of the main interpreter),
 * import _interpqueues in it, put up to --window items (lifecycle's item
 * kinds) into the shared queues, each with its own unbound op (REMOVE,
 * ERROR or REPLACE) and a fmt that names the item, then end the
 * interpreter AT ONCE, whatever it put that is still queued or being got.
 * --threads getter threads, on (threads + 1) / 2 consumer interpreters,
 * get from the queues, and now and then destroy a queue and put a new one
 * in its place while others put into it or get from it, or check its
 * count.  A few queues are bounded (maxsize 8), so puts also meet
 * QueueFull.  The main interpreter keeps the module imported throughout
 * (its process-global state lives as long as one interpreter has it),
 * makes the first queues, and at the end gets what is left and destroys
 * them.
 *
 * The harness waits for nothing the module does not make a caller wait for:
 * an interpreter may end with items queued (the module's clear_interpreter
 * callback, run at its end, removes or unbinds them) and a queue may be
 * destroyed while others use it (they get QueueNotFoundError).
 *
 * Oracles, on every call:
 *   - put returns None, or raises exactly QueueNotFoundError (only for a
 *     queue already being destroyed) or QueueFull (only for a bounded
 *     queue);
 *   - get returns (obj, fmt, None) for an item that was put into that very
 *     queue, not got before, obj equal to what was put (objcmp.h); or
 *     (None, fmt, op) for such an item put with op = UNBOUND_ERROR or
 *     UNBOUND_REPLACE whose putter had begun to end; or raises exactly
 *     QueueEmpty or QueueNotFoundError (queue being destroyed); never
 *     InterpreterNotFoundError, which 3.13.5's queue_get() raises when the
 *     item's interpreter finished ending between the pop and the release:
 *     the item is lost, and its data's contents leak (XF-047);
 *   - in order: a reader never takes from a queue an item of a putter
 *     older than one of that putter's it took from that queue before;
 *   - get_count is between 0 and maxsize (when bounded), or
 *     QueueNotFoundError;
 * and at the end: every item put was got once (whole or unbound), or is
 * accounted for -- its queue was destroyed, or it was put with
 * UNBOUND_REMOVE by an interpreter that ended; once a final get() raises
 * QueueEmpty, get_count() is 0; no pending call left; no sanitizer report.
 */
#include "stress.h"
#include "item_log.h"
#include "objcmp.h"

#include "pycore_crossinterp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QU_NSLOTS 3
#define QU_BOUNDED_MAXSIZE 8
enum { SEEN_NONE = 0, SEEN_OBJ, SEEN_UNBOUND };

/* A putter's counters (its log of items is qu.logs[putter]). */
typedef struct {
    long put, not_found, full;
} qu_putter;

typedef struct {
    int64_t qid;
    Py_ssize_t maxsize;
    int destroyed;              /* atomic; set before destroy() is called */
    int final;                  /* destroyed by the final drain */
    long gets_obj, gets_unbound;        /* atomic */
} qu_queue;

/* A module as one interpreter sees it. */
typedef struct {
    PyObject *mod;              /* _interpqueues */
    PyObject *not_found;        /* its QueueNotFoundError */
    PyObject *queue_error;      /* its QueueError */
    PyObject *empty;            /* QueueEmpty (test.support.interpreters.queues) */
} qu_mod;

static struct {
    int nputters, ngetters, ninterps;
    PyInterpreterState *main_interp;
    PyInterpreterState *interps[XS_MAX_THREADS];
    qu_mod interp_mods[XS_MAX_THREADS];
    qu_mod main_mod;
    xs_entry_log logs[XS_MAX_THREADS];
    qu_putter putters[XS_MAX_THREADS];
    struct {
        pthread_mutex_t mu;
        qu_queue *q;
    } slots[QU_NSLOTS];
    xs_id_table queues;         /* qu_queue records by qid */
    long events;                /* atomic */
    long replaced, counts_checked, empties;  /* atomic */
} qu;

/* ---- records ---------------------------------------------------------------- */

static qu_queue *
queue_record(int64_t qid)
{
    return xs_table_get(&qu.queues, qid);
}

static qu_queue *
new_queue_record(int64_t qid, Py_ssize_t maxsize)
{
    qu_queue *q = calloc(1, sizeof(*q));
    if (q == NULL) {
        xs_fail("out of memory");
    }
    q->qid = qid;
    q->maxsize = maxsize;
    xs_table_put(&qu.queues, qid, q, "_interpqueues.create()");
    return q;
}

/* ---- calls --------------------------------------------------------------- */

static void
load_module(qu_mod *m, int with_highlevel)
{
    m->mod = PyImport_ImportModule("_interpqueues");
    if (m->mod == NULL) {
        xs_fail_py("importing _interpqueues");
    }
    m->not_found = PyObject_GetAttrString(m->mod, "QueueNotFoundError");
    m->queue_error = PyObject_GetAttrString(m->mod, "QueueError");
    if (m->not_found == NULL || m->queue_error == NULL) {
        xs_fail_py("_interpqueues exceptions");
    }
    m->empty = NULL;
    if (with_highlevel) {
        /* Registers QueueEmpty and QueueFull with the module, as any
         * program using the queues has; compiled already (.pyc). */
        PyObject *hl = PyImport_ImportModule("test.support.interpreters.queues");
        if (hl == NULL) {
            xs_fail_py("importing test.support.interpreters.queues");
        }
        m->empty = PyObject_GetAttrString(hl, "QueueEmpty");
        if (m->empty == NULL) {
            xs_fail_py("QueueEmpty");
        }
        Py_DECREF(hl);
    }
}

static void
unload_module(qu_mod *m)
{
    Py_CLEAR(m->mod);
    Py_CLEAR(m->not_found);
    Py_CLEAR(m->queue_error);
    Py_CLEAR(m->empty);
}

static qu_queue *
slot_queue(int slot)
{
    pthread_mutex_lock(&qu.slots[slot].mu);
    qu_queue *q = qu.slots[slot].q;
    pthread_mutex_unlock(&qu.slots[slot].mu);
    return q;
}

static qu_queue *
create_queue(qu_mod *m, Py_ssize_t maxsize)
{
    PyObject *res = PyObject_CallMethod(m->mod, "create", "nii", maxsize, 0,
                                        XS_OP_REPLACE);
    if (res == NULL) {
        xs_fail_py("_interpqueues.create");
    }
    int64_t qid = PyLong_AsLongLong(res);
    Py_DECREF(res);
    if (qid < 0) {
        xs_fail_py("_interpqueues.create returned no queue ID");
    }
    return new_queue_record(qid, maxsize);
}

static void
destroy_queue(qu_mod *m, qu_queue *q, const char *who)
{
    __atomic_store_n(&q->destroyed, 1, __ATOMIC_SEQ_CST);
    PyObject *res = PyObject_CallMethod(m->mod, "destroy", "L", (long long)q->qid);
    if (res == NULL) {
        char buf[256];
        PyObject *exc = PyErr_GetRaisedException();
        xs_fail("%s: destroy(%lld) raised %s", who, (long long)q->qid,
                xs_exc_text(exc, buf, sizeof(buf)));
    }
    if (res != Py_None) {
        xs_fail("%s: destroy(%lld) returned a %s, not None", who,
                (long long)q->qid, Py_TYPE(res)->tp_name);
    }
    Py_DECREF(res);
}

/* Check what get() returned, or raised (exc), from queue q; `last` is the
 * reader's xs_fifo record of q. */
static void
check_get(const char *who, qu_mod *m, qu_queue *q, PyObject *res, PyObject *exc,
          int64_t *last)
{
    char buf[512];
    if (res == NULL) {
        if (xs_is_exactly(exc, m->empty)) {
            __atomic_fetch_add(&qu.empties, 1, __ATOMIC_RELAXED);
        }
        else if (xs_is_exactly(exc, m->not_found)) {
            if (!__atomic_load_n(&q->destroyed, __ATOMIC_SEQ_CST)) {
                xs_fail("%s: get(%lld) raised QueueNotFoundError for a queue "
                        "nobody destroyed", who, (long long)q->qid);
            }
        }
        else if (xs_is_exactly(exc, PyExc_InterpreterNotFoundError)) {
            xs_fail("%s: get(%lld) raised InterpreterNotFoundError: it lost "
                    "the item it popped (its putter's interpreter finished "
                    "ending before the release)", who, (long long)q->qid);
        }
        else {
            xs_fail("%s: get(%lld) raised %s", who, (long long)q->qid,
                    xs_exc_text(exc, buf, sizeof(buf)));
        }
        Py_XDECREF(exc);
        return;
    }
    PyObject *obj, *unbound;
    long fmt;
    if (!PyTuple_CheckExact(res) || !PyArg_ParseTuple(res, "OlO", &obj, &fmt, &unbound)) {
        PyErr_Clear();
        xs_fail("%s: get(%lld) returned a %s, not (obj, fmt, unboundop)", who,
                (long long)q->qid, Py_TYPE(res)->tp_name);
    }
    int owner;
    int64_t seq;
    xs_entry *e = xs_log_find(qu.logs, qu.nputters, fmt, &owner, &seq);
    if (e == NULL) {
        xs_fail("%s: get(%lld) returned fmt %ld, which names no item put",
                who, (long long)q->qid, fmt);
    }
    int state = __atomic_load_n(&e->state, __ATOMIC_SEQ_CST);
    if (state == XS_ENTRY_REFUSED || e->box != q->qid) {
        xs_fail("%s: get(%lld) returned item %d/%lld, which was %s", who,
                (long long)q->qid, owner, (long long)seq,
                state == XS_ENTRY_REFUSED ? "refused by put()" : "put into another queue");
    }
    if (seq <= last[owner]) {
        xs_fail("%s: item %d/%lld came out of queue %lld after item %d/%lld, "
                "which its putter put later", who, owner, (long long)seq,
                (long long)q->qid, owner, (long long)last[owner]);
    }
    last[owner] = seq;
    int life_state = __atomic_load_n(&e->life->state, __ATOMIC_SEQ_CST);
    int seen;
    if (unbound == Py_None) {
        PyObject *bytes = xs_life_bytes(owner, e->life->index);
        PyObject *str = xs_life_str(owner, e->life->index);
        PyObject *want = xs_life_item(owner, e->life->index, seq, e->kind, bytes, str);
        if (!xf_compare(want, obj, buf, sizeof(buf))) {
            xs_fail("%s: item %d/%ld/%lld (kind %d) came out of queue %lld "
                    "changed: %s", who, owner, e->life->index, (long long)seq,
                    e->kind, (long long)q->qid, buf);
        }
        Py_DECREF(want);
        Py_DECREF(bytes);
        Py_DECREF(str);
        seen = SEEN_OBJ;
        __atomic_fetch_add(&q->gets_obj, 1, __ATOMIC_RELAXED);
    }
    else {
        long op = PyLong_Check(unbound) ? PyLong_AsLong(unbound) : -1;
        if (obj != Py_None || op != e->op || op == XS_OP_REMOVE
                || life_state == XS_LIFE_ALIVE) {
            xs_fail("%s: item %d/%ld/%lld (put with unbound op %d by "
                    "interpreter %lld, %s) came out of queue %lld as (%s, %ld, "
                    "op %ld)", who, owner, e->life->index, (long long)seq,
                    e->op, (long long)e->life->interpid,
                    life_state == XS_LIFE_ALIVE ? "alive" : "ending or ended",
                    (long long)q->qid, Py_TYPE(obj)->tp_name, fmt, op);
        }
        seen = SEEN_UNBOUND;
        __atomic_fetch_add(&q->gets_unbound, 1, __ATOMIC_RELAXED);
    }
    int none = SEEN_NONE;
    if (!__atomic_compare_exchange_n(&e->seen, &none, seen, 0,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        xs_fail("%s: item %d/%ld/%lld came out of queue %lld a second time",
                who, owner, e->life->index, (long long)seq, (long long)q->qid);
    }
    Py_DECREF(res);
    xs_progress_add(1);
    __atomic_fetch_add(&qu.events, 1, __ATOMIC_RELAXED);
}

/* ---- putters ------------------------------------------------------------- */

static void
put_one(int self, xs_life_rec *life, qu_mod *m, xs_rng *rng,
        PyObject *bytes, PyObject *str)
{
    qu_putter *p = &qu.putters[self];
    int64_t seq;
    xs_entry *e = xs_log_new_entry(&qu.logs[self], &seq);
    qu_queue *q = slot_queue((int)xs_rng_below(rng, QU_NSLOTS));
    e->life = life;
    e->box = q->qid;
    e->kind = (int)xs_rng_below(rng, XS_N_KINDS);
    e->op = XS_OP_REMOVE + (int)xs_rng_below(rng, 3);
    PyObject *obj = xs_life_item(self, life->index, seq, e->kind, bytes, str);
    e->obj_at = obj;
    long fmt = xs_tag(self, seq);
    PyObject *res = PyObject_CallMethod(m->mod, "put", "LOli", (long long)q->qid,
                                        obj, fmt, e->op);
    Py_DECREF(obj);
    if (res != NULL) {
        if (res != Py_None) {
            xs_fail("putter %d: put(%lld) returned a %s, not None", self,
                    (long long)q->qid, Py_TYPE(res)->tp_name);
        }
        Py_DECREF(res);
        __atomic_store_n(&e->state, XS_ENTRY_DONE, __ATOMIC_SEQ_CST);
        p->put++;
        return;
    }
    PyObject *exc = PyErr_GetRaisedException();
    __atomic_store_n(&e->state, XS_ENTRY_REFUSED, __ATOMIC_SEQ_CST);
    if (xs_is_exactly(exc, m->not_found)
            && __atomic_load_n(&q->destroyed, __ATOMIC_SEQ_CST)) {
        p->not_found++;
    }
    else if (exc != NULL && q->maxsize > 0
             && strcmp(Py_TYPE(exc)->tp_name, "QueueFull") == 0
             && PyErr_GivenExceptionMatches(exc, m->queue_error)) {
        p->full++;
    }
    else {
        char buf[512];
        xs_fail("putter %d: put(%lld) (maxsize %zd, %s) raised %s", self,
                (long long)q->qid, q->maxsize,
                __atomic_load_n(&q->destroyed, __ATOMIC_SEQ_CST)
                    ? "being destroyed" : "not destroyed",
                xs_exc_text(exc, buf, sizeof(buf)));
    }
    Py_DECREF(exc);
}

static void
putter_life(int self, xs_rng *rng, PyThreadState *home, long index)
{
    xs_entry_log *log = &qu.logs[self];
    /* As in lifecycle: under ThreadSanitizer one putter at a time makes or
     * ends its interpreter (CPython 3.13 races when several are set up or
     * torn down at once, outside the xid core and the module; stress.c).
     * The puts, gets and destroys of the other threads stay concurrent
     * with every end, which is the race under test. */
    xs_create_end_lock();
    PyThreadState *tstate = xs_begin_life(home);
    qu_mod m;
#ifdef XS_TSAN
    /* Under ThreadSanitizer the imports happen here, under the same lock:
     * running module code (test.support.interpreters.queues, which put()
     * imports on the first QueueFull) while another interpreter is being
     * made races on the runtime-global version tag counter of static
     * types (Objects/typeobject.c, assign_version_tag:
     * NEXT_GLOBAL_VERSION_TAG++), outside the xid core and the module. */
    load_module(&m, 1);
#endif
    xs_create_end_unlock();
#ifndef XS_TSAN
    load_module(&m, 0);     /* put() imports the rest on the first QueueFull */
#endif
    xs_life_rec *life = xs_log_new_life(log, self, index);
    life->interpid = PyInterpreterState_GetID(tstate->interp);

    PyObject *bytes = xs_life_bytes(self, index);
    PyObject *str = xs_life_str(self, index);
    life->bytes_at = bytes;
    life->str_at = str;
    int nitems = 1 + (int)xs_rng_below(rng, (uint32_t)xs_params_g.window);
    for (int k = 0; k < nitems && log->n < XS_SEQ_MAX; k++) {
        put_one(self, life, &m, rng, bytes, str);
        xs_pace_owner(rng, tstate);
    }
    Py_DECREF(bytes);
    Py_DECREF(str);
    unload_module(&m);
    __atomic_fetch_add(&qu.events, 1, __ATOMIC_RELAXED);

    /* End it now, whatever it put that is still queued or being got. */
    xs_create_end_lock();
    xs_end_life(tstate, home, &life->state, NULL);
    xs_create_end_unlock();
    __atomic_fetch_add(&qu.events, 1, __ATOMIC_RELAXED);
}

/* ---- getters ------------------------------------------------------------- */

/* Destroy a slot's queue while others may be putting into it or getting
 * from it, and put a new one in its place. */
static void
replace_queue(int self, qu_mod *m, int slot)
{
    char who[32];
    snprintf(who, sizeof(who), "getter %d", self);
    pthread_mutex_lock(&qu.slots[slot].mu);
    qu_queue *old = qu.slots[slot].q;
    pthread_mutex_unlock(&qu.slots[slot].mu);
    if (__atomic_exchange_n(&old->destroyed, 1, __ATOMIC_SEQ_CST)) {
        return;     /* another getter is replacing it */
    }
    destroy_queue(m, old, who);
    qu_queue *q = create_queue(m, old->maxsize);
    pthread_mutex_lock(&qu.slots[slot].mu);
    qu.slots[slot].q = q;
    pthread_mutex_unlock(&qu.slots[slot].mu);
    __atomic_fetch_add(&qu.replaced, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&qu.events, 1, __ATOMIC_RELAXED);
}

static void
check_count(int self, qu_mod *m, qu_queue *q)
{
    PyObject *res = PyObject_CallMethod(m->mod, "get_count", "L", (long long)q->qid);
    if (res == NULL) {
        PyObject *exc = PyErr_GetRaisedException();
        if (!xs_is_exactly(exc, m->not_found)
                || !__atomic_load_n(&q->destroyed, __ATOMIC_SEQ_CST)) {
            char buf[256];
            xs_fail("getter %d: get_count(%lld) raised %s", self,
                    (long long)q->qid, xs_exc_text(exc, buf, sizeof(buf)));
        }
        Py_DECREF(exc);
        return;
    }
    long long count = PyLong_AsLongLong(res);
    if (count < 0 || (q->maxsize > 0 && count > q->maxsize)) {
        xs_fail("getter %d: get_count(%lld) is %lld (maxsize %zd)", self,
                (long long)q->qid, count, q->maxsize);
    }
    Py_DECREF(res);
    __atomic_fetch_add(&qu.counts_checked, 1, __ATOMIC_RELAXED);
}

static void
getter_main(int self, xs_rng *rng)
{
    int home = self % qu.ninterps;
    qu_mod *m = &qu.interp_mods[home];
    PyThreadState *tstate = xs_attach(qu.interps[home]);
    char who[32];
    snprintf(who, sizeof(who), "getter %d", self);
    long seen = -1;
    double last_event = xs_now_seconds();
    xs_fifo fifo[QU_NSLOTS];
    for (int s = 0; s < QU_NSLOTS; s++) {
        fifo[s].box = -1;
    }
    for (;;) {
        int done = xs_owners_done() == qu.nputters;
        if (done) {
            break;
        }
        /* Slot 2 is read rarely: items pile up there, and their
         * interpreters end under them (unbound ops). */
        uint32_t pick = xs_rng_below(rng, 64);
        int slot = pick < 54 ? 0 : pick < 62 ? 1 : 2;
        uint32_t what = xs_rng_below(rng, 512);
        if (what == 0) {
            replace_queue(self, m, slot);
        }
        else if (what < 9) {
            check_count(self, m, slot_queue(slot));
        }
        else {
            qu_queue *q = slot_queue(slot);
            PyObject *res = PyObject_CallMethod(m->mod, "get", "L", (long long)q->qid);
            PyObject *exc = res == NULL ? PyErr_GetRaisedException() : NULL;
            int empty = xs_is_exactly(exc, m->empty);
            check_get(who, m, q, res, exc, xs_fifo_for(&fifo[slot], q->qid));
            if (empty) {
                PyEval_SaveThread();
                xs_pause_briefly();
                PyEval_RestoreThread(tstate);
            }
        }
        if (xs_rng_below(rng, 16) == 0) {
            xs_run_pending(tstate);
        }
        long events = __atomic_load_n(&qu.events, __ATOMIC_RELAXED);
        if (events != seen) {
            seen = events;
            last_event = xs_now_seconds();
        }
        else if (xs_now_seconds() - last_event > XS_STALL_SECONDS) {
            xs_fail("getter %d stalled: %d of %d putters done", self,
                    xs_owners_done(), qu.nputters);
        }
    }
    xs_detach(tstate);
}

/* ---- the scenario ---------------------------------------------------------- */

/* From the main interpreter: get what the queues still hold, then destroy
 * them. */
static void
drain_and_destroy(void)
{
    for (int s = 0; s < QU_NSLOTS; s++) {
        qu_queue *q = qu.slots[s].q;
        xs_fifo fifo = {.box = -1};
        for (;;) {
            PyObject *res = PyObject_CallMethod(qu.main_mod.mod, "get", "L",
                                                (long long)q->qid);
            PyObject *exc = res == NULL ? PyErr_GetRaisedException() : NULL;
            int empty = xs_is_exactly(exc, qu.main_mod.empty);
            check_get("main (final drain)", &qu.main_mod, q, res, exc,
                      xs_fifo_for(&fifo, q->qid));
            if (empty) {
                break;
            }
        }
        /* Nobody else runs now: empty means a count of 0. */
        PyObject *count = PyObject_CallMethod(qu.main_mod.mod, "get_count", "L",
                                              (long long)q->qid);
        if (count == NULL) {
            xs_fail_py("get_count after the final drain");
        }
        if (PyLong_AsLongLong(count) != 0) {
            xs_fail("queue %lld: get() raised QueueEmpty but get_count() is %lld",
                    (long long)q->qid, PyLong_AsLongLong(count));
        }
        Py_DECREF(count);
        q->final = 1;
        destroy_queue(&qu.main_mod, q, "main (final drain)");
    }
}

static void
qu_check(void)
{
    long put = 0, got = 0, unbound = 0, removed = 0, in_destroyed = 0;
    long not_found = 0, full = 0, lives = 0;
    /* Per queue: items neither got nor explained otherwise. */
    int64_t nq = xs_table_size(&qu.queues);
    long *unexplained = calloc((size_t)nq + 1, sizeof(long));
    if (unexplained == NULL) {
        xs_fail("out of memory");
    }
    for (int o = 0; o < qu.nputters; o++) {
        qu_putter *p = &qu.putters[o];
        xs_entry_log *log = &qu.logs[o];
        for (xs_life_rec *life = log->lives; life != NULL; life = life->next) {
            if (life->state != XS_LIFE_ENDED) {
                xs_fail("putter %d's interpreter %lld never ended", o,
                        (long long)life->interpid);
            }
            lives++;
        }
        for (int64_t seq = 0; seq < log->n; seq++) {
            xs_entry *e = xs_log_entry_at(log, seq);
            if (e->state == XS_ENTRY_PENDING) {
                xs_fail("item %d/%lld: put() never returned", o, (long long)seq);
            }
            if (e->state == XS_ENTRY_REFUSED) {
                continue;
            }
            put++;
            qu_queue *q = queue_record(e->box);
            if (e->seen == SEEN_OBJ) {
                got++;
            }
            else if (e->seen == SEEN_UNBOUND) {
                unbound++;
            }
            else if (!q->final) {
                in_destroyed++;     /* its queue was destroyed under it */
            }
            else if (e->op == XS_OP_REMOVE) {
                removed++;          /* its interpreter ended (all did) */
            }
            else {
                unexplained[e->box]++;
            }
        }
        not_found += p->not_found;
        full += p->full;
    }
    for (int64_t qid = 0; qid < nq; qid++) {
        qu_queue *q = queue_record(qid);
        if (q == NULL) {
            continue;
        }
        if (unexplained[qid] > 0) {
            xs_fail("queue %lld: %ld item(s) put with UNBOUND_ERROR or "
                    "UNBOUND_REPLACE never came out (whole or unbound)",
                    (long long)qid, unexplained[qid]);
        }
    }
    free(unexplained);
    xs_check_no_pending("getter", qu.interps, qu.ninterps, qu.main_interp);
    printf("queues: %ld putter interpreters lived and ended; %ld items put "
           "(%ld refused: %ld QueueNotFoundError, %ld QueueFull); %ld got "
           "whole, %ld got unbound, %ld removed with their interpreter, %ld "
           "in destroyed queues; %ld queues replaced, %ld counts checked, "
           "%ld empty gets\n",
           lives, put, not_found + full, not_found, full, got, unbound, removed,
           in_destroyed, qu.replaced, qu.counts_checked, qu.empties);
}

int
xs_queues(void)
{
    xs_lives_sizes("putters", "getters", &qu.nputters, &qu.ngetters, &qu.ninterps);
    xs_table_init(&qu.queues);
    for (int i = 0; i < qu.nputters; i++) {
        xs_log_init(&qu.logs[i]);
    }
    qu.main_interp = PyInterpreterState_Get();
    PyThreadState *main_tstate = PyThreadState_Get();
    /* The main interpreter holds the module for the whole run: its
     * process-global state (every queue) lives while one interpreter has
     * it imported. */
    load_module(&qu.main_mod, 1);
    for (int i = 0; i < qu.ninterps; i++) {
        qu.interps[i] = xs_new_interp();
        PyThreadState *prev = xs_switch_to(qu.interps[i]);
        load_module(&qu.interp_mods[i], 1);
        xs_switch_back(prev);
    }
    for (int s = 0; s < QU_NSLOTS; s++) {
        pthread_mutex_init(&qu.slots[s].mu, NULL);
        qu.slots[s].q = create_queue(&qu.main_mod, s == 1 ? QU_BOUNDED_MAXSIZE : 0);
    }
    xs_run_lives(qu.nputters, putter_life, qu.ngetters, getter_main);
    xs_run_pending(main_tstate);
    drain_and_destroy();
    qu_check();
    for (int i = 0; i < qu.ninterps; i++) {
        PyThreadState *prev = xs_switch_to(qu.interps[i]);
        unload_module(&qu.interp_mods[i]);
        xs_switch_back(prev);
        xs_end_interp(qu.interps[i]);
    }
    unload_module(&qu.main_mod);
    return 0;
}
