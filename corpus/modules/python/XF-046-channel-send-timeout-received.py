"""XF-046-channel-send-timeout-received: a waiting send times out as a
receiver takes its item.

Interpreter A sends small ints, each with blocking=True and a timeout of
tens of microseconds; interpreter B, on another thread, receives without a
pause.  When the timeout fires after B popped the item and before A takes
it back, channel_clear_sent() (Modules/_interpchannelsmodule.c) finds no
item and _channel_remove() releases a NULL data pointer; and A's
channel_send_wait() returns while B still has to release the item's
_waiting_t, which lives on A's stack.  The NULL is dereferenced in every
build (here UBSan reports it first); past it, debug builds assert
`waiting.status == WAITING_RELEASED`.  The documented outcome:
each send returns None (received) or raises TimeoutError (taken back).
"""
import threading
import _interpchannels as channels
import _interpreters as interpreters

TRIGGER = "a waiting send that times out while a receiver takes its item"

COUNT = 20000
cid = channels.create(3)
sender = interpreters.create()
receiver = interpreters.create()

SEND = f"""
import _interpchannels as channels
for n in range({COUNT}):
    try:
        channels.send({int(cid)}, n, blocking=True,
                      timeout=(0.00002, 0.00005, 0.0001, 0.0002)[n % 4])
    except TimeoutError:
        pass
channels.send({int(cid)}, -1, blocking=False)
"""
RECV = f"""
import _interpchannels as channels
while True:
    try:
        obj, _ = channels.recv({int(cid)})
    except channels.ChannelEmptyError:
        continue
    if obj == -1:
        break
"""
threads = [threading.Thread(target=interpreters.exec, args=(interp, code))
           for interp, code in ((receiver, RECV), (sender, SEND))]
for t in threads:
    t.start()
for t in threads:
    t.join()
channels.destroy(cid)
interpreters.destroy(sender)
interpreters.destroy(receiver)
print(f"OK: {COUNT} waiting sends, none crashed", flush=True)
