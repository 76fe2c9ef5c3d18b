/* Threaded stress scenarios for the xid core: shared parts.
 *
 * One program (xidstress) runs one scenario per process.  Every decision a
 * worker makes comes from its own PRNG, seeded from the run's seed and the
 * worker's index; clocks only pace progress output, stall detection and
 * --duration.  A failure prints one line naming the scenario, the broken
 * invariant and the command line that replays it, and exits 1.
 */
#ifndef XIDFUZZ_STRESS_H
#define XIDFUZZ_STRESS_H

#ifndef Py_BUILD_CORE
#  define Py_BUILD_CORE 1
#endif
#include <Python.h>
#include "pycore_crossinterp.h"    // _PyCrossInterpreterData

#include <pthread.h>
#include <stdint.h>

/* XS_TSAN: built with ThreadSanitizer (the tsan variant). */
#if defined(__has_feature)
#  if __has_feature(thread_sanitizer)
#    define XS_TSAN 1
#  endif
#endif

#define XS_MAX_THREADS 64
#define XS_MAX_INTERPS 32

typedef struct {
    const char *scenario;
    int threads;
    int interps;
    long iterations;        /* per thread */
    double duration;        /* seconds; 0: run the iterations */
    uint64_t seed;
    int window;             /* items a sender may have in flight */
} xs_params;

/* The run's parameters, set once by main() before any thread starts. */
extern xs_params xs_params_g;

/* Set by the main thread when --duration has passed; workers stop
 * starting new work when they see it. */
int xs_should_stop(void);

/* Print "xidstress: SCENARIO: FAILED: <message> (replay: ...)" on one
 * line and exit 1 at once, whatever the other threads are doing. */
void xs_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* A Python call failed where the scenario needs it to succeed. */
void xs_fail_py(const char *what) __attribute__((noreturn));

/* "Type: message" of `exc` (or "no exception") into buf, for a report;
 * clears any error the formatting raised. */
const char *xs_exc_text(PyObject *exc, char *buf, size_t size);

/* A per-thread PRNG (splitmix64): same seed and index, same sequence. */
typedef struct {
    uint64_t state;
} xs_rng;

void xs_rng_init(xs_rng *rng, int index);
uint64_t xs_rng_next(xs_rng *rng);
/* Uniform in [0, n). */
uint32_t xs_rng_below(xs_rng *rng, uint32_t n);

/* Progress: workers add to one shared counter; the main thread prints it. */
void xs_progress_add(long n);

/* Start `n` workers running fn(index), print progress every second while
 * they run (and raise the stop flag after --duration), then join them.
 * Call without holding any interpreter's GIL. */
void xs_run_workers(int n, void *(*fn)(void *));

/* Interpreters made by the main thread (own GIL, isolated), with the main
 * interpreter's thread state current. */
PyInterpreterState *xs_new_interp(void);
void xs_end_interp(PyInterpreterState *interp);

/* From the thread that holds the current thread state (the main thread's,
 * say): switch to a new thread state of `interp`, and back to `prev`
 * (the new one is cleared and deleted). */
PyThreadState *xs_switch_to(PyInterpreterState *interp);
void xs_switch_back(PyThreadState *prev);

/* Attach this worker thread to `interp` on a new thread state; detach and
 * delete it again. */
PyThreadState *xs_attach(PyInterpreterState *interp);
void xs_detach(PyThreadState *tstate);

/* Monotonic seconds: for progress output and stall detection only. */
double xs_now_seconds(void);

/* Run `interp`'s pending calls (the current thread state's interpreter). */
void xs_run_pending(PyThreadState *tstate);

/* Pending calls queued for `interp` right now. */
int xs_npending(PyInterpreterState *interp);

/* The final check that no pending call is left in the `n` interpreters of
 * the `role` threads ("consumer interpreter 1") or in the main one. */
void xs_check_no_pending(const char *role, PyInterpreterState **interps, int n,
                         PyInterpreterState *main_interp);

/* Wait up to a millisecond for `cond` with the GIL released: workers idle
 * this way so that the other threads of their interpreter get the GIL. */
void xs_idle(PyThreadState *tstate, pthread_mutex_t *mu, pthread_cond_t *cond);

/* Stall detection: a worker that stayed idle this many times in a row (about
 * XS_STALL_SECONDS) reports the scenario as stuck. */
#define XS_STALL_SECONDS 20
#define XS_STALL_IDLES (XS_STALL_SECONDS * 1000)
/* Hang detection (stress.c): no operation completed in the whole run for
 * this long fails the run with every thread's stack. */
#define XS_HANG_SECONDS 60

/* Where an owner interpreter is in its life (atomic: read by the threads
 * that hold its data). */
enum { XS_LIFE_ALIVE = 0, XS_LIFE_ENDING, XS_LIFE_ENDED };

/* Under ThreadSanitizer, interpreters are made and ended one at a time
 * under this lock (no-ops in the other builds; stress.c says why).  Take
 * it before the main interpreter's GIL, always: whoever holds the lock may
 * wait for that GIL, never the other way round. */
