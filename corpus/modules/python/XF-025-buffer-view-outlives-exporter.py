"""XF-025-buffer-view-outlives-exporter: releasing a received memoryview
whose exporting interpreter has ended.

xibufferview_dealloc() (Modules/_interpretersmodule.c) asserts that the
interpreter that exported the buffer still exists, then hands the release
to _PyBuffer_ReleaseInInterpreterAndRawFree(interp, ...): with that
interpreter destroyed, debug builds abort and release builds queue a
pending call on a NULL interpreter.  Dropping a received view after its
sender ended is all it takes.
"""
import sys

XF = "XF-025"


def main():
    import _interpreters, _interpqueues as queues
    import test.support.interpreters.queues
    qid = queues.create(0, 0, 3)
    interp = _interpreters.create()
    _interpreters.exec(interp, "import _interpqueues as q; q.put(QID, memoryview(b'xy'), 0, 3)",
                       shared={"QID": qid})
    view = queues.get(qid)[0]
    _interpreters.destroy(interp)
    del view                                    # assertion / NULL interp on 3.13.5
    queues.destroy(qid)
    print(f"{XF} not reproduced: the view outlived its exporter and went quietly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
