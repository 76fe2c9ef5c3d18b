"""XF-033-channel-list-all-closed: _interpchannels.list_all() after close().

close() of an empty channel frees its state and sets ref->chan = NULL, but
the ref stays listed until the channel is destroyed (or its last
ChannelID goes); _channels_list_all() (Modules/_interpchannelsmodule.c)
reads ref->chan->defaults.unboundop for every ref: a NULL dereference.
"""
import _interpchannels as channels

TRIGGER = "list_all() after close()"

cid = channels.create(3)
channels.close(cid)
listed = channels.list_all()        # SEGV on 3.13.5
channels.destroy(cid)
if any(int(c) == int(cid) for c, _ in listed):
    print(f"BUG: list_all() lists the closed channel {int(cid)}", flush=True)
else:
    print("OK: list_all() leaves the closed channel out", flush=True)
