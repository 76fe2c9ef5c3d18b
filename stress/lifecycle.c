/* lifecycle: interpreters end while their data is still out, with no safety
 * net.  --interps owner threads each live through --iterations own-GIL
 * interpreters, one after another: create one (from a thread state of the
 * main interpreter, as interpreters.create() does), share up to --window
 * items owned by it into the inboxes of consumer threads, run its pending
 * calls a few times, and end it (_PyXI_EndInterpreter) AT ONCE, whatever is
 * still queued, being rebuilt or being released.  --threads consumer
 * threads, on (threads + 1) / 2 consumer interpreters of their own (two
 * threads per interpreter share its GIL), pop items, rebuild them
 * (_PyCrossInterpreterData_NewObject), compare, and release them
 * (_PyCrossInterpreterData_Release or _ReleaseAndRawFree, chosen per item).
 *
 * What the harness waits for, and why -- only what the 3.13 API requires of
 * a caller (Python/crossinterp.c, Include/internal/pycore_crossinterp.h):
 *   - nothing before ending an owner.  The data names its owner by ID ("We
 *     use the ID rather than the PyInterpreterState to avoid issues with
 *     deleted interpreters ... IDs are never re-used"), and
 *     _xidata_release() looks the owner up and fails with
 *     InterpreterNotFoundError when it is gone: the core handles a gone
 *     owner, so the harness lets it go.
 *   - nothing before rebuilding.  _PyCrossInterpreterData_NewObject() only
 *     reads the data: int, float, None and bool are copies, and bytes and
 *     str read the buffer of the owner's object, which the data keeps alive
 *     by its own reference (data->obj) until it is released -- and an
 *     interpreter that ends with blocks still referenced keeps them
 *     (obmalloc.c, _PyInterpreterState_FinalizeAllocatedBlocks: "it is
 *     safer to not free and to leak"; without pymalloc they are malloc
 *     blocks nobody frees).  So rebuilding data whose owner ended, or is
 *     ending right now, is allowed, and done.
 *   - the one wait the API imposes: _PyCrossInterpreterData_Release() (not
 *     RawFree) from another interpreter hands the struct itself to a
 *     pending call of the owner, so the caller may free the struct only
 *     after that call ran.  Its only observable bound is the owner's end
 *     (Py_EndInterpreter runs the pending calls), so such structs wait in
 *     the consumer's deferred list until their owner has ended; the
 *     consumer then checks that the release was carried out (data and obj
 *     cleared) and frees them.  Nobody blocks on it.
 *
 * Oracles:
 *   - every item shared is received exactly once (count and sequence sum
 *     per owner) and rebuilds to exactly the object shared (objcmp.h: type,
 *     value, str kind), owner alive, ending or ended;
 *   - a release returns 0 with nothing raised, or -1 with exactly
 *     InterpreterNotFoundError; 0 is wrong once the owner had ended before
 *     the release started, -1 is wrong unless the owner had started ending
 *     by the time it returned; data with nothing to release (int, None,
 *     bool) is released at once, from anywhere, always with 0;
 *   - a plain release that returned 0 was carried out by the time its
 *     owner ended (data and obj of the struct cleared);
 *   - counts balance: received = shared, and every received item was
 *     released with 0 or refused as orphaned; no pending call left in the
 *     consumer interpreters or the main one; no sanitizer report (the data
 *     orphaned by an ended owner -- documented loss, crossinterp.c
 *     _xidata_release: "Someone leaked some memory" -- is kept reachable
 *     here so that LeakSanitizer reports only what the core really lost).
 *
 * XIDSTRESS_AVOID=1 puts a safety net back (see lc.avoid below), to look
 * past XF-022 (KNOWN_BUGS.md) on a core without its fix.
 */
#include "stress.h"
#include "check.h"                 // xf_keep()
#include "objcmp.h"

#include "pycore_crossinterp.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One owner interpreter's life, shared by its items (never freed before
 * the final check). */
