/* fuzz/modules: the xid core the way programs reach it -- through the
 * interpreter modules _interpreters, _interpqueues and _interpchannels
 * (the layer under test.support.interpreters), called from C on their own
 * module objects.  The input is a program (modules.h) over a pool of
 * actors: the harness's slots (main and three subinterpreters, each with
 * the modules and their high-level Python modules imported once) and up
 * to XF_MOD_MAX_DYN interpreters the program creates itself with
 * _interpreters.create(); over queues and channels it creates; and over
 * objects (objgen.h trees, and memoryviews of bytes/bytearray buffers).
 * Everything runs on one thread, in input order.  No Python source is
 * compiled per input: exec() and friends get one of five fixed scripts
 * (or functions compiled once per actor).
 *
 * The target keeps a model of every queue, channel, item, buffer and
 * interpreter the input made and checks it before each operation (the
 * container the operation is about to use: its count through the module;
 * every live buffer: its export counts), and after each operation checks
 * the call's result against what the model predicts.
 *
 * Oracles:
 *   ITEMS     every object put (queue) or sent (channel) is received once,
 *             in order, equal to the original (objcmp.h) -- or, when the
 *             interpreter that put it was destroyed first, removed
 *             (UNBOUND_REMOVE) or received as (None, fmt, unboundop) /
 *             (None, unboundop) (UNBOUND_ERROR, UNBOUND_REPLACE), exactly as
 *             the unbound op chosen for it says; a buffer arrives as a
 *             memoryview of the very memory that was shared (same address,
 *             current contents);
 *   COUNTS    get_count, is_full (true exactly when a positive maxsize is
 *             reached), get_maxsize, get_queue_defaults,
 *             get_channel_defaults, get_info (every field) and the
 *             list_all / list_interpreters sets agree with the model;
 *   ERRORS    each call that must fail raises exactly the documented
 *             exception of the calling interpreter, with its message:
 *             QueueNotFoundError / ChannelNotFoundError (destroyed, released
 *             to 0, never existed), QueueEmpty, QueueFull, QueueError
 *             ("never bound"), ChannelEmptyError, ChannelClosedError ("is
 *             closed", "is already closed" for an end the interpreter
 *             released), ChannelNotEmptyError, InterpreterNotFoundError,
 *             InterpreterError (destroy current / running / unrecognized),
 *             NotShareableError or OverflowError for what cannot be shared
 *             (xid_oracle.h), ValueError / TypeError / UnicodeEncodeError
 *             for bad arguments and configs, TimeoutError for a blocking
 *             send nobody receives (the item is then not queued);
 *   CHANNELS  the channel state machine: an interpreter's end opens on
 *             first send/recv, release() closes the actor's ends (again:
 *             no effect), the channel closes when no end is open (after
 *             one was), close() frees an empty channel, refuses a non-empty
 *             one (ChannelNotEmptyError) unless force or send-only (then it
 *             drains and closes after the last recv), an interpreter that
 *             ends releases its ends; the last ChannelID object destroys
 *             the channel;
 *   QUEUES    create/bind/release reference counting (release to 0
 *             destroys), maxsize (<= 0 unbounded), fmt kept per item;
 *   BUFFERS   a shared buffer's exporter is released exactly when the last
 *             view of it is gone: the harness's memoryview counts one
 *             export per item in flight or view received and kept, the
 *             bytearray one per send_buffer() view plus the harness's
 *             memoryview, and a bytearray resizes exactly when nothing
 *             exports it;
 *   INTERPS   create(config) accepts exactly the configs that validate
 *             (field by field, in the documented order) and the runtime
 *             supports, and raises the documented error chain otherwise;
 *             new_config() gives exactly the fields asked for;
 *             get_config(), whence(), is_running(), get_current(),
 *             get_main(), list_all() agree with the model; exec / run_string
 *             / run_func / call return None, or the snapshot of the
 *             exception the code raised (type and message), or raise in
 *             the caller for bad code; every name set by
 *             set___main___attrs() or passed as shared= is in the target's
 *             __main__, equal to the original; is_shareable() is true
 *             exactly for the registered types; capture_exception() keeps
 *             type and message; incref/decref count (a decref to 0 of an
 *             interpreter that requires references destroys it).
 * Across the input (core/target.c, libFuzzer): no exception or pending
 * call left, no refcount drift, no leak -- the input destroys every queue,
 * channel and interpreter it made, drops every object, and runs every
 * pending call (buffer releases) before it ends.
 *
 * Documented loss: a buffer view that outlives the interpreter that
 * exported the buffer keeps that interpreter's objects (the memoryview
 * and its exporter), leaked with it ("XXX Release when the original
 * interpreter is destroyed"): the target says so on stderr
 * ("xidfuzz: orphaned: ..."), keeps them reachable for LeakSanitizer and
 * tells the drift check exactly how many references the ended
 * interpreter leaked.  Only that case is excused.
 *
 * Fault injection (core/harness/fault.h): an opcode byte >= XF_FAULT_OPCODE
 * (0xf8) is FAULT, followed by a fault spec that stays on for the next
 * spec.ops operations.  It is armed around the module call of Q_CREATE,
 * Q_PUT, Q_PUT_BUF, Q_GET, C_CREATE, C_SEND, C_SEND_BUF and C_RECV (the
 * calls that allocate items, data, ends and queues), never around the
 * harness's own work or its checks.  When an injected failure was hit
 * during the call, it may fail with exactly MemoryError (channels.create:
 * or its documented ChannelError "can't initialize mutex for new
 * channel"), and then: create made no queue (list_all() has exactly the
 * model's); put/send queued nothing (the count through the module is the
 * model's); get/recv either left the item or popped and dropped it (the
 * count says which; nothing else); send/recv may have made the actor's
 * end (list_interpreters() says).  Any other failure, and any success,
 * is judged by the normal oracles.
 *
 * Avoided combinations (XIDFUZZ_MODULES_AVOID: "all", or the short names
 * of `avoid_names` below; or XIDFUZZ_AVOID=XF-NNN, as a campaign on the
 * pristine core sets it; off by default, so the committed inputs reach
 * them): the combinations that reach the modules' findings, so that a
 * campaign on a core that still has them can look past them.  Each name steers
 * around exactly its finding's trigger (e.g. channel-list-all-closed: no
 * list_all() while a closed channel is listed; item-data-leak: no queue or
 * channel goes with items in it, the teardown drains them first).
 *
 * Not covered: blocking send() without a timeout (it waits for a receiver
 * on another thread), list_all(require_ready=True), threads, Queue and
 * channel-end objects as items, _interpreters.decref() below zero (an
 * assertion of the runtime's, not a module's, for a private API).
 */
#include "target.h"
#include "avoid.h"
#include "fault.h"
#include "objcmp.h"
#include "objgen.h"
#include "xid_oracle.h"
#include "modules.h"

#include "pycore_ceval.h"          // _PyEval_MakePendingCalls()
#include "pycore_gc.h"              // _PyGC_Collect()
#include "pycore_global_objects.h" // _Py_ID()
#include "pycore_interp.h"         // interp->ceval.pending
#include "pycore_pylifecycle.h"     // _PyInterpreterConfig_*()
#include "pycore_pystate.h"
#include "pycore_runtime.h"         // _PyRuntime.object_state

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- module functions and exceptions, per actor ------------------------ */

enum { MOD_INTERP = 0, MOD_QUEUES, MOD_CHANNELS, NMODS };

static const char *const mod_names[NMODS] = {
    "_interpreters", "_interpqueues", "_interpchannels",
};

enum fn_id {
    F_Q_CREATE, F_Q_DESTROY, F_Q_LIST_ALL, F_Q_PUT, F_Q_GET, F_Q_BIND,
    F_Q_RELEASE, F_Q_GET_MAXSIZE, F_Q_GET_DEFAULTS, F_Q_IS_FULL, F_Q_GET_COUNT,
    F_C_CREATE, F_C_DESTROY, F_C_LIST_ALL, F_C_LIST_INTERPS, F_C_SEND,
    F_C_SEND_BUFFER, F_C_RECV, F_C_CLOSE, F_C_RELEASE, F_C_GET_COUNT,
    F_C_GET_INFO, F_C_GET_DEFAULTS, F_C_CHANNEL_ID,
    F_I_NEW_CONFIG, F_I_CREATE, F_I_DESTROY, F_I_LIST_ALL, F_I_GET_CURRENT,
    F_I_GET_MAIN, F_I_IS_RUNNING, F_I_GET_CONFIG, F_I_WHENCE, F_I_EXEC,
    F_I_CALL, F_I_RUN_STRING, F_I_RUN_FUNC, F_I_SET_MAIN, F_I_INCREF,
    F_I_DECREF, F_I_IS_SHAREABLE, F_I_CAPTURE,
    NFN
};

static const struct {
    int mod;
    const char *name;
} fn_table[NFN] = {
    [F_Q_CREATE] = {MOD_QUEUES, "create"},
    [F_Q_DESTROY] = {MOD_QUEUES, "destroy"},
    [F_Q_LIST_ALL] = {MOD_QUEUES, "list_all"},
    [F_Q_PUT] = {MOD_QUEUES, "put"},
    [F_Q_GET] = {MOD_QUEUES, "get"},
    [F_Q_BIND] = {MOD_QUEUES, "bind"},
    [F_Q_RELEASE] = {MOD_QUEUES, "release"},
    [F_Q_GET_MAXSIZE] = {MOD_QUEUES, "get_maxsize"},
    [F_Q_GET_DEFAULTS] = {MOD_QUEUES, "get_queue_defaults"},
    [F_Q_IS_FULL] = {MOD_QUEUES, "is_full"},
    [F_Q_GET_COUNT] = {MOD_QUEUES, "get_count"},
    [F_C_CREATE] = {MOD_CHANNELS, "create"},
    [F_C_DESTROY] = {MOD_CHANNELS, "destroy"},
    [F_C_LIST_ALL] = {MOD_CHANNELS, "list_all"},
    [F_C_LIST_INTERPS] = {MOD_CHANNELS, "list_interpreters"},
    [F_C_SEND] = {MOD_CHANNELS, "send"},
    [F_C_SEND_BUFFER] = {MOD_CHANNELS, "send_buffer"},
    [F_C_RECV] = {MOD_CHANNELS, "recv"},
    [F_C_CLOSE] = {MOD_CHANNELS, "close"},
    [F_C_RELEASE] = {MOD_CHANNELS, "release"},
    [F_C_GET_COUNT] = {MOD_CHANNELS, "get_count"},
    [F_C_GET_INFO] = {MOD_CHANNELS, "get_info"},
    [F_C_GET_DEFAULTS] = {MOD_CHANNELS, "get_channel_defaults"},
    [F_C_CHANNEL_ID] = {MOD_CHANNELS, "_channel_id"},
    [F_I_NEW_CONFIG] = {MOD_INTERP, "new_config"},
    [F_I_CREATE] = {MOD_INTERP, "create"},
    [F_I_DESTROY] = {MOD_INTERP, "destroy"},
    [F_I_LIST_ALL] = {MOD_INTERP, "list_all"},
    [F_I_GET_CURRENT] = {MOD_INTERP, "get_current"},
    [F_I_GET_MAIN] = {MOD_INTERP, "get_main"},
    [F_I_IS_RUNNING] = {MOD_INTERP, "is_running"},
    [F_I_GET_CONFIG] = {MOD_INTERP, "get_config"},
    [F_I_WHENCE] = {MOD_INTERP, "whence"},
    [F_I_EXEC] = {MOD_INTERP, "exec"},
    [F_I_CALL] = {MOD_INTERP, "call"},
    [F_I_RUN_STRING] = {MOD_INTERP, "run_string"},
    [F_I_RUN_FUNC] = {MOD_INTERP, "run_func"},
    [F_I_SET_MAIN] = {MOD_INTERP, "set___main___attrs"},
    [F_I_INCREF] = {MOD_INTERP, "incref"},
    [F_I_DECREF] = {MOD_INTERP, "decref"},
    [F_I_IS_SHAREABLE] = {MOD_INTERP, "is_shareable"},
    [F_I_CAPTURE] = {MOD_INTERP, "capture_exception"},
};

enum exc_id {
    E_QUEUE_ERROR, E_QUEUE_NOT_FOUND,
    E_CHANNEL_ERROR, E_CHANNEL_NOT_FOUND, E_CHANNEL_CLOSED, E_CHANNEL_EMPTY,
    E_CHANNEL_NOT_EMPTY,
    E_QUEUE_EMPTY, E_QUEUE_FULL,        /* the high-level module's */
    NEXC
};

static const struct {
    int mod;        /* -1: test.support.interpreters.queues */
    const char *name;
} exc_table[NEXC] = {
    [E_QUEUE_ERROR] = {MOD_QUEUES, "QueueError"},
    [E_QUEUE_NOT_FOUND] = {MOD_QUEUES, "QueueNotFoundError"},
    [E_CHANNEL_ERROR] = {MOD_CHANNELS, "ChannelError"},
    [E_CHANNEL_NOT_FOUND] = {MOD_CHANNELS, "ChannelNotFoundError"},
    [E_CHANNEL_CLOSED] = {MOD_CHANNELS, "ChannelClosedError"},
    [E_CHANNEL_EMPTY] = {MOD_CHANNELS, "ChannelEmptyError"},
    [E_CHANNEL_NOT_EMPTY] = {MOD_CHANNELS, "ChannelNotEmptyError"},
    [E_QUEUE_EMPTY] = {-1, "QueueEmpty"},
    [E_QUEUE_FULL] = {-1, "QueueFull"},
};

#define HIGHLEVEL_QUEUES "test.support.interpreters.queues"
#define HIGHLEVEL_CHANNELS "test.support.interpreters.channels"

/* The functions that exec(), run_func() and call() get, defined in every
 * actor once (modules_helpers.py, as modules_helpers_source); the slots'
 * light stand-ins for the high-level queue module's classes
 * (modules_light.py, as modules_light_source): importing
 * test.support.interpreters (what _interpqueues does on its first
 * QueueEmpty) would more than double each slot's heap, and the pydebug
 * collector walks all of it at every collection (the per-input checks
 * collect when an input's references moved: every input that formats an
 * exception). */
#include "modules_helpers.py.h"
#include "modules_light.py.h"

static const char *const script_text[XF_MOD_NSCRIPTS] = {
    [XF_MOD_SCRIPT_PASS] = "pass",
    [XF_MOD_SCRIPT_RAISE] = "raise ValueError('xidfuzz')",
    [XF_MOD_SCRIPT_DEL] = "for n in ('xf_0', 'xf_1', 'xf_2', 'xf_3'): globals().pop(n, None)",
    [XF_MOD_SCRIPT_BAD] = "",
    [XF_MOD_SCRIPT_SYNTAX] = "(",
};

static const char *const script_func[XF_MOD_NSCRIPTS] = {
    "f_pass", "f_raise", "f_del", "f_arg", "f_closure",
};

/* Interpreter config fields, in the order the core validates them. */
static const char *const field_names[XF_MOD_NFIELDS] = {
    "use_main_obmalloc", "allow_fork", "allow_exec", "allow_threads",
    "allow_daemon_threads", "check_multi_interp_extensions", "gil",
};
#define FIELD_GIL 6
enum { GIL_DEFAULT = 0, GIL_SHARED, GIL_OWN };
static const char *const gil_names[] = {"default", "shared", "own"};

typedef struct {
    int f[XF_MOD_NFIELDS];      /* bools; f[FIELD_GIL] is GIL_* */
} cfg_t;

/* ---- the model -------------------------------------------------------- */

typedef struct {
    int exists;             /* slot: always; dyn: created, not destroyed */
    int is_dyn;
    int64_t id;             /* kept after a dyn actor is destroyed */
    int ever;               /* id is meaningful */
    PyInterpreterState *interp;
    PyThreadState *tstate;
    PyObject *fn[NFN];
    PyObject *exc[NEXC];
    PyObject *mods[NMODS];
    PyObject *helpers;      /* dict: the functions above */
    PyObject *not_shareable;
    cfg_t cfg;              /* what get_config() reports */
    long whence;
    int idrefs;             /* increfs the input made and did not undo */
    int requires_idref;
    int last_buf;           /* reusable buffer of this actor, or -1 */
} actor_t;

typedef enum { IT_QUEUED = 0, IT_UNBOUND, IT_DONE } item_state;

typedef struct {
    int is_chan;
    int box;                /* queue or channel index */
    int owner;              /* actor */
    int64_t owner_id;
    PyObject *orig;         /* in the owner; NULL for buffers or once dropped */
    int buf;                /* buffer index, or -1 */
    int cpath;              /* buffer sent with send_buffer() (a temporary
                               memoryview of the exporter) */
    int fmt;
    int unboundop;          /* 1..3 */
    item_state state;
} item_t;

typedef struct {
    int64_t qid;
    int live;
    Py_ssize_t maxsize;
    int fmt;
    int unboundop;
    int binds;
} queue_t;

typedef enum { CH_OPEN = 0, CH_CLOSING, CH_FREED, CH_REMOVED } ch_state;
enum { END_NONE = 0, END_OPEN, END_RELEASED };

#define MAX_ENDS 16

typedef struct {
    int64_t cid;
    ch_state state;
    int unboundop;
    int nends;
    struct {
        int64_t interpid;
        int send, recv;
    } ends[MAX_ENDS];
} chan_t;

typedef struct {
    int exists;
    int owner;
    int64_t owner_id;
    int is_bytearray;
    PyObject *exporter;     /* in the owner */
    PyObject *mv;           /* the harness's memoryview of it, or NULL */
    PyObject *mv_weak;      /* weakref to it */
    Py_ssize_t len;
} buf_t;

typedef struct {
    int actor;
    PyObject *obj;          /* a received view, in `actor` */
    int buf;
    int cpath;
} held_t;

typedef struct {
    int actor;
    int chan;
    PyObject *obj;          /* a ChannelID, in `actor` */
    int counted;            /* it holds a reference on the channel */
} cid_t;

static actor_t actors[XF_MOD_NACTORS];

static struct {
    item_t items[XF_MOD_MAX_ITEMS];
    int nitems;
    queue_t queues[XF_MOD_MAX_QUEUES];
    int nqueues;
    chan_t chans[XF_MOD_MAX_CHANNELS];
    int nchans;
    buf_t bufs[XF_MOD_MAX_BUFFERS];
    int nbufs;
    held_t held[XF_MOD_MAX_HELD];
    int nheld;
    cid_t cids[XF_MOD_MAX_CIDS + XF_MOD_MAX_CHANNELS];
    int ncids;
    int op_index;
    const char *op_name;
    int dirty[XF_MOD_NACTORS];      /* ran Python code that raised */
} m;

static int static_pool;

/* XIDFUZZ_MODULES_AVOID: "all" (or "1"), or a comma-separated list of the
 * short names below -- the modules' findings, each named before it had
 * an XF number or a patch; XIDFUZZ_AVOID names them by number.  Each bit
 * steers the program around the combinations that reach it, and only
 * those. */
