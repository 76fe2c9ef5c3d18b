/* xidstress: shared parts of the stress scenarios, and main(); see stress.h. */
#include "stress.h"
#include "runtime.h"

#include "pycore_ceval.h"          // _PyEval_MakePendingCalls()
#include "pycore_crossinterp.h"
#include "pycore_interp.h"         // interp->ceval.pending

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

xs_params xs_params_g;

static int stop_flag;
static long progress_count;

int
xs_should_stop(void)
{
    return __atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE);
}

/* The command line that replays this run (iterations and seed fixed). */
static void
print_replay(FILE *out)
{
    const xs_params *p = &xs_params_g;
    fprintf(out, "xidstress %s --threads %d --interps %d ", p->scenario,
            p->threads, p->interps);
    if (p->duration > 0) {
        fprintf(out, "--duration %g", p->duration);
    }
    else {
        fprintf(out, "--iterations %ld", p->iterations);
    }
    fprintf(out, " --window %d --seed %llu", p->window,
            (unsigned long long)p->seed);
}

void
xs_fail(const char *fmt, ...)
{
    static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&once);      /* one report, even if two threads fail */
    fflush(stdout);
    va_list ap;
    fprintf(stderr, "xidstress: %s: FAILED: ", xs_params_g.scenario);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (replay: ");
    print_replay(stderr);
    fprintf(stderr, ")\n");
    fflush(stderr);
    _exit(1);
}

void
xs_fail_py(const char *what)
{
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    const char *msg = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    xs_fail("%s: %s: %s", what,
            exc != NULL ? Py_TYPE(exc)->tp_name : "no exception set",
            msg != NULL ? msg : "");
}

const char *
xs_exc_text(PyObject *exc, char *buf, size_t size)
{
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    const char *msg = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    snprintf(buf, size, "%s%s%s", exc != NULL ? Py_TYPE(exc)->tp_name : "no exception",
             msg != NULL ? ": " : "", msg != NULL ? msg : "");
    Py_XDECREF(text);
    PyErr_Clear();
    return buf;
}

/* ---- PRNG ----------------------------------------------------------------- */

void
xs_rng_init(xs_rng *rng, int index)
{
    rng->state = xs_params_g.seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(index + 1));
}

uint64_t
xs_rng_next(xs_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint32_t
xs_rng_below(xs_rng *rng, uint32_t n)
{
    return (uint32_t)(xs_rng_next(rng) % n);
}

/* ---- workers and progress -------------------------------------------------- */

void
xs_progress_add(long n)
{
    __atomic_fetch_add(&progress_count, n, __ATOMIC_RELAXED);
}

double
xs_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int running;
} workers = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

typedef struct {
    void *(*fn)(void *);
    intptr_t index;
} worker_start;

static void *
worker_main(void *arg)
{
    worker_start start = *(worker_start *)arg;
    start.fn((void *)start.index);
    pthread_mutex_lock(&workers.mu);
    workers.running--;
    pthread_cond_signal(&workers.cond);
    pthread_mutex_unlock(&workers.mu);
    return NULL;
}