typedef struct lc_life {
    struct lc_life *next;       /* the owner's lives, newest first */
    int owner;                  /* owner thread */
    long index;                 /* which of its lives */
    int64_t interpid;
    int state;                  /* XS_LIFE_*, atomic */
    long shared;
    pthread_rwlock_t ending;    /* XIDSTRESS_AVOID only (lc.avoid) */
} lc_life;

typedef struct lc_item {
    xs_item base;               /* owner, seq, data; linked in an inbox */
    struct lc_item *next;       /* in a consumer's held or deferred list */
    lc_life *life;
    int kind;
    int released_when;          /* the owner's XS_LIFE_* when a plain release returned */
    int hold;                   /* HOLD_*: how long a consumer keeps it */
    long ticks;                 /* HOLD_TICKS: passes left */
} lc_item;

/* How long a consumer holds an item before its last rebuild and release:
 * not at all, until its owner has ended (so that every run releases and
 * rebuilds orphaned data), or for a number of passes of its loop (so that
 * releases land at any point of the owner's end). */
enum { HOLD_NONE = 0, HOLD_UNTIL_ENDED, HOLD_TICKS };

typedef struct {
    long shared;
    long long seq_sum;
    long lives;
} lc_owner;

typedef struct {
    lc_item *deferred;          /* plain releases waiting for their owner's end */
    long ndeferred;
    lc_item *held;              /* received, not released yet */
    long received, rebuilt_orphan;
    long released_ok, released_empty, refused;
    long deferred_checked;
    long long seq_sum[XS_MAX_THREADS];
    long from_owner[XS_MAX_THREADS];
} lc_consumer;

static struct {
    int nowners, nconsumers, nconsumer_interps;
    PyInterpreterState *main_interp;
    PyInterpreterState *consumer_interps[XS_MAX_THREADS];
    xs_queue inboxes[XS_MAX_THREADS];   /* of lc_item */
    lc_owner owners[XS_MAX_THREADS];
    lc_consumer consumers[XS_MAX_THREADS];
    lc_life *lives[XS_MAX_THREADS];   /* per owner, newest first */
    long events;                      /* atomic: any progress, for stall detection */
    int avoid;
} lc;

/* XIDSTRESS_AVOID=1 (off by default): look past XF-022 (KNOWN_BUGS.md),
 * on a core without its fix -- a release that would race with its
 * owner's end waits until the owner has ended instead.  Consumers release
 * under a read lock of the owner's life while it is alive; the owner takes
 * the write lock to start ending.  This is the safety net the scenario
 * exists to do without: never on by default. */

/* Data orphaned by an ended owner: the struct (a plain release leaves it
 * to the caller) or a copy of it taken before a RawFree release (which
 * frees the struct).  Either keeps the lost buffer and the dead
 * interpreter's object reachable, for the life of the process. */
static struct {
    pthread_mutex_t mu;
    xf_kept kept;               /* _PyCrossInterpreterData pointers */
} orphanage = {PTHREAD_MUTEX_INITIALIZER, {NULL, 0, 0}};

static void
keep_orphan(_PyCrossInterpreterData *data)
{
    pthread_mutex_lock(&orphanage.mu);
    if (xf_keep(&orphanage.kept, &data, sizeof(data), 256) < 0) {
        xs_fail("out of memory keeping orphaned data");
    }
    pthread_mutex_unlock(&orphanage.mu);
}

/* ---- inboxes ------------------------------------------------------------ */

/* The oldest item of an inbox, or NULL: an inbox links the xs_item that
 * is the first member of each lc_item. */
static lc_item *
inbox_pop(xs_queue *q)
{
    return (lc_item *)xs_queue_pop(q, NULL);
}

/* ---- payloads --------------------------------------------------------------- */

/* The text of a life's payloads: names the owner and the life, 20..90
 * bytes; the str form adds a non-ASCII tail for two lives in three, so all
 * three str kinds travel. */
