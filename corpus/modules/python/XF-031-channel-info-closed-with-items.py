"""XF-031-channel-info-closed-with-items: get_info() of a channel closed
by release() while it holds items.

_channel_get_info() (Modules/_interpchannelsmodule.c) asserts that a
channel whose state is closed (chan->open == 0) is empty; release() of the
last open ends (or the exit of the only interpreter associated with it)
closes a channel whatever it holds.  Debug builds abort.
"""
import _interpchannels as channels

TRIGGER = "get_info() of a channel closed by release() with an item in it"

cid = channels.create(3)
channels.send(cid, 1, blocking=False)
channels.release(cid)               # the only end: closed, 1 item left
info = channels.get_info(cid)       # assertion on 3.13.5 (debug)
channels.destroy(cid)
print(f"OK: get_info() of the released channel: closed={info.closed}", flush=True)
