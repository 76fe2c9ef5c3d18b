/* channels: lifecycle's race through the _interpchannels module, as queues
 * does through _interpqueues.  Everything is called on the module objects
 * from C (PyObject_Call), never through compiled source.
 *
 * --interps sender threads each live through --iterations own-GIL
 * interpreters: create one (from a thread state of the main interpreter),
 * import _interpchannels in it, send up to --window items into the shared
 * channels, each with its own unbound op (REMOVE, ERROR or REPLACE), then
 * end the interpreter AT ONCE, whatever it sent that is still queued or
 * being received.  An item is the tuple (tag, obj): obj one of lifecycle's
 * item kinds, tag naming the sender and the item (a channel, unlike a
 * queue, carries nothing beside the object).  Most sends do not wait
 * (blocking=False); one in eight waits for a receiver, with a short
 * timeout.  --threads receiver threads, on (threads + 1) / 2 consumer
 * interpreters, recv from the channels, and now and then close one (force:
 * its items go) or not, destroy it and put a new one in its place while
 * others send to it or recv from it, or check its count.  The main
 * interpreter keeps the module imported throughout (its process-global
 * state lives as long as one interpreter has it), makes the first
 * channels, and at the end receives what is left and destroys them.
 *
 * The harness waits for nothing the module does not make a caller wait for:
 * an interpreter may end with items queued (the module's clear_interpreter
 * callback, run at its end, removes or unbinds them, and drops its channel
 * ends) and a channel may be closed or destroyed while others use it.
 *
 * Oracles, on every call:
 *   - send returns None, or raises exactly ChannelNotFoundError or
 *     ChannelClosedError (only for a channel being replaced), or, for a
 *     waiting send, TimeoutError (the item is taken back: it never comes
 *     out);
 *   - recv returns ((tag, obj), None) for an item sent into that very
 *     channel and not received before, obj equal to what was sent
 *     (objcmp.h); or (None, op) with op ERROR or REPLACE (an item whose
 *     sender ended: such an item carries no tag, so these are counted per
 *     channel and op and checked at the end); or raises exactly
 *     ChannelEmptyError, ChannelNotFoundError or ChannelClosedError (a
 *     channel being replaced); never InterpreterNotFoundError, which
 *     3.13.5's channel_recv() raises when the item's interpreter finished
 *     ending between the pop and the release: the item is lost, and its
 *     data's contents leak (XF-047);
 *   - in order: a reader never takes from a channel an item of a sender
 *     older than one of that sender's it took from that channel before;
 *   - get_count is at least 0, or ChannelNotFoundError / ChannelClosedError
 *     for a channel being replaced;
 *   - at each unbound recv, no more items of that op have come out of the
 *     channel unbound than senders whose interpreter had begun to end sent
 *     into it with that op (only an ending interpreter unbinds its items);
 * and at the end, per channel and op: no more unbound items came out than
 * were sent with that op and never came out whole; in the channels the
 * final drain empties, every ERROR or REPLACE item that never came out
 * whole came out unbound; once a final recv() raises ChannelEmptyError,
 * get_count() is 0; no pending call left; no sanitizer report.
 */
#include "stress.h"
#include "item_log.h"
#include "objcmp.h"

#include "pycore_crossinterp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CH_NSLOTS 3
/* Timeouts of the sends that wait, in seconds: the short ones time out
 * often, also while a receiver is taking the item. */
static const double wait_timeouts[] = {0.0002, 0.001, 0.02};
#define CH_NWAITS ((int)(sizeof(wait_timeouts) / sizeof(wait_timeouts[0])))

/* A sender's counters (its log of items is ch.logs[sender]). */
typedef struct {
    long sent, not_found, closed, timed_out, waited;
} ch_sender;

typedef struct {
    int64_t cid;
    /* The ChannelID that create() returned: a channel lives while one of
     * its ChannelID objects does (or until destroy()).  The main
     * interpreter's: made and dropped there (replace_channel()). */
    PyObject *idobj;
    int replacing;              /* atomic; set before close() or destroy() */
    /* atomic: a receiver's interpreter is associated with the recv end
     * (a recv() that got past the lookup); it never releases it, so from
     * then on the channel stays open until it is replaced.  Until then the
     * module closes the channel by itself when the last interpreter that
     * used it ends (_channel_clear_interpreter(): no end left open). */
    int recv_bound;
    int auto_closed;            /* the final drain found it closed so */
    int final;                  /* drained and destroyed at the end */
    long gets_obj;                      /* atomic */
    long gets_unbound[XS_OP_COUNT];     /* atomic, by op */
    /* atomic, by op: items sent into it by senders whose interpreter has
     * begun to end (counted before the end begins).  Only an ending
     * interpreter unbinds its items, so no more can come out unbound. */
    long orphanable[XS_OP_COUNT];
} ch_channel;