static void
payload_text(int owner, long life, char *buf, size_t size, int for_str)
{
    int n = snprintf(buf, size, "lifecycle-%d-%ld-", owner, life);
    int len = 20 + (int)((owner * 31 + life * 7) % 64);
    for (int i = n; i < len && i < (int)size - 8; i++) {
        buf[i] = (char)('a' + (owner + life + i) % 26);
    }
    buf[len] = '\0';
    if (for_str) {
        static const char *tails[] = {"", "\xc3\xa9\xce\xa9", "\xf0\x9f\x98\x80"};
        strcat(buf, tails[life % 3]);
    }
}

/* A life's payload as a str (for_str), or as a bytes object. */
static PyObject *
payload_object(int owner, long life, int for_str)
{
    char buf[128];
    payload_text(owner, life, buf, sizeof(buf), for_str);
    PyObject *obj = for_str ? PyUnicode_FromString(buf) : PyBytes_FromString(buf);
    if (obj == NULL) {
        xs_fail_py(for_str ? "PyUnicode_FromString" : "PyBytes_FromString");
    }
    return obj;
}

PyObject *
xs_life_bytes(int owner, long life)
{
    return payload_object(owner, life, 0);
}

PyObject *
xs_life_str(int owner, long life)
{
    return payload_object(owner, life, 1);
}

/* The object an item stands for, built in the current interpreter from
 * the given payloads (the owner's when sharing, fresh ones when checking). */
PyObject *
xs_life_item(int owner, long life, int64_t seq, int kind,
             PyObject *bytes, PyObject *str)
{
    PyObject *obj;
    switch (kind) {
    case XS_KIND_TUPLE:
        obj = Py_BuildValue("(ilLOO)", owner, life, (long long)seq, bytes, str);
        break;
    case XS_KIND_BYTES:
        obj = Py_NewRef(bytes);
        break;
    case XS_KIND_STR:
        obj = Py_NewRef(str);
        break;
    case XS_KIND_INT:
        obj = PyLong_FromLongLong((long long)seq * 1000003LL - owner);
        break;
    case XS_KIND_FLOAT:
        obj = PyFloat_FromDouble((double)seq / 8.0 + (double)life);
        break;
    case XS_KIND_NONE:
        obj = Py_NewRef(Py_None);
        break;
    case XS_KIND_BOOL:
        obj = PyBool_FromLong((long)(seq & 1));
        break;
    default:
        obj = Py_BuildValue("((O)(OLd))", bytes, str, (long long)seq,
                            -(double)seq / 4.0);
        break;
    }
    if (obj == NULL) {
        xs_fail_py("building an item");
    }
    return obj;
}

/* Data with something to release (crossinterp.c, _xidata_release): a
 * buffer with a free function, or an object.  Data of int, None or bool
 * holds neither and is released at once, from anywhere. */
static int
has_payload(const _PyCrossInterpreterData *data)
{
    return (data->data != NULL && data->free != NULL) || data->obj != NULL;
}

/* ---- owners ------------------------------------------------------------- */

static void
owner_share(int self, lc_life *life, xs_rng *rng, PyObject *bytes, PyObject *str)
{
    lc_owner *o = &lc.owners[self];
    lc_item *item = malloc(sizeof(*item));
    if (item == NULL) {
        xs_fail("out of memory");
    }
    item->life = life;
    item->base.owner = life->owner;
    item->base.seq = o->shared;
    item->kind = (int)xs_rng_below(rng, XS_N_KINDS);
    PyObject *obj = xs_life_item(life->owner, life->index, item->base.seq,
                                 item->kind, bytes, str);
    item->base.data = _PyCrossInterpreterData_New();
    if (item->base.data == NULL) {
        xs_fail_py("_PyCrossInterpreterData_New");
    }
    if (_PyObject_GetCrossInterpreterData(obj, item->base.data) < 0) {
        xs_fail_py("_PyObject_GetCrossInterpreterData");
    }
    Py_DECREF(obj);
    if (_PyCrossInterpreterData_INTERPID(item->base.data) != life->interpid) {
        xs_fail("owner %d: data names interpreter %lld as its owner, not %lld",
                self,
                (long long)_PyCrossInterpreterData_INTERPID(item->base.data),
                (long long)life->interpid);
    }
    o->shared++;
    o->seq_sum += item->base.seq;
    life->shared++;
    int dest = (int)xs_rng_below(rng, (uint32_t)lc.nconsumers);
    xs_queue_push(&lc.inboxes[dest], &item->base);
}

