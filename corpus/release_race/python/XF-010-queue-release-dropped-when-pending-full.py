"""XF-010: a release from another interpreter is silently dropped when the owner's
pending-call queue is full.

Python route: a cross-interpreter queue.  A subinterpreter puts the same
bytes object 400 times (each item's data holds a reference to it); the main
interpreter then gets all 400 items while the subinterpreter runs nothing.
Each get releases the item's data, which is owned by the subinterpreter, so
_xidata_release() schedules the release as a pending call of the
subinterpreter (_Py_CallInInterpreterAndRawFree() ->
_PyEval_AddPendingCall()).  That queue holds 300 calls; when it is full
_PyEval_AddPendingCall() returns _Py_ADD_PENDING_FULL, which both callers in
Python/crossinterp.c ignore ("XXX Emit a warning if this fails?"): the get
succeeds, the release never happens, and the subinterpreter's object keeps
one reference per dropped release forever (the item's data leaks too).

Oracle: the object's refcount in the subinterpreter (sys.getrefcount(),
sent back through the queue as an int, which needs no release) before the
puts and after the gets, once the subinterpreter has run its pending calls.
A reference left over for a get that reported success is a dropped release:
the script prints "BUG: ...", else "OK: ...", and tests/python_repro.py,
which runs it, gives the verdict.  (A get that raises is not counted as
dropped: the patched core reports the full queue that way.)

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    BUG: 100 of 400 releases were dropped silently: ...
  and the runner's "XF-010 REPRODUCED: ...", exit status 1.
Patched (core/cpython/patches/XF-010-pending-call-queue-full-drops-release.patch):
  the 100 gets past the queue's capacity raise InterpreterError ("the
  pending-call queue of interpreter N is full"); the script prints
    OK: no release was dropped silently (...)
  and the runner "XF-010 not reproduced: ...", exit status 0.  (The queue
  module does not retry those releases either: their data and references
  are left behind, which this script reports but does not count.)
"""
from test.support import interpreters

ITEMS = 400         # more than the 300 pending calls an interpreter can hold

queue = interpreters.create_queue(syncobj=True)
interp = interpreters.create()
# (The queue module must be imported there before a queue can be shared.)
interp.exec("from test.support.interpreters import queues")
interp.prepare_main(queue=queue)
interp.exec("import sys; x = bytes(bytearray(b'owned by the subinterpreter'))")


def refcount_in_subinterpreter():
    # Runs code there, so its pending calls run first.
    for _ in range(3):
        interp.exec("queue.put_nowait(sys.getrefcount(x))")
        count = queue.get_nowait()
    return count


before = refcount_in_subinterpreter()
interp.exec(f"for _ in range({ITEMS}): queue.put_nowait(x)")
raised = []
for _ in range(ITEMS):
    try:
        queue.get_nowait()
    except interpreters.InterpreterError as exc:
        raised.append(exc)
left = refcount_in_subinterpreter() - before
dropped = left - len(raised)
detail = (f"{ITEMS} items of one object shared by interpreter {interp.id} and taken "
          f"by the main interpreter; {len(raised)} gets raised"
          + (f" ({raised[0]})" if raised else "")
          + f"; {left} references left on the object")
if dropped > 0:
    print(f"BUG: {dropped} of {ITEMS} releases were dropped silently: {detail}", flush=True)
else:
    print(f"OK: no release was dropped silently ({detail})", flush=True)
