"""XF-026-channel-clear-interpreter-dangling-last: a channel keeps a
pointer to an item freed when the interpreter that sent it ended -- the
_interpchannels twin of XF-020.

_channelqueue_clear_interpreter() (Modules/_interpchannelsmodule.c), run
when an interpreter ends, frees the UNBOUND_REMOVE items it sent and
unlinks them, but does not update queue->last when the freed item was the
tail: the next send() links the new item into freed memory
(heap-use-after-free), and the item is lost to recv().
"""
import _interpchannels as channels
import _interpreters

TRIGGER = "send() after the channel's tail item was removed with its interpreter"

cid = channels.create(3)
channels.send(cid, 1, unboundop=3, blocking=False)      # stays
interp = _interpreters.create()
_interpreters.exec(interp, "import _interpchannels as c; c.send(CID, 2, unboundop=1, blocking=False)",
                   shared={"CID": int(cid)})            # UNBOUND_REMOVE, the tail
_interpreters.destroy(interp)                            # removes it
channels.send(cid, 3, unboundop=3, blocking=False)      # heap-use-after-free on 3.13.5
got = []
while True:
    try:
        got.append(channels.recv(cid)[0])
    except channels.ChannelEmptyError:
        break
channels.destroy(cid)
if got != [1, 3]:
    print(f"BUG: got {got}, expected [1, 3]", flush=True)
else:
    print(f"OK: got {got}", flush=True)
