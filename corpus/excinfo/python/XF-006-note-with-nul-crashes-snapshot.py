"""XF-006: a note with a NUL (or a lone surrogate) crashes the snapshot of an exception.

Python route: code run by Interpreter.exec() raises an exception with a note
("a\\0b" via add_note()).  When the session ends, the core snapshots the
exception; _format_TracebackException() copies the formatted traceback
(which includes the notes) with _copy_string_obj_raw(), which fails for
text with an embedded NUL or a lone surrogate and returns NULL, and then
reads formatted[size - 1] with formatted == NULL and size == -1.
(_interpreters.capture_exception(exc) reaches the same code in the calling
interpreter.)

Verdict (tests/python_repro.py runs this script in a child process): the
crash is the bug; "OK: ..." says exec() came back for both notes.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the process dies with
    ERROR: AddressSanitizer: SEGV on unknown address ...
        #0 ... in _format_TracebackException Python/crossinterp.c:447
        #1 ... in _PyXI_excinfo_InitFromException ... in _capture_current_exception
        ... in _PyXI_Exit ... in _run_in_interpreter
  and the runner prints "XF-006 REPRODUCED: ..." and exits 1 (a release
  build segfaults).
Patched (core/cpython/patches/XF-006-format-traceback-null-copy.patch): the debug
  build reports "Exception ignored while formatting TracebackException:
  ValueError: found embedded NULL character", exec() raises
  ExecutionFailed ("ValueError: boom") for both notes, the script prints
  "OK: ..." and the runner "XF-006 not reproduced: ..." (exit status 0).
"""
from test.support import interpreters

TRIGGER = "interp.exec() raising an exception with a note holding a NUL"

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
print(f"OK: exec() gave {results}", flush=True)
