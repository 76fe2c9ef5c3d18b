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

Oracle: the trigger runs in a child process (this script with --child); its
output is passed through, and the parent prints the verdict.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the child stops with
    Include/object.h:1042: _Py_NegativeRefcount: Assertion failed: object has negative ref count
    object type name: tuple
    Fatal Python error: _PyObject_AssertFailed: _PyObject_AssertFailed
  (the args tuple; release builds use freed memory instead) and this script
  prints "XF-005 REPRODUCED: ..." and exits 1.
Patched (core/cpython/patches/XF-005-traceback-exception-double-decref.patch): the
  debug build reports "Exception ignored while creating TracebackException"
  (the RuntimeError from __str__), exec() raises ExecutionFailed
  ("SyntaxError: bad"), and the script prints "XF-005 not reproduced: ..."
  and exits 0.
"""
import re
import subprocess
import sys

XF = "XF-005"
SURVIVED = "CHILD SURVIVED:"
WRONG = "CHILD SAW THE BUG:"
TRIGGER = "interp.exec() raising a SyntaxError whose lineno cannot be formatted"


def child():
    from test.support import interpreters

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
        print(f"{SURVIVED} exec() raised {type(exc).__name__}: {exc}", flush=True)
    else:
        print(f"{SURVIVED} exec() returned", flush=True)


REPORT_MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "Fatal Python error",
                  "Assertion", "Segmentation fault")


def main():
    proc = subprocess.run([sys.executable, __file__, "--child"],
                          capture_output=True, text=True, errors="replace")
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    sys.stderr.write(proc.stderr)
    sys.stderr.flush()
    survived = [l for l in proc.stdout.splitlines() if l.startswith(SURVIVED)]
    wrong = [l for l in proc.stdout.splitlines() if l.startswith(WRONG)]
    if wrong:
        print(f"{XF} REPRODUCED: {wrong[-1][len(WRONG):].strip()}")
        return 1
    if survived and proc.returncode == 0:
        print(f"{XF} not reproduced: {survived[-1][len(SURVIVED):].strip()}")
        return 0
    # (Source paths shortened to the part below the CPython tree.)
    reports = [re.sub(r"\S*/(?=(Include|Python|Objects|Modules)/)", "", l.strip())
               for l in proc.stderr.splitlines()
               if any(m in l for m in REPORT_MARKERS)]
    if not survived and (proc.returncode < 0 or reports):
        how = (f"signal {-proc.returncode}" if proc.returncode < 0
               else f"exit status {proc.returncode}")
        first = reports[0] if reports else "no sanitizer report"
        print(f"{XF} REPRODUCED: {TRIGGER} killed the process ({how}): {first}")
        return 1
    print(f"{XF} inconclusive: the child exited with status {proc.returncode}")
    return 2


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        sys.exit(main())