enum {
    AV_ITEM_LEAK = 1 << 0,          /* item-data-leak (XF-021) */
    AV_BUFFER = 1 << 1,             /* buffer-item-never-released */
    AV_VIEW_EXPORTER = 1 << 2,      /* buffer-view-outlives-exporter */
    AV_IS_FULL = 1 << 3,            /* queue-is-full-unbounded */
    AV_LIST_ALL = 1 << 4,           /* channel-list-all-closed */
    AV_RELEASE_TWICE = 1 << 5,      /* channel-end-released-twice */
    AV_INFO_ITEMS = 1 << 6,         /* channel-info-closed-with-items */
    AV_INFO_SWAP = 1 << 7,          /* channel-info-swapped-released-ends */
    AV_TIMEOUT0 = 1 << 8,           /* send-timeout-zero */
    AV_GIL = 1 << 9,                /* config-gil-not-utf8 */
    AV_CODE = 1 << 10,              /* exec-code-with-free-vars */
    AV_LAST_DANGLING = 1 << 11,     /* dangling-last (XF-020, and the channels twin) */
    AV_QCREATE_NOMEM = 1 << 12,     /* queue-create-nomem-alive */
    AV_CCREATE_NOMEM = 1 << 13,     /* channel-create-nomem-no-exception */
    AV_PUT_NOMEM = 1 << 14,         /* put-data-nomem-no-exception */
    AV_END_NOMEM = 1 << 15,         /* channel-end-nomem-closed */
    AV_CID_NOMEM = 1 << 16,         /* channel-create-id-nomem-pending */
    AV_MODSTATE = 1 << 17,          /* module-state-nomem-masked */
};

static const struct {
    int bit;
    const char *name;
    int finding, twin;          /* its XF-NNN (XIDFUZZ_AVOID), 0: none */
} avoid_names[] = {
    {AV_ITEM_LEAK, "item-data-leak", 21, 0},
    {AV_BUFFER, "buffer-item-never-released", 24, 0},
    {AV_VIEW_EXPORTER, "buffer-view-outlives-exporter", 25, 0},
    {AV_IS_FULL, "queue-is-full-unbounded", 39, 0},
    {AV_LIST_ALL, "channel-list-all-closed", 33, 0},
    {AV_RELEASE_TWICE, "channel-end-released-twice", 30, 0},
    {AV_INFO_ITEMS, "channel-info-closed-with-items", 31, 0},
    {AV_INFO_SWAP, "channel-info-swapped-released-ends", 32, 0},
    {AV_TIMEOUT0, "send-timeout-zero", 40, 0},
    {AV_GIL, "config-gil-not-utf8", 34, 0},
    {AV_CODE, "exec-code-with-free-vars", 35, 0},
    {AV_LAST_DANGLING, "dangling-last", 20, 26},
    {AV_QCREATE_NOMEM, "queue-create-nomem-alive", 38, 0},
    {AV_CCREATE_NOMEM, "channel-create-nomem-no-exception", 28, 0},
    {AV_PUT_NOMEM, "put-data-nomem-no-exception", 37, 0},
    {AV_END_NOMEM, "channel-end-nomem-closed", 29, 0},
    {AV_CID_NOMEM, "channel-create-id-nomem-pending", 27, 0},
    {AV_MODSTATE, "module-state-nomem-masked", 36, 0},
};

static int avoid;

static int
avoids(int bits)
{
    return (avoid & bits) != 0;
}

static void
read_avoid(const char *v)
{
    avoid = 0;
    if (v == NULL || v[0] == '\0' || strcmp(v, "0") == 0) {
        return;
    }
    if (strcmp(v, "1") == 0 || strcmp(v, "all") == 0) {
        avoid = ~0;
        return;
    }
    for (size_t i = 0; i < sizeof(avoid_names) / sizeof(avoid_names[0]); i++) {
        if (strstr(v, avoid_names[i].name) != NULL) {
            avoid |= avoid_names[i].bit;
        }
    }
}
static long whence_runtime, whence_stdlib;

/* IDs that never exist: the modules number from 0 (channels) and 1
 * (queues, interpreters) up, and no run gets near this. */
#define NEVER_ID ((int64_t)1 << 40)

static const xf_gen_opts gen_slot_opts = {
    .allow_unshareable = 1,
    .max_nodes = 16,
    .max_width = 4,
    .max_fill = 6,
    .max_depth = 5,
};

/* Created interpreters have no harness helpers (xf_helper()): only the
 * shareable types, and builtin unshareable ones, are generated there. */
static const xf_gen_opts gen_dyn_opts = {
    .allow_unshareable = 0,
    .max_nodes = 16,
    .max_width = 4,
    .max_fill = 6,
    .max_depth = 5,
};

/* ---- reporting -------------------------------------------------------- */

/* The exception the last call() raised, taken out of the thread state at
 * once: working out the expected outcome may use the C API (which must
 * not run with an exception set).  The check_* functions consume it. */
static PyObject *raised;
static PyObject *take_raised(void);

static char ctx[512];

static void
set_ctx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
set_ctx(const char *fmt, ...)
{
    int n = snprintf(ctx, sizeof(ctx), "op %d (%s): ", m.op_index,
                     m.op_name != NULL ? m.op_name : "teardown");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx + n, sizeof(ctx) - (size_t)n, fmt, ap);
    va_end(ap);
    xf_note("modules: %s", ctx);
}

static const char *
repr_utf8(PyObject *obj, char *buf, size_t size)
{
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *r = obj != NULL ? PyObject_Repr(obj) : NULL;
    const char *s = r != NULL ? PyUnicode_AsUTF8(r) : NULL;
    snprintf(buf, size, "%s", s != NULL ? s : "<repr failed>");
    Py_XDECREF(r);
    PyErr_Clear();
    PyErr_SetRaisedException(exc);
    return buf;
}

/* A call that had to succeed returned NULL. */
static void
fail_raised(const char *what)
{
    PyObject *exc = take_raised();
    char r[300];
    repr_utf8(exc, r, sizeof(r));
    PyErr_SetRaisedException(exc);
    PyErr_Print();
    xf_fail("%s%s raised %s, expected success", ctx, what, r);
}

static void
check_ok(PyObject *res, const char *what)
{
    if (res == NULL) {
        fail_raised(what);
    }
}

/* The call returned `res`; it had to raise exactly `type` (and, when `msg`
 * is given, with exactly that message).  The exception is cleared. */
static void
check_exc(PyObject *res, PyObject *type, const char *msg, const char *what)
{
    char r[300];
    if (res != NULL) {
        xf_fail("%s%s returned %s, expected %s%s%s%s", ctx, what,
                repr_utf8(res, r, sizeof(r)), ((PyTypeObject *)type)->tp_name,
                msg ? "(\"" : "", msg ? msg : "", msg ? "\")" : "");
    }
    PyObject *exc = take_raised();
    if (exc == NULL) {
        xf_fail("%s%s returned NULL with no exception set", ctx, what);
    }
    if (Py_TYPE(exc) != (PyTypeObject *)type) {
        repr_utf8(exc, r, sizeof(r));
        PyErr_SetRaisedException(exc);
        PyErr_Print();
        xf_fail("%s%s raised %s, expected %s%s%s%s", ctx, what, r,
                ((PyTypeObject *)type)->tp_name,
                msg ? "(\"" : "", msg ? msg : "", msg ? "\")" : "");
    }
    if (msg != NULL) {
        PyObject *text = PyObject_Str(exc);
        const char *got = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
        if (got == NULL || strcmp(got, msg) != 0) {
            xf_fail("%s%s raised %s(\"%s\"), expected the message \"%s\"", ctx,
                    what, Py_TYPE(exc)->tp_name, got ? got : "?", msg);
        }
        Py_DECREF(text);
    }
    Py_DECREF(exc);
}

/* Like check_exc, but only the type, and that the message contains
 * `part`. */
static void
check_exc_part(PyObject *res, PyObject *type, const char *part, const char *what)
{
    if (res != NULL || raised == NULL || part == NULL) {
        check_exc(res, type, NULL, what);
        return;
    }
    PyObject *exc = Py_NewRef(raised);
    check_exc(NULL, type, NULL, what);
    PyObject *text = PyObject_Str(exc);
    const char *got = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    if (got == NULL || strstr(got, part) == NULL) {
        xf_fail("%s%s raised %s(\"%s\"), expected a message with \"%s\"", ctx,
                what, Py_TYPE(exc)->tp_name, got ? got : "?", part);
    }
    Py_DECREF(text);
    Py_DECREF(exc);
}

static void
fail_value(PyObject *res, const char *what, const char *expected)
{
    char r[300];
    xf_fail("%s%s returned %s, expected %s", ctx, what,
            repr_utf8(res, r, sizeof(r)), expected);
}

/* Attribute lookups by a name made on the fly leave the name in the
 * type's attribute cache (a reference the drift check sees, and that
 * costs a garbage collection to rule out): the result namespaces are read
 * through their __dict__ (a static name), structseqs by index. */
static PyObject *
ns_get(PyObject *ns, const char *name)
{
    PyObject *d = ns != NULL ? PyObject_GetAttr(ns, &_Py_ID(__dict__)) : NULL;
    PyObject *v = NULL;
    if (d != NULL && PyDict_Check(d)) {
        if (PyDict_GetItemStringRef(d, name, &v) < 0) {
            v = NULL;
        }
    }
    Py_XDECREF(d);
    PyErr_Clear();
    return v;
}

/* ---- actors ----------------------------------------------------------- */

static int
actor_alive(int a)
{
    return actors[a].exists;
}

static PyThreadState *
enter(int a)
{
    if (!actors[a].exists) {
        xf_fail("%sactor %d used after it was destroyed", ctx, a);
    }
    return PyThreadState_Swap(actors[a].tstate);
}

static void
leave(PyThreadState *prev)
{
    PyThreadState_Swap(prev);
}

static int
read_actor(xf_input *in)
{
    int a = xf_read_u8(in) % XF_MOD_NACTORS;
    return actor_alive(a) ? a : 0;
}

/* Fault injection (core/harness/fault.h): the next call() runs armed
 * (set by the operations that arm their module call), and the injected
 * failures counted when that call began. */
static int arm_next;
static unsigned long hits_before;

static PyObject *
call(int a, int fn, PyObject *args, PyObject *kwargs)
{
    if (args == NULL) {
        xf_fail("%sbuilding the arguments of %s failed", ctx, fn_table[fn].name);
    }
    if (raised != NULL || PyErr_Occurred()) {
        xf_fail("%sthe harness left an exception set before calling %s", ctx,
                fn_table[fn].name);
    }
    int armed = arm_next;
    arm_next = 0;
    hits_before = xf_fault_hits();
    if (armed) {
        xf_fault_arm();
    }
    PyObject *res = PyObject_Call(actors[a].fn[fn], args, kwargs);
    xf_fault_disarm();
    Py_DECREF(args);
    Py_XDECREF(kwargs);
    if (res == NULL) {
        raised = PyErr_GetRaisedException();
    }
    else if (PyErr_Occurred()) {
        PyErr_Print();
        xf_fail("%s%s returned a value with an exception set", ctx, fn_table[fn].name);
    }
    return res;
}

/* After an armed call: 1 when an injected allocation failure was hit
 * during it and it raised exactly MemoryError (then cleared: the caller
 * checks what the failure left behind).  Any other outcome is judged by
 * the normal oracle (the documented error of the call, or a success). */
static int
faulted_also(PyObject *res, PyObject *also, const char *also_msg, const char *what)
{
    if (res != NULL || raised == NULL || xf_fault_hits() == hits_before) {
        return 0;
    }
    if (also != NULL && Py_TYPE(raised) == (PyTypeObject *)also) {
        PyObject *text = PyObject_Str(raised);
        const char *t = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
        int same = t != NULL && strcmp(t, also_msg) == 0;
        Py_XDECREF(text);
        PyErr_Clear();
        if (same) {
            Py_CLEAR(raised);
            return 1;
        }
    }
    if (Py_TYPE(raised) != (PyTypeObject *)PyExc_MemoryError) {
        return 0;
    }
    xf_note("modules: %s failed with MemoryError after an injected failure (%s)",
            what, xf_fault_describe());
    Py_CLEAR(raised);
    return 1;
}

static int
faulted(PyObject *res, const char *what)
{
    return faulted_also(res, NULL, NULL, what);
}

/* Take the exception of the last call (NULL: none). */
static PyObject *
take_raised(void)
{
    PyObject *exc = raised;
    raised = NULL;
    if (exc == NULL) {
        exc = PyErr_GetRaisedException();
    }
    return exc;
}

/* A keyword dict from "name", value pairs (values stolen), NULL-ended. */
static PyObject *
kw(const char *name, ...)
{
    PyObject *d = PyDict_New();
    va_list ap;
    va_start(ap, name);
    while (d != NULL && name != NULL) {
        PyObject *v = va_arg(ap, PyObject *);
        if (v == NULL || PyDict_SetItemString(d, name, v) < 0) {
            Py_CLEAR(d);
        }
        Py_XDECREF(v);
        name = va_arg(ap, const char *);
    }
    va_end(ap);
    if (d == NULL) {
        xf_fail("%sbuilding keyword arguments failed", ctx);
    }
    return d;
}

static PyObject *
pybool(int v)
{
    return Py_NewRef(v ? Py_True : Py_False);
}

/* The current actor's exception class `e` (borrowed). */
static PyObject *
exc_of(int a, int e)
{
    actor_t *ac = &actors[a];
    if (ac->exc[e] == NULL) {
        if (PyErr_Occurred()) {
            xf_fail("%slooking up %s with an exception set", ctx, exc_table[e].name);
        }
        PyObject *mod = exc_table[e].mod >= 0
            ? Py_NewRef(ac->mods[exc_table[e].mod])
            : PyImport_ImportModule(HIGHLEVEL_QUEUES);
        ac->exc[e] = mod != NULL ? PyObject_GetAttrString(mod, exc_table[e].name) : NULL;
        Py_XDECREF(mod);
        if (ac->exc[e] == NULL) {
            PyErr_Print();
            xf_fail("actor %d has no %s", a, exc_table[e].name);
        }
    }
    return ac->exc[e];
}

static void
clear_actor_refs(actor_t *ac)
{
    for (int i = 0; i < NFN; i++) {
        Py_CLEAR(ac->fn[i]);
    }
    for (int i = 0; i < NEXC; i++) {
        Py_CLEAR(ac->exc[i]);
    }
    for (int i = 0; i < NMODS; i++) {
        Py_CLEAR(ac->mods[i]);
    }
    Py_CLEAR(ac->helpers);
    Py_CLEAR(ac->not_shareable);
}

/* Import the modules in the current interpreter (actor a) and cache what
 * the target calls.  Returns -1 with an exception set on failure. */
/* highlevel: 1 import the high-level modules now; 0 register the light
 * stand-ins (the slots); -1 neither (the module imports them itself when
 * it first needs them). */
static int
setup_actor(int a, int highlevel)
{
    actor_t *ac = &actors[a];
    for (int i = 0; i < NMODS; i++) {
        ac->mods[i] = PyImport_ImportModule(mod_names[i]);
        if (ac->mods[i] == NULL) {
            return -1;
        }
    }
    /* The high-level modules register the Queue and channel end types and
     * give _interpqueues its QueueEmpty / QueueFull.  In the slots, once.
     * An interpreter the input creates leaves it to the modules, which
     * import them when they first need them (half a second under ASan:
     * what interpreter creation costs, twice over). */
    PyObject *light = NULL;
    if (highlevel == 0) {
        light = xf_new_namespace(modules_light_source);
        if (light == NULL) {
            return -1;
        }
    }
    if (highlevel > 0) {
        PyObject *hl = PyImport_ImportModule(HIGHLEVEL_QUEUES);
        if (hl == NULL) {
            return -1;
        }
        Py_DECREF(hl);
        hl = PyImport_ImportModule(HIGHLEVEL_CHANNELS);
        if (hl == NULL) {
            return -1;
        }
        Py_DECREF(hl);
    }
    for (int i = 0; i < NFN; i++) {
        ac->fn[i] = PyObject_GetAttrString(ac->mods[fn_table[i].mod], fn_table[i].name);
        if (ac->fn[i] == NULL) {
            return -1;
        }
    }
    for (int e = 0; e < NEXC; e++) {
        if (exc_table[e].mod < 0 && highlevel < 0) {
            continue;   /* exc_of() looks it up once the module raised it */
        }
        if (exc_table[e].mod < 0 && light != NULL) {
            ac->exc[e] = Py_XNewRef(PyDict_GetItemString(light, exc_table[e].name));
        }
        else {
            PyObject *mod = exc_table[e].mod >= 0 ? Py_NewRef(ac->mods[exc_table[e].mod])
                                                  : PyImport_ImportModule(HIGHLEVEL_QUEUES);
            ac->exc[e] = mod != NULL ? PyObject_GetAttrString(mod, exc_table[e].name) : NULL;
            Py_XDECREF(mod);
        }
        if (ac->exc[e] == NULL) {
            return -1;
        }
    }
    ac->not_shareable = PyObject_GetAttrString(ac->mods[MOD_INTERP], "NotShareableError");
    if (ac->not_shareable == NULL) {
        return -1;
    }
    Py_XDECREF(light);     /* the module state keeps the classes */
    ac->helpers = xf_new_namespace(modules_helpers_source);
    if (ac->helpers == NULL) {
        return -1;
    }
    ac->interp = PyInterpreterState_Get();
    ac->id = PyInterpreterState_GetID(ac->interp);
    ac->ever = 1;
    ac->last_buf = -1;
    return 0;
}

static long
module_long(PyObject *mod, const char *name)
{
    PyObject *v = PyObject_GetAttrString(mod, name);
    long r = v != NULL ? PyLong_AsLong(v) : -1;
    Py_XDECREF(v);
    if (r < 0) {
        PyErr_Print();
        xf_fail("_interpreters.%s is missing", name);
    }
    return r;
}

static void
init(void)
{
    const char *v = getenv(XF_ENV_STATIC_POOL);
    static_pool = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
    v = getenv(XF_ENV_MODULES_AVOID);
    read_avoid(v);
    /* XIDFUZZ_AVOID (avoid.h) names the same combinations by finding, as
     * a campaign on the pristine core asks for them. */
    for (size_t i = 0; i < sizeof(avoid_names) / sizeof(avoid_names[0]); i++) {
        if (xf_avoiding(avoid_names[i].finding)
            || (avoid_names[i].twin && xf_avoiding(avoid_names[i].twin)))
        {
            avoid |= avoid_names[i].bit;
        }
    }
    for (int s = 0; s < XF_MOD_NSLOTS; s++) {
        actor_t *ac = &actors[s];
        ac->exists = 1;
        ac->tstate = xf_tstate(s);
        PyThreadState *prev = PyThreadState_Swap(ac->tstate);
        if (setup_actor(s, 0) < 0) {
            PyErr_Print();
            xf_fail("cannot import the interpreter modules in slot %d", s);
        }
        PyThreadState_Swap(prev);
        /* _PyInterpreterConfig_LEGACY_INIT for main, _INIT for the slots
         * (the pool creates them with the default config).  get_config()
         * reads the GIL back from the interpreter: main's is its own. */
        if (s == 0) {
            ac->cfg = (cfg_t){{1, 1, 1, 1, 1, 0, GIL_OWN}};
        }
        else {
            ac->cfg = (cfg_t){{0, 0, 0, 1, 0, 1, GIL_OWN}};
        }
    }
    whence_runtime = module_long(actors[0].mods[MOD_INTERP], "WHENCE_RUNTIME");
    whence_stdlib = module_long(actors[0].mods[MOD_INTERP], "WHENCE_STDLIB");
    actors[0].whence = whence_runtime;
    for (int s = 1; s < XF_MOD_NSLOTS; s++) {
        actors[s].whence = whence_stdlib;
    }
    for (int d = XF_MOD_NSLOTS; d < XF_MOD_NACTORS; d++) {
        actors[d].is_dyn = 1;
    }
}

/* ---- pending calls ------------------------------------------------------ */

static int32_t
npending_of(int a)
{
    return _Py_atomic_load_int32(&actors[a].interp->ceval.pending.npending);
}

/* Buffer releases from other interpreters are pending calls of the
 * exporter: run every actor's, so that the model's counts hold between
 * operations. */
