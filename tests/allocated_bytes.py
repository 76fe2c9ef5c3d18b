"""What a leak costs per call: the growth of the bytes the C allocator
holds (ASan's counter, else glibc's mallinfo2()), for the leak
reproducers, which import it from beside themselves.  Only the stdlib.

(Each folder of reproducers, corpus/TARGET/python/, links this file in
from tests/.)
"""
import ctypes


def allocated_bytes_counter():
    """A function returning the bytes the C allocator holds now, and its name."""
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
    """Bytes the process keeps per call of step(n) (which makes n calls),
    and the counter's name: the smallest growth over several rounds, so
    that caches filling up once do not count."""
    counter, name = allocated_bytes_counter()
    step(warmup)
    best = None
    for _ in range(rounds):
        before = counter()
        step(calls)
        per_call = (counter() - before) / calls
        best = per_call if best is None else min(best, per_call)
    return best, name
