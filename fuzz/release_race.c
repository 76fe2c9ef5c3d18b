/* fuzz/release_race: a schedule of cross-interpreter data items over a few
 * interpreters -- share, rebuild, release from the owner or from another
 * interpreter (a pending call to the owner), run or hold the owner's
 * pending calls, overfill one interpreter's queue, end an interpreter
 * while its data is out or releases to it are queued, release that data,
 * recreate the interpreter.  Everything runs on one thread, in input
 * order: the same bytes give the same interleaving.  Beside the data, the
 * cross-interpreter call helpers are driven on their own (CALL):
 * _Py_CallInInterpreter and _Py_CallInInterpreterAndRawFree, run at once
 * in the caller's interpreter or queued in another one, up to and past
 * its queue's capacity (the releases no longer go through them in the
 * patched core); and NEW can end a bare interpreter, one that was never
 * initialised.
 *
 * Input: up to XF_RR_MAX_OPS operations (release_race.h), each an opcode
 * byte then its operands; slot operands are taken modulo XF_RR_NSLOTS,
 * item operands modulo the number of items made so far (an operation on
 * an item in the wrong state does nothing).  Objects come from objgen.h
 * (shareable types only, nested tuples of str/bytes/int/... included).
 * Every item's data comes from _PyCrossInterpreterData_New(), so both
 * release calls apply to it.
 *
 * Oracles:
 *   - sharing gives exactly the outcome xid_oracle.h predicts, and the
 *     data names the sharing interpreter as its owner;
 *   - a rebuilt object equals the original (objcmp.h);
 *   - a release of data whose owner is alive returns 0 and raises
 *     nothing; from the owner the data is cleared at once, from elsewhere
 *     once the owner has run its pending calls (checked on the data
 *     itself when the harness still owns it);
 *   - a release of data whose owner was ended returns -1 with exactly
 *     InterpreterNotFoundError set, and touches no freed memory (the
 *     sanitizers; the pymalloc harness makes a dead interpreter's
 *     objects freed memory);
 *   - a call into the caller's own interpreter runs at once, there,
 *     exactly once, and the helper returns the call's own result (0, or
 *     -1 with the exception the call raised); a call into another
 *     interpreter returns 0 with exactly one more pending call queued
 *     there and nothing run yet, and runs exactly once, in that
 *     interpreter, when it runs its pending calls (or ends); when that
 *     queue is full the helper returns -1 with exactly InterpreterError
 *     ("the pending-call queue of interpreter N is full"), queues and
 *     runs nothing, and the argument is still the caller's (with
 *     _AndRawFree the core frees it in every other case: LeakSanitizer
 *     and ASan check both ways);
 *   - ending a bare interpreter (PyInterpreterState_New: not ready) with
 *     _PyXI_EndInterpreter deletes it -- its id is unknown afterwards --
 *     raises nothing and leaves the caller's thread state current;
 *   - each shared object ends with the refcount it had before it was
 *     shared; no exception or pending call is left; the total refcount
 *     does not drift (target.c); LeakSanitizer finds no leak.
 *
 * Fault injection (core/harness/fault.h): an opcode byte >= XF_FAULT_OPCODE
 * (0xf8) is FAULT, followed by a fault spec that stays on for the next
 * spec.ops operations (FAULT itself does not count).  It is armed around
 * _PyCrossInterpreterData_New, the share and each rebuild (SHARE, FLOOD,
 * REBUILD): the calls that allocate.  Releases, pending calls, CALL and
 * interpreter ends are not armed (they allocate nothing in the xid core;
 * ending an interpreter is the runtime's business).  A call during which
 * an injected failure was hit may fail with exactly MemoryError (the
 * share: or the error the oracle expects anyway); a failed share leaves
 * the data empty and makes no item; a failed rebuild changes nothing.
 * Without a hit, the oracles above hold unchanged.
 *
 * Documented loss, a finding of its own kind: data still out when its
 * owner ends can never be cleared (crossinterp.c, _xidata_release: "The
 * interpreter was already destroyed ... Someone leaked some memory").
 * The target says so on stderr ("xidfuzz: orphaned: ..."), keeps the lost
 * data reachable so that LeakSanitizer does not report it, and tells the
 * drift check exactly how many references the ended interpreter leaked.
 * Only that case is excused, and only by the measured amount.
 */
#include "target.h"
#include "fault.h"
#include "fault_oracle.h"
#include "objcmp.h"
#include "objgen.h"
#include "start_oracle.h"
#include "xid_oracle.h"
#include "release_race.h"

#include "pycore_interp.h"         // interp->ceval.pending
#include "pycore_runtime.h"        // _PyRuntime.object_state

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    ITEM_LIVE = 0,      /* shared, not released */
    ITEM_QUEUED,        /* released from elsewhere, owner's call not run */
    ITEM_ORPHAN,        /* not released, owner ended */
    ITEM_DONE,
} item_state;

typedef struct {
    _PyCrossInterpreterData *xid;   /* NULL once the core freed it */
    int object;                     /* index into rr.objects */
    int owner;                      /* slot */
    int64_t owner_id;
    item_state state;
    int rawfree;                    /* how a queued release was made */
    int from;                       /* where a queued release was made */
    int npending_before;            /* owner's queue length at that time */
} rr_item;