/* A module as one interpreter sees it. */
typedef struct {
    PyObject *mod;              /* _interpchannels */
    PyObject *send, *recv, *kw_nowait, *kw_force;
    PyObject *kw_wait[CH_NWAITS];
    PyObject *not_found, *closed, *empty;
} ch_mod;

static struct {
    int nsenders, nreceivers, ninterps;
    PyInterpreterState *main_interp;
    PyInterpreterState *interps[XS_MAX_THREADS];
    ch_mod interp_mods[XS_MAX_THREADS];
    ch_mod main_mod;
    xs_entry_log logs[XS_MAX_THREADS];
    ch_sender senders[XS_MAX_THREADS];
    struct {
        pthread_mutex_t mu;
        ch_channel *c;
    } slots[CH_NSLOTS];
    xs_id_table channels;       /* ch_channel records by cid */
    long events;                /* atomic */
    long replaced, closed_forced, counts_checked, empties;  /* atomic */
} ch;

/* ---- records ---------------------------------------------------------------- */

static ch_channel *
channel_record(int64_t cid)
{
    return xs_table_get(&ch.channels, cid);
}

static ch_channel *
new_channel_record(int64_t cid)
{
    ch_channel *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        xs_fail("out of memory");
    }
    c->cid = cid;
    xs_table_put(&ch.channels, cid, c, "_interpchannels.create()");
    return c;
}

/* ---- calls --------------------------------------------------------------- */

static PyObject *
attr(PyObject *mod, const char *name)
{
    PyObject *a = PyObject_GetAttrString(mod, name);
    if (a == NULL) {
        xs_fail_py(name);
    }
    return a;
}

static void
load_module(ch_mod *m)
{
    m->mod = PyImport_ImportModule("_interpchannels");
    if (m->mod == NULL) {
        xs_fail_py("importing _interpchannels");
    }
    m->send = attr(m->mod, "send");
    m->recv = attr(m->mod, "recv");
    m->not_found = attr(m->mod, "ChannelNotFoundError");
    m->closed = attr(m->mod, "ChannelClosedError");
    m->empty = attr(m->mod, "ChannelEmptyError");
    m->kw_nowait = Py_BuildValue("{s:O}", "blocking", Py_False);
    m->kw_force = Py_BuildValue("{s:O}", "force", Py_True);
    if (m->kw_nowait == NULL || m->kw_force == NULL) {
        xs_fail_py("keyword arguments");
    }
    for (int i = 0; i < CH_NWAITS; i++) {
        m->kw_wait[i] = Py_BuildValue("{s:O,s:d}", "blocking", Py_True,
                                      "timeout", wait_timeouts[i]);
        if (m->kw_wait[i] == NULL) {
            xs_fail_py("keyword arguments");
        }
    }
}

static void
unload_module(ch_mod *m)
{
    Py_CLEAR(m->mod);
    Py_CLEAR(m->send);
    Py_CLEAR(m->recv);
    Py_CLEAR(m->not_found);
    Py_CLEAR(m->closed);
    Py_CLEAR(m->empty);
    Py_CLEAR(m->kw_nowait);
    for (int i = 0; i < CH_NWAITS; i++) {
        Py_CLEAR(m->kw_wait[i]);
    }
    Py_CLEAR(m->kw_force);
}

/* What any call on channel c may meet: ChannelNotFoundError or
 * ChannelClosedError while it is being replaced, and ChannelClosedError
 * before a receiver is bound to it (the last interpreter that used it may
 * have ended: the module then closes it). */
static int
is_gone(ch_mod *m, PyObject *exc, ch_channel *c)
{
    if (__atomic_load_n(&c->replacing, __ATOMIC_SEQ_CST)) {
        return xs_is_exactly(exc, m->not_found) || xs_is_exactly(exc, m->closed);
    }
    return xs_is_exactly(exc, m->closed)
           && !__atomic_load_n(&c->recv_bound, __ATOMIC_SEQ_CST);
}