/* One owner interpreter: create, share, end -- at once. */
static void
owner_life(int self, xs_rng *rng, PyThreadState *home, long index)
{
    lc_life *life = calloc(1, sizeof(*life));
    if (life == NULL) {
        xs_fail("out of memory");
    }
    life->owner = self;
    life->index = index;
    pthread_rwlock_init(&life->ending, NULL);
    /* Under ThreadSanitizer one owner at a time makes or ends its
     * interpreter (stress.c says why); the consumers' rebuilds and
     * releases stay concurrent with every end, which is the race under
     * test. */
    xs_create_end_lock();
    PyThreadState *tstate = xs_begin_life(home);
    xs_create_end_unlock();
    life->interpid = PyInterpreterState_GetID(tstate->interp);
    life->next = lc.lives[self];
    lc.lives[self] = life;              /* read only by the final check */

    PyObject *bytes = xs_life_bytes(self, index);
    PyObject *str = xs_life_str(self, index);
    int nitems = 1 + (int)xs_rng_below(rng, (uint32_t)xs_params_g.window);
    for (int k = 0; k < nitems; k++) {
        owner_share(self, life, rng, bytes, str);
        xs_pace_owner(rng, tstate);
    }
    if (xs_rng_below(rng, 2)) {
        xs_run_pending(tstate);
    }
    /* The data keeps its own references to the payloads. */
    Py_DECREF(bytes);
    Py_DECREF(str);
    __atomic_fetch_add(&lc.events, 1, __ATOMIC_RELAXED);

    /* End it now, whatever is queued, rebuilt or being released. */
    xs_create_end_lock();
    xs_end_life(tstate, home, &life->state, lc.avoid ? &life->ending : NULL);
    xs_create_end_unlock();
    lc.owners[self].lives++;
    __atomic_fetch_add(&lc.events, 1, __ATOMIC_RELAXED);
}

/* ---- consumers ------------------------------------------------------------ */

static void
check_rebuilt(int self, const lc_item *item, PyObject *got)
{
    const lc_life *life = item->life;
    PyObject *bytes = xs_life_bytes(life->owner, life->index);
    PyObject *str = xs_life_str(life->owner, life->index);
    PyObject *want = xs_life_item(life->owner, life->index, item->base.seq,
                                  item->kind, bytes, str);
    char why[256];
    if (!xf_compare(want, got, why, sizeof(why))) {
        xs_fail("consumer %d: item %d/%ld/%lld (kind %d) rebuilt wrong: %s",
                self, life->owner, life->index, (long long)item->base.seq,
                item->kind, why);
    }
    Py_DECREF(want);
    Py_DECREF(bytes);
    Py_DECREF(str);
}

/* A plain release that returned 0 hands the struct to a pending call of
 * the owner: free it only once the owner has ended (which runs its
 * pending calls), after checking that the call cleared it. */
static const char *
state_name(int state)
{
    return state == XS_LIFE_ALIVE ? "alive" : state == XS_LIFE_ENDING ? "ending" : "ended";
}

static void
sweep_deferred(int self, int all)
{
    lc_consumer *c = &lc.consumers[self];
    lc_item **link = &c->deferred;
    while (*link != NULL) {
        lc_item *item = *link;
        int state = __atomic_load_n(&item->life->state, __ATOMIC_SEQ_CST);
        if (state != XS_LIFE_ENDED) {
            if (all) {
                xs_fail("consumer %d: owner %d/%ld never ended", self,
                        item->life->owner, item->life->index);
            }
            link = &item->next;
            continue;
        }
        _PyCrossInterpreterData *data = item->base.data;
        if (data->data != NULL || data->obj != NULL) {
            xs_fail("consumer %d: item %d/%ld/%lld (kind %d): its "
                    "_PyCrossInterpreterData_Release returned 0 (owner "
                    "interpreter %lld still %s when it returned) but was "
                    "never carried out: after the owner ended the data still "
                    "holds data=%p obj=%p",
                    self, item->life->owner, item->life->index,
                    (long long)item->base.seq, item->kind,
                    (long long)item->life->interpid,
                    state_name(item->released_when), data->data,
                    (void *)data->obj);
        }
        PyMem_RawFree(data);
        *link = item->next;
        free(item);
        c->ndeferred--;
        c->deferred_checked++;
    }
}

