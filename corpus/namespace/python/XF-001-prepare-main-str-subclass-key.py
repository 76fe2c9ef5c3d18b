"""XF-001: _PyXI_ApplyNamespace() dereferences NULL for an item with no value.

Python route: Interpreter.prepare_main() (_interpreters.set___main___attrs())
with a dict key that is a str subclass with its own __hash__.  The shared
namespace copies the key's text, then looks the value up again with
PyDict_GetItemString(), i.e. by a fresh exact str whose hash differs: the
value is not found, the item stays empty, and _sharednsitem_apply() calls
Py_NewRef(NULL) in the other interpreter.  interp.exec() with shared=...
reaches the same code.

Oracle: the trigger runs in a child process (this script with --child); its
output is passed through, and the parent prints the verdict.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the child dies with
    Include/object.h:824: runtime error: member access within null pointer of type 'PyObject'
        ... in _sharednsitem_apply Python/crossinterp.c:1220
        ... in _PyXI_ApplyNamespace ... in _PyXI_Enter ... in interp_set___main___attrs
  (the stack with UBSAN_OPTIONS=print_stacktrace=1; without halt_on_error=1
  UBSan goes on and ASan reports the SEGV on address 0 at the same place),
  and this script prints "XF-001 REPRODUCED: ..." and exits 1 (a release
  build just segfaults).
Patched (core/cpython/patches/XF-001-apply-namespace-null-default.patch):
  prepare_main() raises InterpreterError('failed to apply namespace to
  __main__') (its __context__ says KeyError: 'a'); the script prints
  "XF-001 not reproduced: ..." and exits 0.
"""
import re
import subprocess
import sys

XF = "XF-001"
SURVIVED = "CHILD SURVIVED:"
WRONG = "CHILD SAW THE BUG:"
TRIGGER = "prepare_main() with a str-subclass key"


def child():
    from test.support import interpreters

    class Key(str):
        # Equal to 'a', but not found by a lookup with a plain 'a'.
        def __hash__(self):
            return 42
        __eq__ = str.__eq__

    interp = interpreters.create()
    print("calling interp.prepare_main({Key('a'): 1})", flush=True)
    try:
        interp.prepare_main({Key("a"): 1})
    except Exception as exc:
        print(f"{SURVIVED} prepare_main() raised {type(exc).__name__}: {exc}"
              f" (context: {exc.__context__!r})", flush=True)
    else:
        print(f"{SURVIVED} prepare_main() returned", flush=True)


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
