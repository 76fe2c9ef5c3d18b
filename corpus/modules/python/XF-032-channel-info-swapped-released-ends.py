"""XF-032-channel-info-swapped-released-ends: get_info() swaps
num_interp_both_send_released and num_interp_both_recv_released.

_channel_get_info() (Modules/_interpchannelsmodule.c) counts an
interpreter bound to both ends whose recv end is open and send end
released as "both, recv released", and the other way round.
"""
import _interpchannels as channels

cid = channels.create(3)
channels.send(cid, 1, blocking=False)
channels.recv(cid)
channels.release(cid, send=True)    # bound to both, released the send end
info = channels.get_info(cid)
channels.destroy(cid)
counts = (f"both_send_released={info.num_interp_both_send_released} "
          f"both_recv_released={info.num_interp_both_recv_released}")
if (info.num_interp_both_send_released, info.num_interp_both_recv_released) != (1, 0):
    print(f"BUG: released the send end, get_info() says {counts}", flush=True)
else:
    print(f"OK: released the send end, get_info() says {counts}", flush=True)