typedef struct {
    PyObject *obj;                  /* the harness's reference, in owner */
    int owner;
    int64_t owner_id;
    Py_ssize_t baseline;            /* refcount before it was shared */
} rr_object;

typedef enum {
    CALL_QUEUED = 0,    /* pending in `into`, not run yet */
    CALL_DONE,          /* ran, or was refused */
} call_state;

/* One call of CALL.  The call's argument points at `index` (or, with
 * _AndRawFree, at a PyMem_RawMalloc'ed copy of it, which the core frees):
 * the call records here that it ran, and where. */
typedef struct {
    int index;
    int into;                       /* slot it must run in */
    int64_t into_id;
    call_state state;
    int fails;                      /* raise and return -1 when run */
    const char *helper;             /* which helper made it */
    int ran;                        /* times it ran */
    int64_t ran_in;                 /* interpreter it ran in */
} rr_call;

static struct {
    rr_item items[XF_RR_MAX_ITEMS];
    int nitems;
    rr_object objects[XF_RR_MAX_OBJECTS];
    int nobjects;
    rr_call calls[XF_RR_MAX_CALLS];
    int ncalls;
    int static_pool;
    unsigned ended;         /* slots this input ended (bit per slot) */
} rr;

/* Lost data stays reachable from here for the life of the process. */
static struct {
    xf_kept data;           /* copies of _PyCrossInterpreterData */
    xf_kept states;         /* allocators of ended interpreters */
} orphanage;

/* An interpreter that ends while its objects are still referenced (here:
 * by orphaned data) keeps its obmalloc arenas and radix-tree nodes on
 * purpose (obmalloc.c, _PyInterpreterState_FinalizeAllocatedBlocks: "it
 * is safer to not free and to leak") but frees the state that points to
 * them.  With pymalloc on, a copy of that state, taken just before the
 * end, keeps the abandoned allocator reachable: the same documented loss,
 * not a leak for LeakSanitizer to report. */
static void
keep_allocator_of(int slot)
{
#ifdef WITH_PYMALLOC
    PyInterpreterState *interp = xf_interp(slot);
    if (interp->obmalloc == NULL || !_PyMem_obmalloc_state_on_heap(interp)) {
        return;
    }
    struct _obmalloc_state *copy = malloc(sizeof(*copy));
    if (copy == NULL) {
        xf_fail("out of memory keeping an abandoned allocator");
    }
    memcpy(copy, interp->obmalloc, sizeof(*copy));
    if (xf_keep(&orphanage.states, &copy, sizeof(copy), 16) < 0) {
        xf_fail("out of memory keeping an abandoned allocator");
    }
#else
    (void)slot;
#endif
}

static const xf_gen_opts gen_opts = {
    .allow_unshareable = 0,
    .max_nodes = 24,
    .max_width = 6,
    .max_fill = 8,
    .max_depth = 6,
};

static int
read_slot(xf_input *in)
{
    return xf_read_u8(in) % XF_RR_NSLOTS;
}

static int
owner_alive(int slot, int64_t id)
{
    return xf_slot_alive(slot) && xf_interp_id(slot) == id;
}

static int32_t
npending(int slot)
{
    if (!xf_slot_alive(slot)) {
        return 0;
    }
    return _Py_atomic_load_int32(&xf_interp(slot)->ceval.pending.npending);
}

static void
keep_orphan(const _PyCrossInterpreterData *data)
{
    if (xf_keep(&orphanage.data, data, sizeof(*data), 64) < 0) {
        xf_fail("out of memory keeping orphaned data");
    }
}

/* The owner has cleared a harness-owned struct: check it, free it. */
static void
finish_item(rr_item *it, int index)
{
    if (it->xid != NULL) {
        if (it->xid->data != NULL || it->xid->obj != NULL) {
            xf_fail("item %d: its release from slot %d (queued in slot %d, "
                    "which had %d pending call(s) then) was never carried out: "
                    "after the owner ran all its pending calls the data still "
                    "holds data=%p obj=%p", index, it->from, it->owner,
                    it->npending_before, it->xid->data, (void *)it->xid->obj);
        }
        PyMem_RawFree(it->xid);
        it->xid = NULL;
    }
    it->state = ITEM_DONE;
}

/* The calls queued in interpreter `id` (slot `slot`) once it ran its
 * pending calls or ended (`when`): each ran exactly once, there. */
static void
settle_calls(int slot, int64_t id, const char *when)
{
    for (int i = 0; i < rr.ncalls; i++) {
        rr_call *c = &rr.calls[i];
        if (c->state != CALL_QUEUED || c->into != slot || c->into_id != id) {
            continue;
        }
        if (c->ran != 1 || c->ran_in != id) {
            xf_fail("call %d, queued in slot %d (interpreter %lld), ran %d "
                    "time(s), last in interpreter %lld, after %s: expected "
                    "once, there", i, slot, (long long)id, c->ran,
                    (long long)c->ran_in, when);
        }
        c->state = CALL_DONE;
    }
}

