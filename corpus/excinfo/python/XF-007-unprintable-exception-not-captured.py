"""XF-007: a session whose exception cannot be snapshotted is reported as no exception.

Python route: code run by Interpreter.exec() (or .call()) raises an exception
whose __str__ raises.  _capture_current_exception() fails to snapshot it
(_PyXI_InitError() returns "error while formatting exception"), prints
"RunFailedError: script raised an uncaught exception (...)" to stderr
without a newline, and drops the error (session->error = NULL) although it
had already turned it into _PyXI_ERR_OTHER.  _run_in_interpreter() in
Modules/_interpretersmodule.c knows the script failed (res < 0) and calls
_PyXI_ApplyCapturedException(), which in 3.13.5 asserts that an error was
captured; in a release build it calls _PyXI_ApplyError(NULL) and
dereferences NULL (by reading the code; only the debug build was run).
(Callers that trust _PyXI_HasCapturedException() instead see success.)

Verdict (tests/python_repro.py runs this script in a child process): the
crash, or "BUG: ..." (exec() returned as if nothing was raised), is the
bug; "OK: ..." says exec() raised.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the process prints
    RunFailedError: script raised an uncaught exception (error while formatting exception)python: Python/crossinterp.c:1687:
    PyObject *_PyXI_ApplyCapturedException(_PyXI_session *): Assertion `session->error != NULL' failed.
  and aborts; the runner prints "XF-007 REPRODUCED: ..." and exits 1.
Patched (core/cpython/patches/XF-007-capture-failure-drops-exception.patch): exec()
  raises InterpreterError (the kept _PyXI_ERR_OTHER), the script prints
  "OK: ..." and the runner "XF-007 not reproduced: ..." (exit status 0).
"""
from test.support import interpreters

TRIGGER = "interp.exec() raising an exception whose __str__ raises"

interp = interpreters.create()
print("calling interp.exec(...) whose code raises Unprintable()", flush=True)
# (Each verdict line starts a line of its own: the core's RunFailedError
# message ends without a newline.)
try:
    interp.exec("""if True:
        class Unprintable(Exception):
            def __str__(self):
                raise RuntimeError("cannot format me")
        raise Unprintable()
        """)
except Exception as exc:
    print(f"\nOK: exec() raised {type(exc).__name__}: {exc!r}", flush=True)
else:
    # What a caller that trusts _PyXI_HasCapturedException() sees.
    print("\nBUG: exec() returned as if the code had not raised", flush=True)