void xs_create_end_lock(void);
void xs_create_end_unlock(void);

/* From `home` (the owner's thread state of the main interpreter, GIL
 * released), make an own-GIL interpreter as interpreters.create() does
 * and return its thread state, attached: the main interpreter's GIL is
 * free again. */
PyThreadState *xs_begin_life(PyThreadState *home);

/* Between two items an owner shares: now and then run its pending calls,
 * or let the other threads have a moment with its data while it lives. */
void xs_pace_owner(xs_rng *rng, PyThreadState *tstate);

/* End the owner's interpreter at once, whatever its data is doing: *state
 * goes XS_LIFE_ENDING (with `ending`, if not NULL, write-locked around
 * that store), the interpreter ends, *state goes XS_LIFE_ENDED, and the
 * owner is back on `home` with the GIL released. */
void xs_end_life(PyThreadState *tstate, PyThreadState *home, int *state,
                 pthread_rwlock_t *ending);

/* One life of an owner thread: from `home`, its thread state of the main
 * interpreter (GIL released on entry and on return), make an interpreter,
 * share from it and end it. */
typedef void (*xs_life_fn)(int self, xs_rng *rng, PyThreadState *home, long index);
/* A thread that uses what the owners share. */
typedef void (*xs_user_fn)(int self, xs_rng *rng);

/* The sizes of a run of owner lives, from the command line: --interps
 * owner threads, --threads user threads, and (threads + 1) / 2
 * interpreters for the users (two threads share each one's GIL).  Fails
 * when that is more threads than a run has; `owners` and `users` name
 * them in the message. */
void xs_lives_sizes(const char *owners, const char *users, int *nowners,
                    int *nusers, int *nuser_interps);

/* Run `nowners` owner threads and `nusers` user threads, each with its
 * own PRNG (worker index: owners first).  Owner i, on a thread state of
 * the caller's interpreter (the main one), calls life(i, rng, home, k)
 * for each of --iterations lives until the run stops, and then counts as
 * done; user j calls user(j, rng).  Call with the GIL held: it is
 * released while they run. */
void xs_run_lives(int nowners, xs_life_fn life, int nusers, xs_user_fn user);

/* Owner threads through with all their lives, so far. */
int xs_owners_done(void);

/* A queue of items (mutex + condition variable), FIFO. */
typedef struct xs_item {
    struct xs_item *next;
    int owner;                       /* index of the worker that shared it */
    int64_t seq;
    _PyCrossInterpreterData *data;
} xs_item;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    xs_item *head;
    xs_item *tail;
    long length;
} xs_queue;

void xs_queue_init(xs_queue *q);
void xs_queue_push(xs_queue *q, xs_item *item);
/* The oldest item, or NULL; on_pop (if not NULL) runs under the queue's
 * lock with the item, so that a count can change together with the pop. */
xs_item *xs_queue_pop(xs_queue *q, void (*on_pop)(xs_item *));
/* Remove and return (as a list) every item whose owner is `owner`. */
xs_item *xs_queue_take_owned(xs_queue *q, int owner);
long xs_queue_length(xs_queue *q);

/* Payloads: a bytes and a str object per worker, with contents derived from
 * the worker's index, so that a receiver can check what it rebuilt. */
PyObject *xs_payload_bytes(int owner);
PyObject *xs_payload_str(int owner);
/* Share (owner, seq, bytes, str) as a tuple; the data holds references to
 * the payloads until released in their interpreter. */
_PyCrossInterpreterData *xs_share_item(int owner, int64_t seq,
                                       PyObject *bytes, PyObject *str);
/* A new queue item holding xs_share_item()'s data (exits on no memory). */
xs_item *xs_new_item(int owner, int64_t seq, PyObject *bytes, PyObject *str);
/* Rebuild a shared item in the current interpreter and check it. */
void xs_check_item(const xs_item *item);

/* Items of lifecycle and queues (lifecycle.c): what each stands for, built
 * from (owner, life, seq, kind) alone, so that a receiver can rebuild the
 * object it must equal.  The payloads are a bytes and a str per owner
 * life (the str of two lives in three is not ASCII). */
enum {
    XS_KIND_TUPLE = 0,          /* (owner, life, seq, bytes, str) */
    XS_KIND_BYTES,
    XS_KIND_STR,
    XS_KIND_INT,
    XS_KIND_FLOAT,
    XS_KIND_NONE,
    XS_KIND_BOOL,
    XS_KIND_NESTED,             /* ((bytes,), (str, seq, -seq / 4.0)) */
    XS_N_KINDS
};
PyObject *xs_life_bytes(int owner, long life);
PyObject *xs_life_str(int owner, long life);
PyObject *xs_life_item(int owner, long life, int64_t seq, int kind,
                       PyObject *bytes, PyObject *str);

/* The scenarios. */
int xs_pingpong(void);
int xs_churn(void);
int xs_registry(void);
int xs_sessions(void);
int xs_lifecycle(void);
int xs_queues(void);
int xs_channels(void);

#endif
