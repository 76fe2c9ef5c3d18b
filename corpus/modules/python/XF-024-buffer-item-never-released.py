"""XF-024-buffer-item-never-released: a memoryview put in a queue that
nobody gets keeps its buffer exported for good.

_memoryview_shared() (Modules/_interpretersmodule.c) gives the data a
Py_buffer but no free function, so _xidata_release() finds "nothing to
release": unless the item is received, the buffer is never released -- a
put() refused with QueueFull, a send_buffer() that times out, a queue or
channel destroyed with the item, an item of an ended interpreter.  The
exporter stays locked (a bytearray can never be resized again) and the
memoryview, the exporter and the Py_buffer leak.
"""
import _interpqueues as queues
import test.support.interpreters.queues     # QueueFull

data = bytearray(b"abc")
qid = queues.create(1, 0, 3)
queues.put(qid, None, 0, 3)
mv = memoryview(data)
try:
    queues.put(qid, mv, 0, 3)               # QueueFull: the item is refused
except queues.QueueError:
    pass
queues.destroy(qid)
try:
    mv.release()
except BufferError as exc:
    print(f"BUG: after a refused put() the memoryview stays exported: {exc}", flush=True)
else:
    data.append(1)      # nothing exports it any more
    print("OK: the refused item gave the buffer back", flush=True)