static void
run_all_pending(void)
{
    for (int round = 0; round < 4; round++) {
        int any = 0;
        for (int a = 0; a < XF_MOD_NACTORS; a++) {
            if (!actor_alive(a) || npending_of(a) == 0) {
                continue;
            }
            any = 1;
            PyThreadState *prev = enter(a);
            if (_PyEval_MakePendingCalls(actors[a].tstate) < 0) {
                PyErr_Print();
                xf_fail("%srunning actor %d's pending calls failed", ctx, a);
            }
            leave(prev);
        }
        if (!any) {
            return;
        }
    }
    xf_fail("%spending calls do not drain", ctx);
}

/* ---- buffers ------------------------------------------------------------ */

/* Live references to buffer b's memory, by kind: items in flight that
 * still hold their data, and received views the harness keeps. */
static void
buf_refs(int b, int *nq, int *nc)
{
    *nq = *nc = 0;
    for (int i = 0; i < m.nitems; i++) {
        item_t *it = &m.items[i];
        if (it->buf == b && it->state == IT_QUEUED) {
            if (it->cpath) {
                (*nc)++;
            }
            else {
                (*nq)++;
            }
        }
    }
    for (int i = 0; i < m.nheld; i++) {
        if (m.held[i].obj != NULL && m.held[i].buf == b) {
            if (m.held[i].cpath) {
                (*nc)++;
            }
            else {
                (*nq)++;
            }
        }
    }
}

static void
check_buffers(void)
{
    for (int b = 0; b < m.nbufs; b++) {
        buf_t *bf = &m.bufs[b];
        if (!bf->exists) {
            continue;
        }
        int nq, nc;
        buf_refs(b, &nq, &nc);
        PyThreadState *prev = enter(bf->owner);
        PyObject *mv = bf->mv;
        PyObject *alive = NULL;
        if (mv == NULL) {
            if (PyWeakref_GetRef(bf->mv_weak, &alive) < 0) {
                xf_fail("PyWeakref_GetRef failed");
            }
            mv = alive;
            if ((mv != NULL) != (nq > 0)) {
                xf_fail("%s; buffer %d: the harness dropped its memoryview and %d "
                        "item(s) or view(s) of it are live, but the memoryview is %s",
                        ctx, b, nq, mv != NULL ? "still alive" : "gone");
            }
        }
        if (mv != NULL && ((PyMemoryViewObject *)mv)->exports != nq) {
            xf_fail("%s; buffer %d: its memoryview has %zd export(s), expected %d "
                    "(items in flight or views kept)", ctx, b,
                    ((PyMemoryViewObject *)mv)->exports, nq);
        }
        if (bf->is_bytearray) {
            Py_ssize_t want = (mv != NULL) + nc;
            Py_ssize_t got = ((PyByteArrayObject *)bf->exporter)->ob_exports;
            if (got != want) {
                xf_fail("%s; buffer %d: the bytearray has %zd export(s), expected "
                        "%zd (the harness's memoryview: %d, send_buffer views: %d)",
                        ctx, b, got, want, mv != NULL, nc);
            }
        }
        Py_XDECREF(alive);
        leave(prev);
    }
}

static const char *
buf_data(buf_t *bf)
{
    return bf->is_bytearray ? PyByteArray_AS_STRING(bf->exporter)
                            : PyBytes_AS_STRING(bf->exporter);
}

/* A received object for buffer b: a memoryview of the exporter's own
 * memory, with its current contents. */
static void
check_received_buffer(PyObject *obj, int b, const char *what)
{
    buf_t *bf = &m.bufs[b];
    if (!PyMemoryView_Check(obj)) {
        fail_value(obj, what, "a memoryview");
    }
    Py_buffer *view = &((PyMemoryViewObject *)obj)->view;
    if (view->len != bf->len || view->buf != (void *)buf_data(bf)) {
        xf_fail("%s%s: received a view of %zd bytes at %p, shared %zd bytes at %p",
                ctx, what, view->len, view->buf, bf->len, (void *)buf_data(bf));
    }
}

/* A new buffer owned by the current actor a, from the input; -1 if the
 * table is full. */
static int
new_buffer(xf_input *in, int a, int kind)
{
    size_t len;
    const uint8_t *p = xf_read_span(in, XF_MOD_MAX_BUFLEN, &len);
    if ((kind & 2) && actors[a].last_buf >= 0
            && m.bufs[actors[a].last_buf].exists
            && m.bufs[actors[a].last_buf].mv != NULL) {
        return actors[a].last_buf;
    }
    if (m.nbufs == XF_MOD_MAX_BUFFERS) {
        return -1;
    }
    int b = m.nbufs++;
    buf_t *bf = &m.bufs[b];
    *bf = (buf_t){.exists = 1, .owner = a, .owner_id = actors[a].id,
                  .is_bytearray = kind & 1, .len = (Py_ssize_t)len};
    bf->exporter = bf->is_bytearray
        ? PyByteArray_FromStringAndSize((const char *)p, (Py_ssize_t)len)
        : PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)len);
    bf->mv = bf->exporter != NULL ? PyMemoryView_FromObject(bf->exporter) : NULL;
    bf->mv_weak = bf->mv != NULL ? PyWeakref_NewRef(bf->mv, NULL) : NULL;
    if (bf->mv_weak == NULL) {
        PyErr_Print();
        xf_fail("%smaking a buffer failed", ctx);
    }
    actors[a].last_buf = b;
    return b;
}

/* ---- items ------------------------------------------------------------- */

static int
new_item(int is_chan, int box, int owner, PyObject *orig, int buf, int cpath,
         int fmt, int unboundop)
{
    if (m.nitems == XF_MOD_MAX_ITEMS) {
        xf_fail("item table full");     /* callers check for room first */
    }
    int i = m.nitems++;
    m.items[i] = (item_t){
        .is_chan = is_chan, .box = box, .owner = owner,
        .owner_id = actors[owner].id, .orig = Py_XNewRef(orig), .buf = buf,
        .cpath = cpath, .fmt = fmt, .unboundop = unboundop,
        .state = IT_QUEUED,
    };
    return i;
}

/* Drop the harness's reference to an item's original (in its owner). */
static void
drop_orig(item_t *it)
{
    if (it->orig != NULL) {
        PyThreadState *prev = enter(it->owner);
        Py_CLEAR(it->orig);
        leave(prev);
    }
}

static void
item_done(item_t *it)
{
    it->state = IT_DONE;
    drop_orig(it);
}

static int
box_count(int is_chan, int box)
{
    int n = 0;
    for (int i = 0; i < m.nitems; i++) {
        item_t *it = &m.items[i];
        if (it->is_chan == is_chan && it->box == box && it->state != IT_DONE) {
            n++;
        }
    }
    return n;
}

static item_t *
box_front(int is_chan, int box)
{
    for (int i = 0; i < m.nitems; i++) {
        item_t *it = &m.items[i];
        if (it->is_chan == is_chan && it->box == box && it->state != IT_DONE) {
            return it;
        }
    }
    return NULL;
}

/* A queue or channel went away with its items: they are released. */
static void
box_clear(int is_chan, int box)
{
    for (int i = 0; i < m.nitems; i++) {
        item_t *it = &m.items[i];
        if (it->is_chan == is_chan && it->box == box && it->state != IT_DONE) {
            item_done(it);
        }
    }
}

/* Whether the items of a queue or channel going away now (destroyed,
 * released to 0, closed with force) reach an avoided finding. */
static int
drop_avoided(int is_chan, int box)
{
    for (int i = 0; i < m.nitems; i++) {
        item_t *it = &m.items[i];
        if (it->is_chan == is_chan && it->box == box && it->state != IT_DONE) {
            if (avoids(AV_ITEM_LEAK) || (avoids(AV_BUFFER) && it->buf >= 0
                                         && it->state == IT_QUEUED)) {
                return 1;
            }
        }
    }
    return 0;
}

/* The received `obj` (in the current actor) for item `it`. */
static void
check_received(PyObject *obj, item_t *it, const char *what)
{
    if (it->buf >= 0) {
        check_received_buffer(obj, it->buf, what);
        return;
    }
    if (it->orig == NULL) {
        return;     /* its original is gone with a destroyed actor */
    }
    char why[512];
    if (!xf_compare(it->orig, obj, why, sizeof(why))) {
        xf_fail("%s%s: the item received differs from the one put: %s", ctx,
                what, why);
    }
}

/* Keep a received buffer view alive (KEEP flag), or let it go now. */
static void
keep_or_drop(PyObject *obj, item_t *it, int a, int keep)
{
    if (keep && it->buf >= 0 && m.nheld < XF_MOD_MAX_HELD) {
        m.held[m.nheld++] = (held_t){.actor = a, .obj = Py_NewRef(obj),
                                     .buf = it->buf, .cpath = it->cpath};
    }
}

/* ---- queue operations ----------------------------------------------------- */

static const Py_ssize_t maxsize_table[] = {
    0, 1, 2, 3, -1, 8, PY_SSIZE_T_MAX, -5,
};

static const int unbound_table[XF_MOD_UB_NSEL] = {1, 2, 3, 0, 4, -1};

static int
read_box(xf_input *in, int n)
{
    return xf_read_u8(in) % (n + 1);    /* n: an ID that never existed */
}

static int64_t
qid_of(int q)
{
    return q < m.nqueues ? m.queues[q].qid : NEVER_ID;
}

static int
queue_live(int q)
{
    return q < m.nqueues && m.queues[q].live;
}

static char *
fmt_msg(char *buf, size_t size, const char *fmt, int64_t id)
{
    snprintf(buf, size, fmt, id);
    return buf;
}

/* Before an operation on queue q: its count through the module agrees. */
static void
precheck_queue(int q)
{
    if (!queue_live(q)) {
        return;
    }
    PyThreadState *prev = enter(0);
    PyObject *res = call(0, F_Q_GET_COUNT, Py_BuildValue("(L)", qid_of(q)), NULL);
    check_ok(res, "precheck get_count");
    long n = PyLong_AsLong(res);
    if (n != box_count(0, q)) {
        xf_fail("%sbefore the operation, queue %d (qid %" PRId64 ") holds %ld "
                "item(s), the model %d", ctx, q, qid_of(q), n, box_count(0, q));
    }
    Py_DECREF(res);
    leave(prev);
}

static void
queue_gone(int q)
{
    m.queues[q].live = 0;
    box_clear(0, q);
}

/* After a call that failed with an injected MemoryError: the queue's or
 * channel's count through the module (unarmed, from slot 0) is the
 * model's, or -- `may_pop` -- one less, the front item popped and dropped
 * (get/recv fail after popping it when it cannot be rebuilt). */
static int chan_usable(int c);

static void
resync_count(int is_chan, int box, int may_pop)
{
    if (is_chan ? !chan_usable(box) : !queue_live(box)) {
        return;
    }
    PyThreadState *prev = enter(0);
    PyObject *res = call(0, is_chan ? F_C_GET_COUNT : F_Q_GET_COUNT,
                         Py_BuildValue("(L)", is_chan ? m.chans[box].cid
                                                      : m.queues[box].qid), NULL);
    if (is_chan && may_pop && m.chans[box].state == CH_CLOSING
        && box_count(1, box) == 1 && res == NULL)
    {
        /* The recv popped the last item of a closing channel, which then
         * finished closing as a recv that succeeds makes it, and failed
         * after that (building its result): the item went with it. */
        char msg[128];
        check_exc(res, exc_of(0, E_CHANNEL_CLOSED),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " is closed",
                          m.chans[box].cid),
                  "get_count after an injected failure");
        leave(prev);
        item_done(box_front(1, box));
        return;
    }
    check_ok(res, "get_count after an injected failure");
    long n = PyLong_AsLong(res);
    Py_DECREF(res);
    leave(prev);
    int want = box_count(is_chan, box);
    if (may_pop && n == want - 1) {
        item_done(box_front(is_chan, box));
    }
    else if (n != want) {
        xf_fail("%safter a call failed with an injected MemoryError, the %s "
                "holds %ld item(s), the model %d%s", ctx, is_chan ? "channel" : "queue",
                n, want, may_pop ? " (or one less)" : "");
    }
}

/* Whether the module made actor a's end of channel c during a call that
 * failed with an injected MemoryError: ask list_interpreters(). */
static int *end_of(chan_t *ch, int64_t interpid, int send, int add);

static void
resync_end(int a, int c, int send)
{
    if (!chan_usable(c) || m.chans[c].state == CH_CLOSING) {
        return;
    }
    int *end = end_of(&m.chans[c], actors[a].id, send, 1);
    if (*end != END_NONE) {
        return;     /* open stays open; released fails before allocating */
    }
    PyThreadState *prev = enter(0);
    PyObject *res = call(0, F_C_LIST_INTERPS, Py_BuildValue("(L)", m.chans[c].cid),
                         kw("send", pybool(send), NULL));
    check_ok(res, "list_interpreters after an injected failure");
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(res); i++) {
        if (PyLong_AsLongLong(PyList_GET_ITEM(res, i)) == actors[a].id) {
            *end = END_OPEN;
        }
    }
    Py_DECREF(res);
    leave(prev);
}

/* A create() that failed with an injected MemoryError made no queue. */
static void
check_no_ghost_queue(void)
{
    int live = 0;
    for (int q = 0; q < m.nqueues; q++) {
        live += m.queues[q].live;
    }
    PyThreadState *prev = enter(0);
    PyObject *res = call(0, F_Q_LIST_ALL, PyTuple_New(0), NULL);
    check_ok(res, "list_all after an injected failure");
    if (PyList_GET_SIZE(res) != live) {
        xf_fail("%sa create() that failed with an injected MemoryError left %zd "
                "queue(s), the model %d", ctx, PyList_GET_SIZE(res), live);
    }
    Py_DECREF(res);
    leave(prev);
}

static void
op_q_create(xf_input *in)
{
    int a = read_actor(in);
    Py_ssize_t maxsize = maxsize_table[xf_read_u8(in) % 8];
    int fmt = (int8_t)xf_read_u8(in);
    int ubsel = xf_read_u8(in) % XF_MOD_UB_NSEL;
    int ub = unbound_table[ubsel];
    set_ctx("actor %d create(%zd, %d, %d)", a, maxsize, fmt, ub);
    if (ubsel < 3 && m.nqueues == XF_MOD_MAX_QUEUES) {
        return;
    }
    PyThreadState *prev = enter(a);
    arm_next = !avoids(AV_QCREATE_NOMEM);
    PyObject *res = call(a, F_Q_CREATE, Py_BuildValue("(nii)", maxsize, fmt, ub), NULL);
    if (faulted(res, "create")) {
        leave(prev);
        check_no_ghost_queue();
        return;
    }
    if (ubsel >= 3) {
        char msg[64];
        snprintf(msg, sizeof(msg), "unsupported unboundop %d", ub);
        check_exc(res, PyExc_ValueError, msg, "create");
        leave(prev);
        return;
    }
    check_ok(res, "create");
    int64_t qid = PyLong_AsLongLong(res);
    Py_DECREF(res);
    for (int q = 0; q < m.nqueues; q++) {
        if (m.queues[q].qid == qid) {
            xf_fail("%screate returned qid %" PRId64 " again", ctx, qid);
        }
    }
    int q = m.nqueues++;
    m.queues[q] = (queue_t){.qid = qid, .live = 1, .maxsize = maxsize,
                            .fmt = fmt, .unboundop = ub};
    leave(prev);
}

/* Put `obj` (the current actor's; buffer b or -1) into queue q. */
static void
queue_put(int a, int q, PyObject *obj, int b, int flags)
{
    int ubsel = (flags & 7) % XF_MOD_UB_NSEL;
    int ub = unbound_table[ubsel];
    int fmt = flags >> 4;
    int64_t qid = qid_of(q);
    char msg[128];
    arm_next = !avoids(AV_PUT_NOMEM) && !(b >= 0 && avoids(AV_BUFFER));
    PyObject *res = call(a, F_Q_PUT, Py_BuildValue("(LOii)", qid, obj, fmt, ub), NULL);
    if (faulted(res, "put")) {
        /* nothing queued */
        resync_count(0, q, 0);
        return;
    }
    if (ubsel >= 3) {
        snprintf(msg, sizeof(msg), "unsupported unboundop %d", ub);
        check_exc(res, PyExc_ValueError, msg, "put");
        return;
    }
    if (!queue_live(q)) {
        check_exc(res, exc_of(a, E_QUEUE_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " not found", qid), "put");
        return;
    }
    xf_share_outcome want = b >= 0 ? XF_SHARE_OK
        : xf_expect_share(obj, actors[a].tstate->c_recursion_remaining);
    if (want != XF_SHARE_OK) {
        check_exc(res, xf_share_outcome_error(want), NULL, "put");
        return;
    }
    queue_t *qu = &m.queues[q];
    if (qu->maxsize > 0 && box_count(0, q) >= qu->maxsize) {
        check_exc(res, exc_of(a, E_QUEUE_FULL),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " is full", qid), "put");
        return;
    }
    check_ok(res, "put");
    if (res != Py_None) {
        fail_value(res, "put", "None");
    }
    Py_DECREF(res);
    new_item(0, q, a, b >= 0 ? NULL : obj, b, 0, fmt, ub);
}

static int
room_for_item(void)
{
    return m.nitems < XF_MOD_MAX_ITEMS;
}

static void
op_q_put(xf_input *in)
{
    int a = read_actor(in);
    int q = read_box(in, m.nqueues);
    int flags = xf_read_u8(in);
    precheck_queue(q);
    PyThreadState *prev = enter(a);
    PyObject *obj = xf_gen_object(in, actors[a].is_dyn ? &gen_dyn_opts : &gen_slot_opts);
    if (obj == NULL) {
        PyErr_Print();
        xf_fail("generating an object failed");
    }
    set_ctx("actor %d put(qid %" PRId64 ", %s, flags 0x%x)", a, qid_of(q),
            Py_TYPE(obj)->tp_name, flags);
    if (room_for_item()) {
        queue_put(a, q, obj, -1, flags);
    }
    Py_DECREF(obj);
    leave(prev);
}

static void
op_q_put_buf(xf_input *in)
{
    int a = read_actor(in);
    int q = read_box(in, m.nqueues);
    int flags = xf_read_u8(in);
    int kind = xf_read_u8(in);
    precheck_queue(q);
    PyThreadState *prev = enter(a);
    int b = new_buffer(in, a, kind);
    set_ctx("actor %d put(qid %" PRId64 ", memoryview of buffer %d, flags 0x%x)",
            a, qid_of(q), b, flags);
    if (avoids(AV_BUFFER) && queue_live(q) && m.queues[q].maxsize > 0
        && box_count(0, q) >= m.queues[q].maxsize) {
        b = -1;     /* XF-024-buffer-item-never-released (QueueFull) */
    }
    if (b >= 0 && room_for_item()) {
        queue_put(a, q, m.bufs[b].mv, b, flags);
    }
    leave(prev);
}

static void
check_unbound_result(PyObject *res, item_t *it, int is_chan, const char *what)
{
    /* queue: (None, fmt, unboundop); channel: (None, unboundop) */
    int ok = PyTuple_Check(res) && PyTuple_GET_SIZE(res) == (is_chan ? 2 : 3)
             && PyTuple_GET_ITEM(res, 0) == Py_None;
    if (ok) {
        PyObject *op = PyTuple_GET_ITEM(res, is_chan ? 1 : 2);
        ok = PyLong_Check(op) && PyLong_AsLong(op) == it->unboundop;
        if (!is_chan) {
            PyObject *f = PyTuple_GET_ITEM(res, 1);
            ok = ok && PyLong_Check(f) && PyLong_AsLong(f) == it->fmt;
        }
    }
    if (!ok) {
        char want[64];
        snprintf(want, sizeof(want), is_chan ? "(None, %d)" : "(None, %d, %d)",
                 is_chan ? it->unboundop : it->fmt, it->unboundop);
        fail_value(res, what, want);
    }
}

