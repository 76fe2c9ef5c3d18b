"""XF-021: an item still queued when its queue (or channel) goes leaks its _PyCrossInterpreterData.

Python route: _interpqueues (test.support.interpreters.queues) and
_interpchannels keep each item's cross-interpreter data in a struct they
allocated in put()/send().  When an item is dropped without being received
-- its queue destroyed with items in it, or its channel closed or destroyed
-- _queueitem_clear_data() / _channelitem_clear_data() release it with
_release_xid_data(item->data, XID_IGNORE_EXC & XID_FREE): the flags are
ANDed, so they are 0, the data is released but its struct is never freed,
and a failed release's exception is not ignored.

Oracle: the bytes the C allocator holds (ASan's
__sanitizer_get_current_allocated_bytes() through ctypes; glibc's
mallinfo2() without a sanitizer), measured around rounds of 100 queues
created, filled with 8 items and destroyed; the smallest growth of 5
rounds, after a warm-up.  More than 16 bytes per dropped item is the leak.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    XF-021 REPRODUCED: 64 bytes leaked per item dropped with its queue (...)
  exit status 1.
Patched (core/cpython/patches/XF-021-queue-channel-item-data-never-freed.patch):
    XF-021 not reproduced: 0 bytes kept per item dropped with its queue (...)
  exit status 0.
"""
import sys

XF = "XF-021"
ITEMS = 8
THRESHOLD = 16      # bytes per dropped item


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
    import _interpqueues as queues

    def step(n):
        for _ in range(n):
            qid = queues.create(0, 0, 1)
            for i in range(ITEMS):
                queues.put(qid, i, 0, 1)
            queues.destroy(qid)

    per_call, counter = growth_per_call(step, calls=100)
    per_item = per_call / ITEMS
    detail = (f"{per_call:.1f} per queue of {ITEMS} items destroyed, smallest growth "
              f"over 5 rounds of 100, measured with {counter}")
    if per_item > THRESHOLD:
        print(f"{XF} REPRODUCED: {per_item:.0f} bytes leaked per item dropped with its queue ({detail})")
        return 1
    print(f"{XF} not reproduced: {max(per_item, 0):.0f} bytes kept per item dropped with its queue ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
