/* churn: each worker lives through --iterations interpreter lifetimes.  In
 * each it creates an own-GIL interpreter (from a thread state of the main
 * interpreter, as interpreters.create() does), shares items owned by that
 * interpreter into one global queue, receives and releases whatever the
 * queue holds (items of other workers' interpreters, some of them
 * being ended right now), and then ends its interpreter while items it owns
 * are still queued, held by receivers, or waiting as pending releases.
 *
 * An interpreter must outlive the data it owns (the xid core looks the
 * owner up by id and queues the release there).  So, like CPython's own
 * queues do when an interpreter is destroyed, the ending worker first takes
 * back and releases its items still queued, then waits until no receiver
 * holds one and every release has run, and only then ends the interpreter.
 *
 * Invariants: every item is received or taken back exactly once, the queue
 * is empty at the end, every interpreter made is ended, no pending call is
 * left behind, and each payload's refcount is back where it started. */
#include "stress.h"

#include "pycore_crossinterp.h"

#include <stdlib.h>

typedef struct {
    long sent;
    long received;        /* by any worker */
    long taken_back;      /* by the owner, before ending its interpreter */
    long long seq_sum;    /* of items received or taken back */
    long held;            /* popped by a receiver, not yet released */
    long lifetimes;
} churn_worker;

static struct {
    xs_queue queue;
    churn_worker workers[XS_MAX_THREADS];
    PyInterpreterState *main_interp;
    long created;
    long ended;
} ch;

/* Under the queue's lock: the item's owner cannot finish ending its
 * interpreter until the receiver has released the item. */
static void
count_held(xs_item *item)
{
    __atomic_fetch_add(&ch.workers[item->owner].held, 1, __ATOMIC_SEQ_CST);
}

static void
release_item(xs_item *item)
{
    if (_PyCrossInterpreterData_ReleaseAndRawFree(item->data) < 0) {
        xs_fail_py("_PyCrossInterpreterData_ReleaseAndRawFree");
    }
    free(item);
}

static void
churn_receive(xs_item *item)
{
    churn_worker *owner = &ch.workers[item->owner];
    xs_check_item(item);
    __atomic_fetch_add(&owner->received, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&owner->seq_sum, item->seq, __ATOMIC_RELAXED);
    release_item(item);
    __atomic_fetch_sub(&owner->held, 1, __ATOMIC_SEQ_CST);
    xs_progress_add(1);
}

static void
churn_send(int self, PyObject *bytes, PyObject *str)
{
    churn_worker *w = &ch.workers[self];
    xs_item *item = xs_new_item(self, w->sent, bytes, str);
    w->sent++;
    xs_queue_push(&ch.queue, item);
}

/* Take back the items still queued, wait out the receivers and run the
 * releases, so that nothing this interpreter owns is left anywhere. */
static void
churn_reclaim(int self, PyThreadState *tstate, PyObject *bytes,
              Py_ssize_t base)
{
    churn_worker *w = &ch.workers[self];
    xs_item *item = xs_queue_take_owned(&ch.queue, self);
    while (item != NULL) {
        xs_item *next = item->next;
        w->taken_back++;
        __atomic_fetch_add(&w->seq_sum, item->seq, __ATOMIC_RELAXED);
        release_item(item);     /* in the owner: released at once */
        item = next;
    }
    long idles = 0;
    for (;;) {
        xs_run_pending(tstate);
        if (__atomic_load_n(&w->held, __ATOMIC_SEQ_CST) == 0
                && xs_npending(tstate->interp) == 0
                && Py_REFCNT(bytes) == base) {
            break;
        }
        if (++idles > XS_STALL_IDLES) {
            xs_fail("worker %d cannot end its interpreter: %ld item(s) held, "
                    "%zd unreleased, %d pending call(s)", self, w->held,
                    Py_REFCNT(bytes) - base, xs_npending(tstate->interp));
        }
        xs_idle(tstate, &ch.queue.mu, &ch.queue.cond);
    }
}

