/* Start-up and the interpreter pool: the embedded CPython build, and the
 * interpreters every target works with.
 *
 * Slot 0 is the main interpreter.  Slots 1..XF_POOL_MAX-1 hold own-GIL,
 * isolated subinterpreters made by the core's own _PyXI_NewInterpreter().
 * They are created on first use and kept for the life of the process,
 * because creating one costs ~100 ms under ASan; a target ends or replaces
 * one only when its input asks for it.
 *
 * Everything runs on the thread that called xf_runtime_init(); each slot
 * owns one thread state on it, and xf_enter() swaps between them (which
 * releases one interpreter's GIL and takes the other's).
 */
#ifndef XIDFUZZ_POOL_H
#define XIDFUZZ_POOL_H

#ifndef Py_BUILD_CORE
#  define Py_BUILD_CORE 1
#endif
#include <Python.h>
#include <stdint.h>

#define XF_POOL_MAX 8

/* Environment variable naming a directory that holds the stdlib
 * ("lib/python3.13" below it, like an installed prefix).  Unset: the
 * directory XIDFUZZ_HOME_RELATIVE names beside the program, when it was
 * compiled with one (OSS-Fuzz builds), else the stdlib of the build tree
 * the core was built in. */
#define XF_ENV_PYTHONHOME "XIDFUZZ_PYTHONHOME"

/* Start the main interpreter once; later calls do nothing.  Aborts with a
 * one-line message if the core cannot start. */
void xf_runtime_init(void);

/* The interpreter in slot i (creating it on first use), and its id. */
PyInterpreterState *xf_interp(int slot);
int64_t xf_interp_id(int slot);
int xf_slot_alive(int slot);

/* The slot that holds `interp`, or -1. */
int xf_slot_of(PyInterpreterState *interp);

/* Make slot i current; returns the slot that was current.  Pairs with
 * xf_leave(previous). */
int xf_enter(int slot);
void xf_leave(int previous);
PyThreadState *xf_tstate(int slot);

/* End the subinterpreter in slot i (not 0) with _PyXI_EndInterpreter;
 * the slot is recreated on next use.  Returns the id it had. */
int64_t xf_end_interp(int slot);
/* The same; with from_inside, from the slot's own thread state (the
 * core's "no tstate given, end the current interpreter" path). */
int64_t xf_end_interp_as(int slot, int from_inside);

/* The references the pool's own interpreter lifetimes account for in the
 * total (_Py_GetGlobalRefTotal()): each slot made adds its interpreter's
 * own reference total once its start-up garbage is collected, each slot
 * ended takes off the total its interpreter had just before the end.  An
 * end that frees all it held moves the global total by exactly that; what
 * it leaves behind (its leftover, which the runtime adds to
 * interpreter_leaks) is not accounted for.  The drift check (check.c)
 * discounts the change of this figure over an input. */
Py_ssize_t xf_pool_lifetime_refs(void);

/* Run the interpreter's pending calls (the only way to do so for a
 * subinterpreter from C).  Returns -1 with an exception set on failure. */
int xf_run_pending(int slot);

/* The helper object `name` (classes with misbehaving __eq__/__hash__,
 * subclasses of builtins, ...) of the current interpreter: a borrowed
 * reference; aborts if it does not exist. */
PyObject *xf_helper(const char *name);

/* A new dict (with __builtins__) in which `source` ran, in the current
 * interpreter: a module without a module object.  NULL with an exception
 * set if it raised. */
PyObject *xf_new_namespace(const char *source);

/* Run `source` in the current interpreter's __main__ (exec mode).
 * Returns 0, or -1 with the exception left set. */
int xf_exec(const char *source);

/* The slot that is current now. */
int xf_current_slot(void);

/* Run `fn` in every live interpreter of the pool, then come back. */
void xf_in_every_slot(void (*fn)(void));

/* Route obmalloc's arenas through malloc/free (arena_malloc.c): the
 * pymalloc harness calls it between pre-init and init. */
void xf_use_malloc_arenas(void);

#endif