/* What is_gone() went by, for a failure's message. */
static const char *
channel_state(ch_channel *c)
{
    if (__atomic_load_n(&c->replacing, __ATOMIC_SEQ_CST)) {
        return "being replaced";
    }
    return __atomic_load_n(&c->recv_bound, __ATOMIC_SEQ_CST)
           ? "not replaced, a receiver bound"
           : "not replaced, no receiver bound yet";
}

static ch_channel *
slot_channel(int slot)
{
    pthread_mutex_lock(&ch.slots[slot].mu);
    ch_channel *c = ch.slots[slot].c;
    pthread_mutex_unlock(&ch.slots[slot].mu);
    return c;
}

/* A new channel, from the main interpreter (its ChannelID too). */
static ch_channel *
create_channel(void)
{
    assert(PyInterpreterState_Get() == ch.main_interp);
    /* The channel's default unbound op; every send names its own. */
    PyObject *res = PyObject_CallMethod(ch.main_mod.mod, "create", "i", XS_OP_REPLACE);
    if (res == NULL) {
        xs_fail_py("_interpchannels.create");
    }
    PyObject *index = PyNumber_Index(res);
    int64_t cid = index != NULL ? PyLong_AsLongLong(index) : -1;
    Py_XDECREF(index);
    if (cid < 0) {
        xs_fail_py("_interpchannels.create returned no channel ID");
    }
    ch_channel *c = new_channel_record(cid);
    c->idobj = res;
    return c;
}

/* A call on channel c that must return None. */
static void
call_none(ch_mod *m, ch_channel *c, const char *name, PyObject *kwargs,
          const char *who)
{
    PyObject *fn = attr(m->mod, name);
    PyObject *args = Py_BuildValue("(L)", (long long)c->cid);
    PyObject *res = args != NULL ? PyObject_Call(fn, args, kwargs) : NULL;
    Py_XDECREF(args);
    Py_DECREF(fn);
    if (res == NULL) {
        char buf[256];
        PyObject *exc = PyErr_GetRaisedException();
        xs_fail("%s: %s(%lld%s) raised %s", who, name, (long long)c->cid,
                kwargs != NULL ? ", force=True" : "",
                xs_exc_text(exc, buf, sizeof(buf)));
    }
    if (res != Py_None) {
        xs_fail("%s: %s(%lld) returned a %s, not None", who, name,
                (long long)c->cid, Py_TYPE(res)->tp_name);
    }
    Py_DECREF(res);
}

/* Check what recv() returned, or raised (exc), from channel c; `last` is
 * the reader's xs_fifo record of c. */