/* Run every pending call of `slot` (the core runs at most 100 per call),
 * then settle the items whose release was queued there. */
static void
run_pending(int slot)
{
    if (!xf_slot_alive(slot)) {
        return;
    }
    for (int round = 0; npending(slot) > 0; round++) {
        if (round > 10) {
            xf_fail("slot %d: pending calls do not drain (%d left)",
                    slot, (int)npending(slot));
        }
        if (xf_run_pending(slot) != 0) {
            PyErr_Print();
            xf_fail("running slot %d's pending calls failed", slot);
        }
    }
    int64_t id = xf_interp_id(slot);
    for (int i = 0; i < rr.nitems; i++) {
        rr_item *it = &rr.items[i];
        if (it->state == ITEM_QUEUED && it->owner == slot && it->owner_id == id) {
            finish_item(it, i);
        }
    }
    settle_calls(slot, id, "it ran its pending calls");
}

static void
note_item(const char *what, int index, const rr_item *it)
{
    xf_note("release_race: %s item=%d owner=%d(id %lld) obj=%s", what, index,
            it->owner, (long long)it->owner_id,
            rr.objects[it->object].obj != NULL
                ? Py_TYPE(rr.objects[it->object].obj)->tp_name : "(dropped)");
}

/* Share `obj` (owned by the current slot) into a new item. */
static int
add_item(int object, int slot)
{
    rr_object *o = &rr.objects[object];
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    _PyCrossInterpreterData *xid = _PyCrossInterpreterData_New();
    xf_fault_disarm();
    if (xid == NULL) {
        if (xf_fault_failed(hits, NULL, "_PyCrossInterpreterData_New")) {
            return -1;
        }
        xf_fail("_PyCrossInterpreterData_New failed");
    }
    xf_share_outcome expect = xf_expect_share(
        o->obj, xf_tstate(slot)->c_recursion_remaining);
    hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyObject_GetCrossInterpreterData(o->obj, xid);
    xf_fault_disarm();
    if (rc != 0 && xf_fault_failed(hits, xf_share_outcome_error(expect),
                                   "_PyObject_GetCrossInterpreterData")) {
        if (xid->data != NULL || xid->obj != NULL) {
            xf_fail("sharing failed with an injected MemoryError but left "
                    "data=%p obj=%p behind", xid->data, (void *)xid->obj);
        }
        PyMem_RawFree(xid);
        return -1;
    }
    xf_check_share_result(expect, rc, xid);
    if (rc != 0) {
        PyMem_RawFree(xid);
        return -1;
    }
    if (_PyCrossInterpreterData_INTERPID(xid) != o->owner_id) {
        xf_fail("data owned by interpreter %lld, shared in %lld",
                (long long)_PyCrossInterpreterData_INTERPID(xid),
                (long long)o->owner_id);
    }
    int index = rr.nitems++;
    rr.items[index] = (rr_item){
        .xid = xid, .object = object, .owner = slot, .owner_id = o->owner_id,
        .state = ITEM_LIVE,
    };
    return index;
}

/* A new object in `slot`, from the input; -1 when there is no room. */
static int
add_object(xf_input *in, int slot)
{
    if (rr.nobjects == XF_RR_MAX_OBJECTS) {
        return -1;
    }
    int prev = xf_enter(slot);
    PyObject *obj = xf_gen_object(in, &gen_opts);
    if (obj == NULL) {
        PyErr_Print();
        xf_fail("generating an object failed");
    }
    int object = rr.nobjects++;
    rr.objects[object] = (rr_object){
        .obj = obj, .owner = slot, .owner_id = xf_interp_id(slot),
        .baseline = Py_REFCNT(obj),
    };
    xf_leave(prev);
    return object;
}

static void
op_share(xf_input *in)
{
    int slot = read_slot(in);
    if (rr.nitems == XF_RR_MAX_ITEMS) {
        return;
    }
    int object = add_object(in, slot);
    if (object < 0) {
        return;
    }
    int prev = xf_enter(slot);
    int index = add_item(object, slot);
    xf_leave(prev);
    if (index >= 0) {
        note_item("share", index, &rr.items[index]);
    }
}

static rr_item *
read_item(xf_input *in, int *index)
{
    uint8_t i = xf_read_u8(in);
    if (rr.nitems == 0) {
        return NULL;
    }
    *index = i % rr.nitems;
    return &rr.items[*index];
}

static void
op_rebuild(xf_input *in)
{
    int index;
    rr_item *it = read_item(in, &index);
    int slot = read_slot(in);
    if (it == NULL || it->state != ITEM_LIVE) {
        return;
    }
    rr_object *o = &rr.objects[it->object];
    int prev = xf_enter(slot);
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    PyObject *copy = _PyCrossInterpreterData_NewObject(it->xid);
    xf_fault_disarm();
    if (copy == NULL && xf_fault_failed(hits, NULL, "_PyCrossInterpreterData_NewObject")) {
        xf_leave(prev);
        return;
    }
    if (copy == NULL) {
        PyErr_Print();
        xf_fail("_PyCrossInterpreterData_NewObject failed in slot %d", slot);
    }
    char why[512];
    if (!xf_compare(o->obj, copy, why, sizeof(why))) {
        xf_fail("item %d rebuilt in slot %d differs: %s", index, slot, why);
    }
    Py_DECREF(copy);
    xf_leave(prev);
}