static void
consumer_release(int self, lc_item *item, xs_rng *rng)
{
    lc_consumer *c = &lc.consumers[self];
    _PyCrossInterpreterData *data = item->base.data;
    int rawfree = (int)xs_rng_below(rng, 2);
    int payload = has_payload(data);
    /* A copy of the struct, kept only if the release turns out to be
     * refused (RawFree frees the struct either way). */
    _PyCrossInterpreterData copy = *data;
    int locked = 0;
    if (lc.avoid) {
        pthread_rwlock_rdlock(&item->life->ending);
        locked = 1;
        if (__atomic_load_n(&item->life->state, __ATOMIC_SEQ_CST) != XS_LIFE_ALIVE) {
            pthread_rwlock_unlock(&item->life->ending);
            locked = 0;
            PyThreadState *tstate = PyEval_SaveThread();
            while (__atomic_load_n(&item->life->state, __ATOMIC_SEQ_CST) != XS_LIFE_ENDED) {
                sched_yield();
            }
            PyEval_RestoreThread(tstate);
        }
    }
    int before = __atomic_load_n(&item->life->state, __ATOMIC_SEQ_CST);
    int rc = rawfree ? _PyCrossInterpreterData_ReleaseAndRawFree(data)
                     : _PyCrossInterpreterData_Release(data);
    if (locked) {
        pthread_rwlock_unlock(&item->life->ending);
    }
    PyObject *exc = PyErr_GetRaisedException();
    int after = __atomic_load_n(&item->life->state, __ATOMIC_SEQ_CST);
    const char *how = rawfree ? "_PyCrossInterpreterData_ReleaseAndRawFree"
                              : "_PyCrossInterpreterData_Release";
    if (rc == 0 && exc == NULL) {
        if (payload && before == XS_LIFE_ENDED) {
            xs_fail("consumer %d: %s of item %d/%ld/%lld (kind %d) returned 0 "
                    "although its owner interpreter %lld had ended",
                    self, how, item->life->owner, item->life->index,
                    (long long)item->base.seq, item->kind,
                    (long long)item->life->interpid);
        }
        if (!payload) {
            c->released_empty++;
        }
        else {
            c->released_ok++;
        }
        if (rawfree) {
            free(item);
        }
        else if (!payload) {
            PyMem_RawFree(data);
            free(item);
        }
        else {
            item->released_when = after;
            item->next = c->deferred;
            c->deferred = item;
            c->ndeferred++;
        }
        return;
    }
    if (rc == -1 && exc != NULL
            && Py_TYPE(exc) == (PyTypeObject *)PyExc_InterpreterNotFoundError
            && payload && after != XS_LIFE_ALIVE) {
        Py_DECREF(exc);
        c->refused++;
        if (rawfree) {
            _PyCrossInterpreterData *kept = malloc(sizeof(*kept));
            if (kept == NULL) {
                xs_fail("out of memory");
            }
            *kept = copy;
            keep_orphan(kept);
        }
        else {
            keep_orphan(data);
        }
        free(item);
        return;
    }
    char text[512];
    xs_fail("consumer %d: %s of item %d/%ld/%lld (kind %d%s) returned %d with "
            "%s; owner interpreter %lld was %s before and %s after "
            "(expected 0, or -1 with InterpreterNotFoundError once the owner "
            "is ending)", self, how, item->life->owner, item->life->index,
            (long long)item->base.seq, item->kind,
            payload ? "" : ", nothing to release", rc,
            xs_exc_text(exc, text, sizeof(text)),
            (long long)item->life->interpid, state_name(before), state_name(after));
}

