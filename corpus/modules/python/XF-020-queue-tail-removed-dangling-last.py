"""XF-020: a queue whose tail item is removed with its interpreter keeps a dangling tail pointer.

Python route: a queue (_interpqueues, the module under
test.support.interpreters.queues) holds an item put by the main interpreter,
then an item put by a subinterpreter with unbounditems=UNBOUND_REMOVE.
Destroying the subinterpreter runs the module's clear_interpreter callback:
_queue_clear_interpreter() frees the subinterpreter's item, which was the
queue's last, and relinks the list, but never updates queue->items.last.
The next put() appends with queue->items.last->next = item: a write into
the freed item, and the new item hangs off freed memory (lost to get()).

Verdict (tests/python_repro.py runs this script in a child process): the
crash, or "BUG: ..." (an item lost), is the bug; "OK: ..." says both
remaining items came back.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the process dies with
    ERROR: AddressSanitizer: heap-use-after-free ... WRITE of size 8
        #0 ... in _queue_add Modules/_interpqueuesmodule.c
  (freed by _queueitem_free <- _queue_clear_interpreter <- clear_interpreter
  <- _PyAtExit_Fini <- Py_EndInterpreter), and the runner prints
  "XF-020 REPRODUCED: ..." and exits 1.
Patched (core/cpython/patches/XF-020-queue-clear-interpreter-dangling-last.patch):
  both remaining items come back in order, the script prints "OK: ..." and
  the runner "XF-020 not reproduced: ..." (exit status 0).
"""
import _interpqueues as queues
import _interpreters as interpreters

TRIGGER = "put() after the queue's tail item was removed with its interpreter"

REMOVE, REPLACE = 1, 3      # test.support.interpreters._crossinterp
qid = queues.create(0, 0, REPLACE)
queues.put(qid, "first", 0, REPLACE)
interp = interpreters.create()
print("a subinterpreter puts the queue's last item (UNBOUND_REMOVE), then is destroyed",
      flush=True)
interpreters.exec(interp, f"import _interpqueues as q; q.put({qid}, 'tail', 0, {REMOVE})")
interpreters.destroy(interp)
print("the main interpreter puts one more item", flush=True)
queues.put(qid, "after", 0, REPLACE)
got = [queues.get(qid)[0] for _ in range(queues.get_count(qid))]
queues.destroy(qid)
if got != ["first", "after"]:
    print(f"BUG: the queue gave {got}, expected ['first', 'after']", flush=True)
else:
    print(f"OK: the queue gave {got}", flush=True)