/* Whether releasing `xid` has anything to do (crossinterp.c,
 * _xidata_release): a buffer with a free function, or an object.  Data of
 * None, say, holds neither and is released at once, from anywhere. */
static int
has_payload(const _PyCrossInterpreterData *xid)
{
    return (xid->data != NULL && xid->free != NULL) || xid->obj != NULL;
}

/* Release data whose owner was ended: must fail cleanly. */
static void
release_orphan(rr_item *it, int index, int from, int rawfree)
{
    if (!has_payload(it->xid)) {
        /* Nothing to release, nothing lost: done at once, from anywhere,
         * before the owner is looked up. */
        int prev = xf_enter(from);
        int rc = rawfree ? _PyCrossInterpreterData_ReleaseAndRawFree(it->xid)
                         : _PyCrossInterpreterData_Release(it->xid);
        if (rc != 0 || PyErr_Occurred()) {
            if (PyErr_Occurred()) {
                PyErr_Print();
            }
            xf_fail("item %d: releasing empty data of ended interpreter %lld "
                    "returned %d", index, (long long)it->owner_id, rc);
        }
        xf_leave(prev);
        if (rawfree) {
            it->xid = NULL;
        }
        finish_item(it, index);
        return;
    }
    keep_orphan(it->xid);
    int prev = xf_enter(from);
    int rc = rawfree ? _PyCrossInterpreterData_ReleaseAndRawFree(it->xid)
                     : _PyCrossInterpreterData_Release(it->xid);
    PyObject *exc = PyErr_GetRaisedException();
    if (rc != -1 || exc == NULL
            || Py_TYPE(exc) != (PyTypeObject *)PyExc_InterpreterNotFoundError) {
        if (exc != NULL) {
            PyErr_SetRaisedException(exc);
            PyErr_Print();
        }
        xf_fail("item %d: releasing data of ended interpreter %lld from slot %d "
                "returned %d with %s, expected -1 with InterpreterNotFoundError",
                index, (long long)it->owner_id, from, rc,
                exc != NULL ? Py_TYPE(exc)->tp_name : "no exception");
    }
    Py_DECREF(exc);
    xf_leave(prev);
    if (!rawfree) {
        PyMem_RawFree(it->xid);
    }
    it->xid = NULL;
    it->state = ITEM_DONE;
    fprintf(stderr, "xidfuzz: orphaned: item %d, owned by ended interpreter "
            "%lld, cannot be cleared (documented: crossinterp.c "
            "_xidata_release); its data is lost\n", index,
            (long long)it->owner_id);
}

static int
queue_capacity(int slot)
{
    return xf_interp(slot)->ceval.pending.max;
}

/* The owner's pending-call queue is full, so the release cannot be
 * scheduled.  Failing with exactly InterpreterError, the data left as it
 * was, is an acceptable answer (a fixed core gives it); anything else is
 * not.  Returns 1 with the exception cleared when that is what happened. */
static int
refused_for_full_queue(int index, const rr_item *it)
{
    PyObject *exc = PyErr_GetRaisedException();
    if (exc == NULL || Py_TYPE(exc) != (PyTypeObject *)PyExc_InterpreterError) {
        PyErr_SetRaisedException(exc);
        return 0;
    }
    Py_DECREF(exc);
    xf_note("release_race: item %d refused: slot %d's queue is full", index,
            it->owner);
    return 1;
}

static void
release(rr_item *it, int index, int from, int flags)
{
    int rawfree = (flags & XF_RR_RAWFREE) != 0;
    if (it->state == ITEM_ORPHAN) {
        release_orphan(it, index, from, rawfree);
        return;
    }
    if (it->state != ITEM_LIVE) {
        return;
    }
    int before = npending(it->owner);
    int payload = has_payload(it->xid);
    int prev = xf_enter(from);
    int rc = rawfree ? _PyCrossInterpreterData_ReleaseAndRawFree(it->xid)
                     : _PyCrossInterpreterData_Release(it->xid);
    if (rc != 0 && payload && from != it->owner
            && before == queue_capacity(it->owner)
            && refused_for_full_queue(index, it)) {
        /* Nothing was scheduled, the data is untouched and still ours. */
        xf_leave(prev);
        return;
    }
    if (rc != 0 || PyErr_Occurred()) {
        if (PyErr_Occurred()) {
            PyErr_Print();
        }
        xf_fail("item %d: releasing data owned by live slot %d from slot %d "
                "returned %d", index, it->owner, from, rc);
    }
    xf_leave(prev);
    /* Success from elsewhere means "scheduled in the owner". */
    if (from != it->owner && payload && npending(it->owner) != before + 1) {
        xf_fail("item %d: its release from slot %d returned 0 but queued "
                "nothing in slot %d, whose pending-call queue held %d of %d "
                "calls: the release was dropped", index, from, it->owner,
                before, queue_capacity(it->owner));
    }
    if (rawfree) {
        it->xid = NULL;     /* the core frees it, now or in its call */
    }
    if (from == it->owner || !payload) {
        finish_item(it, index);
    }
    else {
        it->state = ITEM_QUEUED;
        it->rawfree = rawfree;
        it->from = from;
        it->npending_before = before;
    }
}

