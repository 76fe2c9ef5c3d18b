/* pingpong: workers, each bound to an own-GIL interpreter (worker i to
 * interpreter i % interps), share items with each other through per-worker
 * inboxes.  The receiver rebuilds and releases each item, so the release
 * travels back to the owner's interpreter as a pending call, which the
 * owner's interpreter runs.
 *
 * Invariants: every item arrives exactly once with its contents intact
 * (counts and sequence sums per sender), no inbox holds anything at the
 * end, no pending call is left, and each payload's refcount is back where
 * it started. */
#include "stress.h"

#include "pycore_crossinterp.h"

#include <stdlib.h>

typedef struct {
    xs_queue inbox;
    long sent;
    long received_from;           /* items of this worker, received */
    long long seq_sum_received;   /* their sequence numbers, summed */
    Py_ssize_t base_refcount;     /* of the bytes payload, before sharing */
} pp_worker;

static struct {
    PyInterpreterState *interps[XS_MAX_INTERPS];
    pp_worker workers[XS_MAX_THREADS];
    long total_sent;
    long total_received;
    int senders_done;
} pp;

static void
pp_send(int self, xs_rng *rng, PyObject *bytes, PyObject *str)
{
    pp_worker *w = &pp.workers[self];
    xs_item *item = xs_new_item(self, w->sent, bytes, str);
    int dest = (int)xs_rng_below(rng, (uint32_t)xs_params_g.threads);
    w->sent++;
    /* Counted before the push: a receiver's count never runs ahead. */
    __atomic_fetch_add(&pp.total_sent, 1, __ATOMIC_SEQ_CST);
    xs_queue_push(&pp.workers[dest].inbox, item);
}

static void
pp_receive(xs_item *item, xs_rng *rng)
{
    xs_check_item(item);
    pp_worker *owner = &pp.workers[item->owner];
    __atomic_fetch_add(&owner->received_from, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&owner->seq_sum_received, item->seq, __ATOMIC_RELAXED);
    /* Both release flavours; the plain one needs the struct to outlive the
     * pending call, so it is used only where the release is immediate:
     * in the owner's own interpreter. */
    int same = _PyCrossInterpreterData_INTERPID(item->data)
               == PyInterpreterState_GetID(PyInterpreterState_Get());
    if (same && xs_rng_below(rng, 2) == 0) {
        if (_PyCrossInterpreterData_Release(item->data) < 0) {
            xs_fail_py("_PyCrossInterpreterData_Release");
        }
        PyMem_RawFree(item->data);
    }
    else if (_PyCrossInterpreterData_ReleaseAndRawFree(item->data) < 0) {
        xs_fail_py("_PyCrossInterpreterData_ReleaseAndRawFree");
    }
    free(item);
    /* Counted after the release: once every item is counted, every
     * release is at least queued in its owner's interpreter. */
    __atomic_fetch_add(&pp.total_received, 1, __ATOMIC_SEQ_CST);
    xs_progress_add(1);
}

static int
pp_all_received(void)
{
    return __atomic_load_n(&pp.senders_done, __ATOMIC_SEQ_CST) == xs_params_g.threads
           && __atomic_load_n(&pp.total_received, __ATOMIC_SEQ_CST)
              == __atomic_load_n(&pp.total_sent, __ATOMIC_SEQ_CST);
}

static void *
pp_worker_main(void *arg)
{
    int self = (int)(intptr_t)arg;
    pp_worker *w = &pp.workers[self];
    xs_rng rng;
    xs_rng_init(&rng, self);
    PyThreadState *tstate = xs_attach(pp.interps[self % xs_params_g.interps]);
    PyObject *bytes = xs_payload_bytes(self);
    PyObject *str = xs_payload_str(self);
    w->base_refcount = Py_REFCNT(bytes);
    Py_ssize_t str_base = Py_REFCNT(str);
    int done_sending = 0;
    long idles = 0;
    for (;;) {
        int busy = 0;
        /* The refcount counts the items of ours still unreleased; only
         * this interpreter's threads change it, under its GIL. */
        Py_ssize_t in_flight = Py_REFCNT(bytes) - w->base_refcount;
        if (!done_sending && (w->sent >= xs_params_g.iterations || xs_should_stop())) {
            done_sending = 1;
            __atomic_fetch_add(&pp.senders_done, 1, __ATOMIC_SEQ_CST);
        }
        if (!done_sending && in_flight < xs_params_g.window) {
            pp_send(self, &rng, bytes, str);
            busy = 1;
        }
        xs_item *item = xs_queue_pop(&w->inbox, NULL);
        if (item != NULL) {
            pp_receive(item, &rng);
            busy = 1;
        }
        xs_run_pending(tstate);
        if (done_sending && pp_all_received()
                && Py_REFCNT(bytes) == w->base_refcount) {
            break;
        }
        if (busy) {
            idles = 0;
        }
        else if (++idles > XS_STALL_IDLES) {
            xs_fail("worker %d stalled: sent %ld, %ld in flight, %ld/%ld received overall",
                    self, w->sent, (long)in_flight,
                    __atomic_load_n(&pp.total_received, __ATOMIC_SEQ_CST),
                    __atomic_load_n(&pp.total_sent, __ATOMIC_SEQ_CST));
        }
        else {
            xs_idle(tstate, &w->inbox.mu, &w->inbox.cond);
        }
    }
    if (Py_REFCNT(str) != str_base) {
        xs_fail("worker %d: str payload refcount %zd, started at %zd",
                self, Py_REFCNT(str), str_base);
    }
    Py_DECREF(bytes);
    Py_DECREF(str);
    xs_detach(tstate);
    return NULL;
}

static void
pp_check(void)
{
    for (int i = 0; i < xs_params_g.threads; i++) {
        pp_worker *w = &pp.workers[i];
        long long want_sum = (long long)w->sent * (w->sent - 1) / 2;
        if (w->received_from != w->sent || w->seq_sum_received != want_sum) {
            xs_fail("worker %d sent %ld items, %ld arrived (sequence sum %lld, want %lld)",
                    i, w->sent, w->received_from, w->seq_sum_received, want_sum);
        }
        if (xs_queue_length(&w->inbox) != 0) {
            xs_fail("%ld item(s) left in worker %d's inbox",
                    xs_queue_length(&w->inbox), i);
        }
    }
    for (int i = 0; i < xs_params_g.interps; i++) {
        if (xs_npending(pp.interps[i]) != 0) {
            xs_fail("%d pending call(s) left in interpreter %d",
                    xs_npending(pp.interps[i]), i);
        }
    }
}

int
xs_pingpong(void)
{
    for (int i = 0; i < xs_params_g.interps; i++) {
        pp.interps[i] = xs_new_interp();
    }
    for (int i = 0; i < xs_params_g.threads; i++) {
        xs_queue_init(&pp.workers[i].inbox);
    }
    PyThreadState *main_tstate = PyEval_SaveThread();
    xs_run_workers(xs_params_g.threads, pp_worker_main);
    PyEval_RestoreThread(main_tstate);
    pp_check();
    for (int i = 0; i < xs_params_g.interps; i++) {
        xs_end_interp(pp.interps[i]);
    }
    printf("pingpong: %ld items shared, received and released\n", pp.total_received);
    return 0;
}
