"""XF-040-send-timeout-zero: send(..., timeout=0) nobody receives.

wait_for_lock() (Modules/_interpchannelsmodule.c) asserts timeout > 0 when
the lock was not acquired, but PyThread_ParseTimeoutArg() accepts 0 (a
non-blocking try).  Debug builds abort; the documented outcome is
TimeoutError, with the item taken back.
"""
import _interpchannels as channels

TRIGGER = "send(timeout=0) that nobody receives"

cid = channels.create(3)
try:
    channels.send(cid, 1, blocking=True, timeout=0)   # assertion on 3.13.5 (debug)
except TimeoutError:
    pass
count = channels.get_count(cid)
channels.destroy(cid)
print(f"OK: TimeoutError, {count} item(s) left", flush=True)