static void
op_release(xf_input *in)
{
    int index;
    rr_item *it = read_item(in, &index);
    int from = read_slot(in);
    int flags = xf_read_u8(in);
    if (it == NULL) {
        return;
    }
    int owner = it->owner;
    release(it, index, from, flags);
    if (flags & XF_RR_THEN_RUN) {
        run_pending(owner);
    }
}

static void
op_run_pending(xf_input *in)
{
    run_pending(read_slot(in));
}

/* Share one object `count` times, release every copy from `from`. */
static void
op_flood(xf_input *in)
{
    int owner = read_slot(in);
    int from = read_slot(in);
    int flags = xf_read_u8(in);
    int count = xf_read_u16(in) % (XF_RR_MAX_FLOOD + 1);
    if (count > XF_RR_MAX_ITEMS - rr.nitems) {
        count = XF_RR_MAX_ITEMS - rr.nitems;
    }
    if (count == 0) {
        return;
    }
    int object = add_object(in, owner);
    if (object < 0) {
        return;
    }
    int first = rr.nitems;
    int prev = xf_enter(owner);
    for (int i = 0; i < count; i++) {
        if (add_item(object, owner) < 0) {
            break;      /* not shareable: the oracle checked why */
        }
    }
    xf_leave(prev);
    int last = rr.nitems;
    xf_note("release_race: flood owner=%d from=%d flags=0x%x items=%d "
            "pending_before=%d", owner, from, flags, last - first,
            (int)npending(owner));
    for (int i = first; i < last; i++) {
        release(&rr.items[i], i, from, flags);
    }
    if (flags & XF_RR_THEN_RUN) {
        run_pending(owner);
    }
}

/* End `slot` with whatever is out or queued.  Its objects' references
 * are dropped first (in it); data it still owns becomes orphaned. */
static void
op_end(xf_input *in)
{
    int byte = xf_read_u8(in);
    int slot = 1 + byte % (XF_RR_NSLOTS - 1);
    int from_inside = (byte / (XF_RR_NSLOTS - 1)) & 1;
    /* Every slot is alive when an input starts, as far as the input can
     * tell: the pool makes a slot again when it is next used, so one that
     * an earlier input (or the drift check's first run) ended is made here
     * too, and END does what this input alone says.  Only a slot this
     * input ended and has not used since is gone. */
    if (rr.static_pool || (!xf_slot_alive(slot) && (rr.ended & (1u << slot)))) {
        return;
    }
    rr.ended |= 1u << slot;
    int64_t id = xf_interp_id(slot);
    int prev = xf_enter(slot);
    for (int i = 0; i < rr.nobjects; i++) {
        rr_object *o = &rr.objects[i];
        if (o->obj != NULL && o->owner == slot && o->owner_id == id) {
            Py_CLEAR(o->obj);
        }
    }
    xf_leave(prev);
    int orphans = 0;
    int queued = 0;
    for (int i = 0; i < rr.nitems; i++) {
        rr_item *it = &rr.items[i];
        if (it->owner != slot || it->owner_id != id) {
            continue;
        }
        if (it->state == ITEM_LIVE) {
            it->state = ITEM_ORPHAN;
            orphans++;
        }
        queued += it->state == ITEM_QUEUED;
    }
    if (orphans > 0) {
        keep_allocator_of(slot);
    }
    Py_ssize_t leaks_before = _PyRuntime.object_state.interpreter_leaks;
    int pending_before = npending(slot);
    xf_end_interp_as(slot, from_inside);
    Py_ssize_t leaked = _PyRuntime.object_state.interpreter_leaks - leaks_before;
    xf_note("release_race: end slot=%d%s id=%lld orphans=%d queued=%d "
            "pending=%d leaked_refs=%zd", slot, from_inside ? " (from inside)" : "",
            (long long)id, orphans, queued, pending_before, leaked);
    /* Py_EndInterpreter() runs the pending calls before it goes. */
    for (int i = 0; i < rr.nitems; i++) {
        rr_item *it = &rr.items[i];
        if (it->state == ITEM_QUEUED && it->owner == slot && it->owner_id == id) {
            finish_item(it, i);
        }
    }
    settle_calls(slot, id, "it ended");
    if (orphans > 0) {
        /* The orphaned data holds references into the ended interpreter;
         * they are what it leaked (and nothing else may be). */
        xf_lost_refs(leaked);
    }
}

/* _PyXI_NewInterpreter with a config the runtime rejects: NULL, the
 * caller's thread state current again, and InterpreterError("sub-
 * interpreter creation failed") with the runtime's RuntimeError as its
 * __context__ (an oracle failure otherwise). */