static void
check_recv(const char *who, ch_mod *m, ch_channel *c, PyObject *res, PyObject *exc,
           int64_t *last)
{
    char buf[512];
    if (res != NULL || !(xs_is_exactly(exc, m->closed) || xs_is_exactly(exc, m->not_found))) {
        /* Past the lookup: this interpreter's recv end is open. */
        __atomic_store_n(&c->recv_bound, 1, __ATOMIC_SEQ_CST);
    }
    if (res == NULL) {
        if (xs_is_exactly(exc, m->empty)) {
            __atomic_fetch_add(&ch.empties, 1, __ATOMIC_RELAXED);
        }
        else if (is_gone(m, exc, c)) {
            /* replaced under us */
        }
        else if (xs_is_exactly(exc, PyExc_InterpreterNotFoundError)) {
            xs_fail("%s: recv(%lld) raised InterpreterNotFoundError: it lost "
                    "the item it popped (its sender's interpreter finished "
                    "ending before the release)", who, (long long)c->cid);
        }
        else {
            xs_fail("%s: recv(%lld) (%s) raised %s", who, (long long)c->cid,
                    channel_state(c),
                    xs_exc_text(exc, buf, sizeof(buf)));
        }
        Py_XDECREF(exc);
        return;
    }
    PyObject *item, *unbound;
    if (!PyTuple_CheckExact(res) || !PyArg_ParseTuple(res, "OO", &item, &unbound)) {
        PyErr_Clear();
        xs_fail("%s: recv(%lld) returned a %s, not (obj, unboundop)", who,
                (long long)c->cid, Py_TYPE(res)->tp_name);
    }
    if (unbound != Py_None) {
        long op = PyLong_Check(unbound) ? PyLong_AsLong(unbound) : -1;
        if (item != Py_None || (op != XS_OP_ERROR && op != XS_OP_REPLACE)) {
            xs_fail("%s: recv(%lld) returned (%s, %s): an unbound item is "
                    "(None, UNBOUND_ERROR or UNBOUND_REPLACE)", who,
                    (long long)c->cid, Py_TYPE(item)->tp_name,
                    PyLong_Check(unbound) ? "an op" : Py_TYPE(unbound)->tp_name);
        }
        long out = __atomic_add_fetch(&c->gets_unbound[op], 1,
                                      __ATOMIC_SEQ_CST);
        long could = __atomic_load_n(&c->orphanable[op], __ATOMIC_SEQ_CST);
        if (out > could) {
            xs_fail("%s: recv(%lld) returned (None, %ld): %ld item(s) with "
                    "that op have come out unbound, but the senders whose "
                    "interpreter had begun to end sent only %ld with it",
                    who, (long long)c->cid, op, out, could);
        }
        Py_DECREF(res);
        xs_progress_add(1);
        __atomic_fetch_add(&ch.events, 1, __ATOMIC_RELAXED);
        return;
    }
    long tag;
    PyObject *obj;
    if (!PyTuple_CheckExact(item) || !PyArg_ParseTuple(item, "lO", &tag, &obj)) {
        PyErr_Clear();
        xs_fail("%s: recv(%lld) returned a %s, not a (tag, obj) item", who,
                (long long)c->cid, Py_TYPE(item)->tp_name);
    }
    int owner;
    int64_t seq;
    xs_entry *e = xs_log_find(ch.logs, ch.nsenders, tag, &owner, &seq);
    if (e == NULL) {
        xs_fail("%s: recv(%lld) returned tag %ld, which names no item sent",
                who, (long long)c->cid, tag);
    }
    int state = __atomic_load_n(&e->state, __ATOMIC_SEQ_CST);
    if (e->box != c->cid) {
        xs_fail("%s: recv(%lld) returned item %d/%lld, which was sent into "
                "channel %lld", who, (long long)c->cid, owner, (long long)seq,
                (long long)e->box);
    }
    if (state == XS_ENTRY_REFUSED) {
        xs_fail("%s: recv(%lld) returned item %d/%lld, whose send() failed "
                "(a send that timed out takes its item back)", who,
                (long long)c->cid, owner, (long long)seq);
    }
    if (seq <= last[owner]) {
        xs_fail("%s: item %d/%lld came out of channel %lld after item "
                "%d/%lld, which its sender sent later", who, owner,
                (long long)seq, (long long)c->cid, owner, (long long)last[owner]);
    }
    last[owner] = seq;
    PyObject *bytes = xs_life_bytes(owner, e->life->index);
    PyObject *str = xs_life_str(owner, e->life->index);
    PyObject *want = xs_life_item(owner, e->life->index, seq, e->kind, bytes, str);
    if (!xf_compare(want, obj, buf, sizeof(buf))) {
        xs_fail("%s: item %d/%ld/%lld (kind %d) came out of channel %lld "
                "changed: %s", who, owner, e->life->index, (long long)seq,
                e->kind, (long long)c->cid, buf);
    }
    Py_DECREF(want);
    Py_DECREF(bytes);
    Py_DECREF(str);
    if (__atomic_exchange_n(&e->seen, 1, __ATOMIC_SEQ_CST)) {
        xs_fail("%s: item %d/%ld/%lld came out of channel %lld a second time",
                who, owner, e->life->index, (long long)seq, (long long)c->cid);
    }
    __atomic_fetch_add(&c->gets_obj, 1, __ATOMIC_RELAXED);
    Py_DECREF(res);
    xs_progress_add(1);
    __atomic_fetch_add(&ch.events, 1, __ATOMIC_RELAXED);
}

/* ---- senders ------------------------------------------------------------- */

