/* fuzz/tuple_nesting: share a generated tree in interpreter A, rebuild it in
 * interpreter B, compare, and release it through the same-interpreter or
 * the cross-interpreter path.
 *
 * Input: a header, then the tree (objgen.h encoding).
 *   u8 A (slot, % NSLOTS)   u8 B (slot, % NSLOTS)   u8 flags
 *   [fault spec (core/harness/fault.h), if XF_TN_FAULT]
 *   flags: XF_TN_HEAP      data from _PyCrossInterpreterData_New()
 *          XF_TN_RAWFREE   release with _ReleaseAndRawFree (needs HEAP)
 *          XF_TN_FROM_B    release from B (pending call to A) not from A
 *          XF_TN_TWICE     rebuild the object twice from the same data
 *          XF_TN_CLEAR     release in A without the release machinery:
 *                          _PyCrossInterpreterData_Free (with HEAP) or
 *                          _PyCrossInterpreterData_Clear (interp A, or
 *                          NULL with FROM_B); a failed share's empty
 *                          heap data goes through _Free as well
 *          XF_TN_FAULT     allocation-failure injection for the whole
 *                          input (its one operation), armed around each
 *                          core call: _PyCrossInterpreterData_New, the
 *                          share, each rebuild, the release and A's
 *                          pending calls
 *
 * Oracles:
 *   - _PyObject_CheckCrossInterpreterData agrees with the registry on the
 *     tree's own type (xid_oracle.h);
 *   - sharing succeeds exactly when every leaf is shareable, every int fits
 *     ssize_t and nothing is nested past the recursion budget; otherwise it
 *     raises exactly NotShareableError / OverflowError / RecursionError and
 *     leaves the data empty (xid_oracle.h);
 *   - the rebuilt object equals the original structurally (objcmp.h);
 *   - the data records A as its owner;
 *   - after the release (and A's pending calls) the tree's refcount is back
 *     to what it was before sharing; no exception or pending call is left;
 *     the total refcount does not drift (target.c); LeakSanitizer sees no
 *     leak (libFuzzer's per-input leak check).
 *
 * Under fault injection, a core call during which an injected allocation
 * failure was hit may instead fail with exactly MemoryError:
 *   - _PyCrossInterpreterData_New: NULL with MemoryError (the input ends);
 *   - the share: -1 with MemoryError -- or with the error the oracle
 *     expects, when it expects one -- and the data left empty (never a
 *     swallowed failure: a shareable tree that fails with anything but
 *     MemoryError is a finding);
 *   - a rebuild: NULL with MemoryError and nothing else changed (the
 *     data is then released as usual and the refcount oracle still holds).
 * Releases allocate nothing in the core: they must succeed as always.
 * A call that hit no injected failure has the normal oracle.
 */
#include "target.h"
#include "fault.h"
#include "fault_oracle.h"
#include "objgen.h"
#include "objcmp.h"
#include "xid_oracle.h"
#include "tuple_nesting.h"

static void
rebuild_and_compare(_PyCrossInterpreterData *xid, PyObject *tree, int b)
{
    int prev = xf_enter(b);
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    PyObject *copy = _PyCrossInterpreterData_NewObject(xid);
    xf_fault_disarm();
    if (copy == NULL) {
        if (xf_fault_failed(hits, NULL, "_PyCrossInterpreterData_NewObject")) {
            xf_leave(prev);
            return;
        }
        PyErr_Print();
        xf_fail("_PyCrossInterpreterData_NewObject failed in slot %d", b);
    }
    char why[512];
    if (!xf_compare(tree, copy, why, sizeof(why))) {
        xf_fail("round trip differs: %s", why);
    }
    Py_DECREF(copy);
    xf_leave(prev);
}

/* XF_TN_CLEAR: the owner drops the data directly.  Neither call can
 * fail; the refcount and leak oracles say whether it dropped everything. */
static void
clear_in_owner(_PyCrossInterpreterData *xid, int a, int flags)
{
    int prev = xf_enter(a);
    xf_fault_arm();
    if (flags & XF_TN_HEAP) {
        _PyCrossInterpreterData_Free(xid);
    }
    else {
        _PyCrossInterpreterData_Clear(
            (flags & XF_TN_FROM_B) ? NULL : xf_interp(a), xid);
    }
    xf_fault_disarm();
    if (PyErr_Occurred()) {
        PyErr_Print();
        xf_fail("clearing data in its owner left an exception set");
    }
    xf_leave(prev);
}