static void
op_q_get(xf_input *in)
{
    int a = read_actor(in);
    int q = read_box(in, m.nqueues);
    int flags = xf_read_u8(in);
    int64_t qid = qid_of(q);
    char msg[128];
    set_ctx("actor %d get(qid %" PRId64 ")", a, qid);
    precheck_queue(q);
    PyThreadState *prev = enter(a);
    /* a received buffer is rebuilt through the module state, and its
     * rebuild failing loses the buffer (the two findings below) */
    arm_next = !avoids(AV_MODSTATE | AV_BUFFER);
    PyObject *res = call(a, F_Q_GET, Py_BuildValue("(L)", qid), NULL);
    if (faulted(res, "get")) {
        /* the item was popped and dropped, or is still there */
        leave(prev);
        resync_count(0, q, 1);
        return;
    }
    if (!queue_live(q)) {
        check_exc(res, exc_of(a, E_QUEUE_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " not found", qid), "get");
        leave(prev);
        return;
    }
    item_t *it = box_front(0, q);
    if (it == NULL) {
        check_exc(res, exc_of(a, E_QUEUE_EMPTY),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " is empty", qid), "get");
        leave(prev);
        return;
    }
    check_ok(res, "get");
    if (it->state == IT_UNBOUND) {
        check_unbound_result(res, it, 0, "get");
    }
    else {
        if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 3
                || PyTuple_GET_ITEM(res, 2) != Py_None
                || !PyLong_Check(PyTuple_GET_ITEM(res, 1))
                || PyLong_AsLong(PyTuple_GET_ITEM(res, 1)) != it->fmt) {
            char want[64];
            snprintf(want, sizeof(want), "(obj, %d, None)", it->fmt);
            fail_value(res, "get", want);
        }
        check_received(PyTuple_GET_ITEM(res, 0), it, "get");
        keep_or_drop(PyTuple_GET_ITEM(res, 0), it, a, flags & XF_MOD_KEEP);
    }
    Py_DECREF(res);
    leave(prev);
    item_done(it);
}

static void
op_q_bind(xf_input *in, int release)
{
    int a = read_actor(in);
    int q = read_box(in, m.nqueues);
    int64_t qid = qid_of(q);
    char msg[128];
    set_ctx("actor %d %s(qid %" PRId64 ")", a, release ? "release" : "bind", qid);
    precheck_queue(q);
    if (release && queue_live(q) && m.queues[q].binds == 1 && drop_avoided(0, q)) {
        return;     /* XF-021 */
    }
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, release ? F_Q_RELEASE : F_Q_BIND,
                         Py_BuildValue("(L)", qid), NULL);
    if (!queue_live(q)) {
        check_exc(res, exc_of(a, E_QUEUE_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " not found", qid),
                  release ? "release" : "bind");
    }
    else if (release && m.queues[q].binds == 0) {
        check_exc(res, exc_of(a, E_QUEUE_ERROR),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " never bound", qid),
                  "release");
    }
    else {
        check_ok(res, release ? "release" : "bind");
        Py_DECREF(res);
        if (!release) {
            m.queues[q].binds++;
        }
        else if (--m.queues[q].binds == 0) {
            leave(prev);
            queue_gone(q);
            run_all_pending();
            return;
        }
    }
    leave(prev);
}

static int
queue_in_list(PyObject *list, queue_t *qu)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *t = PyList_GET_ITEM(list, i);
        if (PyTuple_Check(t) && PyTuple_GET_SIZE(t) == 3
            && PyLong_AsLongLong(PyTuple_GET_ITEM(t, 0)) == qu->qid
            && PyLong_AsLong(PyTuple_GET_ITEM(t, 1)) == qu->fmt
            && PyLong_AsLong(PyTuple_GET_ITEM(t, 2)) == qu->unboundop) {
            return 1;
        }
    }
    return 0;
}

static void
op_q_query(xf_input *in)
{
    int a = read_actor(in);
    int q = read_box(in, m.nqueues);
    int which = xf_read_u8(in) % XF_MOD_QQ_NWHICH;
    int64_t qid = qid_of(q);
    static const char *const names[] = {
        "get_count", "is_full", "get_maxsize", "get_queue_defaults", "list_all",
    };
    static const int fns[] = {
        F_Q_GET_COUNT, F_Q_IS_FULL, F_Q_GET_MAXSIZE, F_Q_GET_DEFAULTS, F_Q_LIST_ALL,
    };
    set_ctx("actor %d %s(qid %" PRId64 ")", a, names[which], qid);
    precheck_queue(q);
    queue_t *qu = q < m.nqueues ? &m.queues[q] : NULL;
    if (avoids(AV_IS_FULL) && which == XF_MOD_QQ_FULL && queue_live(q) && qu->maxsize <= 0) {
        return;     /* XF-039-queue-is-full-unbounded */
    }
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, fns[which], which == XF_MOD_QQ_LIST
                         ? PyTuple_New(0) : Py_BuildValue("(L)", qid), NULL);
    char msg[128];
    if (which != XF_MOD_QQ_LIST && !queue_live(q)) {
        check_exc(res, exc_of(a, E_QUEUE_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " not found", qid),
                  names[which]);
        leave(prev);
        return;
    }
    check_ok(res, names[which]);
    int n = q < m.nqueues ? box_count(0, q) : 0;
    switch (which) {
    case XF_MOD_QQ_COUNT:
        if (!PyLong_Check(res) || PyLong_AsLong(res) != n) {
            snprintf(msg, sizeof(msg), "%d", n);
            fail_value(res, "get_count", msg);
        }
        break;
    case XF_MOD_QQ_FULL: {
        int full = qu->maxsize > 0 && n >= qu->maxsize;
        if (res != (full ? Py_True : Py_False)) {
            snprintf(msg, sizeof(msg), "%s (maxsize %zd, %d item(s))",
                     full ? "True" : "False", qu->maxsize, n);
            fail_value(res, "is_full", msg);
        }
        break;
    }
    case XF_MOD_QQ_MAXSIZE:
        if (!PyLong_Check(res) || PyLong_AsSsize_t(res) != qu->maxsize) {
            snprintf(msg, sizeof(msg), "%zd", qu->maxsize);
            fail_value(res, "get_maxsize", msg);
        }
        break;
    case XF_MOD_QQ_DEFAULTS:
        if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 2
            || PyLong_AsLong(PyTuple_GET_ITEM(res, 0)) != qu->fmt
            || PyLong_AsLong(PyTuple_GET_ITEM(res, 1)) != qu->unboundop) {
            snprintf(msg, sizeof(msg), "(%d, %d)", qu->fmt, qu->unboundop);
            fail_value(res, "get_queue_defaults", msg);
        }
        break;
    case XF_MOD_QQ_LIST: {
        int live = 0;
        for (int i = 0; i < m.nqueues; i++) {
            if (m.queues[i].live) {
                live++;
                if (!queue_in_list(res, &m.queues[i])) {
                    snprintf(msg, sizeof(msg), "a list with (%" PRId64 ", %d, %d)",
                             m.queues[i].qid, m.queues[i].fmt, m.queues[i].unboundop);
                    fail_value(res, "list_all", msg);
                }
            }
        }
        if (!PyList_Check(res) || PyList_GET_SIZE(res) != live) {
            snprintf(msg, sizeof(msg), "%d queue(s)", live);
            fail_value(res, "list_all", msg);
        }
        break;
    }
    }
    PyErr_Clear();      /* PyLong_As* on a wrong type: reported above */
    Py_DECREF(res);
    leave(prev);
}

/* Destroy queue q from actor a (an operation, or the teardown). */
static void
queue_destroy(int a, int q)
{
    int64_t qid = qid_of(q);
    char msg[128];
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, F_Q_DESTROY, Py_BuildValue("(L)", qid), NULL);
    if (!queue_live(q)) {
        check_exc(res, exc_of(a, E_QUEUE_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "queue %" PRId64 " not found", qid),
                  "destroy");
        leave(prev);
        return;
    }
    check_ok(res, "destroy");
    Py_DECREF(res);
    leave(prev);
    queue_gone(q);
    run_all_pending();
}

static void
op_q_destroy(xf_input *in)
{
    int a = read_actor(in);
    int q = read_box(in, m.nqueues);
    set_ctx("actor %d destroy(qid %" PRId64 ")", a, qid_of(q));
    precheck_queue(q);
    if (queue_live(q) && drop_avoided(0, q)) {
        return;     /* XF-021 */
    }
    queue_destroy(a, q);
}

/* ---- channels --------------------------------------------------------- */

static int64_t
cid_of(int c)
{
    return c < m.nchans ? m.chans[c].cid : NEVER_ID;
}

/* The channel's ref is in the module's list (ChannelNotFoundError
 * otherwise). */
static int
chan_found(int c)
{
    return c >= 0 && c < m.nchans && m.chans[c].state != CH_REMOVED;
}

static int *
end_of(chan_t *ch, int64_t interpid, int send, int add)
{
    for (int i = 0; i < ch->nends; i++) {
        if (ch->ends[i].interpid == interpid) {
            return send ? &ch->ends[i].send : &ch->ends[i].recv;
        }
    }
    if (!add) {
        return NULL;
    }
    if (ch->nends == MAX_ENDS) {
        xf_fail("channel end table full");
    }
    int i = ch->nends++;
    ch->ends[i].interpid = interpid;
    ch->ends[i].send = ch->ends[i].recv = END_NONE;
    return send ? &ch->ends[i].send : &ch->ends[i].recv;
}

static int
end_state(chan_t *ch, int64_t interpid, int send)
{
    int *e = end_of(ch, interpid, send, 0);
    return e != NULL ? *e : END_NONE;
}

/* _channelends_is_open(): an end is open, or none was ever made. */
static int
chan_ends_open(chan_t *ch)
{
    int any = 0;
    for (int i = 0; i < ch->nends; i++) {
        if (ch->ends[i].send == END_OPEN || ch->ends[i].recv == END_OPEN) {
            return 1;
        }
        any |= ch->ends[i].send != END_NONE || ch->ends[i].recv != END_NONE;
    }
    return !any;
}

/* The module's lookup succeeds: the state exists and is open. */
static int
chan_usable(int c)
{
    if (!chan_found(c)) {
        return 0;
    }
    chan_t *ch = &m.chans[c];
    return (ch->state == CH_OPEN || ch->state == CH_CLOSING) && chan_ends_open(ch);
}

/* Whether releasing interpid's ends (send and/or recv) would close
 * channel c while it still holds items (which then can only go with the
 * channel: XF-021 when it does). */
static int
release_strands_items(int c, int64_t interpid, int send, int recv)
{
    if (!chan_found(c) || box_count(1, c) == 0) {
        return 0;
    }
    chan_t copy = m.chans[c];
    if (copy.state != CH_OPEN && copy.state != CH_CLOSING) {
        return 0;
    }
    if (send) {
        *end_of(&copy, interpid, 1, 1) = END_RELEASED;
    }
    if (recv) {
        *end_of(&copy, interpid, 0, 1) = END_RELEASED;
    }
    if (!chan_ends_open(&copy)) {
        return 1;
    }
    /* the teardown drains from a slot that can still receive */
    for (int s = 0; s < XF_MOD_NSLOTS; s++) {
        if (end_state(&copy, actors[s].id, 0) != END_RELEASED) {
            return 0;
        }
    }
    return 1;
}

static void
precheck_chan(int c)
{
    if (!chan_usable(c)) {
        return;
    }
    PyThreadState *prev = enter(0);
    PyObject *res = call(0, F_C_GET_COUNT, Py_BuildValue("(L)", cid_of(c)), NULL);
    check_ok(res, "precheck get_count");
    long n = PyLong_AsLong(res);
    if (n != box_count(1, c)) {
        xf_fail("%sbefore the operation, channel %d (cid %" PRId64 ") holds %ld "
                "item(s), the model %d", ctx, c, cid_of(c), n, box_count(1, c));
    }
    Py_DECREF(res);
    leave(prev);
}

/* The error a lookup-based call on channel c raises, or 0 if it passes. */
static int
chan_lookup_error(int a, int c, PyObject **type, char *msg, size_t size)
{
    int64_t cid = cid_of(c);
    if (!chan_found(c)) {
        *type = exc_of(a, E_CHANNEL_NOT_FOUND);
        fmt_msg(msg, size, "channel %" PRId64 " not found", cid);
        return 1;
    }
    if (!chan_usable(c)) {
        *type = exc_of(a, E_CHANNEL_CLOSED);
        fmt_msg(msg, size, "channel %" PRId64 " is closed", cid);
        return 1;
    }
    return 0;
}

static void
chan_freed(int c)
{
    m.chans[c].state = CH_FREED;
    box_clear(1, c);
}

/* The last item of a channel closing after close(send=True) is gone. */
static void
chan_finish_closing(int c)
{
    if (m.chans[c].state == CH_CLOSING && box_count(1, c) == 0) {
        chan_freed(c);
    }
}

static void
op_c_create(xf_input *in)
{
    int a = read_actor(in);
    int ubsel = xf_read_u8(in) % XF_MOD_UB_NSEL;
    int ub = unbound_table[ubsel];
    set_ctx("actor %d channels.create(%d)", a, ub);
    if (ubsel < 3 && (m.nchans == XF_MOD_MAX_CHANNELS
                      || m.ncids == XF_MOD_MAX_CIDS + XF_MOD_MAX_CHANNELS)) {
        return;
    }
    PyThreadState *prev = enter(a);
    arm_next = !avoids(AV_CCREATE_NOMEM | AV_CID_NOMEM);
    PyObject *res = call(a, F_C_CREATE, Py_BuildValue("(i)", ub), NULL);
    /* Its lock failing to allocate is reported as ChannelError. */
    if (faulted_also(res, exc_of(a, E_CHANNEL_ERROR),
                     "can't initialize mutex for new channel", "channels.create")) {
        leave(prev);
        return;
    }
    if (ubsel >= 3) {
        char msg[64];
        snprintf(msg, sizeof(msg), "unsupported unboundop %d", ub);
        check_exc(res, PyExc_ValueError, msg, "channels.create");
        leave(prev);
        return;
    }
    check_ok(res, "channels.create");
    int64_t cid = PyLong_AsLongLong(res);
    if (cid < 0) {
        fail_value(res, "channels.create", "a ChannelID");
    }
    for (int c = 0; c < m.nchans; c++) {
        if (m.chans[c].cid == cid) {
            xf_fail("%schannels.create returned cid %" PRId64 " again", ctx, cid);
        }
    }
    int c = m.nchans++;
    m.chans[c] = (chan_t){.cid = cid, .state = CH_OPEN, .unboundop = ub};
    m.cids[m.ncids++] = (cid_t){.actor = a, .chan = c, .obj = res, .counted = 1};
    leave(prev);
}

/* send / send_buffer of `obj` (the current actor's) to channel c. */
static void
chan_send(int a, int c, PyObject *obj, int b, int flags)
{
    int ubsel = (flags & 7) % XF_MOD_UB_NSEL;
    int mode = (flags >> 3) & 3;
    if (mode == XF_MOD_SEND_TIMEOUT0 && avoids(AV_TIMEOUT0)) {
        mode = XF_MOD_SEND_TIMEOUT;     /* XF-040-send-timeout-zero */
    }
    if (avoids(AV_BUFFER) && b >= 0 && (mode == XF_MOD_SEND_TIMEOUT || mode == XF_MOD_SEND_TIMEOUT0)) {
        mode = XF_MOD_SEND_NOWAIT;      /* XF-024-buffer-item-never-released */
    }
    int ub = mode == XF_MOD_SEND_DEFAULT_UB ? 3 : unbound_table[ubsel];
    int64_t cid = cid_of(c);
    PyObject *kwargs;
    switch (mode) {
    case XF_MOD_SEND_TIMEOUT:
        kwargs = kw("unboundop", PyLong_FromLong(ub), "blocking", pybool(1),
                    "timeout", PyFloat_FromDouble(1e-6), NULL);
        break;
    case XF_MOD_SEND_TIMEOUT0:
        kwargs = kw("unboundop", PyLong_FromLong(ub), "blocking", pybool(1),
                    "timeout", PyLong_FromLong(0), NULL);
        break;
    case XF_MOD_SEND_DEFAULT_UB:
        kwargs = kw("blocking", pybool(0), NULL);
        break;
    default:
        kwargs = kw("unboundop", PyLong_FromLong(ub), "blocking", pybool(0), NULL);
        break;
    }
    const char *what = b >= 0 ? "send_buffer" : "send";
    arm_next = !avoids(AV_PUT_NOMEM | AV_END_NOMEM) && !(b >= 0 && avoids(AV_BUFFER));
    PyObject *res = call(a, b >= 0 ? F_C_SEND_BUFFER : F_C_SEND,
                         Py_BuildValue("(LO)", cid, obj), kwargs);
    if (faulted(res, what)) {
        /* nothing queued; the send end may have been made */
        resync_count(1, c, 0);
        resync_end(a, c, 1);
        return;
    }
    char msg[128];
    PyObject *type;
    if (mode != XF_MOD_SEND_DEFAULT_UB && ubsel >= 3) {
        snprintf(msg, sizeof(msg), "unsupported unboundop %d", ub);
        check_exc(res, PyExc_ValueError, msg, what);
        return;
    }
    if (chan_lookup_error(a, c, &type, msg, sizeof(msg))) {
        check_exc(res, type, msg, what);
        return;
    }
    chan_t *ch = &m.chans[c];
    if (ch->state == CH_CLOSING) {
        check_exc(res, exc_of(a, E_CHANNEL_CLOSED),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " is closed", cid), what);
        return;
    }
    xf_share_outcome want = b >= 0 ? XF_SHARE_OK
        : xf_expect_share(obj, actors[a].tstate->c_recursion_remaining);
    if (want != XF_SHARE_OK) {
        check_exc(res, xf_share_outcome_error(want), NULL, what);
        return;
    }
    int *end = end_of(ch, actors[a].id, 1, 1);
    if (*end == END_RELEASED) {
        check_exc(res, exc_of(a, E_CHANNEL_CLOSED),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " is already closed", cid),
                  what);
        return;
    }
    *end = END_OPEN;
    if (mode == XF_MOD_SEND_TIMEOUT || mode == XF_MOD_SEND_TIMEOUT0) {
        /* Queued, not received in time, taken back. */
        check_exc(res, PyExc_TimeoutError, "timed out", what);
        return;
    }
    check_ok(res, what);
    if (res != Py_None) {
        fail_value(res, what, "None");
    }
    Py_DECREF(res);
    new_item(1, c, a, b >= 0 ? NULL : obj, b, b >= 0, 0, ub);
}

static void
op_c_send(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    int flags = xf_read_u8(in);
    precheck_chan(c);
    PyThreadState *prev = enter(a);
    PyObject *obj = xf_gen_object(in, actors[a].is_dyn ? &gen_dyn_opts : &gen_slot_opts);
    if (obj == NULL) {
        PyErr_Print();
        xf_fail("generating an object failed");
    }
    set_ctx("actor %d send(cid %" PRId64 ", %s, flags 0x%x)", a, cid_of(c),
            Py_TYPE(obj)->tp_name, flags);
    if (room_for_item()) {
        chan_send(a, c, obj, -1, flags);
    }
    Py_DECREF(obj);
    leave(prev);
}

