/* fuzz/excinfo input encoding, shared with its seed writer.
 *
 * An input is up to XF_EI_MAX_OPS operations; one byte (% XF_EI_NOPS)
 * chooses the next one (bytes from XF_FAULT_OPCODE, 0xf8, up are FAULT:
 * a fault spec of core/harness/fault.h follows, on for the next spec.ops
 * operations).  Every operation makes one exception from a spec
 * (below) in some interpreter of the pool. */
#ifndef XIDFUZZ_EXCINFO_H
#define XIDFUZZ_EXCINFO_H

#define XF_EI_NSLOTS 3      /* main + two subinterpreters */
#define XF_EI_MAX_OPS 8
#define XF_EI_MAX_DEPTH 2   /* nesting of cause, context and group members */
#define XF_EI_MAX_NOTES 3
#define XF_EI_MAX_SUBS 3

enum xf_ei_op {
    /* u8 make, u8 use, spec: _PyXI_InitExcInfo in `make`; format, as
     * object and clear in `use`; the object fed back to InitExcInfo. */
    XF_EI_OP_SNAPSHOT = 0,
    /* u8 make, u8 apply, u8 code, u8 with_uncaught, spec: _PyXI_ApplyError
     * in `apply` for an error captured in `make`. */
    XF_EI_OP_APPLY,
    /* u8 from, u8 into, spec: _PyXI_Enter(into), raise, _PyXI_Exit, then
     * _PyXI_ApplyCapturedException in `from`. */
    XF_EI_OP_SESSION,
    /* u8 make, spec: the exception *class*, not an instance. */
    XF_EI_OP_CLASS,
    /* u8 slot, u8 fields (xf_ei_raw), names: a snapshot made by hand,
     * formatted and turned into an object. */
    XF_EI_OP_RAW,
    XF_EI_NOPS
};

/* Spec: u8 base (% number of bases, see the helper's BASES), u8 flags,
 * [name if XF_EI_SET_NAME], [qualname if XF_EI_SET_QUALNAME], [module if
 * XF_EI_SET_MODULE], u8 message mode, [message name if the mode takes
 * one], u8 notes (% (XF_EI_MAX_NOTES + 1)) and that many names, [cause
 * spec], [context spec], [u8 members (1 + % XF_EI_MAX_SUBS) and their
 * specs, for group bases].  Names use namegen.h's encoding. */
enum xf_ei_flags {
    XF_EI_HEAP = 1 << 0,        /* a subclass made at run time */
    XF_EI_SET_NAME = 1 << 1,
    XF_EI_SET_QUALNAME = 1 << 2,
    XF_EI_SET_MODULE = 1 << 3,  /* any object, not only str */
    XF_EI_RAISE = 1 << 4,       /* raised and caught: it has a traceback */
    XF_EI_CAUSE = 1 << 5,
    XF_EI_CONTEXT = 1 << 6,
    XF_EI_DEL_MODULE = 1 << 7,  /* the class has no __module__ at all */
};

enum xf_ei_msg {
    XF_EI_MSG_NONE = 0,         /* no arguments */
    XF_EI_MSG_ONE,              /* one argument: a name (maybe not a str) */
    XF_EI_MSG_TWO,              /* two arguments: the name and 7 */
    XF_EI_STR_RAISES,           /* __str__ raises (heap subclass implied) */
    XF_EI_STR_NOT_STR,          /* __str__ returns an int */
    XF_EI_STR_HUGE,             /* __str__ returns 100,000 characters */
    XF_EI_STR_SUBCLASS,         /* __str__ returns a str subclass */
    XF_EI_NMSG
};

/* RAW's fields byte; bits 4-5 pick the module: builtins, __main__,
 * pkg.mod, or a generated name. */
enum xf_ei_raw {
    XF_EI_RAW_TYPE = 1 << 0,        /* name, module: name [, module name] */
    XF_EI_RAW_QUALNAME = 1 << 1,    /* with TYPE: qualname name */
    XF_EI_RAW_MSG = 1 << 2,         /* name */
    XF_EI_RAW_DISPLAY = 1 << 3,     /* name */
    XF_EI_RAW_NONE = 1 << 6,        /* _PyXI_InitExcInfo(None) first */
    XF_EI_RAW_NULL = 1 << 7,        /* ... NULL, not None */
};

/* The number of base classes the helper knows (BASES in excinfo.c); the
 * seed writer names them by index. */
enum xf_ei_base {
    XF_EI_VALUE_ERROR = 0,
    XF_EI_KEY_ERROR,
    XF_EI_OS_ERROR,
    XF_EI_EXCEPTION,
    XF_EI_BASE_EXCEPTION,
    XF_EI_KEYBOARD_INTERRUPT,
    XF_EI_SYSTEM_EXIT,
    XF_EI_MEMORY_ERROR,
    XF_EI_RECURSION_ERROR,
    XF_EI_STOP_ITERATION,
    XF_EI_UNICODE_ERROR,
    XF_EI_EXCEPTION_GROUP,
    XF_EI_BASE_EXCEPTION_GROUP,
    XF_EI_NBASES
};

/* _PyXI_ApplyError's codes, by u8 % XF_EI_NCODES: code = -1 - index
 * (_PyXI_ERR_UNCAUGHT_EXCEPTION .. _PyXI_ERR_NOT_SHAREABLE).  No-error is
 * a precondition violation (Py_UNREACHABLE in debug builds). */
#define XF_EI_NCODES 7

#endif
