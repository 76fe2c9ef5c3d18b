/* fuzz/tuple_nesting: share a generated tree in interpreter A, rebuild it in
 * interpreter B, compare, and release it through the same-interpreter or
 * the cross-interpreter path.
 *
 * Input: a header, then the tree (objgen.h encoding).
 *   u8 A (slot, % NSLOTS)   u8 B (slot, % NSLOTS)   u8 flags
 *   flags: XF_TN_HEAP      data from _PyCrossInterpreterData_New()
 *          XF_TN_RAWFREE   release with _ReleaseAndRawFree (needs HEAP)
 *          XF_TN_FROM_B    release from B (pending call to A) not from A
 *          XF_TN_TWICE     rebuild the object twice from the same data
 *
 * Oracles:
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
 */
#include "target.h"
#include "objgen.h"
#include "objcmp.h"
#include "xid_oracle.h"
#include "tuple_nesting.h"

static void
rebuild_and_compare(_PyCrossInterpreterData *xid, PyObject *tree, int b)
{
    int prev = xf_enter(b);
    PyObject *copy = _PyCrossInterpreterData_NewObject(xid);
    if (copy == NULL) {
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

static void
release(_PyCrossInterpreterData *xid, int a, int b, int flags)
{
    int prev = xf_enter((flags & XF_TN_FROM_B) ? b : a);
    int rawfree = (flags & XF_TN_RAWFREE) && (flags & XF_TN_HEAP);
    int rc = rawfree ? _PyCrossInterpreterData_ReleaseAndRawFree(xid)
                     : _PyCrossInterpreterData_Release(xid);
    if (rc != 0) {
        PyErr_Print();
        xf_fail("releasing data owned by a live interpreter failed (rc=%d)", rc);
    }
    xf_leave(prev);
    /* From B the release is a pending call in A: run it now.  (From A it
     * ran at once; the end-of-input check still verifies that nothing
     * was left queued anywhere.) */
    if ((flags & XF_TN_FROM_B) && a != b && xf_run_pending(a) != 0) {
        PyErr_Print();
        xf_fail("running slot %d's pending calls failed", a);
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

    int prev = xf_enter(a);
    PyObject *tree = xf_gen_object(&in, &xf_gen_default_opts);
    if (tree == NULL) {
        PyErr_Print();
        xf_fail("generating the tree failed");
    }
    Py_ssize_t refcnt = Py_REFCNT(tree);
    xf_share_outcome expect = xf_expect_share(
        tree, xf_tstate(a)->c_recursion_remaining);

    _PyCrossInterpreterData on_stack;
    _PyCrossInterpreterData *xid = &on_stack;
    if (flags & XF_TN_HEAP) {
        xid = _PyCrossInterpreterData_New();
        if (xid == NULL) {
            xf_fail("_PyCrossInterpreterData_New failed");
        }
    }
    int budget = xf_tstate(a)->c_recursion_remaining;
    int rc = _PyObject_GetCrossInterpreterData(tree, xid);
    xf_note("tuple_nesting: A=%d B=%d flags=0x%x type=%s recursion_budget=%d "
            "expect=%s rc=%d", a, b, flags, Py_TYPE(tree)->tp_name, budget,
            xf_share_outcome_name(expect), rc);
    xf_check_share_result(expect, rc, xid);
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
