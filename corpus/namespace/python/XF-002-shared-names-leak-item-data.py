"""XF-002: every shared namespace item leaks its _PyCrossInterpreterData.

Python route: Interpreter.prepare_main() (_interpreters.set___main___attrs())
and interp.exec(..., shared=...) share each name through a namespace item
whose data is PyMem_RawMalloc'd.  When the namespace is freed,
_sharednsitem_clear_value() calls _release_xid_data(data, rawfree=1), whose
branches are swapped: it calls _PyCrossInterpreterData_Release() (release
only) instead of _PyCrossInterpreterData_ReleaseAndRawFree(), so the struct
is never freed: 40 bytes per shared name (64 with the debug allocator's
padding), on every call, for as long as the process lives.

Oracle: the bytes the C allocator holds (allocated_bytes.py, beside this
script), around rounds of 300 prepare_main() calls of 4 names each; the
smallest growth of 5 rounds, after a warm-up.  More than 32 bytes per
shared name is the leak: the script prints "BUG: ...", else "OK: ...", and
tests/python_repro.py, which runs it, gives the verdict.  (LeakSanitizer
at exit shows it too, allocated in _sharednsitem_set_value, but CPython's
exit is not leak-free; run with ASAN_OPTIONS=detect_leaks=0.)

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    BUG: 64 bytes leaked per shared name (256.0 per prepare_main() of 4 names ...)
  and the runner's "XF-002 REPRODUCED: 64 bytes leaked ...", exit status 1.
Patched (core/cpython/patches/XF-002-release-xid-data-rawfree-inverted.patch):
    OK: 0 bytes kept per shared name ...
  and the runner's "XF-002 not reproduced: ...", exit status 0.
"""
from test.support import interpreters

from allocated_bytes import growth_per_call

NAMES = 4
THRESHOLD = 32      # bytes per shared name

interp = interpreters.create()
ns = {f"name{i}": i for i in range(NAMES)}


def step(n):
    for _ in range(n):
        interp.prepare_main(ns)


per_call, counter = growth_per_call(step)
per_name = per_call / NAMES
detail = (f"{per_call:.1f} per prepare_main() of {NAMES} names, smallest growth "
          f"over 5 rounds of 300 calls, measured with {counter}")
if per_name > THRESHOLD:
    print(f"BUG: {per_name:.0f} bytes leaked per shared name ({detail})", flush=True)
else:
    print(f"OK: {max(per_name, 0):.0f} bytes kept per shared name ({detail})", flush=True)
