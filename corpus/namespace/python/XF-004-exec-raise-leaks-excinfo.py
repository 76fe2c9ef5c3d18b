"""XF-004: every exception captured by a session leaks its snapshot's strings.

Python route: Interpreter.exec() (_interpreters.exec()) of code that raises.
When the session ends, _capture_current_exception() snapshots the exception
into five PyMem_RawMalloc'd strings (type name, qualname, module, message,
formatted traceback); _PyXI_ApplyCapturedException() turns them into the
excinfo object (ExecutionFailed's excinfo) but never frees them.

Oracle: the bytes the C allocator holds (allocated_bytes.py, beside this
script), around rounds of 300 exec() calls whose code raises
ValueError("boom"); the smallest growth of 5 rounds, after a warm-up of
1500 calls.  More than 32 bytes per call is the leak: the script prints
"BUG: ...", else "OK: ...", and tests/python_repro.py, which runs it,
gives the verdict.  (LeakSanitizer at exit shows it too, in
_copy_string_obj_raw <- _capture_current_exception, but CPython's exit is
not leak-free; run with ASAN_OPTIONS=detect_leaks=0.)

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    BUG: about 250 bytes leaked per exec() that raises (...)
  (the exact figure depends on the length of the traceback text) and the
  runner's "XF-004 REPRODUCED: ...", exit status 1.
Patched (core/cpython/patches/XF-004-captured-exception-excinfo-leak.patch):
    OK: 0 bytes kept per exec() that raises (...)
  and the runner's "XF-004 not reproduced: ...", exit status 0.
"""
from test.support import interpreters

from allocated_bytes import growth_per_call

THRESHOLD = 32      # bytes per call

interp = interpreters.create()


def step(n):
    for _ in range(n):
        try:
            interp.exec('raise ValueError("boom")')
        except interpreters.ExecutionFailed:
            pass


# (The subinterpreter's own caches keep growing for the first ~1500 calls.)
per_call, counter = growth_per_call(step, warmup=1500)
detail = f"smallest growth over 5 rounds of 300 calls, measured with {counter}"
if per_call > THRESHOLD:
    print(f"BUG: {per_call:.0f} bytes leaked per exec() that raises ({detail})", flush=True)
else:
    print(f"OK: {max(per_call, 0):.0f} bytes kept per exec() that raises ({detail})",
          flush=True)