static void
send_one(int self, xs_life_rec *life, ch_mod *m, xs_rng *rng,
         PyObject *bytes, PyObject *str)
{
    ch_sender *p = &ch.senders[self];
    int64_t seq;
    xs_entry *e = xs_log_new_entry(&ch.logs[self], &seq);
    ch_channel *c = slot_channel((int)xs_rng_below(rng, CH_NSLOTS));
    e->life = life;
    e->box = c->cid;
    e->kind = (int)xs_rng_below(rng, XS_N_KINDS);
    e->op = XS_OP_REMOVE + (int)xs_rng_below(rng, 3);
    /* 1 in 8 waits for a receiver. */
    int wait = xs_rng_below(rng, 8) == 0 ? 1 + (int)xs_rng_below(rng, CH_NWAITS) : 0;
    PyObject *obj = xs_life_item(self, life->index, seq, e->kind, bytes, str);
    /* What is shared is the (tag, obj) tuple: that is what an item
     * orphaned by its sender's end leaks, and what obj_at keeps
     * reachable. */
    PyObject *item = Py_BuildValue("(lO)", xs_tag(self, seq), obj);
    Py_DECREF(obj);
    if (item == NULL) {
        xs_fail_py("the item");
    }
    e->obj_at = item;
    PyObject *args = Py_BuildValue("(LOi)", (long long)c->cid, item, e->op);
    Py_DECREF(item);
    if (args == NULL) {
        xs_fail_py("send arguments");
    }
    PyObject *res = PyObject_Call(m->send, args,
                                  wait ? m->kw_wait[wait - 1] : m->kw_nowait);
    Py_DECREF(args);
    if (res != NULL) {
        if (res != Py_None) {
            xs_fail("sender %d: send(%lld) returned a %s, not None", self,
                    (long long)c->cid, Py_TYPE(res)->tp_name);
        }
        Py_DECREF(res);
        __atomic_store_n(&e->state, XS_ENTRY_DONE, __ATOMIC_SEQ_CST);
        p->sent++;
        p->waited += wait != 0;
        return;
    }
    PyObject *exc = PyErr_GetRaisedException();
    __atomic_store_n(&e->state, XS_ENTRY_REFUSED, __ATOMIC_SEQ_CST);
    if (is_gone(m, exc, c)) {
        if (xs_is_exactly(exc, m->not_found)) {
            p->not_found++;
        }
        else {
            p->closed++;
        }
    }
    else if (wait && xs_is_exactly(exc, PyExc_TimeoutError)) {
        p->timed_out++;
    }
    else {
        char buf[512];
        xs_fail("sender %d: send(%lld, %s) (%s) raised %s", self,
                (long long)c->cid, wait ? "waiting" : "blocking=False",
                __atomic_load_n(&c->replacing, __ATOMIC_SEQ_CST)
                    ? "being replaced"
                    : __atomic_load_n(&c->recv_bound, __ATOMIC_SEQ_CST)
                    ? "not replaced, a receiver bound" : "not replaced",
                xs_exc_text(exc, buf, sizeof(buf)));
    }
    Py_DECREF(exc);
}

static void
sender_life(int self, xs_rng *rng, PyThreadState *home, long index)
{
    xs_entry_log *log = &ch.logs[self];
    /* As in lifecycle and queues: under ThreadSanitizer one sender at a
     * time makes or ends its interpreter (CPython 3.13 races when several
     * are set up or torn down at once, outside the xid core and the
     * module; stress.c).  The sends, recvs, closes and destroys of the
     * other threads stay concurrent with every end, which is the race
     * under test. */
    xs_create_end_lock();
    PyThreadState *tstate = xs_begin_life(home);
    ch_mod m;
#ifdef XS_TSAN
    /* The import too, under the same lock: an import runs module code
     * (the extension's types are readied) while another interpreter may
     * be being made, which races on the runtime-global version tag
     * counter of static types (Objects/typeobject.c, assign_version_tag),
     * outside the xid core and the module (queues.c says the same). */
    load_module(&m);
#endif
    xs_create_end_unlock();
#ifndef XS_TSAN
    load_module(&m);
#endif
    xs_life_rec *life = xs_log_new_life(log, self, index);
    life->interpid = PyInterpreterState_GetID(tstate->interp);
    int64_t first = log->n;     /* this life's entries: first .. log->n */

    PyObject *bytes = xs_life_bytes(self, index);
    PyObject *str = xs_life_str(self, index);
    life->bytes_at = bytes;
    life->str_at = str;
    int nitems = 1 + (int)xs_rng_below(rng, (uint32_t)xs_params_g.window);
    for (int k = 0; k < nitems && log->n < XS_SEQ_MAX; k++) {
        send_one(self, life, &m, rng, bytes, str);
        xs_pace_owner(rng, tstate);
    }
    Py_DECREF(bytes);
    Py_DECREF(str);
    unload_module(&m);
    __atomic_fetch_add(&ch.events, 1, __ATOMIC_RELAXED);

    /* What it sent may come out unbound from now on (check_recv()). */
    for (int64_t seq = first; seq < log->n; seq++) {
        xs_entry *e = xs_log_entry_at(log, seq);
        __atomic_fetch_add(&channel_record(e->box)->orphanable[e->op], 1,
                           __ATOMIC_SEQ_CST);
    }
    /* End it now, whatever it sent that is still queued or being received. */
    xs_create_end_lock();
    xs_end_life(tstate, home, &life->state, NULL);
    xs_create_end_unlock();
    __atomic_fetch_add(&ch.events, 1, __ATOMIC_RELAXED);
}