static void
op_c_send_buf(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    int flags = xf_read_u8(in);
    int kind = xf_read_u8(in);
    precheck_chan(c);
    PyThreadState *prev = enter(a);
    int b = new_buffer(in, a, kind);
    set_ctx("actor %d send_buffer(cid %" PRId64 ", buffer %d, flags 0x%x)", a,
            cid_of(c), b, flags);
    if (avoids(AV_BUFFER) && chan_found(c)
        && end_state(&m.chans[c], actors[a].id, 1) == END_RELEASED) {
        b = -1;     /* XF-024-buffer-item-never-released (end released) */
    }
    if (b >= 0 && room_for_item()) {
        chan_send(a, c, m.bufs[b].exporter, b, flags);
    }
    leave(prev);
}

static void
op_c_recv(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    int flags = xf_read_u8(in);
    int64_t cid = cid_of(c);
    set_ctx("actor %d recv(cid %" PRId64 "%s)", a, cid,
            (flags & XF_MOD_DEFAULT) ? ", default" : "");
    precheck_chan(c);
    PyThreadState *prev = enter(a);
    PyObject *dflt = PyUnicode_FromString("xidfuzz-default");
    arm_next = !avoids(AV_END_NOMEM | AV_MODSTATE | AV_BUFFER);
    PyObject *res = call(a, F_C_RECV, (flags & XF_MOD_DEFAULT)
                         ? Py_BuildValue("(LO)", cid, dflt)
                         : Py_BuildValue("(L)", cid), NULL);
    if (faulted(res, "recv")) {
        /* the item was popped and dropped, or is still there; the recv
         * end may have been made */
        Py_DECREF(dflt);
        leave(prev);
        resync_count(1, c, 1);
        resync_end(a, c, 0);
        if (chan_found(c)) {
            chan_finish_closing(c);
        }
        run_all_pending();
        return;
    }
    char msg[128];
    PyObject *type;
    if (chan_lookup_error(a, c, &type, msg, sizeof(msg))) {
        check_exc(res, type, msg, "recv");
        goto done;
    }
    chan_t *ch = &m.chans[c];
    int *end = end_of(ch, actors[a].id, 0, 1);
    if (*end == END_RELEASED) {
        check_exc(res, exc_of(a, E_CHANNEL_CLOSED),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " is already closed", cid),
                  "recv");
        chan_finish_closing(c);
        goto done;
    }
    *end = END_OPEN;
    item_t *it = box_front(1, c);
    if (it == NULL) {
        if (flags & XF_MOD_DEFAULT) {
            check_ok(res, "recv");
            if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 2
                || PyTuple_GET_ITEM(res, 0) != dflt
                || PyTuple_GET_ITEM(res, 1) != Py_None) {
                fail_value(res, "recv", "(default, None)");
            }
            Py_DECREF(res);
        }
        else {
            check_exc(res, exc_of(a, E_CHANNEL_EMPTY),
                      fmt_msg(msg, sizeof(msg), "channel %" PRId64 " is empty", cid),
                      "recv");
        }
        chan_finish_closing(c);
        goto done;
    }
    check_ok(res, "recv");
    if (it->state == IT_UNBOUND) {
        check_unbound_result(res, it, 1, "recv");
    }
    else {
        if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 2
            || PyTuple_GET_ITEM(res, 1) != Py_None) {
            fail_value(res, "recv", "(obj, None)");
        }
        check_received(PyTuple_GET_ITEM(res, 0), it, "recv");
        keep_or_drop(PyTuple_GET_ITEM(res, 0), it, a, flags & XF_MOD_KEEP);
    }
    Py_DECREF(res);
    item_done(it);
    chan_finish_closing(c);
done:
    Py_DECREF(dflt);
    leave(prev);
    run_all_pending();
}

/* close(cid, send=, recv=, force=) from actor a. */
static void
chan_close(int a, int c, int flags)
{
    int send = (flags & XF_MOD_END_SEND) != 0;
    int recv = (flags & XF_MOD_END_RECV) != 0;
    int force = (flags & XF_MOD_FORCE) != 0;
    int end = send - recv;      /* 1 send, -1 recv, 0 both */
    int64_t cid = cid_of(c);
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, F_C_CLOSE, Py_BuildValue("(L)", cid),
                         kw("send", pybool(send), "recv", pybool(recv),
                            "force", pybool(force), NULL));
    char msg[160];
    if (!chan_found(c)) {
        check_exc(res, exc_of(a, E_CHANNEL_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " not found", cid), "close");
        leave(prev);
        return;
    }
    chan_t *ch = &m.chans[c];
    fmt_msg(msg, sizeof(msg), "channel %" PRId64 " is closed", cid);
    if (ch->state == CH_FREED
        || (!force && end == 1 && ch->state == CH_CLOSING)
        || !chan_ends_open(ch)) {
        check_exc(res, exc_of(a, E_CHANNEL_CLOSED), msg, "close");
        leave(prev);
        return;
    }
    if (!force && box_count(1, c) > 0) {
        if (end == 1) {
            check_ok(res, "close");
            Py_DECREF(res);
            ch->state = CH_CLOSING;
        }
        else {
            check_exc(res, exc_of(a, E_CHANNEL_NOT_EMPTY),
                      fmt_msg(msg, sizeof(msg), "channel %" PRId64 " may not be closed "
                              "if not empty (try force=True)", cid), "close");
        }
        leave(prev);
        return;
    }
    check_ok(res, "close");
    Py_DECREF(res);
    leave(prev);
    chan_freed(c);
    run_all_pending();
}

static void
op_c_close(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    int flags = xf_read_u8(in);
    set_ctx("actor %d close(cid %" PRId64 ", flags 0x%x)", a, cid_of(c), flags);
    precheck_chan(c);
    if (chan_found(c) && (flags & XF_MOD_FORCE) && drop_avoided(1, c)) {
        return;     /* XF-021 (channels) */
    }
    chan_close(a, c, flags);
}

static void
op_c_release(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    int flags = xf_read_u8(in);
    int send = (flags & XF_MOD_END_SEND) != 0;
    int recv = (flags & XF_MOD_END_RECV) != 0;
    int64_t cid = cid_of(c);
    set_ctx("actor %d release(cid %" PRId64 ", send=%d, recv=%d)", a, cid, send, recv);
    precheck_chan(c);
    if (!send && !recv) {
        send = recv = 1;
    }
    if (avoids(AV_RELEASE_TWICE) && chan_found(c)
        && ((send && end_state(&m.chans[c], actors[a].id, 1) == END_RELEASED)
            || (recv && end_state(&m.chans[c], actors[a].id, 0) == END_RELEASED))) {
        return;     /* XF-030-channel-end-released-twice */
    }
    if (release_strands_items(c, actors[a].id, send, recv) && drop_avoided(1, c)) {
        return;     /* XF-021 (at the teardown) */
    }
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, F_C_RELEASE, Py_BuildValue("(L)", cid),
                         kw("send", pybool((flags & XF_MOD_END_SEND) != 0),
                            "recv", pybool((flags & XF_MOD_END_RECV) != 0),
                            "force", pybool((flags & XF_MOD_FORCE) != 0), NULL));
    char msg[128];
    PyObject *type;
    if (chan_lookup_error(a, c, &type, msg, sizeof(msg))) {
        check_exc(res, type, msg, "release");
        leave(prev);
        return;
    }
    check_ok(res, "release");
    Py_DECREF(res);
    chan_t *ch = &m.chans[c];
    if (send) {
        *end_of(ch, actors[a].id, 1, 1) = END_RELEASED;
    }
    if (recv) {
        *end_of(ch, actors[a].id, 0, 1) = END_RELEASED;
    }
    leave(prev);
}

/* get_info(): the fields _channel_get_info() documents, from the model,
 * for the calling actor a. */
static void
check_info(PyObject *res, int a, int c)
{
    chan_t *ch = &m.chans[c];
    int64_t me = actors[a].id;
    long want[16] = {0};
    /* open, closing, closed, count, send, send_released, recv,
     * recv_released, both, both_released, both_send_released,
     * both_recv_released, send_associated, send_released(cur),
     * recv_associated, recv_released(cur) */
    if (ch->state == CH_FREED || !chan_ends_open(ch)) {
        want[2] = 1;
    }
    else {
        want[0] = ch->state == CH_OPEN;
        want[1] = ch->state == CH_CLOSING;
        want[3] = box_count(1, c);
        for (int i = 0; i < ch->nends; i++) {
            int s = ch->ends[i].send, r = ch->ends[i].recv;
            if (s != END_NONE && r != END_NONE) {
                if (s == END_OPEN && r == END_OPEN) {
                    want[8]++;
                }
                else if (s != END_OPEN && r != END_OPEN) {
                    want[9]++;
                }
                else if (s != END_OPEN) {
                    want[10]++;     /* bound to both, released the send end */
                }
                else {
                    want[11]++;     /* bound to both, released the recv end */
                }
            }
            else if (s != END_NONE) {
                want[s == END_OPEN ? 4 : 5]++;
            }
            else if (r != END_NONE) {
                want[r == END_OPEN ? 6 : 7]++;
            }
        }
        int s = end_state(ch, me, 1), r = end_state(ch, me, 0);
        want[12] = s == END_OPEN;
        want[13] = s == END_RELEASED;
        want[14] = r == END_OPEN;
        want[15] = r == END_RELEASED;
    }
    if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) < 8) {
        fail_value(res, "get_info", "a ChannelInfo");
    }
    static const char *const fields[16] = {
        "open", "closing", "closed", "count", "num_interp_send",
        "num_interp_send_released", "num_interp_recv",
        "num_interp_recv_released", "num_interp_both",
        "num_interp_both_released", "num_interp_both_send_released",
        "num_interp_both_recv_released", "send_associated", "send_released",
        "recv_associated", "recv_released",
    };
    long got[16];
    for (int i = 0; i < 16; i++) {
        PyObject *v = PyStructSequence_GetItem(res, i);     /* borrowed */
        got[i] = v != NULL ? PyLong_AsLong(v) : -99;
        PyErr_Clear();
    }
    if (avoids(AV_INFO_SWAP)) {
        /* XF-032-channel-info-swapped-released-ends: compare the sum. */
        got[10] += got[11];
        want[10] += want[11];
        got[11] = want[11] = 0;
    }
    for (int i = 0; i < 16; i++) {
        if (got[i] != want[i]) {
            char w[64];
            snprintf(w, sizeof(w), "%s == %ld (got %ld)", fields[i], want[i], got[i]);
            fail_value(res, "get_info", w);
        }
    }
}

static int
interp_in_list(PyObject *list, int64_t id)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        if (PyLong_AsLongLong(PyList_GET_ITEM(list, i)) == id) {
            return 1;
        }
    }
    PyErr_Clear();
    return 0;
}

static int
any_chan_freed(void)
{
    for (int c = 0; c < m.nchans; c++) {
        if (m.chans[c].state == CH_FREED) {
            return 1;
        }
    }
    return 0;
}

static void
op_c_query(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    int which = xf_read_u8(in) % XF_MOD_CQ_NWHICH;
    int64_t cid = cid_of(c);
    static const char *const names[] = {
        "get_count", "get_info", "get_channel_defaults",
        "list_interpreters(send=True)", "list_interpreters(send=False)", "list_all",
    };
    set_ctx("actor %d %s(cid %" PRId64 ")", a, names[which], cid);
    precheck_chan(c);
    if (avoids(AV_LIST_ALL) && which == XF_MOD_CQ_LIST && any_chan_freed()) {
        return;     /* XF-033-channel-list-all-closed */
    }
    if (avoids(AV_INFO_ITEMS) && which == XF_MOD_CQ_INFO && chan_found(c)
        && (m.chans[c].state == CH_OPEN || m.chans[c].state == CH_CLOSING)
        && !chan_ends_open(&m.chans[c]) && box_count(1, c) > 0) {
        return;     /* XF-031-channel-info-closed-with-items */
    }
    PyThreadState *prev = enter(a);
    PyObject *res;
    switch (which) {
    case XF_MOD_CQ_COUNT:
        res = call(a, F_C_GET_COUNT, Py_BuildValue("(L)", cid), NULL);
        break;
    case XF_MOD_CQ_INFO:
        res = call(a, F_C_GET_INFO, Py_BuildValue("(L)", cid), NULL);
        break;
    case XF_MOD_CQ_DEFAULTS:
        res = call(a, F_C_GET_DEFAULTS, Py_BuildValue("(L)", cid), NULL);
        break;
    case XF_MOD_CQ_SENDERS:
    case XF_MOD_CQ_RECEIVERS:
        res = call(a, F_C_LIST_INTERPS, Py_BuildValue("(L)", cid),
                   kw("send", pybool(which == XF_MOD_CQ_SENDERS), NULL));
        break;
    default:
        res = call(a, F_C_LIST_ALL, PyTuple_New(0), NULL);
        break;
    }
    char msg[128];
    PyObject *type;
    if (which == XF_MOD_CQ_INFO) {
        if (!chan_found(c)) {
            check_exc(res, exc_of(a, E_CHANNEL_NOT_FOUND),
                      fmt_msg(msg, sizeof(msg), "channel %" PRId64 " not found", cid),
                      "get_info");
        }
        else {
            check_ok(res, "get_info");
            check_info(res, a, c);
            Py_DECREF(res);
        }
        leave(prev);
        return;
    }
    if (which != XF_MOD_CQ_LIST && chan_lookup_error(a, c, &type, msg, sizeof(msg))) {
        check_exc(res, type, msg, names[which]);
        leave(prev);
        return;
    }
    if (which == XF_MOD_CQ_SENDERS && m.chans[c].state == CH_CLOSING) {
        check_exc(res, exc_of(a, E_CHANNEL_CLOSED),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " is closed", cid),
                  names[which]);
        leave(prev);
        return;
    }
    check_ok(res, names[which]);
    switch (which) {
    case XF_MOD_CQ_COUNT:
        if (PyLong_AsLong(res) != box_count(1, c)) {
            snprintf(msg, sizeof(msg), "%d", box_count(1, c));
            fail_value(res, "get_count", msg);
        }
        break;
    case XF_MOD_CQ_DEFAULTS:
        if (PyLong_AsLong(res) != m.chans[c].unboundop) {
            snprintf(msg, sizeof(msg), "%d", m.chans[c].unboundop);
            fail_value(res, "get_channel_defaults", msg);
        }
        break;
    case XF_MOD_CQ_SENDERS:
    case XF_MOD_CQ_RECEIVERS: {
        chan_t *ch = &m.chans[c];
        int send = which == XF_MOD_CQ_SENDERS;
        int n = 0;
        for (int i = 0; i < ch->nends; i++) {
            if ((send ? ch->ends[i].send : ch->ends[i].recv) == END_OPEN) {
                n++;
                if (!interp_in_list(res, ch->ends[i].interpid)) {
                    snprintf(msg, sizeof(msg), "a list with interpreter %" PRId64,
                             ch->ends[i].interpid);
                    fail_value(res, names[which], msg);
                }
            }
        }
        if (PyList_GET_SIZE(res) != n) {
            snprintf(msg, sizeof(msg), "%d interpreter(s)", n);
            fail_value(res, names[which], msg);
        }
        break;
    }
    default: {
        /* Channels still in the module's list, without those close()
         * freed ("active channels"). */
        int n = 0;
        for (int i = 0; i < m.nchans; i++) {
            if (m.chans[i].state == CH_REMOVED || m.chans[i].state == CH_FREED) {
                continue;
            }
            n++;
            int found = 0;
            for (Py_ssize_t k = 0; k < PyList_GET_SIZE(res); k++) {
                PyObject *t = PyList_GET_ITEM(res, k);
                found |= PyTuple_Check(t) && PyTuple_GET_SIZE(t) == 2
                         && PyLong_AsLongLong(PyTuple_GET_ITEM(t, 0)) == m.chans[i].cid
                         && PyLong_AsLong(PyTuple_GET_ITEM(t, 1)) == m.chans[i].unboundop;
            }
            if (!found) {
                snprintf(msg, sizeof(msg), "a list with (%" PRId64 ", %d)",
                         m.chans[i].cid, m.chans[i].unboundop);
                fail_value(res, "list_all", msg);
            }
        }
        if (PyList_GET_SIZE(res) != n) {
            snprintf(msg, sizeof(msg), "%d channel(s)", n);
            fail_value(res, "list_all", msg);
        }
        break;
    }
    }
    PyErr_Clear();
    Py_DECREF(res);
    leave(prev);
}

static void
chan_destroy(int a, int c)
{
    int64_t cid = cid_of(c);
    char msg[128];
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, F_C_DESTROY, Py_BuildValue("(L)", cid), NULL);
    if (!chan_found(c)) {
        check_exc(res, exc_of(a, E_CHANNEL_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " not found", cid), "destroy");
        leave(prev);
        return;
    }
    check_ok(res, "channels.destroy");
    Py_DECREF(res);
    leave(prev);
    box_clear(1, c);
    m.chans[c].state = CH_REMOVED;
    run_all_pending();
}

static void
op_c_destroy(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    set_ctx("actor %d channels.destroy(cid %" PRId64 ")", a, cid_of(c));
    precheck_chan(c);
    if (chan_found(c) && drop_avoided(1, c)) {
        return;     /* XF-021 (channels) */
    }
    chan_destroy(a, c);
}

static int
chan_refs(int c)
{
    int n = 0;
    if (c < 0) {
        return 0;
    }
    for (int i = 0; i < m.ncids; i++) {
        n += m.cids[i].obj != NULL && m.cids[i].chan == c && m.cids[i].counted;
    }
    return n;
}

/* Drop held ChannelID i (in its actor); the last one of a channel removes
 * the channel and its items. */
static void
drop_cid(int i)
{
    cid_t *ci = &m.cids[i];
    int c = ci->chan;
    int last = ci->counted && c >= 0 && chan_found(c) && chan_refs(c) == 1;
    PyThreadState *prev = enter(ci->actor);
    Py_CLEAR(ci->obj);
    leave(prev);
    if (last) {
        box_clear(1, c);
        m.chans[c].state = CH_REMOVED;
    }
    run_all_pending();
}

static void
op_c_id(xf_input *in)
{
    int a = read_actor(in);
    int c = read_box(in, m.nchans);
    int flags = xf_read_u8(in);
    int64_t cid = cid_of(c);
    precheck_chan(c);
    if (flags & 1) {
        int n = 0;
        for (int i = 0; i < m.ncids; i++) {
            n += m.cids[i].obj != NULL;
        }
        if (n == 0) {
            return;
        }
        int k = (flags >> 4) % n;
        for (int i = 0; i < m.ncids; i++) {
            if (m.cids[i].obj != NULL && k-- == 0) {
                set_ctx("drop ChannelID %d (channel %d, actor %d)", i, m.cids[i].chan,
                        m.cids[i].actor);
                if (m.cids[i].counted && chan_found(m.cids[i].chan)
                    && chan_refs(m.cids[i].chan) == 1
                    && drop_avoided(1, m.cids[i].chan)) {
                    return;     /* XF-021 (channels) */
                }
                drop_cid(i);
                return;
            }
        }
        return;
    }
    if (m.ncids == XF_MOD_MAX_CIDS + XF_MOD_MAX_CHANNELS) {
        return;
    }
    int end = (flags >> 1) & 3;
    int force = (flags >> 3) & 1;
    set_ctx("actor %d _channel_id(%" PRId64 ", end %d, force %d)", a, cid, end, force);
    PyObject *kwargs;
    switch (end) {
    case 1:
        kwargs = kw("send", pybool(1), "force", pybool(force), NULL);
        break;
    case 2:
        kwargs = kw("recv", pybool(1), "force", pybool(force), NULL);
        break;
    case 3:
        kwargs = kw("send", pybool(0), "recv", pybool(0), "force", pybool(force), NULL);
        break;
    default:
        kwargs = kw("force", pybool(force), NULL);
        break;
    }
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, F_C_CHANNEL_ID, Py_BuildValue("(L)", cid), kwargs);
    char msg[128];
    if (end == 3) {
        check_exc(res, PyExc_ValueError, "'send' and 'recv' cannot both be False",
                  "_channel_id");
    }
    else if (!chan_found(c) && !force) {
        check_exc(res, exc_of(a, E_CHANNEL_NOT_FOUND),
                  fmt_msg(msg, sizeof(msg), "channel %" PRId64 " not found", cid),
                  "_channel_id");
    }
    else {
        check_ok(res, "_channel_id");
        if (PyLong_AsLongLong(res) != cid) {
            fail_value(res, "_channel_id", "the channel's ID");
        }
        m.cids[m.ncids++] = (cid_t){.actor = a, .chan = c < m.nchans ? c : -1,
                                    .obj = res, .counted = chan_found(c)};
    }
    leave(prev);
}

