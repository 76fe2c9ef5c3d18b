"""XF-005: _convert_exc_to_TracebackException() releases its arguments twice.

Python route: code run by Interpreter.exec() raises a SyntaxError whose
lineno is an object whose __str__ raises.  When the session ends, the core
snapshots the exception (_capture_current_exception ->
_PyXI_excinfo_InitFromException) and calls
traceback.TracebackException.from_exception(), which fails (its __init__
does str(exc.lineno)).  On that failure _convert_exc_to_TracebackException()
has already released args, kwargs and create, and its error path releases
them again.  (_interpreters.capture_exception(exc) reaches the same code in
the calling interpreter; so does any other failure of from_exception(),
e.g. a RecursionError or MemoryError while it runs.)

Verdict (tests/python_repro.py runs this script in a child process): the
crash is the bug; "OK: ..." says exec() came back.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the process stops with
    Include/object.h:1042: _Py_NegativeRefcount: Assertion failed: object has negative ref count
    object type name: tuple
    Fatal Python error: _PyObject_AssertFailed: _PyObject_AssertFailed
  (the args tuple; release builds use freed memory instead) and the runner
  prints "XF-005 REPRODUCED: ..." and exits 1.
Patched (core/cpython/patches/XF-005-traceback-exception-double-decref.patch): the
  debug build reports "Exception ignored while creating TracebackException"
  (the RuntimeError from __str__), exec() raises ExecutionFailed
  ("SyntaxError: bad"), the script prints "OK: ..." and the runner
  "XF-005 not reproduced: ..." (exit status 0).
"""
from test.support import interpreters

TRIGGER = "interp.exec() raising a SyntaxError whose lineno cannot be formatted"

interp = interpreters.create()
print("calling interp.exec(...) whose code raises the SyntaxError", flush=True)
try:
    interp.exec("""if True:
        class BadLineno:
            def __str__(self):
                raise RuntimeError("no line number")
        exc = SyntaxError("bad")
        exc.lineno = BadLineno()
        raise exc
        """)
except Exception as exc:
    print(f"OK: exec() raised {type(exc).__name__}: {exc}", flush=True)
else:
    print("OK: exec() returned", flush=True)