/* ---- receivers ----------------------------------------------------------- */

/* Close a slot's channel (half the time, with force: its items go), and
 * destroy it while others may be sending to it or receiving from it; then
 * make a new one in its place, and drop the old ChannelID, in the main
 * interpreter (on this thread's own thread state there, *main_tstate,
 * made on first use), whose objects they are. */
static void
replace_channel(int self, ch_mod *m, int slot, int force,
                PyThreadState **main_tstate)
{
    char who[32];
    snprintf(who, sizeof(who), "receiver %d", self);
    ch_channel *old = slot_channel(slot);
    if (__atomic_exchange_n(&old->replacing, 1, __ATOMIC_SEQ_CST)) {
        return;     /* another receiver is replacing it */
    }
    if (force) {
        call_none(m, old, "close", m->kw_force, who);
        __atomic_fetch_add(&ch.closed_forced, 1, __ATOMIC_RELAXED);
    }
    call_none(m, old, "destroy", NULL, who);
    PyThreadState *here = PyEval_SaveThread();
    if (*main_tstate == NULL) {
        *main_tstate = xs_attach(ch.main_interp);
    }
    else {
        PyEval_RestoreThread(*main_tstate);
    }
    ch_channel *c = create_channel();
    Py_CLEAR(old->idobj);
    PyEval_SaveThread();
    PyEval_RestoreThread(here);
    pthread_mutex_lock(&ch.slots[slot].mu);
    ch.slots[slot].c = c;
    pthread_mutex_unlock(&ch.slots[slot].mu);
    __atomic_fetch_add(&ch.replaced, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&ch.events, 1, __ATOMIC_RELAXED);
}

static void
check_count(int self, ch_mod *m, ch_channel *c)
{
    PyObject *res = PyObject_CallMethod(m->mod, "get_count", "L", (long long)c->cid);
    if (res == NULL) {
        PyObject *exc = PyErr_GetRaisedException();
        if (!is_gone(m, exc, c)) {
            char buf[256];
            xs_fail("receiver %d: get_count(%lld) (%s) raised %s", self,
                    (long long)c->cid, channel_state(c),
                    xs_exc_text(exc, buf, sizeof(buf)));
        }
        Py_DECREF(exc);
        return;
    }
    long long count = PyLong_AsLongLong(res);
    if (count < 0) {
        xs_fail("receiver %d: get_count(%lld) is %lld", self, (long long)c->cid,
                count);
    }
    Py_DECREF(res);
    __atomic_fetch_add(&ch.counts_checked, 1, __ATOMIC_RELAXED);
}