/* Rebuild an item 0, 1 or 2 times, and check each copy. */
static void
consumer_rebuild(int self, lc_item *item, xs_rng *rng)
{
    lc_consumer *c = &lc.consumers[self];
    int rebuilds = (int)xs_rng_below(rng, 3);
    for (int r = 0; r < rebuilds; r++) {
        int before = __atomic_load_n(&item->life->state, __ATOMIC_SEQ_CST);
        PyObject *got = _PyCrossInterpreterData_NewObject(item->base.data);
        if (got == NULL) {
            xs_fail_py("_PyCrossInterpreterData_NewObject");
        }
        check_rebuilt(self, item, got);
        Py_DECREF(got);
        if (before == XS_LIFE_ENDED) {
            c->rebuilt_orphan++;
        }
    }
}

/* The last rebuilds and the release of a received item. */
static void
consumer_finish(int self, lc_item *item, xs_rng *rng)
{
    consumer_rebuild(self, item, rng);
    consumer_release(self, item, rng);
    xs_progress_add(1);
    __atomic_fetch_add(&lc.events, 1, __ATOMIC_RELAXED);
}

static void
consumer_receive(int self, lc_item *item, xs_rng *rng)
{
    lc_consumer *c = &lc.consumers[self];
    int owner = item->life->owner;
    c->received++;
    c->from_owner[owner]++;
    c->seq_sum[owner] += item->base.seq;
    switch (xs_rng_below(rng, 4)) {
    case 0:
    case 1:
        item->hold = HOLD_NONE;
        consumer_finish(self, item, rng);
        return;
    case 2:
        item->hold = HOLD_UNTIL_ENDED;
        break;
    default:
        item->hold = HOLD_TICKS;
        item->ticks = 1 + (long)xs_rng_below(rng, 64);
        break;
    }
    consumer_rebuild(self, item, rng);
    item->next = c->held;
    c->held = item;
}

/* One pass over the held items: finish those whose time has come (all of
 * them at the end). */
static void
consumer_tick(int self, xs_rng *rng, int all)
{
    lc_consumer *c = &lc.consumers[self];
    lc_item **link = &c->held;
    while (*link != NULL) {
        lc_item *item = *link;
        int due = all
            || (item->hold == HOLD_UNTIL_ENDED
                && __atomic_load_n(&item->life->state, __ATOMIC_SEQ_CST) == XS_LIFE_ENDED)
            || (item->hold == HOLD_TICKS && --item->ticks <= 0);
        if (!due) {
            link = &item->next;
            continue;
        }
        *link = item->next;
        consumer_finish(self, item, rng);
    }
}

static void
consumer_main(int self, xs_rng *rng)
{
    xs_queue *inbox = &lc.inboxes[self];
    lc_consumer *c = &lc.consumers[self];
    PyThreadState *tstate = xs_attach(lc.consumer_interps[self % lc.nconsumer_interps]);
    long idles = 0, seen = -1;
    for (;;) {
        int done = xs_owners_done() == lc.nowners;
        lc_item *item = inbox_pop(inbox);
        if (item != NULL) {
            consumer_receive(self, item, rng);
        }
        consumer_tick(self, rng, 0);
        if (c->ndeferred > 64) {
            sweep_deferred(self, 0);
        }
        if (item != NULL) {
            idles = 0;
            continue;
        }
        if (done) {
            /* Every owner had finished (so pushed everything, and ended
             * every interpreter) before the inbox was found empty. */
            break;
        }
        xs_run_pending(tstate);
        long events = __atomic_load_n(&lc.events, __ATOMIC_RELAXED);
        if (events != seen) {
            seen = events;
            idles = 0;
        }
        else if (++idles > XS_STALL_IDLES) {
            xs_fail("consumer %d stalled: %d of %d owners done", self,
                    xs_owners_done(), lc.nowners);
        }
        xs_idle(tstate, &inbox->mu, &inbox->cond);
    }
    consumer_tick(self, rng, 1);
    sweep_deferred(self, 1);
    xs_detach(tstate);
}