/* ---- interpreters ------------------------------------------------------- */

/* A target operand: an actor (a destroyed one keeps its old ID: "not
 * found"), or an ID that never existed. */
static int
read_target(xf_input *in, int64_t *id)
{
    int t = xf_read_u8(in) % (XF_MOD_NACTORS + 1);
    if (t == XF_MOD_NACTORS || !actors[t].ever) {
        *id = NEVER_ID;
        return -1;
    }
    *id = actors[t].id;
    return actors[t].exists ? t : -1;
}

static void
check_not_found(PyObject *res, int64_t id, const char *what)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "unrecognized interpreter ID %" PRId64, id);
    check_exc(res, PyExc_InterpreterNotFoundError, msg, what);
}

/* The value `name` in actor t's __main__ (new reference or NULL, no
 * exception). */
static PyObject *
main_value(int t, const char *name)
{
    PyThreadState *prev = enter(t);
    PyObject *mod = PyImport_AddModuleRef("__main__");
    PyObject *v = NULL;
    if (mod == NULL || PyDict_GetItemStringRef(PyModule_GetDict(mod), name, &v) < 0) {
        PyErr_Print();
        xf_fail("%sreading actor %d's __main__ failed", ctx, t);
    }
    Py_DECREF(mod);
    leave(prev);
    return v;
}

/* Every name of `shared` (the current actor's dict) is in actor t's
 * __main__ with an equal value -- or, when `gone`, absent. */
static void
check_main_names(PyObject *shared, int t, int gone, const char *what)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(shared, &pos, &key, &value)) {
        const char *name = PyUnicode_AsUTF8(key);
        PyObject *got = main_value(t, name);
        if (gone) {
            if (got != NULL) {
                xf_fail("%s%s: '%s' is still in the target's __main__", ctx, what, name);
            }
            continue;
        }
        if (got == NULL) {
            xf_fail("%s%s: '%s' is not in the target's __main__", ctx, what, name);
        }
        char why[512];
        if (!xf_compare(value, got, why, sizeof(why))) {
            xf_fail("%s%s: '%s' in the target's __main__ differs: %s", ctx, what,
                    name, why);
        }
        PyThreadState *prev = enter(t);
        Py_DECREF(got);
        leave(prev);
    }
}

/* A dict of up to n names (xf_0..xf_3) -> generated objects, in the
 * current actor a; *expect: the error sharing it must raise. */
static PyObject *
read_shared(xf_input *in, int a, int n, xf_share_outcome *expect)
{
    PyObject *d = PyDict_New();
    if (d == NULL) {
        xf_fail("PyDict_New failed");
    }
    for (int i = 0; i < n; i++) {
        char name[8];
        snprintf(name, sizeof(name), "xf_%d", xf_read_u8(in) % XF_MOD_NNAMES);
        PyObject *v = xf_gen_object(in, actors[a].is_dyn ? &gen_dyn_opts : &gen_slot_opts);
        if (v == NULL || PyDict_SetItemString(d, name, v) < 0) {
            PyErr_Print();
            xf_fail("building a shared dict failed");
        }
        Py_DECREF(v);
    }
    *expect = XF_SHARE_OK;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(d, &pos, &key, &value)) {
        xf_share_outcome o = xf_expect_share(value, actors[a].tstate->c_recursion_remaining);
        if (o != XF_SHARE_OK) {
            *expect = o;
            break;
        }
    }
    return d;
}

/* An exception snapshot returned by exec() & co. */
static void
check_snapshot(PyObject *res, const char *type_name, const char *msg, const char *what)
{
    PyObject *type = ns_get(res, "type");
    PyObject *name = ns_get(type, "__name__");
    PyObject *m_ = ns_get(res, "msg");
    const char *n = name != NULL && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    const char *t = m_ != NULL && PyUnicode_Check(m_) ? PyUnicode_AsUTF8(m_) : NULL;
    if (n == NULL || strcmp(n, type_name) != 0
        || (msg != NULL && (t == NULL || strcmp(t, msg) != 0))) {
        PyErr_Clear();
        char want[128];
        snprintf(want, sizeof(want), "the snapshot of a %s(%s)", type_name, msg ? msg : "...");
        fail_value(res, what, want);
    }
    Py_XDECREF(type);
    Py_XDECREF(name);
    Py_XDECREF(m_);
}

static void
op_i_exec(xf_input *in)
{
    int a = read_actor(in);
    int64_t id;
    int t = read_target(in, &id);
    int how = xf_read_u8(in) % XF_MOD_EXEC_NHOW;
    int what = xf_read_u8(in) % XF_MOD_NSCRIPTS;
    int n = xf_read_u8(in);
    static const char *const hows[] = {
        "exec(str)", "exec(func)", "exec(code)", "run_string", "run_func", "call",
    };
    static const char *const fnames[] = {
        "_interpreters.exec", "_interpreters.exec", "_interpreters.exec",
        "_interpreters.run_string", "_interpreters.exec", "_interpreters.call",
    };
    static const int fns[] = {
        F_I_EXEC, F_I_EXEC, F_I_EXEC, F_I_RUN_STRING, F_I_RUN_FUNC, F_I_CALL,
    };
    PyThreadState *prev = enter(a);
    xf_share_outcome expect = XF_SHARE_OK;
    int nshared = how == XF_MOD_CALL ? 0 : (n & 3);
    PyObject *shared = nshared > 0 ? read_shared(in, a, nshared, &expect) : NULL;
    set_ctx("actor %d %s(interp %" PRId64 ", %s, %d shared)", a, hows[how], id,
            script_func[what], nshared);
    int is_code = how == XF_MOD_EXEC_CODE;
    if (avoids(AV_CODE) && is_code && what == XF_MOD_SCRIPT_SYNTAX) {
        is_code = 0;    /* XF-035-exec-code-with-free-vars */
    }
    PyObject *code;
    if (how == XF_MOD_EXEC_STR || how == XF_MOD_RUN_STRING) {
        code = PyUnicode_FromString(script_text[what]);
    }
    else {
        code = Py_XNewRef(PyDict_GetItemString(actors[a].helpers, script_func[what]));
        if (is_code && code != NULL) {
            Py_SETREF(code, Py_XNewRef(PyFunction_GetCode(code)));
        }
    }
    if (code == NULL) {
        xf_fail("%sno code object", ctx);
    }
    PyObject *args = shared != NULL ? Py_BuildValue("(LOO)", id, code, shared)
                                    : Py_BuildValue("(LO)", id, code);
    PyObject *res = call(a, fns[how], args, NULL);
    m.dirty[a] = 1;
    if (t >= 0) {
        m.dirty[t] = 1;
    }
    char msg[160];
    if (t < 0) {
        check_not_found(res, id, hows[how]);
        goto done;
    }
    int text = how == XF_MOD_EXEC_STR || how == XF_MOD_RUN_STRING;
    if (what == XF_MOD_SCRIPT_BAD) {
        if (text) {
            snprintf(msg, sizeof(msg), "%s(): bad script text (too short)", fnames[how]);
            check_exc(res, PyExc_ValueError, msg, hows[how]);
        }
        else {
            snprintf(msg, sizeof(msg), "%s(): bad %s (arguments not supported)",
                     fnames[how], is_code ? "code object" : "func");
            check_exc(res, PyExc_ValueError, msg, hows[how]);
        }
        goto done;
    }
    if (what == XF_MOD_SCRIPT_SYNTAX && !text) {
        if (is_code) {
            /* A code object with free variables is a closure too. */
            check_exc_part(res, PyExc_ValueError, "closures not supported", hows[how]);
        }
        else if (how == XF_MOD_EXEC_CODE) {
            /* avoided: the function itself */
            check_exc_part(res, PyExc_ValueError, "closures not supported", hows[how]);
        }
        else {
            snprintf(msg, sizeof(msg), "%s(): closures not supported", fnames[how]);
            check_exc(res, PyExc_ValueError, msg, hows[how]);
        }
        goto done;
    }
    if (expect != XF_SHARE_OK) {
        check_exc(res, xf_share_outcome_error(expect), NULL, hows[how]);
        goto done;
    }
    check_ok(res, hows[how]);
    if (what == XF_MOD_SCRIPT_RAISE) {
        check_snapshot(res, "ValueError", "xidfuzz", hows[how]);
    }
    else if (what == XF_MOD_SCRIPT_SYNTAX) {
        check_snapshot(res, "SyntaxError", NULL, hows[how]);
    }
    else if (res != Py_None) {
        fail_value(res, hows[how], "None");
    }
    Py_DECREF(res);
    if (shared != NULL) {
        check_main_names(shared, t, what == XF_MOD_SCRIPT_DEL, hows[how]);
    }
done:
    Py_DECREF(code);
    Py_XDECREF(shared);
    leave(prev);
}

static void
op_i_set_main(xf_input *in)
{
    int a = read_actor(in);
    int64_t id;
    int t = read_target(in, &id);
    int n = xf_read_u8(in);
    PyThreadState *prev = enter(a);
    xf_share_outcome expect = XF_SHARE_OK;
    PyObject *updates = (n & 0x80) ? Py_NewRef(Py_None)
                                   : read_shared(in, a, n % (XF_MOD_NNAMES + 1), &expect);
    set_ctx("actor %d set___main___attrs(interp %" PRId64 ", %zd name(s))", a, id,
            updates == Py_None ? (Py_ssize_t)-1 : PyDict_GET_SIZE(updates));
    PyObject *res = call(a, F_I_SET_MAIN, Py_BuildValue("(LO)", id, updates), NULL);
    if (t < 0) {
        check_not_found(res, id, "set___main___attrs");
    }
    else if (updates != Py_None && PyDict_GET_SIZE(updates) == 0) {
        check_exc(res, PyExc_ValueError, "arg 2 must be a non-empty mapping",
                  "set___main___attrs");
    }
    else if (expect != XF_SHARE_OK) {
        check_exc(res, xf_share_outcome_error(expect), NULL, "set___main___attrs");
    }
    else {
        check_ok(res, "set___main___attrs");
        if (res != Py_None) {
            fail_value(res, "set___main___attrs", "None");
        }
        Py_DECREF(res);
        if (updates != Py_None) {
            check_main_names(updates, t, 0, "set___main___attrs");
        }
    }
    Py_DECREF(updates);
    leave(prev);
}

static void
op_i_shareable(xf_input *in)
{
    int a = read_actor(in);
    int sel = xf_read_u8(in) % 4;
    PyThreadState *prev = enter(a);
    PyObject *obj;
    int want;
    switch (sel) {
    case 1:
        obj = PyMemoryView_FromObject(Py_GetConstantBorrowed(Py_CONSTANT_EMPTY_BYTES));
        want = 1;
        break;
    case 2:
        obj = PyByteArray_FromStringAndSize("x", 1);
        want = 0;
        break;
    default: {
        obj = xf_gen_object(in, actors[a].is_dyn ? &gen_dyn_opts : &gen_slot_opts);
        PyTypeObject *tp = obj != NULL ? Py_TYPE(obj) : NULL;
        want = tp == Py_TYPE(Py_None) || tp == &PyBool_Type || tp == &PyLong_Type
               || tp == &PyFloat_Type || tp == &PyUnicode_Type
               || tp == &PyBytes_Type || tp == &PyTuple_Type;
        break;
    }
    }
    if (obj == NULL) {
        PyErr_Print();
        xf_fail("making an object failed");
    }
    set_ctx("actor %d is_shareable(%s)", a, Py_TYPE(obj)->tp_name);
    PyObject *res = call(a, F_I_IS_SHAREABLE, Py_BuildValue("(O)", obj), NULL);
    check_ok(res, "is_shareable");
    if (res != (want ? Py_True : Py_False)) {
        fail_value(res, "is_shareable", want ? "True" : "False");
    }
    Py_DECREF(res);
    Py_DECREF(obj);
    leave(prev);
}

static void
op_i_capture(xf_input *in)
{
    int a = read_actor(in);
    int sel = xf_read_u8(in) % 6;
    size_t len;
    const uint8_t *p = xf_read_span(in, 40, &len);
    char text[48];
    for (size_t i = 0; i < len; i++) {
        text[i] = (char)(0x20 + p[i] % 95);     /* printable ASCII */
    }
    text[len] = '\0';
    set_ctx("actor %d capture_exception(sel %d, '%s')", a, sel, text);
    m.dirty[a] = 1;
    PyThreadState *prev = enter(a);
    PyObject *res;
    switch (sel) {
    case 0:
        res = call(a, F_I_CAPTURE, PyTuple_New(0), NULL);
        check_ok(res, "capture_exception()");
        if (res != Py_None) {
            fail_value(res, "capture_exception()", "None (no exception set)");
        }
        Py_DECREF(res);
        break;
    case 1:
        res = call(a, F_I_CAPTURE, Py_BuildValue("(O)", Py_None), NULL);
        check_ok(res, "capture_exception(None)");
        if (res != Py_None) {
            fail_value(res, "capture_exception(None)", "None (no exception set)");
        }
        Py_DECREF(res);
        break;
    case 2:
        res = call(a, F_I_CAPTURE, Py_BuildValue("(i)", 7), NULL);
        check_exc(res, PyExc_TypeError, "expected exception, got 7", "capture_exception");
        break;
    default: {
        static PyObject *const *types[] = {
            &PyExc_ValueError, &PyExc_RuntimeError, &PyExc_LookupError,
        };
        static const char *const tnames[] = {"ValueError", "RuntimeError", "LookupError"};
        PyObject *exc = PyObject_CallFunction(*types[sel - 3], "s", text);
        if (exc == NULL) {
            xf_fail("making an exception failed");
        }
        res = call(a, F_I_CAPTURE, Py_BuildValue("(O)", exc), NULL);
        check_ok(res, "capture_exception");
        check_snapshot(res, tnames[sel - 3], text, "capture_exception");
        Py_DECREF(res);
        Py_DECREF(exc);
        break;
    }
    }
    leave(prev);
}

static int
long_of(PyObject *o, long *v)
{
    *v = o != NULL && PyLong_Check(o) ? PyLong_AsLong(o) : -1;
    PyErr_Clear();
    return o != NULL && PyLong_Check(o);
}

/* A (id, whence) pair. */
static int
is_summary(PyObject *t, int64_t id, long whence)
{
    long i, w;
    return PyTuple_Check(t) && PyTuple_GET_SIZE(t) == 2
           && long_of(PyTuple_GET_ITEM(t, 0), &i) && i == id
           && long_of(PyTuple_GET_ITEM(t, 1), &w) && w == whence;
}

static void
check_config_ns(PyObject *res, const cfg_t *cfg, const char *what)
{
    for (int f = 0; f < XF_MOD_NFIELDS; f++) {
        PyObject *v = ns_get(res, field_names[f]);
        int ok;
        if (f == FIELD_GIL) {
            ok = v != NULL && PyUnicode_Check(v)
                 && PyUnicode_CompareWithASCIIString(v, gil_names[cfg->f[f]]) == 0;
        }
        else {
            ok = v == (cfg->f[f] ? Py_True : Py_False);
        }
        Py_XDECREF(v);
        if (!ok) {
            PyErr_Clear();
            char want[96];
            snprintf(want, sizeof(want), "a config with %s=%s", field_names[f],
                     f == FIELD_GIL ? gil_names[cfg->f[f]] : cfg->f[f] ? "True" : "False");
            fail_value(res, what, want);
        }
    }
    PyObject *d = res != NULL ? PyObject_GetAttr(res, &_Py_ID(__dict__)) : NULL;
    if (d == NULL || !PyDict_Check(d) || PyDict_GET_SIZE(d) != XF_MOD_NFIELDS) {
        PyErr_Clear();
        fail_value(res, what, "exactly the 7 config fields");
    }
    Py_DECREF(d);
}

static void
op_i_query(xf_input *in)
{
    int a = read_actor(in);
    int64_t id;
    int t = read_target(in, &id);
    int which = xf_read_u8(in) % XF_MOD_IQ_NWHICH;
    static const char *const names[] = {
        "whence", "get_config", "is_running", "list_all", "get_current", "get_main",
    };
    set_ctx("actor %d %s(interp %" PRId64 ")", a, names[which], id);
    PyThreadState *prev = enter(a);
    PyObject *res;
    char msg[128];
    switch (which) {
    case XF_MOD_IQ_WHENCE:
    case XF_MOD_IQ_CONFIG:
    case XF_MOD_IQ_RUNNING:
        res = call(a, which == XF_MOD_IQ_WHENCE ? F_I_WHENCE
                      : which == XF_MOD_IQ_CONFIG ? F_I_GET_CONFIG : F_I_IS_RUNNING,
                   Py_BuildValue("(L)", id), NULL);
        if (t < 0) {
            check_not_found(res, id, names[which]);
            break;
        }
        check_ok(res, names[which]);
        if (which == XF_MOD_IQ_WHENCE) {
            long w;
            if (!long_of(res, &w) || w != actors[t].whence) {
                snprintf(msg, sizeof(msg), "%ld", actors[t].whence);
                fail_value(res, "whence", msg);
            }
        }
        else if (which == XF_MOD_IQ_CONFIG) {
            check_config_ns(res, &actors[t].cfg, "get_config");
        }
        else if (res != (t == 0 ? Py_True : Py_False)) {
            fail_value(res, "is_running", t == 0 ? "True (main)" : "False");
        }
        Py_DECREF(res);
        break;
    case XF_MOD_IQ_LIST: {
        res = call(a, F_I_LIST_ALL, PyTuple_New(0), NULL);
        check_ok(res, "list_all");
        int n = 0;
        for (int k = 0; k < XF_MOD_NACTORS; k++) {
            if (!actors[k].exists) {
                continue;
            }
            n++;
            int found = 0;
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(res); i++) {
                found |= is_summary(PyList_GET_ITEM(res, i), actors[k].id, actors[k].whence);
            }
            if (!found) {
                snprintf(msg, sizeof(msg), "a list with (%" PRId64 ", %ld)",
                         actors[k].id, actors[k].whence);
                fail_value(res, "list_all", msg);
            }
        }
        if (PyList_GET_SIZE(res) != n) {
            snprintf(msg, sizeof(msg), "%d interpreter(s)", n);
            fail_value(res, "list_all", msg);
        }
        Py_DECREF(res);
        break;
    }
    default: {
        int cur = which == XF_MOD_IQ_CURRENT;
        res = call(a, cur ? F_I_GET_CURRENT : F_I_GET_MAIN, PyTuple_New(0), NULL);
        check_ok(res, names[which]);
        int k = cur ? a : 0;
        if (!is_summary(res, actors[k].id, actors[k].whence)) {
            snprintf(msg, sizeof(msg), "(%" PRId64 ", %ld)", actors[k].id, actors[k].whence);
            fail_value(res, names[which], msg);
        }
        Py_DECREF(res);
        break;
    }
    }
    leave(prev);
}