static void
receiver_main(int self, xs_rng *rng)
{
    int home = self % ch.ninterps;
    ch_mod *m = &ch.interp_mods[home];
    PyThreadState *tstate = xs_attach(ch.interps[home]);
    PyThreadState *main_tstate = NULL;
    char who[32];
    snprintf(who, sizeof(who), "receiver %d", self);
    long seen = -1;
    double last_event = xs_now_seconds();
    xs_fifo fifo[CH_NSLOTS];
    for (int s = 0; s < CH_NSLOTS; s++) {
        fifo[s].box = -1;
    }
    while (xs_owners_done() < ch.nsenders) {
        /* Slot 2 is read rarely: items pile up there, and their
         * interpreters end under them (unbound ops). */
        uint32_t pick = xs_rng_below(rng, 64);
        int slot = pick < 54 ? 0 : pick < 62 ? 1 : 2;
        uint32_t what = xs_rng_below(rng, 512);
        if (what == 0) {
            replace_channel(self, m, slot, (int)xs_rng_below(rng, 2), &main_tstate);
        }
        else if (what < 9) {
            check_count(self, m, slot_channel(slot));
        }
        else {
            ch_channel *c = slot_channel(slot);
            PyObject *res = PyObject_CallFunction(m->recv, "L", (long long)c->cid);
            PyObject *exc = res == NULL ? PyErr_GetRaisedException() : NULL;
            int empty = xs_is_exactly(exc, m->empty);
            check_recv(who, m, c, res, exc, xs_fifo_for(&fifo[slot], c->cid));
            if (empty) {
                PyEval_SaveThread();
                xs_pause_briefly();
                PyEval_RestoreThread(tstate);
            }
        }
        if (xs_rng_below(rng, 16) == 0) {
            xs_run_pending(tstate);
        }
        long events = __atomic_load_n(&ch.events, __ATOMIC_RELAXED);
        if (events != seen) {
            seen = events;
            last_event = xs_now_seconds();
        }
        else if (xs_now_seconds() - last_event > XS_STALL_SECONDS) {
            xs_fail("receiver %d stalled: %d of %d senders done", self,
                    xs_owners_done(), ch.nsenders);
        }
    }
    if (main_tstate != NULL) {
        PyEval_SaveThread();
        PyEval_RestoreThread(main_tstate);
        xs_detach(main_tstate);
        PyEval_RestoreThread(tstate);
    }
    xs_detach(tstate);
}

/* ---- the scenario ---------------------------------------------------------- */

/* From the main interpreter: receive what the channels still hold, then
 * destroy them. */
static void
drain_and_destroy(void)
{
    ch_mod *m = &ch.main_mod;
    for (int s = 0; s < CH_NSLOTS; s++) {
        ch_channel *c = ch.slots[s].c;
        xs_fifo fifo = {.box = -1};
        for (;;) {
            PyObject *res = PyObject_CallFunction(m->recv, "L", (long long)c->cid);
            PyObject *exc = res == NULL ? PyErr_GetRaisedException() : NULL;
            int empty = xs_is_exactly(exc, m->empty);
            int closed = xs_is_exactly(exc, m->closed);
            check_recv("main (final drain)", m, c, res, exc, xs_fifo_for(&fifo, c->cid));
            if (closed) {
                /* Closed by the module when its last user ended, before
                 * a receiver bound to it (check_recv() checked that). */
                c->auto_closed = 1;
                break;
            }
            if (empty) {
                break;
            }
        }
        c->replacing = 1;
        if (c->auto_closed) {
            call_none(m, c, "destroy", NULL, "main (final drain)");
            Py_CLEAR(c->idobj);
            continue;
        }
        /* Nobody else runs now: empty means a count of 0. */
        PyObject *count = PyObject_CallMethod(m->mod, "get_count", "L",
                                              (long long)c->cid);
        if (count == NULL) {
            xs_fail_py("get_count after the final drain");
        }
        if (PyLong_AsLongLong(count) != 0) {
            xs_fail("channel %lld: recv() raised ChannelEmptyError but "
                    "get_count() is %lld", (long long)c->cid,
                    PyLong_AsLongLong(count));
        }
        Py_DECREF(count);
        c->final = 1;
        call_none(m, c, "destroy", NULL, "main (final drain)");
        Py_CLEAR(c->idobj);
    }
}

