/* Harness runtime: the embedded core, a pool of interpreters, and the
 * per-input checks every target runs.
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
#ifndef XIDFUZZ_RUNTIME_H
#define XIDFUZZ_RUNTIME_H

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

/* _PyXI_NewInterpreter with a config the runtime rejects: NULL, the
 * caller's thread state current again, and InterpreterError("sub-
 * interpreter creation failed") with the runtime's RuntimeError as its
 * __context__ (an oracle failure otherwise). */
void xf_check_rejected_config(void);

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

/* Per-input invariants: call xf_check_begin() before the input and
 * xf_check_end() after it.  End reports (and aborts) when an exception
 * is left set in any live slot, or when the total reference count moved.
 * A drift can come from a one-time cache filled by this input, so a
 * target passes a function that reruns the same input: a real leak drifts
 * on the second run too, a cache does not. */
typedef struct {
    Py_ssize_t refs;
    long freelist_blocks;
    int slot;
} xf_check;

/* Empty every live interpreter's type attribute cache.  The cache keeps a
 * strong reference to each attribute name it saw; a name made on the fly
 * (PyObject_GetAttrString) then outlives the input until its slot is
 * reused, which moves the total refcount and the malloc/free balance
 * without anything leaking. */
void xf_clear_type_caches(void);

typedef void (*xf_rerun_fn)(void *arg);

void xf_check_begin(xf_check *check);

/* The current input lost `n` references in a way the core documents
 * (e.g. data still out when its owner interpreter ended): the drift check
 * discounts exactly that many.  A target that calls this says so. */
void xf_lost_refs(Py_ssize_t n);

/* Route obmalloc's arenas through malloc/free (core/arena_malloc.c): the
 * asan-pymalloc variant calls it between pre-init and init. */
void xf_use_malloc_arenas(void);
void xf_check_end(xf_check *check, xf_rerun_fn rerun, void *arg);

/* Mallocs minus frees since xf_check_begin() (the sanitizer hooks; 0
 * without them): more than 0 after xf_check_end() is what makes libFuzzer
 * ask LeakSanitizer, and the replay driver's sweep does the same. */
long xf_alloc_balance(void);

/* Report a broken oracle: prints "xidfuzz: ORACLE FAILURE: <message>" and
 * aborts, so the fuzzer keeps the input and the sanitizer prints a stack. */
void xf_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* XIDFUZZ_VERBOSE=1 in the environment: targets describe each input on
 * stderr with xf_note() (one line: what was generated, what happened). */
int xf_verbose(void);
void xf_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
