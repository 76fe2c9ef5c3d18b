/* XF-017: PyDict_SetDefaultRef() when the insertion's resize fails.
 *
 * The sweep of the excinfo corpus stopped in string interning (an
 * attribute name the core sets), but only once the interpreter's interned
 * dict happened to be full: no fuzz input reproduces it on its own.  This
 * probe makes the same call on a dict that is full (5 entries fill the
 * 8-slot table; the 6th needs a resize) with the resize's allocation
 * failing (core/harness/fault.h), and prints what came back.
 *
 *   dict_setdefault_probe     prints "rc=R error=E len=N"
 *
 * Fixed: rc=-1 error=MemoryError len=5.  3.13.5 counts the entry it did
 * not insert: a debug build stops at once in _PyDict_CheckConsistency
 * ("ma_used <= usable"); a release build returns rc=0 ("inserted") with
 * MemoryError set and len=6. */
#include "fault.h"
#include "target.h"

#include <stdio.h>

/* The objects stay reachable from here: the broken dict is not touched
 * again (its length is wrong), and LeakSanitizer does not report them. */
static PyObject *kept[3];

int
main(void)
{
    xf_target_init(1);
    PyObject *dict = PyDict_New();
    for (long i = 0; dict != NULL && i < 5; i++) {
        PyObject *key = PyLong_FromLong(i);
        if (key == NULL || PyDict_SetItem(dict, key, Py_None) < 0) {
            PyErr_Print();
            return 2;
        }
        Py_DECREF(key);
    }
    PyObject *key = PyLong_FromLong(1000);
    if (dict == NULL || key == NULL) {
        PyErr_Print();
        return 2;
    }
    PyObject *result = NULL;
    xf_fault_begin_input();
    xf_fault_set((xf_fault_spec){XF_FAULT_NTH, 1, 1});
    xf_fault_arm();
    int rc = PyDict_SetDefaultRef(dict, key, Py_None, &result);
    xf_fault_disarm();
    xf_fault_set((xf_fault_spec){XF_FAULT_OFF, 0, 1});
    PyObject *exc = PyErr_Occurred();
    printf("dict_setdefault_probe: rc=%d error=%s len=%zd (injected failures: %lu)\n",
           rc, exc != NULL ? ((PyTypeObject *)exc)->tp_name : "none",
           PyDict_GET_SIZE(dict), xf_fault_hits());
    fflush(stdout);
    PyErr_Clear();
    kept[0] = dict;
    kept[1] = key;
    kept[2] = result;
    return 0;
}
