/* XF-019: a namespace item whose interpreter has ended.  Slot 1 fills a
 * one-item namespace with a bytes object, the probe keeps one extra
 * reference to that object, and slot 1 ends: the object is leaked with
 * its interpreter (refcount 2).  Slot 2 then frees the namespace.  The
 * release finds the owner gone; it must leave the object alone -- it
 * belongs to an interpreter that no longer exists, and its memory to that
 * interpreter's allocator.
 *
 * On 3.13.5 `_release_xid_data()` calls `_PyCrossInterpreterData_Clear(
 * NULL, data)`, which releases the object from slot 2: the refcount drops
 * to 1 (this probe prints it), and with the object's own last reference
 * gone it would be freed by slot 2's allocator (the pymalloc harness
 * reports that free as "attempting free on address which was not
 * malloc()-ed": `namespace_orphan_probe last`).
 *
 *   namespace_orphan_probe extra   keep the extra reference; print the refcount
 *   namespace_orphan_probe last    no extra reference (the object is freed)
 */
#include "target.h"

#include "pycore_crossinterp.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "extra") && strcmp(argv[1], "last"))) {
        fprintf(stderr, "usage: namespace_orphan_probe extra|last\n");
        return 2;
    }
    int extra = strcmp(argv[1], "extra") == 0;
    xf_target_init(3);
    int prev = xf_enter(1);
    PyObject *names = Py_BuildValue("[s]", "a");
    _PyXI_namespace *ns = names != NULL ? _PyXI_NamespaceFromNames(names) : NULL;
    Py_XDECREF(names);
    /* Small enough for pymalloc, and never interned or cached. */
    PyObject *value = PyBytes_FromString("owned by slot 1");
    PyObject *dict = value != NULL ? Py_BuildValue("{sO}", "a", value) : NULL;
    if (ns == NULL || dict == NULL || _PyXI_FillNamespaceFromDict(ns, dict, NULL) < 0) {
        PyErr_Print();
        xf_fail("namespace_orphan_probe: filling the namespace failed");
    }
    Py_DECREF(dict);
    if (!extra) {
        Py_DECREF(value);
    }
    xf_leave(prev);
    xf_end_interp(1);
    prev = xf_enter(2);
    _PyXI_FreeNamespace(ns);
    if (PyErr_Occurred()) {
        PyErr_Print();
        xf_fail("namespace_orphan_probe: freeing the namespace left an exception");
    }
    xf_leave(prev);
    if (extra) {
        /* The object is leaked with slot 1; reading it is still safe. */
        printf("namespace_orphan_probe: refcount %zd after the free (2: untouched)\n",
               Py_REFCNT(value));
    }
    else {
        printf("namespace_orphan_probe: freed without a report\n");
    }
    return 0;
}
