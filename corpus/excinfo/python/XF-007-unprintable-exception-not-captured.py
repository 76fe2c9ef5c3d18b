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

Oracle: the trigger runs in a child process (this script with --child); its
output is passed through, and the parent prints the verdict.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the child prints
    RunFailedError: script raised an uncaught exception (error while formatting exception)python: Python/crossinterp.c:1687:
    PyObject *_PyXI_ApplyCapturedException(_PyXI_session *): Assertion `session->error != NULL' failed.
  and aborts; this script prints "XF-007 REPRODUCED: ..." and exits 1.
Patched (core/cpython/patches/XF-007-capture-failure-drops-exception.patch): exec()
  raises InterpreterError (the kept _PyXI_ERR_OTHER), the script prints
  "XF-007 not reproduced: ..." and exits 0.
"""
import re
import subprocess
import sys

XF = "XF-007"
SURVIVED = "CHILD SURVIVED:"
WRONG = "CHILD SAW THE BUG:"
TRIGGER = "interp.exec() raising an exception whose __str__ raises"


def child():
    from test.support import interpreters

    interp = interpreters.create()
    print("calling interp.exec(...) whose code raises Unprintable()", flush=True)
    try:
        interp.exec("""if True:
            class Unprintable(Exception):
                def __str__(self):
                    raise RuntimeError("cannot format me")
            raise Unprintable()
            """)
    except Exception as exc:
        print(f"\n{SURVIVED} exec() raised {type(exc).__name__}: {exc!r}", flush=True)
    else:
        # What a caller that trusts _PyXI_HasCapturedException() sees.
        print(f"\n{WRONG} exec() returned as if the code had not raised", flush=True)


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
