"""XF-021: an item still queued when its queue (or channel) goes leaks its _PyCrossInterpreterData.

Python route: _interpqueues (test.support.interpreters.queues) and
_interpchannels keep each item's cross-interpreter data in a struct they
allocated in put()/send().  When an item is dropped without being received
-- its queue destroyed with items in it, or its channel closed or destroyed
-- _queueitem_clear_data() / _channelitem_clear_data() release it with
_release_xid_data(item->data, XID_IGNORE_EXC & XID_FREE): the flags are
ANDed, so they are 0, the data is released but its struct is never freed,
and a failed release's exception is not ignored.

Oracle: the bytes the C allocator holds (allocated_bytes.py, beside this
script), around rounds of 100 queues created, filled with 8 items and
destroyed; the smallest growth of 5 rounds, after a warm-up.  More than 16
bytes per dropped item is the leak: the script prints "BUG: ...", else
"OK: ...", and tests/python_repro.py, which runs it, gives the verdict.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    BUG: 64 bytes leaked per item dropped with its queue (...)
  and the runner's "XF-021 REPRODUCED: ...", exit status 1.
Patched (core/cpython/patches/XF-021-queue-channel-item-data-never-freed.patch):
    OK: 0 bytes kept per item dropped with its queue (...)
  and the runner's "XF-021 not reproduced: ...", exit status 0.
"""
import _interpqueues as queues

from allocated_bytes import growth_per_call

ITEMS = 8
THRESHOLD = 16      # bytes per dropped item


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
    print(f"BUG: {per_item:.0f} bytes leaked per item dropped with its queue ({detail})",
          flush=True)
else:
    print(f"OK: {max(per_item, 0):.0f} bytes kept per item dropped with its queue ({detail})",
          flush=True)
