"""XF-018: a rejected interpreter config leaks the copied PyConfig.

Python route: _interpreters.create(config) with a PyInterpreterConfig that
new_interpreter() rejects -- here use_main_obmalloc=False with
check_multi_interp_extensions=False ("per-interpreter obmalloc does not
support single-phase init extension modules"), which new_config() accepts.
new_interpreter() (Python/pylifecycle.c, reached through the core's
_PyXI_NewInterpreter()) copies the caller's PyConfig into the new
interpreter before it validates the settings; its error path deletes the
interpreter with PyInterpreterState_Delete(), which does not free
interp->config, so every rejected creation leaks the whole copy (every
string and string list of the config, 3 to 4 KB here).  create() itself
raises InterpreterError('interpreter creation failed') as it should.

Oracle: the bytes the C allocator holds (ASan's
__sanitizer_get_current_allocated_bytes() through ctypes; glibc's
mallinfo2() without a sanitizer), measured around rounds of 100 rejected
creations; the smallest growth of 5 rounds, after a warm-up.  More than
1024 bytes per creation is the leak (the patched core keeps under 100
bytes per creation, failed or not, which LeakSanitizer does not report).
(LeakSanitizer at exit shows the leak too, in _PyConfig_Copy <-
new_interpreter <- _PyXI_NewInterpreter; run with ASAN_OPTIONS=detect_leaks=0.)

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    XF-018 REPRODUCED: about 4000 bytes leaked per rejected interpreter creation (...)
  exit status 1.
Patched (core/cpython/patches/XF-018-new-interpreter-rejected-config-leak.patch):
    XF-018 not reproduced: under 100 bytes kept per rejected interpreter creation (...)
  exit status 0.
"""
import sys

XF = "XF-018"
THRESHOLD = 1024    # bytes per rejected creation


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
    import _interpreters
    config = _interpreters.new_config("isolated", check_multi_interp_extensions=False)

    def step(n):
        for _ in range(n):
            try:
                interp = _interpreters.create(config)
            except _interpreters.InterpreterError:
                continue
            _interpreters.destroy(interp)
            raise SystemExit(f"{XF} inconclusive: create() accepted {config}")

    per_call, counter = growth_per_call(step, calls=100, warmup=100)
    detail = f"smallest growth over 5 rounds of 100 creations, measured with {counter}"
    if per_call > THRESHOLD:
        print(f"{XF} REPRODUCED: {per_call:.0f} bytes leaked per rejected interpreter "
              f"creation ({detail})")
        return 1
    print(f"{XF} not reproduced: {max(per_call, 0):.0f} bytes kept per rejected interpreter "
          f"creation ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