static int forget_dyn(int d);
static void dyn_gone(int d);
static int dyn_destroy_avoided(int d);

static void
op_i_idref(xf_input *in)
{
    int a = read_actor(in);
    int64_t id;
    int t = read_target(in, &id);
    int flags = xf_read_u8(in);
    int dec = flags & 1;
    int link = !dec && (flags & 2) && t >= 0 && actors[t].is_dyn;
    set_ctx("actor %d %s(interp %" PRId64 "%s)", a, dec ? "decref" : "incref", id,
            link ? ", implieslink" : "");
    int destroys = 0;
    if (dec && t >= 0) {
        if (actors[t].idrefs == 0) {
            return;     /* below zero: an assertion in the runtime */
        }
        destroys = actors[t].idrefs == 1 && actors[t].requires_idref;
        if (destroys && t == a) {
            return;     /* ending the current interpreter from inside */
        }
        if (destroys && dyn_destroy_avoided(t)) {
            return;
        }
    }
    int orphans = destroys ? forget_dyn(t) : 0;
    Py_ssize_t leaks_before = _PyRuntime.object_state.interpreter_leaks;
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, dec ? F_I_DECREF : F_I_INCREF, Py_BuildValue("(L)", id),
                         link ? kw("implieslink", pybool(1), NULL) : NULL);
    if (t < 0) {
        check_not_found(res, id, dec ? "decref" : "incref");
        leave(prev);
        return;
    }
    check_ok(res, dec ? "decref" : "incref");
    Py_DECREF(res);
    leave(prev);
    if (dec) {
        actors[t].idrefs--;
    }
    else {
        actors[t].idrefs++;
        actors[t].requires_idref |= link;
    }
    if (destroys) {
        if (orphans > 0) {
            xf_lost_refs(_PyRuntime.object_state.interpreter_leaks - leaks_before);
        }
        dyn_gone(t);
    }
}

/* ---- configs ------------------------------------------------------------ */

typedef struct {
    int form;
    int name;
    int mask;
    int val[XF_MOD_NFIELDS];
    int missing;
} cfgspec;

static cfgspec
read_cfgspec(xf_input *in)
{
    cfgspec s = {0};
    s.form = xf_read_u8(in) & 3;
    s.name = xf_read_u8(in) % XF_MOD_NNAMESEL;
    s.mask = xf_read_u8(in);
    for (int f = 0; f < XF_MOD_NFIELDS; f++) {
        if (s.mask & (1 << f)) {
            s.val[f] = xf_read_u8(in) % XF_MOD_NVALSEL;
            if (avoids(AV_GIL) && f == FIELD_GIL
                && (s.val[f] == XF_MOD_VAL_NUL || s.val[f] == XF_MOD_VAL_SURROGATE)) {
                s.val[f] = XF_MOD_VAL_JUNK;     /* XF-034-config-gil-not-utf8 */
            }
        }
    }
    s.missing = s.form == 3 ? xf_read_u8(in) & 0x7f : 0;
    return s;
}

static PyObject *
name_obj(int sel)
{
    switch (sel) {
    case XF_MOD_NAME_ISOLATED: return PyUnicode_FromString("isolated");
    case XF_MOD_NAME_LEGACY: return PyUnicode_FromString("legacy");
    case XF_MOD_NAME_EMPTY: return PyUnicode_FromString("empty");
    case XF_MOD_NAME_DEFAULT: return PyUnicode_FromString("default");
    case XF_MOD_NAME_BLANK: return PyUnicode_FromString("");
    case XF_MOD_NAME_JUNK: return PyUnicode_FromString("xidfuzz");
    case XF_MOD_NAME_NUL: return PyUnicode_FromStringAndSize("legacy\0x", 8);
    case XF_MOD_NAME_SURROGATE: return PyUnicode_DecodeUTF16("\x80\xdc", 2, "surrogatepass", NULL);
    default: return PyLong_FromLong(7);
    }
}

static PyObject *
val_obj(int sel)
{
    switch (sel) {
    case XF_MOD_VAL_TRUE: return Py_NewRef(Py_True);
    case XF_MOD_VAL_FALSE: return Py_NewRef(Py_False);
    case XF_MOD_VAL_ONE: return PyLong_FromLong(1);
    case XF_MOD_VAL_NONE: return Py_NewRef(Py_None);
    case XF_MOD_VAL_OWN: return PyUnicode_FromString("own");
    case XF_MOD_VAL_SHARED: return PyUnicode_FromString("shared");
    case XF_MOD_VAL_GDEFAULT: return PyUnicode_FromString("default");
    case XF_MOD_VAL_JUNK: return PyUnicode_FromString("\xc3\xb6wn");
    case XF_MOD_VAL_NUL: return PyUnicode_FromStringAndSize("own\0x", 5);
    default: return PyUnicode_DecodeUTF16("o\0w\0n\0\x00\xd8", 8, "surrogatepass", NULL);
    }
}

/* The named base config; 0, or -1 for a name the modules refuse. */
static int
named_cfg(int sel, cfg_t *cfg)
{
    switch (sel) {
    case XF_MOD_NAME_LEGACY:
    case XF_MOD_NAME_NUL:       /* C string: "legacy" */
        *cfg = (cfg_t){{1, 1, 1, 1, 1, 0, GIL_SHARED}};
        return 0;
    case XF_MOD_NAME_EMPTY:
        *cfg = (cfg_t){{0, 0, 0, 0, 0, 0, GIL_DEFAULT}};
        return 0;
    case XF_MOD_NAME_ISOLATED:
    case XF_MOD_NAME_DEFAULT:
    case XF_MOD_NAME_BLANK:
        *cfg = (cfg_t){{0, 0, 0, 1, 0, 1, GIL_OWN}};
        return 0;
    default:
        return -1;
    }
}

typedef struct {
    PyObject *type;         /* NULL: accepted */
    char msg[160];          /* "" : any message */
    int runtime_rejects;    /* InterpreterError chain */
} cfg_outcome;

/* Apply the overrides to cfg as interp_config_from_dict() does. */
static void
apply_overrides(const cfgspec *s, cfg_t *cfg, int missing_allowed, cfg_outcome *o)
{
    for (int f = 0; f < XF_MOD_NFIELDS; f++) {
        int present = (s->mask & (1 << f)) != 0;
        if (!present) {
            if (!missing_allowed && (s->missing & (1 << f))) {
                o->type = PyExc_ValueError;
                snprintf(o->msg, sizeof(o->msg), "missing config key: %s", field_names[f]);
                return;
            }
            continue;
        }
        int v = s->val[f];
        if (f != FIELD_GIL) {
            if (v == XF_MOD_VAL_TRUE || v == XF_MOD_VAL_FALSE) {
                cfg->f[f] = v == XF_MOD_VAL_TRUE;
                continue;
            }
            o->type = PyExc_TypeError;
            snprintf(o->msg, sizeof(o->msg), "invalid config type: %s", field_names[f]);
            return;
        }
        switch (v) {
        case XF_MOD_VAL_OWN: cfg->f[f] = GIL_OWN; break;
        case XF_MOD_VAL_SHARED: cfg->f[f] = GIL_SHARED; break;
        case XF_MOD_VAL_GDEFAULT: cfg->f[f] = GIL_DEFAULT; break;
        case XF_MOD_VAL_JUNK:
            o->type = PyExc_ValueError;
            snprintf(o->msg, sizeof(o->msg),
                     "unsupported interpreter config .gil value '\xc3\xb6wn'");
            return;
        case XF_MOD_VAL_NUL:
            /* "own\0x" is not "own" */
            o->type = PyExc_ValueError;
            o->msg[0] = '\0';
            return;
        case XF_MOD_VAL_SURROGATE:
            o->type = PyExc_UnicodeEncodeError;
            o->msg[0] = '\0';
            return;
        default:
            o->type = PyExc_TypeError;
            snprintf(o->msg, sizeof(o->msg), "invalid config type: gil");
            return;
        }
    }
    if (s->mask & 0x80) {
        o->type = PyExc_ValueError;
        snprintf(o->msg, sizeof(o->msg), "config dict has 1 extra item ({'bogus': True})");
    }
}

/* new_config(name, **overrides): the expected outcome and config. */
static cfg_outcome
expect_new_config(const cfgspec *s, cfg_t *cfg)
{
    cfg_outcome o = {0};
    int sel = s->form == 0 ? XF_MOD_NAME_ISOLATED : s->name;
    switch (sel) {
    case XF_MOD_NAME_NUL:
        o.type = PyExc_ValueError;
        snprintf(o.msg, sizeof(o.msg), "embedded null character");
        return o;
    case XF_MOD_NAME_SURROGATE:
        o.type = PyExc_UnicodeEncodeError;
        return o;
    case XF_MOD_NAME_NOT_STR:
        o.type = PyExc_TypeError;
        snprintf(o.msg, sizeof(o.msg), "_interpreters.new_config() argument 1 must be str, not int");
        return o;
    case XF_MOD_NAME_JUNK:
        o.type = PyExc_ValueError;
        snprintf(o.msg, sizeof(o.msg), "unsupported config name 'xidfuzz'");
        return o;
    }
    named_cfg(sel, cfg);
    apply_overrides(s, cfg, 1, &o);
    return o;
}

static void
op_i_new_config(xf_input *in)
{
    int a = read_actor(in);
    cfgspec s = read_cfgspec(in);
    set_ctx("actor %d new_config(form %d, name %d, mask 0x%x)", a, s.form, s.name, s.mask);
    PyThreadState *prev = enter(a);
    PyObject *args = s.form == 0 ? PyTuple_New(0) : Py_BuildValue("(N)", name_obj(s.name));
    PyObject *kwargs = PyDict_New();
    for (int f = 0; f < XF_MOD_NFIELDS && kwargs != NULL; f++) {
        if (s.mask & (1 << f)) {
            PyObject *v = val_obj(s.val[f]);
            if (v == NULL || PyDict_SetItemString(kwargs, field_names[f], v) < 0) {
                xf_fail("building overrides failed");
            }
            Py_DECREF(v);
        }
    }
    if (kwargs == NULL || ((s.mask & 0x80) && PyDict_SetItemString(kwargs, "bogus", Py_True) < 0)) {
        xf_fail("building overrides failed");
    }
    PyObject *res = call(a, F_I_NEW_CONFIG, args, kwargs);
    cfg_t cfg = {{0}};
    cfg_outcome o = expect_new_config(&s, &cfg);
    if (o.type != NULL) {
        check_exc(res, o.type, o.msg[0] ? o.msg : NULL, "new_config");
    }
    else {
        check_ok(res, "new_config");
        check_config_ns(res, &cfg, "new_config");
        Py_DECREF(res);
    }
    leave(prev);
}

/* The config argument of create() for spec s (in the current actor a),
 * and the expected outcome.  *cfg: the config an accepted create uses. */
static PyObject *
create_arg(int a, const cfgspec *s, cfg_t *cfg, cfg_outcome *o)
{
    *o = (cfg_outcome){0};
    if (s->form == 0) {
        named_cfg(XF_MOD_NAME_ISOLATED, cfg);
        return Py_NewRef(Py_None);
    }
    if (s->form == 1) {
        switch (s->name) {
        case XF_MOD_NAME_SURROGATE:
            o->type = PyExc_UnicodeEncodeError;
            break;
        case XF_MOD_NAME_NOT_STR:
            o->type = PyExc_TypeError;
            snprintf(o->msg, sizeof(o->msg), "bad config 7");
            break;
        case XF_MOD_NAME_JUNK:
            o->type = PyExc_ValueError;
            snprintf(o->msg, sizeof(o->msg), "unsupported config name 'xidfuzz'");
            break;
        default:
            named_cfg(s->name, cfg);
            break;
        }
        return name_obj(s->name);
    }
    /* A valid namespace from new_config(), then edited as the spec says. */
    int base = s->name % 5;
    named_cfg(base, cfg);
    PyObject *name = name_obj(base);
    PyObject *ns = call(a, F_I_NEW_CONFIG, Py_BuildValue("(N)", name), NULL);
    if (ns == NULL) {
        fail_raised("new_config (making a config for create)");
    }
    /* Edited through its __dict__ (what setattr() on a SimpleNamespace
     * does, without leaving the names in the type cache). */
    PyObject *d = PyObject_GetAttr(ns, &_Py_ID(__dict__));
    if (d == NULL || !PyDict_Check(d)) {
        xf_fail("a config has no __dict__");
    }
    for (int f = 0; f < XF_MOD_NFIELDS; f++) {
        int rc = 0;
        if (s->mask & (1 << f)) {
            PyObject *v = val_obj(s->val[f]);
            rc = v != NULL ? PyDict_SetItemString(d, field_names[f], v) : -1;
            Py_XDECREF(v);
        }
        else if (s->missing & (1 << f)) {
            rc = PyDict_DelItemString(d, field_names[f]);
        }
        if (rc < 0) {
            PyErr_Print();
            xf_fail("editing a config failed");
        }
    }
    if ((s->mask & 0x80) && PyDict_SetItemString(d, "bogus", Py_True) < 0) {
        xf_fail("editing a config failed");
    }
    Py_DECREF(d);
    apply_overrides(s, cfg, 0, o);
    return ns;
}

/* create(config) from actor a; returns the new interpreter's ID, or -1
 * (the expected failure, checked).  Only a config the model says is
 * refused runs unless `may_create`. */
static int64_t
do_create(int a, const cfgspec *s, int reqrefs, int may_create, cfg_t *cfg)
{
    cfg_outcome o;
    PyThreadState *prev = enter(a);
    PyObject *arg = create_arg(a, s, cfg, &o);
    int rejects = o.type == NULL && !cfg->f[0] && !cfg->f[5];
    if (o.type == NULL && !rejects && !may_create) {
        Py_DECREF(arg);
        leave(prev);
        return -1;
    }
    PyObject *res = call(a, F_I_CREATE, Py_BuildValue("(O)", arg),
                         kw("reqrefs", pybool(reqrefs), NULL));
    Py_DECREF(arg);
    int64_t id = -1;
    if (o.type != NULL) {
        check_exc(res, o.type, o.msg[0] ? o.msg : NULL, "create");
    }
    else if (rejects) {
        if (res != NULL) {
            fail_value(res, "create", "InterpreterError (per-interpreter obmalloc "
                       "without the multi-phase init check)");
        }
        PyObject *exc = take_raised();
        PyObject *c1 = exc != NULL ? PyException_GetContext(exc) : NULL;
        PyObject *c2 = c1 != NULL ? PyException_GetContext(c1) : NULL;
        PyObject *t0 = exc != NULL ? PyObject_Str(exc) : NULL;
        PyObject *t1 = c1 != NULL ? PyObject_Str(c1) : NULL;
        PyObject *t2 = c2 != NULL ? PyObject_Str(c2) : NULL;
        if (exc == NULL || Py_TYPE(exc) != (PyTypeObject *)PyExc_InterpreterError
            || PyUnicode_CompareWithASCIIString(t0, "interpreter creation failed") != 0
            || c1 == NULL || Py_TYPE(c1) != (PyTypeObject *)PyExc_InterpreterError
            || PyUnicode_CompareWithASCIIString(t1, "sub-interpreter creation failed") != 0
            || c2 == NULL || Py_TYPE(c2) != (PyTypeObject *)PyExc_RuntimeError
            || PyUnicode_CompareWithASCIIString(t2, "init_interp_settings: per-interpreter obmalloc does not "
                                                "support single-phase init extension "
                                                "modules") != 0) {
            char r[300];
            xf_fail("%screate raised %s (context %s, %s), expected the "
                    "InterpreterError chain of a rejected config", ctx,
                    repr_utf8(exc, r, sizeof(r)),
                    c1 ? Py_TYPE(c1)->tp_name : "none", c2 ? Py_TYPE(c2)->tp_name : "none");
        }
        Py_XDECREF(t0);
        Py_XDECREF(t1);
        Py_XDECREF(t2);
        Py_XDECREF(c2);
        Py_XDECREF(c1);
        Py_XDECREF(exc);
    }
    else {
        check_ok(res, "create");
        long long v = PyLong_Check(res) ? PyLong_AsLongLong(res) : -1;
        if (v <= 0) {
            fail_value(res, "create", "a new interpreter ID");
        }
        id = v;
        Py_DECREF(res);
    }
    leave(prev);
    return id;
}

static void
op_i_create_bad(xf_input *in)
{
    int a = read_actor(in);
    cfgspec s = read_cfgspec(in);
    set_ctx("actor %d create(form %d, name %d, mask 0x%x, missing 0x%x) [refused]",
            a, s.form, s.name, s.mask, s.missing);
    cfg_t cfg;
    do_create(a, &s, 0, 0, &cfg);
}

static void
op_i_destroy_bad(xf_input *in)
{
    int a = read_actor(in);
    int sel = xf_read_u8(in) % XF_MOD_DB_NSEL;
    PyThreadState *prev = enter(a);
    PyObject *args, *kwargs = NULL;
    switch (sel) {
    case XF_MOD_DB_CURRENT: args = Py_BuildValue("(L)", actors[a].id); break;
    case XF_MOD_DB_MAIN: args = Py_BuildValue("(i)", 0); break;
    case XF_MOD_DB_UNKNOWN: args = Py_BuildValue("(L)", NEVER_ID); break;
    case XF_MOD_DB_NEGATIVE: args = Py_BuildValue("(i)", -1); break;
    case XF_MOD_DB_NOT_INT: args = Py_BuildValue("(s)", "1"); break;
    default:
        args = Py_BuildValue("(i)", 0);
        kwargs = kw("restrict", pybool(1), NULL);
        break;
    }
    set_ctx("actor %d destroy(bad %d)", a, sel);
    PyObject *res = call(a, F_I_DESTROY, args, kwargs);
    switch (sel) {
    case XF_MOD_DB_CURRENT:
        check_exc(res, PyExc_InterpreterError, "cannot destroy the current interpreter",
                  "destroy");
        break;
    case XF_MOD_DB_MAIN:
        check_exc(res, PyExc_InterpreterError,
                  a == 0 ? "cannot destroy the current interpreter" : "interpreter running",
                  "destroy");
        break;
    case XF_MOD_DB_UNKNOWN:
        check_not_found(res, NEVER_ID, "destroy");
        break;
    case XF_MOD_DB_NEGATIVE:
        check_exc(res, PyExc_ValueError, "interpreter ID must be a non-negative int, got -1",
                  "destroy");
        break;
    case XF_MOD_DB_NOT_INT:
        check_exc(res, PyExc_TypeError, "interpreter ID must be an int, got str", "destroy");
        break;
    default:
        check_exc(res, PyExc_InterpreterError, "cannot destroy unrecognized interpreter 0",
                  "destroy");
        break;
    }
    leave(prev);
}

/* ---- buffers and held views ---------------------------------------------- */

static void
drop_held(int i)
{
    held_t *h = &m.held[i];
    if (h->obj == NULL) {
        return;
    }
    PyThreadState *prev = enter(h->actor);
    Py_CLEAR(h->obj);
    leave(prev);
    run_all_pending();
}