/* ---- the scenario ---------------------------------------------------------- */

static void
lc_check(void)
{
    long received = 0, shared = 0, refused = 0, ok = 0, empty = 0;
    long orphan_rebuilds = 0, deferred = 0, lives = 0;
    for (int i = 0; i < lc.nconsumers; i++) {
        lc_consumer *c = &lc.consumers[i];
        if (xs_queue_length(&lc.inboxes[i]) != 0) {
            xs_fail("%ld item(s) left in consumer %d's inbox",
                    xs_queue_length(&lc.inboxes[i]), i);
        }
        if (c->released_ok + c->released_empty + c->refused != c->received) {
            xs_fail("consumer %d received %ld items but released %ld (+%ld "
                    "with nothing to release) and had %ld refused", i,
                    c->received, c->released_ok, c->released_empty, c->refused);
        }
        received += c->received;
        refused += c->refused;
        ok += c->released_ok;
        empty += c->released_empty;
        orphan_rebuilds += c->rebuilt_orphan;
        deferred += c->deferred_checked;
    }
    for (int o = 0; o < lc.nowners; o++) {
        long got = 0;
        long long sum = 0;
        for (int i = 0; i < lc.nconsumers; i++) {
            got += lc.consumers[i].from_owner[o];
            sum += lc.consumers[i].seq_sum[o];
        }
        lc_owner *w = &lc.owners[o];
        long long want_sum = (long long)w->shared * (w->shared - 1) / 2;
        if (got != w->shared || sum != want_sum || w->seq_sum != want_sum) {
            xs_fail("owner %d shared %ld items, %ld received (sequence sum "
                    "%lld, want %lld)", o, w->shared, got, sum, want_sum);
        }
        for (lc_life *life = lc.lives[o]; life != NULL; life = life->next) {
            if (life->state != XS_LIFE_ENDED) {
                xs_fail("owner %d's interpreter %lld never ended", o,
                        (long long)life->interpid);
            }
        }
        shared += w->shared;
        lives += w->lives;
    }
    xs_check_no_pending("consumer", lc.consumer_interps, lc.nconsumer_interps,
                        lc.main_interp);
    printf("lifecycle: %ld owner interpreters lived and ended; %ld items shared "
           "and received; releases: %ld accepted (%ld plain ones checked "
           "carried out), %ld with nothing to release, %ld refused as "
           "orphaned (InterpreterNotFoundError); %ld rebuilt after their "
           "owner ended\n", lives, shared, ok, deferred, empty, refused,
           orphan_rebuilds);
    if (received != shared) {
        xs_fail("%ld items shared, %ld received", shared, received);
    }
}

int
xs_lifecycle(void)
{
    xs_lives_sizes("owners", "consumers", &lc.nowners, &lc.nconsumers,
                   &lc.nconsumer_interps);
    const char *avoid = getenv("XIDSTRESS_AVOID");
    lc.avoid = avoid != NULL && avoid[0] != '\0' && strcmp(avoid, "0") != 0;
    if (lc.avoid) {
        printf("lifecycle: XIDSTRESS_AVOID set: releases wait out their "
               "owner's end (a safety net; findings behind it stay hidden)\n");
    }
    lc.main_interp = PyInterpreterState_Get();
    for (int i = 0; i < lc.nconsumer_interps; i++) {
        lc.consumer_interps[i] = xs_new_interp();
    }
    for (int i = 0; i < lc.nconsumers; i++) {
        xs_queue_init(&lc.inboxes[i]);
    }
    xs_run_lives(lc.nowners, owner_life, lc.nconsumers, consumer_main);
    lc_check();
    for (int i = 0; i < lc.nconsumer_interps; i++) {
        xs_end_interp(lc.consumer_interps[i]);
    }
    return 0;
}
