"""XF-018: a rejected interpreter config leaks the copied PyConfig.

Python route: _interpreters.create(config) with a PyInterpreterConfig that
new_interpreter() rejects -- here use_main_obmalloc=False with
check_multi_interp_extensions=False ("per-interpreter obmalloc does not
support single-phase init extension modules"), which new_config() accepts.
new_interpreter() (Python/pylifecycle.c, reached through the core's
_PyXI_NewInterpreter()) copies the caller's PyConfig into the new
interpreter before it validates the settings; its error path deletes the
interpreter with PyInterpreterState_Delete(), which does not free
interp->config, so every rejected creation leaks the whole copy (every
string and string list of the config, 3 to 4 KB here).  create() itself
raises InterpreterError('interpreter creation failed') as it should.

Oracle: the bytes the C allocator holds (allocated_bytes.py, beside this
script), around rounds of 100 rejected creations; the smallest growth of 5
rounds, after a warm-up.  More than 1024 bytes per creation is the leak
(the patched core keeps under 100 bytes per creation, failed or not, which
LeakSanitizer does not report): the script prints "BUG: ...", else
"OK: ..." ("INCONCLUSIVE: ..." if the config is accepted), and
tests/python_repro.py, which runs it, gives the verdict.  (LeakSanitizer
at exit shows the leak too, in _PyConfig_Copy <- new_interpreter <-
_PyXI_NewInterpreter; run with ASAN_OPTIONS=detect_leaks=0.)

CPython 3.13.5, pristine (--with-pydebug, ASan/UBSan):
    BUG: about 4000 bytes leaked per rejected interpreter creation (...)
  and the runner's "XF-018 REPRODUCED: ...", exit status 1.
Patched (core/cpython/patches/XF-018-new-interpreter-rejected-config-leak.patch):
    OK: under 100 bytes kept per rejected interpreter creation (...)
  and the runner's "XF-018 not reproduced: ...", exit status 0.
"""
import sys

import _interpreters

from allocated_bytes import growth_per_call

THRESHOLD = 1024    # bytes per rejected creation

config = _interpreters.new_config("isolated", check_multi_interp_extensions=False)


def step(n):
    for _ in range(n):
        try:
            interp = _interpreters.create(config)
        except _interpreters.InterpreterError:
            continue
        _interpreters.destroy(interp)
        print(f"INCONCLUSIVE: create() accepted {config}", flush=True)
        sys.exit(2)


per_call, counter = growth_per_call(step, calls=100, warmup=100)
detail = f"smallest growth over 5 rounds of 100 creations, measured with {counter}"
if per_call > THRESHOLD:
    print(f"BUG: {per_call:.0f} bytes leaked per rejected interpreter creation ({detail})",
          flush=True)
else:
    print(f"OK: {max(per_call, 0):.0f} bytes kept per rejected interpreter creation "
          f"({detail})", flush=True)