/* Wait up to `seconds` for every worker to finish; 1 when they have. */
static int
wait_workers(double seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    long ns = deadline.tv_nsec + (long)(seconds * 1e9);
    deadline.tv_sec += ns / 1000000000L;
    deadline.tv_nsec = ns % 1000000000L;
    pthread_mutex_lock(&workers.mu);
    while (workers.running > 0) {
        if (pthread_cond_timedwait(&workers.cond, &workers.mu, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    int done = workers.running == 0;
    pthread_mutex_unlock(&workers.mu);
    return done;
}

/* The workers' own stall check needs a worker that runs; one blocked
 * inside CPython (a deadlock) never gets to it.  So the main thread also
 * watches the operation count, and when it has not moved for
 * XS_HANG_SECONDS, prints every thread's stack (gdb, if the machine has
 * it) and fails. */
static void
report_hang(void)
{
    char cmd[256];
    fprintf(stderr, "xidstress: no operation completed in %d s: the workers "
            "are blocked; every thread's stack follows\n", XS_HANG_SECONDS);
    fflush(stderr);
    snprintf(cmd, sizeof(cmd),
             "command -v gdb >/dev/null && timeout 120 gdb -p %d -batch -nx "
             "-ex 'thread apply all bt 40' 1>&2 2>/dev/null",
             (int)getpid());
    if (system(cmd) != 0) {
        fprintf(stderr, "xidstress: (no stacks: gdb missing or failed)\n");
    }
    xs_fail("no operation completed in %d s (a deadlock?)", XS_HANG_SECONDS);
}

void
xs_run_workers(int n, void *(*fn)(void *))
{
    pthread_t threads[XS_MAX_THREADS];
    worker_start starts[XS_MAX_THREADS];
    workers.running = n;
    for (int i = 0; i < n; i++) {
        starts[i] = (worker_start){fn, i};
        if (pthread_create(&threads[i], NULL, worker_main, &starts[i]) != 0) {
            xs_fail("pthread_create failed for worker %d", i);
        }
    }
    double start = xs_now_seconds();
    long last_count = -1;
    double last_change = start;
    while (!wait_workers(1.0)) {
        double elapsed = xs_now_seconds() - start;
        long count = __atomic_load_n(&progress_count, __ATOMIC_RELAXED);
        printf("progress: %.0fs, %ld operations\n", elapsed, count);
        fflush(stdout);
        if (xs_params_g.duration > 0 && elapsed >= xs_params_g.duration) {
            __atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
        }
        if (count != last_count) {
            last_count = count;
            last_change = xs_now_seconds();
        }
        else if (xs_now_seconds() - last_change >= XS_HANG_SECONDS) {
            report_hang();
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
    }
    printf("progress: done, %ld operations in %.1fs\n",
           __atomic_load_n(&progress_count, __ATOMIC_RELAXED), xs_now_seconds() - start);
    fflush(stdout);
}

/* ---- interpreters and thread states ---------------------------------------- */

PyInterpreterState *
xs_new_interp(void)
{
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    /* No thread state wanted: each worker makes its own. */
    PyInterpreterState *interp = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    if (interp == NULL) {
        xs_fail_py("_PyXI_NewInterpreter");
    }
    return interp;
}

void
xs_end_interp(PyInterpreterState *interp)
{
    _PyXI_EndInterpreter(interp, NULL, NULL);
}

PyThreadState *
xs_switch_to(PyInterpreterState *interp)
{
    PyThreadState *tstate = PyThreadState_New(interp);
    if (tstate == NULL) {
        xs_fail("PyThreadState_New failed");
    }
    return PyThreadState_Swap(tstate);
}

void
xs_switch_back(PyThreadState *prev)
{
    PyThreadState *tstate = PyThreadState_Get();
    PyThreadState_Clear(tstate);
    PyThreadState_Swap(prev);
    PyThreadState_Delete(tstate);
}

PyThreadState *
xs_attach(PyInterpreterState *interp)
{
    PyThreadState *tstate = PyThreadState_New(interp);
    if (tstate == NULL) {
        xs_fail("PyThreadState_New failed");
    }
    PyEval_RestoreThread(tstate);
    return tstate;
}

void
xs_detach(PyThreadState *tstate)
{
    PyThreadState_Clear(tstate);
    PyThreadState_DeleteCurrent();
}

void
xs_run_pending(PyThreadState *tstate)
{
    /* Py_MakePendingCalls() only serves the main interpreter's main
     * thread; this entry point serves any interpreter. */
    if (_PyEval_MakePendingCalls(tstate) < 0) {
        xs_fail_py("a pending call failed");
    }
}

int
xs_npending(PyInterpreterState *interp)
{
    return _Py_atomic_load_int32(&interp->ceval.pending.npending);
}

void
xs_check_no_pending(const char *role, PyInterpreterState **interps, int n,
                    PyInterpreterState *main_interp)
{
    for (int i = 0; i < n; i++) {
        if (xs_npending(interps[i]) != 0) {
            xs_fail("%d pending call(s) left in %s interpreter %d",
                    xs_npending(interps[i]), role, i);
        }
    }
    if (xs_npending(main_interp) != 0) {
        xs_fail("%d pending call(s) left in the main interpreter",
                xs_npending(main_interp));
    }
}

void
xs_idle(PyThreadState *tstate, pthread_mutex_t *mu, pthread_cond_t *cond)
{
    PyEval_SaveThread();
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 1000000;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(mu);
    (void)pthread_cond_timedwait(cond, mu, &deadline);
    pthread_mutex_unlock(mu);
    PyEval_RestoreThread(tstate);
}

/* ---- owner interpreters' lives ------------------------------------------- */

/* Under ThreadSanitizer, the scenarios that make and end interpreters
 * while others run (churn, lifecycle, queues) do it one at a time:
 * CPython 3.13 itself races when several are set up or torn down at once
 * (static type readying, module init, runtime counters; see
 * docs/stress.md), outside the xid core, and those reports, 20-50 per run
 * in a varying set, would hide the ones about the xid core.  Only the
 * threads that make and end interpreters take this lock: the xid traffic
 * of the others stays concurrent with every end, which is the race under
 * test.  The ASan build keeps full concurrency. */
#ifdef XS_TSAN
static pthread_mutex_t create_end_mu = PTHREAD_MUTEX_INITIALIZER;
#endif

void
xs_create_end_lock(void)
{
#ifdef XS_TSAN
    pthread_mutex_lock(&create_end_mu);
#endif
}

void
xs_create_end_unlock(void)
{
#ifdef XS_TSAN
    pthread_mutex_unlock(&create_end_mu);
#endif
}

PyThreadState *
xs_begin_life(PyThreadState *home)
{
    PyEval_RestoreThread(home);
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    PyThreadState *tstate = NULL, *save = NULL;
    if (_PyXI_NewInterpreter(&config, NULL, &tstate, &save) == NULL) {
        xs_fail_py("_PyXI_NewInterpreter");
    }
    (void)save;
    /* Now attached to the new interpreter; the main one's GIL is free. */
    return tstate;
}

void
xs_pace_owner(xs_rng *rng, PyThreadState *tstate)
{
    switch (xs_rng_below(rng, 8)) {
    case 0:
        xs_run_pending(tstate);
        break;
    case 1:
        /* Give the other threads a moment with our data while we live. */
        PyEval_SaveThread();
        sched_yield();
        PyEval_RestoreThread(tstate);
        break;
    default:
        break;
    }
}

void
xs_end_life(PyThreadState *tstate, PyThreadState *home, int *state,
            pthread_rwlock_t *ending)
{
    if (ending != NULL) {
        pthread_rwlock_wrlock(ending);
    }
    __atomic_store_n(state, XS_LIFE_ENDING, __ATOMIC_SEQ_CST);
    if (ending != NULL) {
        pthread_rwlock_unlock(ending);
    }
    _PyXI_EndInterpreter(tstate->interp, tstate, &home);
    __atomic_store_n(state, XS_LIFE_ENDED, __ATOMIC_SEQ_CST);
    PyEval_SaveThread();
}

void
xs_lives_sizes(const char *owners, const char *users, int *nowners,
               int *nusers, int *nuser_interps)
{
    *nowners = xs_params_g.interps;
    *nusers = xs_params_g.threads;
    *nuser_interps = (*nusers + 1) / 2;
    if (*nowners + *nusers > XS_MAX_THREADS) {
        xs_fail("--interps (%s) + --threads (%s) is at most %d", owners, users,
                XS_MAX_THREADS);
    }
}

/* The run of xs_run_lives(), set before its threads start. */
static struct {
    int nowners;
    xs_life_fn life;
    xs_user_fn user;
    PyInterpreterState *home_interp;
    int owners_done;                /* atomic */
} lives;

static void
live_lives(int self, xs_rng *rng)
{
    PyThreadState *home = xs_attach(lives.home_interp);
    PyEval_SaveThread();
    for (long i = 0; i < xs_params_g.iterations && !xs_should_stop(); i++) {
        lives.life(self, rng, home, i);
    }
    PyEval_RestoreThread(home);
    xs_detach(home);
    __atomic_fetch_add(&lives.owners_done, 1, __ATOMIC_SEQ_CST);
}

static void *
lives_worker_main(void *arg)
{
    int index = (int)(intptr_t)arg;
    xs_rng rng;
    xs_rng_init(&rng, index);
    if (index < lives.nowners) {
        live_lives(index, &rng);
    }
    else {
        lives.user(index - lives.nowners, &rng);
    }
    return NULL;
}

void
xs_run_lives(int nowners, xs_life_fn life, int nusers, xs_user_fn user)
{
    lives.nowners = nowners;
    lives.life = life;
    lives.user = user;
    lives.home_interp = PyInterpreterState_Get();
    PyThreadState *tstate = PyEval_SaveThread();
    xs_run_workers(nowners + nusers, lives_worker_main);
    PyEval_RestoreThread(tstate);
}

int
xs_owners_done(void)
{
    return __atomic_load_n(&lives.owners_done, __ATOMIC_SEQ_CST);
}

/* ---- queue ----------------------------------------------------------------- */

void
xs_queue_init(xs_queue *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cond, NULL);
    q->head = q->tail = NULL;
    q->length = 0;
}

void
xs_queue_push(xs_queue *q, xs_item *item)
{
    item->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->tail != NULL) {
        q->tail->next = item;
    }
    else {
        q->head = item;
    }
    q->tail = item;
    q->length++;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->mu);
}

xs_item *
xs_queue_pop(xs_queue *q, void (*on_pop)(xs_item *))
{
    pthread_mutex_lock(&q->mu);
    xs_item *item = q->head;
    if (item != NULL) {
        q->head = item->next;
        if (q->head == NULL) {
            q->tail = NULL;
        }
        q->length--;
        if (on_pop != NULL) {
            on_pop(item);
        }
    }
    pthread_mutex_unlock(&q->mu);
    return item;
}

xs_item *
xs_queue_take_owned(xs_queue *q, int owner)
{
    xs_item *taken = NULL;
    pthread_mutex_lock(&q->mu);
    xs_item **link = &q->head;
    q->tail = NULL;
    while (*link != NULL) {
        xs_item *item = *link;
        if (item->owner == owner) {
            *link = item->next;
            item->next = taken;
            taken = item;
            q->length--;
        }
        else {
            q->tail = item;
            link = &item->next;
        }
    }
    pthread_mutex_unlock(&q->mu);
    return taken;
}

long
xs_queue_length(xs_queue *q)
{
    pthread_mutex_lock(&q->mu);
    long n = q->length;
    pthread_mutex_unlock(&q->mu);
    return n;
}

/* ---- payloads ---------------------------------------------------------------- */

/* 16..79 bytes of text that names the owner. */
static int
payload_text(int owner, char *buf, size_t size)
{
    int n = snprintf(buf, size, "xidstress-payload-%d-", owner);
    int len = 16 + (owner * 37) % 64;
    for (int i = n; i < len && i < (int)size - 1; i++) {
        buf[i] = (char)('a' + (owner + i) % 26);
    }
    buf[len] = '\0';
    return len;
}

/* The owner's payload text as a str, or as a bytes object. */
static PyObject *
payload_object(int owner, int as_str)
{
    char buf[128];
    int len = payload_text(owner, buf, sizeof(buf));
    PyObject *obj = as_str ? PyUnicode_FromStringAndSize(buf, len)
                           : PyBytes_FromStringAndSize(buf, len);
    if (obj == NULL) {
        xs_fail_py(as_str ? "PyUnicode_FromStringAndSize"
                          : "PyBytes_FromStringAndSize");
    }
    return obj;
}

PyObject *
xs_payload_bytes(int owner)
{
    return payload_object(owner, 0);
}

PyObject *
xs_payload_str(int owner)
{
    return payload_object(owner, 1);
}

xs_item *
xs_new_item(int owner, int64_t seq, PyObject *bytes, PyObject *str)
{
    xs_item *item = malloc(sizeof(*item));
    if (item == NULL) {
        xs_fail("out of memory");
    }
    item->owner = owner;
    item->seq = seq;
    item->data = xs_share_item(owner, seq, bytes, str);
    return item;
}

_PyCrossInterpreterData *
xs_share_item(int owner, int64_t seq, PyObject *bytes, PyObject *str)
{
    PyObject *tuple = Py_BuildValue("(iLOO)", owner, (long long)seq, bytes, str);
    if (tuple == NULL) {
        xs_fail_py("building an item");
    }
    _PyCrossInterpreterData *data = _PyCrossInterpreterData_New();
    if (data == NULL) {
        xs_fail_py("_PyCrossInterpreterData_New");
    }
    if (_PyObject_GetCrossInterpreterData(tuple, data) < 0) {
        xs_fail_py("_PyObject_GetCrossInterpreterData");
    }
    Py_DECREF(tuple);
    return data;
}

void
xs_check_item(const xs_item *item)
{
    PyObject *obj = _PyCrossInterpreterData_NewObject(item->data);
    if (obj == NULL) {
        xs_fail_py("_PyCrossInterpreterData_NewObject");
    }
    int owner;
    long long seq;
    PyObject *bytes, *str;
    if (!PyTuple_CheckExact(obj)
            || !PyArg_ParseTuple(obj, "iLSU", &owner, &seq, &bytes, &str)) {
        PyErr_Clear();
        xs_fail("item %d/%lld came back as a %s, not (int, int, bytes, str)",
                item->owner, (long long)item->seq, Py_TYPE(obj)->tp_name);
    }
    PyObject *want_bytes = xs_payload_bytes(item->owner);
    PyObject *want_str = xs_payload_str(item->owner);
    if (owner != item->owner || seq != item->seq
            || PyObject_RichCompareBool(bytes, want_bytes, Py_EQ) != 1
            || PyObject_RichCompareBool(str, want_str, Py_EQ) != 1) {
        xs_fail("item %d/%lld came back as %d/%lld or with other contents",
                item->owner, (long long)item->seq, owner, seq);
    }
    Py_DECREF(want_bytes);
    Py_DECREF(want_str);
    Py_DECREF(obj);
}

/* ---- main ---------------------------------------------------------------- */

static const struct {
    const char *name;
    int (*run)(void);
    int threads, interps;
    long iterations;
} scenarios[] = {
    {"pingpong", xs_pingpong, 4, 4, 2000},
    {"churn", xs_churn, 3, 3, 4},
    {"registry", xs_registry, 4, 2, 2000},
    {"sessions", xs_sessions, 4, 2, 500},
    {"lifecycle", xs_lifecycle, 4, 3, 20},
    {"queues", xs_queues, 4, 3, 20},
    {"channels", xs_channels, 4, 3, 20},
};
#define N_SCENARIOS ((int)(sizeof(scenarios) / sizeof(scenarios[0])))

static void
usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void
usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "xidstress: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (usage: xidstress pingpong|churn|registry|sessions|lifecycle|queues|channels "
            "[--threads N] [--interps N] [--iterations N | --duration S] "
            "[--window N] [--seed N])\n");
    exit(2);
}