static void
check_rejected_config(void)
{
    /* Per-interpreter obmalloc without the single-phase-init check: the
     * runtime refuses it before the interpreter runs anything. */
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    config.use_main_obmalloc = 0;
    config.check_multi_interp_extensions = 0;
    PyThreadState *before = PyThreadState_Get();
    PyInterpreterState *interp = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    if (interp != NULL) {
        xf_fail("_PyXI_NewInterpreter accepted a config the runtime rejects");
    }
    if (PyThreadState_Get() != before) {
        xf_fail("a rejected _PyXI_NewInterpreter left another thread state current");
    }
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *context = exc != NULL ? PyException_GetContext(exc) : NULL;
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    PyObject *why = context != NULL ? PyObject_Str(context) : NULL;
    const char *t = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    const char *w = why != NULL ? PyUnicode_AsUTF8(why) : NULL;
    if (exc == NULL || !PyErr_GivenExceptionMatches(exc, PyExc_InterpreterError)
        || t == NULL || strcmp(t, "sub-interpreter creation failed") != 0
        || context == NULL || Py_TYPE(context) != (PyTypeObject *)PyExc_RuntimeError
        || w == NULL || strstr(w, "per-interpreter obmalloc") == NULL)
    {
        xf_fail("a rejected _PyXI_NewInterpreter raised %s(\"%s\") from %s(\"%s\"), "
                "expected InterpreterError(\"sub-interpreter creation failed\") "
                "from the RuntimeError of the rejected config",
                exc ? Py_TYPE(exc)->tp_name : "nothing", t ? t : "?",
                context ? Py_TYPE(context)->tp_name : "nothing", w ? w : "?");
    }
    Py_DECREF(why);
    Py_DECREF(text);
    Py_DECREF(context);
    Py_DECREF(exc);
}

/* A bare interpreter: PyInterpreterState_New() makes one that was never
 * initialised (no GIL, no thread state, not ready), as an embedder may.
 * _PyXI_EndInterpreter must delete it without clearing it (clearing needs
 * the GIL it never had), raise nothing and leave the caller's thread
 * state current; afterwards the runtime no longer knows its id.  What it
 * allocated is LeakSanitizer's to check. */
static void
end_bare_interpreter(void)
{
    PyThreadState *before = PyThreadState_GetUnchecked();
    PyInterpreterState *interp = PyInterpreterState_New();
    int64_t id = PyInterpreterState_GetID(interp);
    if (_PyInterpreterState_IsReady(interp)) {
        xf_fail("a bare interpreter (PyInterpreterState_New) is already ready");
    }
    _PyXI_EndInterpreter(interp, NULL, NULL);
    if (PyErr_Occurred()) {
        PyErr_Print();
        xf_fail("ending bare interpreter %lld raised", (long long)id);
    }
    if (PyThreadState_GetUnchecked() != before) {
        xf_fail("ending bare interpreter %lld left another thread state "
                "current", (long long)id);
    }
    if (_PyInterpreterState_LookUpID(id) != NULL) {
        xf_fail("bare interpreter %lld is still known after it was ended",
                (long long)id);
    }
    PyObject *exc = PyErr_GetRaisedException();
    if (exc == NULL
        || Py_TYPE(exc) != (PyTypeObject *)PyExc_InterpreterNotFoundError) {
        xf_fail("looking up ended bare interpreter %lld raised %s, expected "
                "InterpreterNotFoundError", (long long)id,
                exc != NULL ? Py_TYPE(exc)->tp_name : "nothing");
    }
    Py_DECREF(exc);
    xf_note("release_race: ended bare interpreter %lld", (long long)id);
}

/* _PyXI_NewInterpreter with its n-th allocation failing (the start of an
 * interpreter, the runtime's own code, makes about 18,500; n >= 2: in
 * 3.13.5 the first, PyInterpreterState_New()'s, is a fatal error,
 * gh-112729).  Either the failure is one the start tolerates and the
 * interpreter is made (then ended here), or _PyXI_NewInterpreter returns
 * NULL with InterpreterError and the caller's thread state current again
 * (core/harness/start_oracle.h).
 * What the failed start leaves behind is the per-input checks' to judge
 * (LeakSanitizer, the refcount total): tests/new_interp_fault_probe.c
 * found XF-042..XF-045 this way.  The spec replaces the input's own for
 * this one call; injection is off after it. */
static void
check_failing_start(unsigned long n)
{
    PyInterpreterConfig config = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    PyThreadState *before = PyThreadState_Get();
    unsigned long hits = xf_fault_hits();
    xf_fault_set((xf_fault_spec){.mode = XF_FAULT_NTH, .param = (uint32_t)n, .ops = 1});
    xf_fault_arm();
    PyInterpreterState *interp = _PyXI_NewInterpreter(&config, NULL, NULL, NULL);
    xf_fault_disarm();
    int injected = xf_fault_hits() != hits;
    xf_fault_set((xf_fault_spec){.mode = XF_FAULT_OFF, .ops = 1});
    PyObject *exc;
    char why[160];
    switch (xf_judge_start(interp, before, injected, &exc, why, sizeof(why))) {
    case XF_START_WRONG:
        xf_fail("_PyXI_NewInterpreter with allocation %lu failing %s", n, why);
        break;
    case XF_START_MADE:
        xf_note("release_race: a start with allocation %lu failing went on "
                "(%s)", n, injected ? "tolerated" : "no such allocation");
        break;
    case XF_START_FAILED:
        Py_DECREF(exc);
        xf_note("release_race: a start with allocation %lu failing failed "
                "cleanly", n);
        break;
    }
}

