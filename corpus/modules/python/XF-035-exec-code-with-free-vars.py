"""XF-035-exec-code-with-free-vars: exec() of a closure's code object.

check_code_object() (Modules/_interpretersmodule.c) refuses code with cell
variables ("closures not supported") but not code with free variables: the
code of a closure itself.  exec()/run_func() then evaluate it without a
closure, and COPY_FREE_VARS reads the NULL func_closure (SEGV).
"""
import _interpreters

TRIGGER = "exec() of a closure's code object"


def outer():
    y = 1

    def inner():
        return y
    return inner


interp = _interpreters.create()
try:
    _interpreters.exec(interp, outer().__code__)      # SEGV on 3.13.5
except ValueError as exc:
    print(f"OK: {exc}", flush=True)
else:
    print("BUG: exec() ran a closure's code without its closure", flush=True)
finally:
    _interpreters.destroy(interp)
