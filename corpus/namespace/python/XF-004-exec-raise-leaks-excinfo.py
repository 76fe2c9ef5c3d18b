"""XF-004: every exception captured by a session leaks its snapshot's strings.

Python route: Interpreter.exec() (_interpreters.exec()) of code that raises.
When the session ends, _capture_current_exception() snapshots the exception
into five PyMem_RawMalloc'd strings (type name, qualname, module, message,
formatted traceback); _PyXI_ApplyCapturedException() turns them into the
excinfo object (ExecutionFailed's excinfo) but never frees them.

Oracle: the bytes the C allocator holds (ASan's
__sanitizer_get_current_allocated_bytes() through ctypes; glibc's
mallinfo2() without a sanitizer), measured around rounds of 300 exec()
calls whose code raises ValueError("boom"); the smallest growth of 5 rounds,
after a warm-up of 1500 calls.  More than 32 bytes per call is the leak.
(LeakSanitizer at exit shows it too, in _copy_string_obj_raw <-
_capture_current_exception, but CPython's exit is not leak-free; run with
ASAN_OPTIONS=detect_leaks=0.)

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    XF-004 REPRODUCED: about 250 bytes leaked per exec() that raises (...)
  exit status 1 (the exact figure depends on the length of the traceback
  text).
Patched (core/cpython/patches/XF-004-captured-exception-excinfo-leak.patch):
    XF-004 not reproduced: 0 bytes kept per exec() that raises (...)
  exit status 0.
"""
import sys

XF = "XF-004"
THRESHOLD = 32      # bytes per call


def allocated_bytes_counter():
    """A function returning the bytes the C allocator holds now, and its name."""
    import ctypes
    lib = ctypes.CDLL(None)
    try:
        counter = lib.__sanitizer_get_current_allocated_bytes
    except AttributeError:
        # No sanitizer: glibc's count of bytes in use.
        class Mallinfo2(ctypes.Structure):
            _fields_ = [(name, ctypes.c_size_t) for name in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                "fsmblks", "uordblks", "fordblks", "keepcost")]
        mallinfo2 = lib.mallinfo2
        mallinfo2.restype = Mallinfo2
        return (lambda: mallinfo2().uordblks), "glibc mallinfo2()"
    counter.restype = ctypes.c_size_t
    return counter, "ASan's __sanitizer_get_current_allocated_bytes()"


def growth_per_call(step, calls=300, rounds=5, warmup=300):
    """Bytes the process keeps per call of step(): the smallest growth over
    several rounds, so that caches filling up once do not count."""
    counter, name = allocated_bytes_counter()
    step(warmup)
    best = None
    for _ in range(rounds):
        before = counter()
        step(calls)
        per_call = (counter() - before) / calls
        best = per_call if best is None else min(best, per_call)
    return best, name


def main():
    from test.support import interpreters
    interp = interpreters.create()

    def step(n):
        for _ in range(n):
            try:
                interp.exec('raise ValueError("boom")')
            except interpreters.ExecutionFailed:
                pass

    # (The subinterpreter's own caches keep growing for the first ~1500 calls.)
    per_call, counter = growth_per_call(step, warmup=1500)
    detail = (f"smallest growth over 5 rounds of 300 calls, measured with {counter}")
    if per_call > THRESHOLD:
        print(f"{XF} REPRODUCED: {per_call:.0f} bytes leaked per exec() that raises ({detail})")
        return 1
    print(f"{XF} not reproduced: {max(per_call, 0):.0f} bytes kept per exec() that raises ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