static void
op_new(xf_input *in)
{
    int byte = xf_read_u8(in);
    int slot = byte % XF_RR_NSLOTS;
    int how = byte / XF_RR_NSLOTS;
    unsigned long fail_at = 0;
    if (how & XF_RR_NEW_FAILING) {
        fail_at = 2 + (unsigned long)xf_read_u16(in);
    }
    if (rr.static_pool) {
        return;
    }
    if (how & XF_RR_NEW_REJECTED) {
        check_rejected_config();
    }
    if (how & XF_RR_NEW_BARE) {
        end_bare_interpreter();
    }
    /* Not under an override (XIDFUZZ_FAULT_NTH, --sweep), which owns the
     * numbering of the whole input. */
    if (fail_at != 0 && xf_fault_override() == 0) {
        check_failing_start(fail_at);
    }
    (void)xf_interp(slot);
}

/* What a call of CALL does when it runs: record that it ran, and where.
 * One run at once may fail, as a real call reports an error; one run as
 * a pending call may not (a failing pending call is an error of the
 * interpreter that runs it, not of the helper under test). */
static int
call_func(void *arg)
{
    rr_call *c = &rr.calls[*(int *)arg];
    c->ran++;
    c->ran_in = PyInterpreterState_GetID(PyInterpreterState_Get());
    if (c->fails) {
        PyErr_Format(PyExc_RuntimeError, "call %d failed", c->index);
        return -1;
    }
    return 0;
}

/* A call into the caller's own interpreter: it ran once, here, and the
 * helper returned its result. */
static void
check_call_at_once(rr_call *c, int rc)
{
    if (c->ran != 1 || c->ran_in != c->into_id) {
        xf_fail("call %d into its own caller's slot %d ran %d time(s), last "
                "in interpreter %lld, expected once, at once, in %lld (by %s)",
                c->index, c->into, c->ran, (long long)c->ran_in,
                (long long)c->into_id, c->helper);
    }
    PyObject *exc = PyErr_GetRaisedException();
    int ok = c->fails ? rc == -1 && exc != NULL
                        && Py_TYPE(exc) == (PyTypeObject *)PyExc_RuntimeError
                      : rc == 0 && exc == NULL;
    if (!ok) {
        if (exc != NULL) {
            PyErr_SetRaisedException(exc);
            PyErr_Print();
        }
        xf_fail("call %d run at once in slot %d returned %d with %s, expected "
                "its own result: %s (by %s)", c->index, c->into, rc,
                exc != NULL ? Py_TYPE(exc)->tp_name : "no exception",
                c->fails ? "-1 with RuntimeError" : "0 with no exception",
                c->helper);
    }
    Py_XDECREF(exc);
    c->state = CALL_DONE;
}

/* A call into another interpreter whose pending-call queue held `before`
 * calls: queued (0, one more call pending, not run yet), or -- only when
 * the queue was full -- refused (-1 with exactly InterpreterError saying
 * so, nothing queued or run).  Returns 1 when it was refused: the
 * argument is then still the caller's. */
static int
check_call_queued(rr_call *c, int from, int rc, int before)
{
    int after = npending(c->into);
    int capacity = queue_capacity(c->into);
    if (c->ran != 0) {
        xf_fail("call %d from slot %d into slot %d ran at once (%d time(s)), "
                "expected to be queued (by %s)", c->index, from, c->into,
                c->ran, c->helper);
    }
    if (rc == 0 && !PyErr_Occurred()) {
        if (after != before + 1) {
            xf_fail("call %d from slot %d returned 0 but queued nothing in "
                    "slot %d, whose pending-call queue held %d of %d calls: "
                    "the call was dropped (by %s)", c->index, from, c->into,
                    before, capacity, c->helper);
        }
        return 0;
    }
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *text = exc != NULL ? PyObject_Str(exc) : NULL;
    const char *got = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    char want[128];
    snprintf(want, sizeof(want),
             "the pending-call queue of interpreter %lld is full",
             (long long)c->into_id);
    if (rc != -1 || before != capacity || after != before || exc == NULL
        || Py_TYPE(exc) != (PyTypeObject *)PyExc_InterpreterError
        || got == NULL || strcmp(got, want) != 0)
    {
        xf_fail("call %d from slot %d into slot %d (queue %d of %d, then %d) "
                "returned %d with %s(\"%s\"), expected 0 and one more call "
                "queued, or, with a full queue, -1 and nothing queued with "
                "InterpreterError(\"%s\") (by %s)", c->index, from, c->into,
                before, capacity, after, rc,
                exc != NULL ? Py_TYPE(exc)->tp_name : "no exception",
                got != NULL ? got : "?", want, c->helper);
    }
    Py_DECREF(text);
    Py_DECREF(exc);
    c->state = CALL_DONE;
    return 1;
}

/* `count` calls made in `from` to run in `into`: at once when they are
 * the same interpreter, else queued there, past the queue's capacity if
 * count asks for it. */
