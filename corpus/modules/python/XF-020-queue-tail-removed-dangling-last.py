"""XF-020: a queue whose tail item is removed with its interpreter keeps a dangling tail pointer.

Python route: a queue (_interpqueues, the module under
test.support.interpreters.queues) holds an item put by the main interpreter,
then an item put by a subinterpreter with unbounditems=UNBOUND_REMOVE.
Destroying the subinterpreter runs the module's clear_interpreter callback:
_queue_clear_interpreter() frees the subinterpreter's item, which was the
queue's last, and relinks the list, but never updates queue->items.last.
The next put() appends with queue->items.last->next = item: a write into
the freed item, and the new item hangs off freed memory (lost to get()).

Oracle: the trigger runs in a child process (this script with --child); its
output is passed through, and the parent prints the verdict.

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan): the child dies with
    ERROR: AddressSanitizer: heap-use-after-free ... WRITE of size 8
        #0 ... in _queue_add Modules/_interpqueuesmodule.c
  (freed by _queueitem_free <- _queue_clear_interpreter <- clear_interpreter
  <- _PyAtExit_Fini <- Py_EndInterpreter), and this script prints
  "XF-020 REPRODUCED: ..." and exits 1.
Patched (core/cpython/patches/XF-020-queue-clear-interpreter-dangling-last.patch):
  both remaining items come back in order, and the script prints
  "XF-020 not reproduced: ..." and exits 0.
"""
import re
import subprocess
import sys

XF = "XF-020"
SURVIVED = "CHILD SURVIVED:"
WRONG = "CHILD SAW THE BUG:"
TRIGGER = "put() after the queue's tail item was removed with its interpreter"


def child():
    import _interpqueues as queues
    import _interpreters as interpreters

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
        print(f"{WRONG} the queue gave {got}, expected ['first', 'after']", flush=True)
        return
    print(f"{SURVIVED} the queue gave {got}", flush=True)


REPORT_MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "Fatal Python error",
                  "Assertion", "Segmentation fault")


def main():
    proc = subprocess.run([sys.executable, __file__, "--child"],
                          capture_output=True, text=True, errors="replace")
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    sys.stderr.write(proc.stderr)
    sys.stderr.flush()
    survived = [l for l in proc.stdout.splitlines() if l.startswith(SURVIVED)]
    wrong = [l for l in proc.stdout.splitlines() if l.startswith(WRONG)]
    if wrong:
        print(f"{XF} REPRODUCED: {wrong[-1][len(WRONG):].strip()}")
        return 1
    if survived and proc.returncode == 0:
        print(f"{XF} not reproduced: {survived[-1][len(SURVIVED):].strip()}")
        return 0
    # (Source paths shortened to the part below the CPython tree.)
    reports = [re.sub(r"\S*/(?=(Include|Python|Objects|Modules)/)", "", l.strip())
               for l in proc.stderr.splitlines()
               if any(m in l for m in REPORT_MARKERS)]
    if not survived and (proc.returncode < 0 or reports):
        how = (f"signal {-proc.returncode}" if proc.returncode < 0
               else f"exit status {proc.returncode}")
        first = reports[0] if reports else "no sanitizer report"
        print(f"{XF} REPRODUCED: {TRIGGER} killed the process ({how}): {first}")
        return 1
    print(f"{XF} inconclusive: the child exited with status {proc.returncode}")
    return 2


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        sys.exit(main())
