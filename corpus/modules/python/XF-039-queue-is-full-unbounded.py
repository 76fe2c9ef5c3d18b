"""XF-039-queue-is-full-unbounded: is_full() of an unbounded queue.

_queue_is_full() (Modules/_interpqueuesmodule.c) asserts count <= maxsize
and answers count == maxsize, but a maxsize of 0 or less means "no limit"
(_queue_add(), and queues.create()'s default maxsize=0): an empty
unbounded queue says it is full, and one with items fails the assertion
(debug builds) or says "not full" only by accident.
"""
import sys

XF = "XF-039"


def main():
    import _interpqueues as queues
    qid = queues.create(0, 0, 1)        # maxsize 0: unbounded
    try:
        if queues.is_full(qid):
            print(f"{XF} REPRODUCED: is_full() of an empty unbounded queue is True")
            return 1
        queues.put(qid, None, 0, 1)     # debug builds: assertion here
        if queues.is_full(qid):
            print(f"{XF} REPRODUCED: is_full() of an unbounded queue with one item is True")
            return 1
        queues.get(qid)
    finally:
        queues.destroy(qid)
    print(f"{XF} not reproduced: an unbounded queue is never full")
    return 0


if __name__ == "__main__":
    sys.exit(main())