static void
op_call(xf_input *in)
{
    int from = read_slot(in);
    int into = read_slot(in);
    int flags = xf_read_u8(in);
    int count = xf_read_u16(in) % (XF_RR_MAX_CALL + 1);
    if (count > XF_RR_MAX_CALLS - rr.ncalls) {
        count = XF_RR_MAX_CALLS - rr.ncalls;
    }
    int rawfree = (flags & XF_RR_RAWFREE) != 0;
    PyInterpreterState *interp = xf_interp(into);
    int64_t into_id = xf_interp_id(into);
    int refused = 0;
    int prev = xf_enter(from);
    for (int n = 0; n < count; n++) {
        int i = rr.ncalls++;
        rr_call *c = &rr.calls[i];
        *c = (rr_call){
            .index = i, .into = into, .into_id = into_id,
            .state = CALL_QUEUED,
            .fails = from == into && (flags & XF_RR_CALL_FAILS) != 0,
            .helper = rawfree ? "_Py_CallInInterpreterAndRawFree"
                              : "_Py_CallInInterpreter",
            .ran_in = -1,
        };
        int *arg = &c->index;
        if (rawfree) {
            /* The core frees it once the call has run. */
            arg = PyMem_RawMalloc(sizeof(*arg));
            if (arg == NULL) {
                xf_fail("out of memory for a call's argument");
            }
            *arg = i;
        }
        int before = npending(into);
        int rc = rawfree ? _Py_CallInInterpreterAndRawFree(interp, call_func, arg)
                         : _Py_CallInInterpreter(interp, call_func, arg);
        if (from == into) {
            check_call_at_once(c, rc);
        }
        else if (check_call_queued(c, from, rc, before)) {
            refused++;
            if (rawfree) {
                PyMem_RawFree(arg);
            }
        }
    }
    xf_leave(prev);
    xf_note("release_race: call from=%d into=%d flags=0x%x calls=%d "
            "refused=%d pending=%d", from, into, flags, count, refused,
            (int)npending(into));
    if (flags & XF_RR_THEN_RUN) {
        run_pending(into);
    }
}

/* Release whatever the input left out, drain every queue, check every
 * object's refcount and drop the harness's references. */
static void
teardown(void)
{
    for (int i = 0; i < rr.nitems; i++) {
        rr_item *it = &rr.items[i];
        if (it->state == ITEM_LIVE || it->state == ITEM_ORPHAN) {
            release(it, i, it->state == ITEM_LIVE ? it->owner : 0, 0);
        }
    }
    for (int slot = 0; slot < XF_RR_NSLOTS; slot++) {
        run_pending(slot);
    }
    for (int i = 0; i < rr.nitems; i++) {
        if (rr.items[i].state != ITEM_DONE) {
            xf_fail("item %d is not settled at the end of the input", i);
        }
    }
    for (int i = 0; i < rr.ncalls; i++) {
        if (rr.calls[i].state != CALL_DONE) {
            xf_fail("call %d (into slot %d) is not settled at the end of the "
                    "input", i, rr.calls[i].into);
        }
    }
    rr.ncalls = 0;
    for (int i = 0; i < rr.nobjects; i++) {
        rr_object *o = &rr.objects[i];
        if (o->obj == NULL) {
            continue;
        }
        if (!owner_alive(o->owner, o->owner_id)) {
            xf_fail("object %d outlived its interpreter in the harness", i);
        }
        if (Py_REFCNT(o->obj) != o->baseline) {
            xf_fail("object %d (%s, slot %d) has refcount %zd after all its "
                    "data was released, %zd before it was shared", i,
                    Py_TYPE(o->obj)->tp_name, o->owner, Py_REFCNT(o->obj),
                    o->baseline);
        }
        int prev = xf_enter(o->owner);
        Py_CLEAR(o->obj);
        xf_leave(prev);
    }
    rr.nitems = 0;
    rr.nobjects = 0;
}

static void
run(const uint8_t *data, size_t size)
{
    xf_input in;
    xf_input_init(&in, data, size);
    rr.ended = 0;
    for (int n = 0; n < XF_RR_MAX_OPS && !xf_input_exhausted(&in); n++) {
        uint8_t op = xf_read_u8(&in);
        if (xf_fault_take_op(&in, op)) {
            continue;
        }
        switch (op % XF_RR_NOPS) {
        case XF_RR_SHARE:
            op_share(&in);
            break;
        case XF_RR_REBUILD:
            op_rebuild(&in);
            break;
        case XF_RR_RELEASE:
            op_release(&in);
            break;
        case XF_RR_RUN_PENDING:
            op_run_pending(&in);
            break;
        case XF_RR_FLOOD:
            op_flood(&in);
            break;
        case XF_RR_END:
            op_end(&in);
            break;
        case XF_RR_NEW:
            op_new(&in);
            break;
        case XF_RR_CALL:
            op_call(&in);
            break;
        }
        xf_fault_op_done();
    }
    teardown();
}

static void
init(void)
{
    const char *v = getenv(XF_ENV_STATIC_POOL);
    rr.static_pool = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

XF_FUZZ_TARGET_INIT(run, XF_RR_NSLOTS, init)
