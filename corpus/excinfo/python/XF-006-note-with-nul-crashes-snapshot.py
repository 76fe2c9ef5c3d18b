"""XF-006: a note with a NUL (or a lone surrogate) crashes the snapshot of an exception.

Python route: code run by Interpreter.exec() raises an exception with a note
("a\\0b" via add_note()).  When the session ends, the core snapshots the
exception; _format_TracebackException() copies the formatted traceback
(which includes the notes) with _copy_string_obj_raw(), which fails for
text with an embedded NUL or a lone surrogate and returns NULL, and then
reads formatted[size - 1] with formatted == NULL and size == -1.
(_interpreters.capture_exception(exc) reaches the same code in the calling
interpreter.)

Oracle: the trigger runs in a child process (this script with --child); its
output is passed through, and the parent prints the verdict.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the child dies with
    ERROR: AddressSanitizer: SEGV on unknown address ...
        #0 ... in _format_TracebackException Python/crossinterp.c:447
        #1 ... in _PyXI_excinfo_InitFromException ... in _capture_current_exception
        ... in _PyXI_Exit ... in _run_in_interpreter
  and this script prints "XF-006 REPRODUCED: ..." and exits 1 (a release
  build segfaults).
Patched (core/cpython/patches/XF-006-format-traceback-null-copy.patch): the debug
  build reports "Exception ignored while formatting TracebackException:
  ValueError: found embedded NULL character", exec() raises
  ExecutionFailed ("ValueError: boom") for both notes, and the script prints
  "XF-006 not reproduced: ..." and exits 0.
"""
import re
import subprocess
import sys

XF = "XF-006"
SURVIVED = "CHILD SURVIVED:"
WRONG = "CHILD SAW THE BUG:"
TRIGGER = "interp.exec() raising an exception with a note holding a NUL"


def child():
    from test.support import interpreters

    interp = interpreters.create()
    results = []
    for note in ["a\0b", "lone \udc80 surrogate"]:
        print(f"calling interp.exec(...) whose code raises ValueError with note {note!r}",
              flush=True)
        try:
            interp.exec(f"""if True:
                e = ValueError("boom")
                e.add_note({note!r})
                raise e
                """)
        except Exception as exc:
            results.append(f"{type(exc).__name__}: {exc}")
        else:
            results.append("returned")
    print(f"{SURVIVED} exec() gave {results}", flush=True)


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