static void
op_buf_touch(xf_input *in)
{
    int b = xf_read_u8(in);
    int how = xf_read_u8(in) % 3;
    int value = xf_read_u8(in);
    if (m.nbufs == 0) {
        return;
    }
    b %= m.nbufs;
    buf_t *bf = &m.bufs[b];
    if (!bf->exists) {
        return;
    }
    set_ctx("buffer %d: %s", b, how == 0 ? "write" : how == 1 ? "resize" : "drop memoryview");
    PyThreadState *prev = enter(bf->owner);
    switch (how) {
    case 0:
        if (bf->is_bytearray && bf->len > 0) {
            PyByteArray_AS_STRING(bf->exporter)[value % bf->len] = (char)value;
        }
        break;
    case 1: {
        if (!bf->is_bytearray) {
            break;
        }
        int nq, nc;
        buf_refs(b, &nq, &nc);
        PyObject *alive = NULL;
        if (bf->mv == NULL && PyWeakref_GetRef(bf->mv_weak, &alive) < 0) {
            xf_fail("PyWeakref_GetRef failed");
        }
        int exported = bf->mv != NULL || alive != NULL || nc > 0;
        Py_XDECREF(alive);
        int rc = PyByteArray_Resize(bf->exporter, bf->len + 1);
        if (exported) {
            check_exc(rc == 0 ? Py_None : NULL, PyExc_BufferError, NULL,
                      "resizing an exported bytearray");
        }
        else {
            check_ok(rc == 0 ? Py_None : NULL, "resizing a bytearray nothing exports");
            bf->len++;
        }
        break;
    }
    default:
        Py_CLEAR(bf->mv);
        if (actors[bf->owner].last_buf == b) {
            actors[bf->owner].last_buf = -1;
        }
        break;
    }
    leave(prev);
    run_all_pending();
}

static void
op_drop_held(xf_input *in)
{
    int which = xf_read_u8(in);
    int n = 0;
    for (int i = 0; i < m.nheld; i++) {
        n += m.held[i].obj != NULL;
    }
    if (n == 0) {
        return;
    }
    which %= n;
    for (int i = 0; i < m.nheld; i++) {
        if (m.held[i].obj != NULL && which-- == 0) {
            set_ctx("drop held view %d (buffer %d, actor %d)", i, m.held[i].buf,
                    m.held[i].actor);
            drop_held(i);
            return;
        }
    }
}

/* ---- created interpreters ---------------------------------------------- */

/* Objects of ended interpreters that views in other interpreters still
 * hold (a buffer's memoryview and exporter): leaked with their
 * interpreter, as _interpretersmodule.c documents ("XXX Release when the
 * original interpreter is destroyed").  Kept reachable from here so that
 * LeakSanitizer does not report the documented loss. */
static xf_kept orphanage;       /* pointers */

static void
keep_orphan(void *p)
{
    if (xf_keep(&orphanage, &p, sizeof(p), 32) < 0) {
        xf_fail("out of memory keeping orphans");
    }
}

/* Views of buffer b held by an actor other than its owner. */
static int
foreign_views(int b)
{
    int n = 0;
    for (int i = 0; i < m.nheld; i++) {
        n += m.held[i].obj != NULL && m.held[i].buf == b
             && m.held[i].actor != m.bufs[b].owner;
    }
    return n;
}

/* Before created interpreter d goes: drop everything the harness holds
 * in it, and its thread state (Py_EndInterpreter wants to be the last).
 * Returns how many of its buffers other interpreters still view. */
static int
forget_dyn(int d)
{
    actor_t *ac = &actors[d];
    int orphans = 0;
    for (int i = 0; i < m.nheld; i++) {
        if (m.held[i].obj != NULL && m.held[i].actor == d) {
            drop_held(i);
        }
    }
    for (int i = 0; i < m.ncids; i++) {
        if (m.cids[i].obj != NULL && m.cids[i].actor == d) {
            drop_cid(i);
        }
    }
    for (int i = 0; i < m.nitems; i++) {
        if (m.items[i].owner == d && m.items[i].owner_id == ac->id) {
            drop_orig(&m.items[i]);
        }
    }
    PyThreadState *prev = enter(d);
    for (int b = 0; b < m.nbufs; b++) {
        buf_t *bf = &m.bufs[b];
        if (bf->exists && bf->owner == d && bf->owner_id == ac->id) {
            if (foreign_views(b) > 0) {
                PyObject *mv = NULL;
                if (PyWeakref_GetRef(bf->mv_weak, &mv) < 0) {
                    xf_fail("PyWeakref_GetRef failed");
                }
                keep_orphan(mv);
                keep_orphan(bf->exporter);
                Py_XDECREF(mv);
                orphans++;
            }
            Py_CLEAR(bf->mv);
            Py_CLEAR(bf->mv_weak);
            Py_CLEAR(bf->exporter);
            bf->exists = 0;
        }
    }
    clear_actor_refs(ac);
    PyThreadState_Clear(ac->tstate);
    leave(prev);
    PyThreadState_Delete(ac->tstate);
    ac->tstate = NULL;
    ac->exists = 0;
    ac->last_buf = -1;
    return orphans;
}

/* Created interpreter d has ended: its items become unbound or go, its
 * channel ends are released. */
static void
dyn_gone(int d)
{
    int64_t id = actors[d].id;
    for (int i = 0; i < m.nitems; i++) {
        item_t *it = &m.items[i];
        if (it->state != IT_QUEUED || it->owner_id != id) {
            continue;
        }
        if (it->is_chan && m.chans[it->box].state >= CH_FREED) {
            continue;
        }
        if (it->unboundop == 1) {
            item_done(it);
        }
        else {
            it->state = IT_UNBOUND;
        }
    }
    for (int c = 0; c < m.nchans; c++) {
        chan_t *ch = &m.chans[c];
        if (ch->state != CH_OPEN && ch->state != CH_CLOSING) {
            continue;
        }
        int *e = end_of(ch, id, 1, 0);
        if (e != NULL && *e != END_NONE) {
            *e = END_RELEASED;
        }
        e = end_of(ch, id, 0, 0);
        if (e != NULL && *e != END_NONE) {
            *e = END_RELEASED;
        }
    }
    run_all_pending();
}

/* Whether destroying d now reaches an avoided finding. */
static int
dyn_destroy_avoided(int d)
{
    int64_t id = actors[d].id;
    for (int i = 0; i < m.nitems; i++) {
        item_t *it = &m.items[i];
        if (it->state == IT_QUEUED && it->owner_id == id
            && (avoids(AV_ITEM_LEAK) || (avoids(AV_BUFFER) && it->buf >= 0)
                || (avoids(AV_LAST_DANGLING) && it->unboundop == 1))) {
            return 1;   /* cleared (or removed) on its exit */
        }
    }
    for (int i = 0; avoids(AV_VIEW_EXPORTER) && i < m.nheld; i++) {
        if (m.held[i].obj != NULL && m.held[i].actor != d
            && m.bufs[m.held[i].buf].owner_id == id) {
            return 1;
        }
    }
    for (int c = 0; c < m.nchans; c++) {
        chan_t *ch = &m.chans[c];
        if (avoids(AV_RELEASE_TWICE) && (ch->state == CH_OPEN || ch->state == CH_CLOSING)
            && (end_state(ch, id, 1) == END_RELEASED
                || end_state(ch, id, 0) == END_RELEASED)) {
            return 1;
        }
        if (release_strands_items(c, id, end_state(ch, id, 1) != END_NONE,
                                  end_state(ch, id, 0) != END_NONE)
            && drop_avoided(1, c)) {
            return 1;   /* the teardown destroys it with its items */
        }
    }
    return 0;
}

static void
dyn_destroy(int a, int d)
{
    int64_t id = actors[d].id;
    int orphans = forget_dyn(d);
    Py_ssize_t leaks_before = _PyRuntime.object_state.interpreter_leaks;
    PyThreadState *prev = enter(a);
    PyObject *res = call(a, F_I_DESTROY, Py_BuildValue("(L)", id), NULL);
    check_ok(res, "destroy");
    if (res != Py_None) {
        fail_value(res, "destroy", "None");
    }
    Py_DECREF(res);
    leave(prev);
    if (orphans > 0) {
        /* What the views keep of it is what it leaked (and nothing else
         * may be). */
        Py_ssize_t leaked = _PyRuntime.object_state.interpreter_leaks - leaks_before;
        fprintf(stderr, "xidfuzz: orphaned: %d buffer(s) of ended interpreter %"
                PRId64 " still viewed elsewhere (documented: _interpretersmodule.c "
                "\"XXX Release when the original interpreter is destroyed\"); "
                "%zd reference(s) lost\n", orphans, id, leaked);
        xf_lost_refs(leaked);
    }
    dyn_gone(d);
}

static void
op_l_create(xf_input *in)
{
    int a = read_actor(in);
    cfgspec s = read_cfgspec(in);
    int flags = xf_read_u8(in);
    int reqrefs = flags & 1;
    /* bit 1: import the high-level modules there now, which registers
     * their classes (Queue, SendChannel, RecvChannel) with the core's
     * registry of that interpreter -- unregistered, and the classes gone,
     * when it ends */
    int highlevel = (flags >> 1) & 1;
    int d = -1;
    for (int k = XF_MOD_NSLOTS; k < XF_MOD_NACTORS; k++) {
        if (!actors[k].exists) {
            d = k;
            break;
        }
    }
    set_ctx("actor %d create(form %d, name %d, mask 0x%x, missing 0x%x, reqrefs=%d)",
            a, s.form, s.name, s.mask, s.missing, reqrefs);
    if (static_pool) {
        return;
    }
    cfg_t cfg;
    int64_t id = do_create(a, &s, reqrefs, d >= 0, &cfg);
    if (id < 0) {
        return;
    }
    actor_t *ac = &actors[d];
    PyInterpreterState *interp = _PyInterpreterState_LookUpID(id);
    if (interp == NULL) {
        xf_fail("%sthe new interpreter %" PRId64 " is not found", ctx, id);
    }
    ac->tstate = PyThreadState_New(interp);
    if (ac->tstate == NULL) {
        xf_fail("%sPyThreadState_New failed", ctx);
    }
    ac->exists = 1;
    PyThreadState *prev = enter(d);
    if (setup_actor(d, highlevel ? 1 : -1) < 0) {
        PyErr_Print();
        xf_fail("%sthe modules cannot be imported in the new interpreter", ctx);
    }
    leave(prev);
    if (ac->id != id) {
        xf_fail("%screate returned %" PRId64 ", the interpreter says %" PRId64, ctx,
                id, ac->id);
    }
    /* get_config() reports the GIL as it is: shared unless own. */
    if (cfg.f[FIELD_GIL] == GIL_DEFAULT) {
        cfg.f[FIELD_GIL] = GIL_SHARED;
    }
    ac->cfg = cfg;
    ac->whence = whence_stdlib;
    ac->idrefs = 0;
    ac->requires_idref = reqrefs;
}

static void
op_l_destroy(xf_input *in)
{
    int a = read_actor(in);
    int t = XF_MOD_NSLOTS + xf_read_u8(in) % XF_MOD_MAX_DYN;
    if (static_pool || !actors[t].exists) {
        return;
    }
    set_ctx("actor %d destroy(interp %" PRId64 ")", a, actors[t].id);
    if (t == a) {
        PyThreadState *prev = enter(a);
        PyObject *res = call(a, F_I_DESTROY, Py_BuildValue("(L)", actors[t].id), NULL);
        check_exc(res, PyExc_InterpreterError, "cannot destroy the current interpreter",
                  "destroy");
        leave(prev);
        return;
    }
    if (dyn_destroy_avoided(t)) {
        return;
    }
    dyn_destroy(a, t);
}

/* ---- the program ---------------------------------------------------------- */

static void
check_between_ops(void)
{
    run_all_pending();
    check_buffers();
}

static void
teardown(void)
{
    m.op_name = NULL;
    set_ctx("teardown");
    for (int i = 0; i < m.nheld; i++) {
        drop_held(i);
    }
    if (avoids(AV_ITEM_LEAK | AV_BUFFER)) {
        /* Drain what can be drained: no container goes with items. */
        for (int q = 0; q < m.nqueues; q++) {
            while (queue_live(q) && box_count(0, q) > 0) {
                item_t *it = box_front(0, q);
                PyThreadState *prev = enter(0);
                PyObject *res = call(0, F_Q_GET, Py_BuildValue("(L)", qid_of(q)), NULL);
                check_ok(res, "draining get");
                Py_DECREF(res);
                leave(prev);
                item_done(it);
            }
        }
        for (int c = 0; c < m.nchans; c++) {
            int s = 0;
            while (s < XF_MOD_NSLOTS
                   && end_state(&m.chans[c], actors[s].id, 0) == END_RELEASED) {
                s++;
            }
            while (s < XF_MOD_NSLOTS && chan_usable(c) && box_count(1, c) > 0) {
                item_t *it = box_front(1, c);
                PyThreadState *prev = enter(s);
                PyObject *res = call(s, F_C_RECV, Py_BuildValue("(L)", cid_of(c)), NULL);
                check_ok(res, "draining recv");
                Py_DECREF(res);
                leave(prev);
                *end_of(&m.chans[c], actors[s].id, 0, 1) = END_OPEN;
                item_done(it);
                chan_finish_closing(c);
            }
        }
        run_all_pending();
    }
    for (int q = 0; q < m.nqueues; q++) {
        if (m.queues[q].live) {
            queue_destroy(0, q);
        }
    }
    for (int c = 0; c < m.nchans; c++) {
        if (chan_found(c)) {
            chan_destroy(0, c);
        }
    }
    for (int i = 0; i < m.ncids; i++) {
        if (m.cids[i].obj != NULL) {
            drop_cid(i);
        }
    }
    for (int i = 0; i < m.nitems; i++) {
        drop_orig(&m.items[i]);
    }
    for (int d = XF_MOD_NSLOTS; d < XF_MOD_NACTORS; d++) {
        if (actors[d].exists) {
            dyn_destroy(0, d);
        }
    }
    for (int b = 0; b < m.nbufs; b++) {
        buf_t *bf = &m.bufs[b];
        if (bf->exists) {
            PyThreadState *prev = enter(bf->owner);
            Py_CLEAR(bf->mv);
            Py_CLEAR(bf->mv_weak);
            Py_CLEAR(bf->exporter);
            leave(prev);
        }
    }
    for (int s = 0; s < XF_MOD_NSLOTS; s++) {
        actor_t *ac = &actors[s];
        PyThreadState *prev = enter(s);
        while (ac->idrefs > 0) {
            PyObject *res = call(s, F_I_DECREF, Py_BuildValue("(L)", ac->id), NULL);
            check_ok(res, "decref (teardown)");
            Py_DECREF(res);
            ac->idrefs--;
        }
        PyObject *mod = PyImport_AddModuleRef("__main__");
        PyObject *dict = mod != NULL ? PyModule_GetDict(mod) : NULL;
        for (int n = 0; dict != NULL && n < XF_MOD_NNAMES; n++) {
            char name[8];
            snprintf(name, sizeof(name), "xf_%d", n);
            if (PyDict_PopString(dict, name, NULL) < 0) {
                dict = NULL;
            }
        }
        if (dict == NULL) {
            PyErr_Print();
            xf_fail("cleaning slot %d's __main__ failed", s);
        }
        Py_DECREF(mod);
        ac->last_buf = -1;
        leave(prev);
    }
    run_all_pending();
    /* A snapshot of an exception (exec() of code that raised,
     * capture_exception()) leaves cyclic garbage in the interpreters
     * involved: collect their youngest generation now, which is cheap,
     * rather than leave the per-input check to collect the older ones of
     * every slot (the pydebug collector walks the whole heap then). */
    for (int s = 0; s < XF_MOD_NSLOTS; s++) {
        if (m.dirty[s]) {
            PyThreadState *prev = enter(s);
            (void)_PyGC_Collect(actors[s].tstate, 0, _Py_GC_REASON_MANUAL);
            leave(prev);
        }
    }
    memset(&m, 0, sizeof(m));
}

static const char *const op_names[XF_MOD_NOPS] = {
    "Q_CREATE", "Q_PUT", "Q_PUT_BUF", "Q_GET", "Q_BIND", "Q_RELEASE", "Q_QUERY",
    "Q_DESTROY", "C_CREATE", "C_SEND", "C_SEND_BUF", "C_RECV", "C_CLOSE",
    "C_RELEASE", "C_QUERY", "C_DESTROY", "C_ID", "I_EXEC", "I_SET_MAIN",
    "I_SHAREABLE", "I_CAPTURE", "I_QUERY", "I_IDREF", "I_NEW_CONFIG",
    "I_CREATE_BAD", "I_DESTROY_BAD", "BUF_TOUCH", "DROP_HELD",
};

static void
run_op(xf_input *in, uint8_t byte)
{
    if (byte % 32 == XF_MOD_LIFECYCLE) {
        int create = xf_read_u8(in) % XF_MOD_L_CREATE_EVERY == 0;
        m.op_name = create ? "L_CREATE" : "L_DESTROY";
        if (create) {
            op_l_create(in);
        }
        else {
            op_l_destroy(in);
        }
        return;
    }
    int op = (byte % 32) % XF_MOD_NOPS;
    m.op_name = op_names[op];
    switch (op) {
    case XF_MOD_Q_CREATE: op_q_create(in); break;
    case XF_MOD_Q_PUT: op_q_put(in); break;
    case XF_MOD_Q_PUT_BUF: op_q_put_buf(in); break;
    case XF_MOD_Q_GET: op_q_get(in); break;
    case XF_MOD_Q_BIND: op_q_bind(in, 0); break;
    case XF_MOD_Q_RELEASE: op_q_bind(in, 1); break;
    case XF_MOD_Q_QUERY: op_q_query(in); break;
    case XF_MOD_Q_DESTROY: op_q_destroy(in); break;
    case XF_MOD_C_CREATE: op_c_create(in); break;
    case XF_MOD_C_SEND: op_c_send(in); break;
    case XF_MOD_C_SEND_BUF: op_c_send_buf(in); break;
    case XF_MOD_C_RECV: op_c_recv(in); break;
    case XF_MOD_C_CLOSE: op_c_close(in); break;
    case XF_MOD_C_RELEASE: op_c_release(in); break;
    case XF_MOD_C_QUERY: op_c_query(in); break;
    case XF_MOD_C_DESTROY: op_c_destroy(in); break;
    case XF_MOD_C_ID: op_c_id(in); break;
    case XF_MOD_I_EXEC: op_i_exec(in); break;
    case XF_MOD_I_SET_MAIN: op_i_set_main(in); break;
    case XF_MOD_I_SHAREABLE: op_i_shareable(in); break;
    case XF_MOD_I_CAPTURE: op_i_capture(in); break;
    case XF_MOD_I_QUERY: op_i_query(in); break;
    case XF_MOD_I_IDREF: op_i_idref(in); break;
    case XF_MOD_I_NEW_CONFIG: op_i_new_config(in); break;
    case XF_MOD_I_CREATE_BAD: op_i_create_bad(in); break;
    case XF_MOD_I_DESTROY_BAD: op_i_destroy_bad(in); break;
    case XF_MOD_BUF_TOUCH: op_buf_touch(in); break;
    case XF_MOD_DROP_HELD: op_drop_held(in); break;
    }
}

static void
run(const uint8_t *data, size_t size)
{
    xf_input in;
    xf_input_init(&in, data, size);
    memset(&m, 0, sizeof(m));
    for (int n = 0; n < XF_MOD_MAX_OPS && !xf_input_exhausted(&in); n++) {
        uint8_t byte = xf_read_u8(&in);
        m.op_index = n;
        if (xf_fault_take_op(&in, byte)) {
            continue;       /* FAULT: the spec is read, nothing is armed yet */
        }
        run_op(&in, byte);
        xf_fault_op_done();
        check_between_ops();
    }
    teardown();
}

XF_FUZZ_TARGET_INIT(run, XF_MOD_NSLOTS, init)