static void
ch_check(void)
{
    long sent = 0, got = 0, unbound = 0, removed = 0, in_replaced = 0, in_closed = 0;
    long auto_closed = 0;
    long refused = 0, timed_out = 0, waited = 0, lives = 0;
    int64_t nc = xs_table_size(&ch.channels);
    /* Per channel and op: items sent that never came out whole. */
    long (*missing)[XS_OP_COUNT] = calloc((size_t)nc + 1, sizeof(*missing));
    if (missing == NULL) {
        xs_fail("out of memory");
    }
    for (int o = 0; o < ch.nsenders; o++) {
        ch_sender *p = &ch.senders[o];
        xs_entry_log *log = &ch.logs[o];
        for (xs_life_rec *life = log->lives; life != NULL; life = life->next) {
            if (life->state != XS_LIFE_ENDED) {
                xs_fail("sender %d's interpreter %lld never ended", o,
                        (long long)life->interpid);
            }
            lives++;
        }
        for (int64_t seq = 0; seq < log->n; seq++) {
            xs_entry *e = xs_log_entry_at(log, seq);
            if (e->state == XS_ENTRY_PENDING) {
                xs_fail("item %d/%lld: send() never returned", o, (long long)seq);
            }
            if (e->state == XS_ENTRY_REFUSED) {
                continue;
            }
            sent++;
            if (e->seen) {
                got++;
            }
            else {
                missing[e->box][e->op]++;
            }
        }
        refused += p->not_found + p->closed + p->timed_out;
        timed_out += p->timed_out;
        waited += p->waited;
    }
    for (int64_t cid = 0; cid < nc; cid++) {
        ch_channel *c = channel_record(cid);
        if (c == NULL) {
            continue;
        }
        long unexplained = 0;
        for (int op = XS_OP_ERROR; op <= XS_OP_REPLACE; op++) {
            long out = c->gets_unbound[op];
            if (out > missing[cid][op]) {
                xs_fail("channel %lld: %ld item(s) came out unbound with op %d, "
                        "but only %ld sent with that op never came out whole",
                        (long long)cid, out, op, missing[cid][op]);
            }
            unbound += out;
            unexplained += missing[cid][op] - out;
        }
        if (c->final) {
            /* Drained to empty: every ERROR or REPLACE item that never
             * came out whole (its sender ended) came out unbound; REMOVE
             * items went with their interpreter. */
            if (unexplained > 0) {
                xs_fail("channel %lld: %ld item(s) sent with UNBOUND_ERROR or "
                        "UNBOUND_REPLACE never came out (whole or unbound)",
                        (long long)cid, unexplained);
            }
            removed += missing[cid][XS_OP_REMOVE];
        }
        else if (c->auto_closed) {
            in_closed += missing[cid][XS_OP_REMOVE] + unexplained;
            auto_closed++;
        }
        else {
            in_replaced += missing[cid][XS_OP_REMOVE] + unexplained;
        }
    }
    free(missing);
    xs_check_no_pending("receiver", ch.interps, ch.ninterps, ch.main_interp);
    printf("channels: %ld sender interpreters lived and ended; %ld items sent "
           "(%ld waited for a receiver; %ld refused: %ld timed out, the rest "
           "in channels being replaced); %ld received whole, %ld unbound, "
           "%ld removed with their interpreter, %ld in replaced channels, "
           "%ld in channels the module closed (%ld at the end); %ld channels "
           "replaced (%ld closed with force first), %ld counts checked, %ld "
           "empty recvs\n",
           lives, sent, waited, refused, timed_out, got, unbound, removed,
           in_replaced, in_closed, auto_closed, ch.replaced,
           ch.closed_forced, ch.counts_checked, ch.empties);
}

int
xs_channels(void)
{
    xs_lives_sizes("senders", "receivers", &ch.nsenders, &ch.nreceivers,
                   &ch.ninterps);
    xs_table_init(&ch.channels);
    for (int i = 0; i < ch.nsenders; i++) {
        xs_log_init(&ch.logs[i]);
    }
    ch.main_interp = PyInterpreterState_Get();
    PyThreadState *main_tstate = PyThreadState_Get();
    /* The main interpreter holds the module for the whole run: its
     * process-global state (every channel) lives while one interpreter has
     * it imported. */
    load_module(&ch.main_mod);
    for (int i = 0; i < ch.ninterps; i++) {
        ch.interps[i] = xs_new_interp();
        PyThreadState *prev = xs_switch_to(ch.interps[i]);
        load_module(&ch.interp_mods[i]);
        xs_switch_back(prev);
    }
    for (int s = 0; s < CH_NSLOTS; s++) {
        pthread_mutex_init(&ch.slots[s].mu, NULL);
        ch.slots[s].c = create_channel();
    }
    xs_run_lives(ch.nsenders, sender_life, ch.nreceivers, receiver_main);
    xs_run_pending(main_tstate);
    drain_and_destroy();
    ch_check();
    for (int i = 0; i < ch.ninterps; i++) {
        PyThreadState *prev = xs_switch_to(ch.interps[i]);
        unload_module(&ch.interp_mods[i]);
        xs_switch_back(prev);
        xs_end_interp(ch.interps[i]);
    }
    unload_module(&ch.main_mod);
    return 0;
}
