"""XF-032-channel-info-swapped-released-ends: get_info() swaps
num_interp_both_send_released and num_interp_both_recv_released.

_channel_get_info() (Modules/_interpchannelsmodule.c) counts an
interpreter bound to both ends whose recv end is open and send end
released as "both, recv released", and the other way round.
"""
import sys

XF = "XF-032"


def main():
    import _interpchannels as channels
    cid = channels.create(3)
    channels.send(cid, 1, blocking=False)
    channels.recv(cid)
    channels.release(cid, send=True)    # bound to both, released the send end
    info = channels.get_info(cid)
    channels.destroy(cid)
    if (info.num_interp_both_send_released, info.num_interp_both_recv_released) != (1, 0):
        print(f"{XF} REPRODUCED: released the send end, get_info() says "
              f"both_send_released={info.num_interp_both_send_released} "
              f"both_recv_released={info.num_interp_both_recv_released}")
        return 1
    print(f"{XF} not reproduced")
    return 0


if __name__ == "__main__":
    sys.exit(main())
