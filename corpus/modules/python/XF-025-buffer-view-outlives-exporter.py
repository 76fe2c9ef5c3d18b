"""XF-025-buffer-view-outlives-exporter: releasing a received memoryview
whose exporting interpreter has ended.

xibufferview_dealloc() (Modules/_interpretersmodule.c) asserts that the
interpreter that exported the buffer still exists, then hands the release
to _PyBuffer_ReleaseInInterpreterAndRawFree(interp, ...): with that
interpreter destroyed, debug builds abort and release builds queue a
pending call on a NULL interpreter.  Dropping a received view after its
sender ended is all it takes.
"""
import _interpqueues as queues
import _interpreters
import test.support.interpreters.queues

TRIGGER = "releasing a received memoryview after its exporting interpreter ended"

qid = queues.create(0, 0, 3)
interp = _interpreters.create()
_interpreters.exec(interp, "import _interpqueues as q; q.put(QID, memoryview(b'xy'), 0, 3)",
                   shared={"QID": qid})
view = queues.get(qid)[0]
_interpreters.destroy(interp)
del view                                    # assertion / NULL interp on 3.13.5
queues.destroy(qid)
print("OK: the view outlived its exporter and went quietly", flush=True)
