"""XF-030-channel-end-released-twice: a channel every interpreter released
stays open.

_channelends_release_end() (Modules/_interpchannelsmodule.c) decrements
numsendopen/numrecvopen even for an end that is already released: a second
release() from the same interpreter (documented: "Closing an already closed
end is a noop"), or the interpreter's exit after its release(), drives the
count below zero, and _channelends_is_open() then sees the channel open.
Here the main interpreter's send end is released twice and a
subinterpreter releases its recv end: no end is open, the channel must be
closed -- but a send() from a third interpreter still succeeds.
"""
import _interpchannels as channels
import _interpreters

cid = channels.create(3)
a = _interpreters.create()
b = _interpreters.create()
try:
    channels.send(cid, 1, blocking=False)           # main: send end
    _interpreters.exec(a, "import _interpchannels as c; c.recv(CID)",
                       shared={"CID": int(cid)})    # a: recv end
    channels.release(cid, send=True)
    channels.release(cid, send=True)                # again: a no-op
    _interpreters.exec(a, "import _interpchannels as c; c.release(CID, recv=True)",
                       shared={"CID": int(cid)})
    info = channels.get_info(cid)
    exc = _interpreters.exec(b, "import _interpchannels as c; c.send(CID, 2, blocking=False)",
                             shared={"CID": int(cid)})
finally:
    _interpreters.destroy(a)
    _interpreters.destroy(b)
    channels.destroy(cid)
if exc is None or not info.closed:
    print(f"BUG: every end released, yet the channel is "
          f"{'open' if not info.closed else 'closed'} and a send() succeeded: {exc is None}",
          flush=True)
else:
    print(f"OK: the channel is closed ({exc.type.__name__})", flush=True)