/* A whole decimal number in [lo, hi]. */
static long long
parse_number(const char *flag, const char *text, long long lo, long long hi)
{
    if (text == NULL) {
        usage_error("%s needs a value", flag);
    }
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
        usage_error("%s takes a whole number from %lld to %lld, not '%s'",
                    flag, lo, hi, text);
    }
    return v;
}

static uint64_t
default_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20)) % 1000000007ULL;
}

static int
parse_args(int argc, char **argv)
{
    if (argc < 2) {
        usage_error("no scenario given");
    }
    int which = -1;
    for (int i = 0; i < N_SCENARIOS; i++) {
        if (strcmp(argv[1], scenarios[i].name) == 0) {
            which = i;
        }
    }
    if (which < 0) {
        usage_error("unknown scenario '%s'", argv[1]);
    }
    xs_params *p = &xs_params_g;
    *p = (xs_params){
        .scenario = scenarios[which].name,
        .threads = scenarios[which].threads,
        .interps = scenarios[which].interps,
        .iterations = scenarios[which].iterations,
        .window = 32,
        .seed = default_seed(),
    };
    for (int i = 2; i < argc; i += 2) {
        const char *flag = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(flag, "--threads") == 0) {
            p->threads = (int)parse_number(flag, value, 1, XS_MAX_THREADS);
        }
        else if (strcmp(flag, "--interps") == 0) {
            p->interps = (int)parse_number(flag, value, 1, XS_MAX_INTERPS);
        }
        else if (strcmp(flag, "--iterations") == 0) {
            p->iterations = (long)parse_number(flag, value, 1, 1000000000LL);
        }
        else if (strcmp(flag, "--duration") == 0) {
            p->duration = (double)parse_number(flag, value, 1, 7 * 24 * 3600);
            p->iterations = 1000000000L;
        }
        else if (strcmp(flag, "--window") == 0) {
            /* Past ~300 a release may find its owner's pending-call queue
             * full (see docs/stress.md): keep the default well below. */
            p->window = (int)parse_number(flag, value, 1, 100000);
        }
        else if (strcmp(flag, "--seed") == 0) {
            p->seed = (uint64_t)parse_number(flag, value, 0, INT64_MAX);
        }
        else {
            usage_error("unknown option '%s'", flag);
        }
    }
    return which;
}

int
main(int argc, char **argv)
{
    int which = parse_args(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("xidstress %s: threads=%d interps=%d %s=%g window=%d seed=%llu\n",
           xs_params_g.scenario, xs_params_g.threads, xs_params_g.interps,
           xs_params_g.duration > 0 ? "duration" : "iterations",
           xs_params_g.duration > 0 ? xs_params_g.duration : (double)xs_params_g.iterations,
           xs_params_g.window, (unsigned long long)xs_params_g.seed);
    printf("replay: ");
    print_replay(stdout);
    printf("\n");
    xf_runtime_init();
    int rc = scenarios[which].run();
    if (rc == 0) {
        printf("xidstress %s: PASSED\n", xs_params_g.scenario);
    }
    /* The interpreters this run made are gone; finalize so that leak
     * checking sees only what the scenario really left behind. */
    if (Py_FinalizeEx() < 0) {
        xs_fail("Py_FinalizeEx failed");
    }
    return rc;
}