static void
release(_PyCrossInterpreterData *xid, int a, int b, int flags)
{
    if (flags & XF_TN_CLEAR) {
        clear_in_owner(xid, a, flags);
        return;
    }
    int prev = xf_enter((flags & XF_TN_FROM_B) ? b : a);
    int rawfree = (flags & XF_TN_RAWFREE) && (flags & XF_TN_HEAP);
    xf_fault_arm();
    int rc = rawfree ? _PyCrossInterpreterData_ReleaseAndRawFree(xid)
                     : _PyCrossInterpreterData_Release(xid);
    xf_fault_disarm();
    if (rc != 0) {
        PyErr_Print();
        xf_fail("releasing data owned by a live interpreter failed (rc=%d)", rc);
    }
    xf_leave(prev);
    /* From B the release is a pending call in A: run it now.  (From A it
     * ran at once; the end-of-input check still verifies that nothing
     * was left queued anywhere.) */
    if ((flags & XF_TN_FROM_B) && a != b) {
        xf_fault_arm();
        int failed = xf_run_pending(a) != 0;
        xf_fault_disarm();
        if (failed) {
            PyErr_Print();
            xf_fail("running slot %d's pending calls failed", a);
        }
    }
    if ((flags & XF_TN_HEAP) && !rawfree) {
        PyMem_RawFree(xid);
    }
}

static void
run(const uint8_t *data, size_t size)
{
    xf_input in;
    xf_input_init(&in, data, size);
    int a = xf_read_u8(&in) % XF_TN_NSLOTS;
    int b = xf_read_u8(&in) % XF_TN_NSLOTS;
    int flags = xf_read_u8(&in);
    if (flags & XF_TN_FAULT) {
        xf_fault_set(xf_fault_read_spec(&in));
    }

    int prev = xf_enter(a);
    PyObject *tree = xf_gen_object(&in, &xf_gen_default_opts);
    if (tree == NULL) {
        PyErr_Print();
        xf_fail("generating the tree failed");
    }
    xf_check_lookup(tree);
    Py_ssize_t refcnt = Py_REFCNT(tree);
    xf_share_outcome expect = xf_expect_share(
        tree, xf_tstate(a)->c_recursion_remaining);

    _PyCrossInterpreterData on_stack;
    _PyCrossInterpreterData *xid = &on_stack;
    if (flags & XF_TN_HEAP) {
        unsigned long hits = xf_fault_hits();
        xf_fault_arm();
        xid = _PyCrossInterpreterData_New();
        xf_fault_disarm();
        if (xid == NULL) {
            if (!xf_fault_failed(hits, NULL, "_PyCrossInterpreterData_New")) {
                xf_fail("_PyCrossInterpreterData_New failed");
            }
            Py_DECREF(tree);
            xf_leave(prev);
            return;
        }
    }
    int budget = xf_tstate(a)->c_recursion_remaining;
    unsigned long hits = xf_fault_hits();
    xf_fault_arm();
    int rc = _PyObject_GetCrossInterpreterData(tree, xid);
    xf_fault_disarm();
    int injected = rc != 0
        && xf_fault_failed(hits, xf_share_outcome_error(expect),
                           "_PyObject_GetCrossInterpreterData");
    xf_note("tuple_nesting: A=%d B=%d flags=0x%x type=%s recursion_budget=%d "
            "expect=%s rc=%d%s", a, b, flags, Py_TYPE(tree)->tp_name, budget,
            xf_share_outcome_name(expect), rc,
            injected ? " (MemoryError: injected failure)" : "");
    if (injected) {
        /* The injected failure stopped the share: it must leave the data
         * as empty as any other failure does.  Any other outcome (success,
         * or the error the oracle expects) is checked as usual. */
        if (xid->data != NULL || xid->obj != NULL) {
            xf_fail("sharing failed with an injected MemoryError but left "
                    "data=%p obj=%p behind", xid->data, (void *)xid->obj);
        }
    }
    else {
        xf_check_share_result(expect, rc, xid);
    }
    if (rc == 0) {
        if (_PyCrossInterpreterData_INTERPID(xid) != xf_interp_id(a)) {
            xf_fail("data owned by interpreter %lld, shared in %lld",
                    (long long)_PyCrossInterpreterData_INTERPID(xid),
                    (long long)xf_interp_id(a));
        }
        rebuild_and_compare(xid, tree, b);
        if (flags & XF_TN_TWICE) {
            rebuild_and_compare(xid, tree, b);
        }
        release(xid, a, b, flags);
    }
    else if ((flags & XF_TN_HEAP) && (flags & XF_TN_CLEAR)) {
        clear_in_owner(xid, a, flags);
    }
    else if (flags & XF_TN_HEAP) {
        PyMem_RawFree(xid);
    }
    if (Py_REFCNT(tree) != refcnt) {
        xf_fail("the shared tree's refcount is %zd after release, was %zd",
                Py_REFCNT(tree), refcnt);
    }
    Py_DECREF(tree);
    xf_leave(prev);
}

XF_FUZZ_TARGET(run, XF_TN_NSLOTS)