/* One interpreter's life: create, share and receive, reclaim, end. */
static void
churn_lifetime(int self, xs_rng *rng, PyThreadState *home)
{
    churn_worker *w = &ch.workers[self];
    /* Under ThreadSanitizer, interpreters are made and ended one at a
     * time (stress.c says why); the xid traffic around them stays
     * concurrent. */
    xs_create_end_lock();
    PyThreadState *tstate = xs_begin_life(home);
    xs_create_end_unlock();
    __atomic_fetch_add(&ch.created, 1, __ATOMIC_SEQ_CST);
    PyObject *bytes = xs_payload_bytes(self);
    PyObject *str = xs_payload_str(self);
    Py_ssize_t base = Py_REFCNT(bytes), str_base = Py_REFCNT(str);
    int rounds = 8 + (int)xs_rng_below(rng, 56);
    for (int r = 0; r < rounds; r++) {
        if (Py_REFCNT(bytes) - base < xs_params_g.window
                && xs_rng_below(rng, 3) != 0) {
            churn_send(self, bytes, str);
        }
        int receives = (int)xs_rng_below(rng, 3);
        for (int k = 0; k < receives; k++) {
            xs_item *item = xs_queue_pop(&ch.queue, count_held);
            if (item == NULL) {
                break;
            }
            churn_receive(item);
        }
        xs_run_pending(tstate);
    }
    churn_reclaim(self, tstate, bytes, base);
    if (Py_REFCNT(str) != str_base) {
        xs_fail("worker %d: str payload refcount %zd, started at %zd",
                self, Py_REFCNT(str), str_base);
    }
    Py_DECREF(bytes);
    Py_DECREF(str);
    /* Back on `home` (the main interpreter's GIL) once it is gone. */
    xs_create_end_lock();
    _PyXI_EndInterpreter(tstate->interp, tstate, &home);
    __atomic_fetch_add(&ch.ended, 1, __ATOMIC_SEQ_CST);
    w->lifetimes++;
    PyEval_SaveThread();
    xs_create_end_unlock();
}

static void *
churn_worker_main(void *arg)
{
    int self = (int)(intptr_t)arg;
    xs_rng rng;
    xs_rng_init(&rng, self);
    PyThreadState *home = xs_attach(ch.main_interp);
    PyEval_SaveThread();
    for (long i = 0; i < xs_params_g.iterations && !xs_should_stop(); i++) {
        churn_lifetime(self, &rng, home);
    }
    PyEval_RestoreThread(home);
    xs_detach(home);
    return NULL;
}

static void
churn_check(void)
{
    long total = 0;
    for (int i = 0; i < xs_params_g.threads; i++) {
        churn_worker *w = &ch.workers[i];
        long long want_sum = (long long)w->sent * (w->sent - 1) / 2;
        if (w->received + w->taken_back != w->sent || w->seq_sum != want_sum
                || w->held != 0) {
            xs_fail("worker %d sent %ld items; %ld received, %ld taken back, "
                    "%ld still held (sequence sum %lld, want %lld)",
                    i, w->sent, w->received, w->taken_back, w->held,
                    w->seq_sum, want_sum);
        }
        total += w->sent;
    }
    if (xs_queue_length(&ch.queue) != 0) {
        xs_fail("%ld item(s) left in the queue", xs_queue_length(&ch.queue));
    }
    if (ch.created != ch.ended) {
        xs_fail("%ld interpreters created, %ld ended", ch.created, ch.ended);
    }
    printf("churn: %ld interpreters created and ended, %ld items shared\n",
           ch.created, total);
}

int
xs_churn(void)
{
    /* --interps does not apply: each worker has one interpreter at a time. */
    xs_queue_init(&ch.queue);
    ch.main_interp = PyInterpreterState_Get();
    PyThreadState *main_tstate = PyEval_SaveThread();
    xs_run_workers(xs_params_g.threads, churn_worker_main);
    PyEval_RestoreThread(main_tstate);
    churn_check();
    if (xs_npending(ch.main_interp) != 0) {
        xs_fail("%d pending call(s) left in the main interpreter",
                xs_npending(ch.main_interp));
    }
    return 0;
}
