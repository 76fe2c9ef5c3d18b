/* The injected-failure oracle; see fault_oracle.h. */
#include "fault_oracle.h"
#include "fault.h"

int
xf_fault_hit_since(unsigned long hits_before)
{
    return xf_fault_hits() != hits_before;
}

int
xf_fault_failed(unsigned long hits_before, PyObject *also, const char *call)
{
    if (!xf_fault_hit_since(hits_before)) {
        return 0;
    }
    PyObject *exc = PyErr_Occurred();
    if (exc == PyExc_MemoryError) {
        xf_note("%s failed with MemoryError after an injected failure (%s)",
                call, xf_fault_describe());
        PyErr_Clear();
        return 1;
    }
    if (exc != NULL && exc == also) {
        return 0;
    }
    if (exc != NULL) {
        PyErr_Print();
    }
    xf_fail("%s failed after an injected allocation failure with %s, "
            "expected MemoryError%s%s", call,
            exc != NULL ? ((PyTypeObject *)exc)->tp_name : "no exception set",
            also != NULL ? " or " : "",
            also != NULL ? ((PyTypeObject *)also)->tp_name : "");
}
