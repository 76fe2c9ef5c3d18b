/* The start oracle; see start_oracle.h. */
#include "start_oracle.h"

#include "pycore_crossinterp.h"     // _PyXI_EndInterpreter()

#include <stdio.h>

xf_start_outcome
xf_judge_start(PyInterpreterState *interp, PyThreadState *before,
               int injected, PyObject **exc, char *why, size_t size)
{
    *exc = NULL;
    if (PyThreadState_GetUnchecked() != before) {
        snprintf(why, size, "%s and left another thread state current",
                 interp != NULL ? "made an interpreter" : "failed");
        return XF_START_WRONG;
    }
    if (interp != NULL) {
        if (PyErr_Occurred()) {
            PyErr_Print();
            snprintf(why, size, "made an interpreter and left an exception set");
            return XF_START_WRONG;
        }
        _PyXI_EndInterpreter(interp, NULL, NULL);
        if (PyErr_Occurred()) {
            PyErr_Print();
            snprintf(why, size, "made an interpreter, and ending it raised");
            return XF_START_WRONG;
        }
        return XF_START_MADE;
    }
    if (!injected) {
        if (PyErr_Occurred()) {
            PyErr_Print();
        }
        snprintf(why, size, "failed, but no allocation failed");
        return XF_START_WRONG;
    }
    PyObject *raised = PyErr_GetRaisedException();
    if (raised == NULL
        || !PyErr_GivenExceptionMatches(raised, PyExc_InterpreterError))
    {
        snprintf(why, size, "returned NULL with %s, expected InterpreterError",
                 raised != NULL ? Py_TYPE(raised)->tp_name : "no exception set");
        if (raised != NULL) {
            PyErr_SetRaisedException(raised);
            PyErr_Print();
        }
        return XF_START_WRONG;
    }
    *exc = raised;
    return XF_START_FAILED;
}
