"""XF-002: every shared namespace item leaks its _PyCrossInterpreterData.

Python route: Interpreter.prepare_main() (_interpreters.set___main___attrs())
and interp.exec(..., shared=...) share each name through a namespace item
whose data is PyMem_RawMalloc'd.  When the namespace is freed,
_sharednsitem_clear_value() calls _release_xid_data(data, rawfree=1), whose
branches are swapped: it calls _PyCrossInterpreterData_Release() (release
only) instead of _PyCrossInterpreterData_ReleaseAndRawFree(), so the struct
is never freed: 40 bytes per shared name (64 with the debug allocator's
padding), on every call, for as long as the process lives.

Oracle: the bytes the C allocator holds (ASan's
__sanitizer_get_current_allocated_bytes() through ctypes; glibc's
mallinfo2() without a sanitizer), measured around rounds of 300
prepare_main() calls of 4 names each; the smallest growth of 5 rounds,
after a warm-up.  More than 32 bytes per shared name is the leak.
(LeakSanitizer at exit shows it too, allocated in _sharednsitem_set_value,
but CPython's exit is not leak-free; run with ASAN_OPTIONS=detect_leaks=0.)

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    XF-002 REPRODUCED: 64 bytes leaked per shared name (256.0 per prepare_main() of 4 names ...)
  exit status 1.
Patched (core/cpython/patches/XF-002-release-xid-data-rawfree-inverted.patch):
    XF-002 not reproduced: 0 bytes kept per shared name ...
  exit status 0.
"""
import sys

XF = "XF-002"
NAMES = 4
THRESHOLD = 32      # bytes per shared name


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
    ns = {f"name{i}": i for i in range(NAMES)}

    def step(n):
        for _ in range(n):
            interp.prepare_main(ns)

    per_call, counter = growth_per_call(step)
    per_name = per_call / NAMES
    detail = (f"{per_call:.1f} per prepare_main() of {NAMES} names, smallest growth "
              f"over 5 rounds of 300 calls, measured with {counter}")
    if per_name > THRESHOLD:
        print(f"{XF} REPRODUCED: {per_name:.0f} bytes leaked per shared name ({detail})")
        return 1
    print(f"{XF} not reproduced: {max(per_name, 0):.0f} bytes kept per shared name ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
