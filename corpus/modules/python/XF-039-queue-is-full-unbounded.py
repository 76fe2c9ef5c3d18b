"""XF-039-queue-is-full-unbounded: is_full() of an unbounded queue.

_queue_is_full() (Modules/_interpqueuesmodule.c) asserts count <= maxsize
and answers count == maxsize, but a maxsize of 0 or less means "no limit"
(_queue_add(), and queues.create()'s default maxsize=0): an empty
unbounded queue says it is full, and one with items fails the assertion
(debug builds) or says "not full" only by accident.
"""
import _interpqueues as queues

TRIGGER = "is_full() and put() of an unbounded queue"


def unbounded_queue_says_full():
    qid = queues.create(0, 0, 1)        # maxsize 0: unbounded
    try:
        if queues.is_full(qid):
            return "is_full() of an empty unbounded queue is True"
        queues.put(qid, None, 0, 1)     # debug builds: assertion here
        if queues.is_full(qid):
            return "is_full() of an unbounded queue with one item is True"
        queues.get(qid)
        return None
    finally:
        queues.destroy(qid)


wrong = unbounded_queue_says_full()
if wrong:
    print(f"BUG: {wrong}", flush=True)
else:
    print("OK: an unbounded queue is never full", flush=True)
