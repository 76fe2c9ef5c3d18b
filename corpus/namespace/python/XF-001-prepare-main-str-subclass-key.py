"""XF-001: _PyXI_ApplyNamespace() dereferences NULL for an item with no value.

Python route: Interpreter.prepare_main() (_interpreters.set___main___attrs())
with a dict key that is a str subclass with its own __hash__.  The shared
namespace copies the key's text, then looks the value up again with
PyDict_GetItemString(), i.e. by a fresh exact str whose hash differs: the
value is not found, the item stays empty, and _sharednsitem_apply() calls
Py_NewRef(NULL) in the other interpreter.  interp.exec() with shared=...
reaches the same code.

Verdict (tests/python_repro.py runs this script in a child process): the
crash is the bug; "OK: ..." says prepare_main() came back.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the process dies with
    Include/object.h:824: runtime error: member access within null pointer of type 'PyObject'
        ... in _sharednsitem_apply Python/crossinterp.c:1220
        ... in _PyXI_ApplyNamespace ... in _PyXI_Enter ... in interp_set___main___attrs
  (the stack with UBSAN_OPTIONS=print_stacktrace=1; without halt_on_error=1
  UBSan goes on and ASan reports the SEGV on address 0 at the same place),
  and the runner prints "XF-001 REPRODUCED: ..." and exits 1 (a release
  build just segfaults).
Patched (core/cpython/patches/XF-001-apply-namespace-null-default.patch):
  prepare_main() raises InterpreterError('failed to apply namespace to
  __main__') (its __context__ says KeyError: 'a'); the script prints
  "OK: ..." and the runner "XF-001 not reproduced: ..." (exit status 0).
"""
from test.support import interpreters

TRIGGER = "prepare_main() with a str-subclass key"


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
    print(f"OK: prepare_main() raised {type(exc).__name__}: {exc}"
          f" (context: {exc.__context__!r})", flush=True)
else:
    print("OK: prepare_main() returned", flush=True)
