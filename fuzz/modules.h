/* fuzz/modules input encoding, shared with its seed writer. */
#ifndef XIDFUZZ_MODULES_H
#define XIDFUZZ_MODULES_H

/* Slot 0 (main) and three subinterpreters, each with the three modules
 * (and their high-level Python modules) imported once, at start-up. */
#define XF_MOD_NSLOTS 4
/* Interpreters an input creates with _interpreters.create(): actors
 * XF_MOD_NSLOTS .. XF_MOD_NSLOTS + XF_MOD_MAX_DYN - 1. */
#define XF_MOD_MAX_DYN 2
#define XF_MOD_NACTORS (XF_MOD_NSLOTS + XF_MOD_MAX_DYN)

#define XF_MOD_MAX_OPS 64
#define XF_MOD_MAX_QUEUES 6
#define XF_MOD_MAX_CHANNELS 6
/* Objects put or sent by one input (items), and shared buffers. */
#define XF_MOD_MAX_ITEMS 96
#define XF_MOD_MAX_BUFFERS 8
/* Received objects the harness keeps alive (views of shared buffers). */
#define XF_MOD_MAX_HELD 16
/* ChannelID objects the harness holds beyond the one create() returned. */
#define XF_MOD_MAX_CIDS 8
/* Names set in an interpreter's __main__: "xf_0" .. "xf_3". */
#define XF_MOD_NNAMES 4
#define XF_MOD_MAX_BUFLEN 64

/* One opcode byte: >= XF_FAULT_OPCODE (0xf8) is FAULT (core/harness/fault.h);
 * otherwise byte % 32 == XF_MOD_LIFECYCLE is an interpreter lifecycle
 * operation (the only ones that create an interpreter, ~100 ms each under
 * ASan: 1 in 32 of random opcodes), and any other byte % 32 is
 * (byte % 32) % XF_MOD_NOPS.
 *
 * Operands: `actor` u8 (% XF_MOD_NACTORS; an actor that does not exist
 * acts as slot 0); `queue`/`chan` u8 (% (known + 1): the extra value is an
 * ID that never existed); `object` an objgen.h program (unshareable
 * values allowed in slots); `buffer` u8 kind (bit 0: bytearray, else
 * bytes; bit 1: reuse the actor's last buffer) then a span of at most
 * XF_MOD_MAX_BUFLEN bytes; `config` see below. */
enum xf_mod_op {
    XF_MOD_Q_CREATE = 0,    /* actor, u8 maxsize sel, u8 fmt, u8 unbound sel */
    XF_MOD_Q_PUT,           /* actor, queue, u8 flags, object             */
    XF_MOD_Q_PUT_BUF,       /* actor, queue, u8 flags, buffer             */
    XF_MOD_Q_GET,           /* actor, queue, u8 flags                     */
    XF_MOD_Q_BIND,          /* actor, queue                               */
    XF_MOD_Q_RELEASE,       /* actor, queue                               */
    XF_MOD_Q_QUERY,         /* actor, queue, u8 which                     */
    XF_MOD_Q_DESTROY,       /* actor, queue                               */
    XF_MOD_C_CREATE,        /* actor, u8 unbound sel                      */
    XF_MOD_C_SEND,          /* actor, chan, u8 flags, object              */
    XF_MOD_C_SEND_BUF,      /* actor, chan, u8 flags, buffer              */
    XF_MOD_C_RECV,          /* actor, chan, u8 flags                      */
    XF_MOD_C_CLOSE,         /* actor, chan, u8 flags                      */
    XF_MOD_C_RELEASE,       /* actor, chan, u8 flags                      */
    XF_MOD_C_QUERY,         /* actor, chan, u8 which                      */
    XF_MOD_C_DESTROY,       /* actor, chan                                */
    XF_MOD_C_ID,            /* actor, chan, u8 flags                      */
    XF_MOD_I_EXEC,          /* actor, u8 target, u8 how, u8 what, u8 n,
                               n x (u8 name, object)                      */
    XF_MOD_I_SET_MAIN,      /* actor, u8 target, u8 n, n x (u8 name, object) */
    XF_MOD_I_SHAREABLE,     /* actor, u8 sel, object                      */
    XF_MOD_I_CAPTURE,       /* actor, u8 sel, str payload                 */
    XF_MOD_I_QUERY,         /* actor, u8 target, u8 which                 */
    XF_MOD_I_IDREF,         /* actor, u8 target, u8 flags                 */
    XF_MOD_I_NEW_CONFIG,    /* actor, config                              */
    XF_MOD_I_CREATE_BAD,    /* actor, config (only a rejected one runs)   */
    XF_MOD_I_DESTROY_BAD,   /* actor, u8 sel                              */
    XF_MOD_BUF_TOUCH,       /* u8 buffer, u8 how, u8 value                */
    XF_MOD_DROP_HELD,       /* u8 which                                   */
    XF_MOD_NOPS
};

#define XF_MOD_LIFECYCLE 31

/* After XF_MOD_LIFECYCLE: u8 sub, then its operands.  sub %
 * XF_MOD_L_CREATE_EVERY == 0 creates (so 1 in 128 random opcode bytes),
 * any other value destroys. */
enum xf_mod_lifecycle {
    XF_MOD_L_CREATE = 0,    /* actor, config, u8 flags (bit 0: reqrefs;
                               bit 1: import the high-level modules)    */
    XF_MOD_L_DESTROY,       /* actor, u8 target (a created interpreter)   */
};
#define XF_MOD_L_CREATE_EVERY 4

/* Unbound selectors (Q_CREATE, C_CREATE, the low 3 bits of put/send
 * flags): the three documented ops, then values the modules must refuse. */
enum {
    XF_MOD_UB_REMOVE = 0,   /* UNBOUND_REMOVE  = 1 */
    XF_MOD_UB_ERROR,        /* UNBOUND_ERROR   = 2 */
    XF_MOD_UB_REPLACE,      /* UNBOUND_REPLACE = 3 */
    XF_MOD_UB_ZERO,         /* 0: ValueError  */
    XF_MOD_UB_FOUR,         /* 4: ValueError  */
    XF_MOD_UB_NEG,          /* -1: ValueError */
    XF_MOD_UB_NSEL
};

/* Q_PUT / Q_PUT_BUF flags: bits 0-2 unbound sel; bits 4-7 fmt. */
/* Q_GET / C_RECV flags. */
enum {
    XF_MOD_KEEP = 1 << 0,       /* keep the received object (a view) */
    XF_MOD_DEFAULT = 1 << 1,    /* C_RECV: pass default= */
};

/* C_SEND / C_SEND_BUF flags: bits 0-2 unbound sel; bits 3-4 how it
 * blocks. */
enum {
    XF_MOD_SEND_NOWAIT = 0,     /* blocking=False */
    XF_MOD_SEND_TIMEOUT,        /* blocking, timeout 1e-6: nobody receives */
    XF_MOD_SEND_TIMEOUT0,       /* blocking, timeout=0 */
    XF_MOD_SEND_DEFAULT_UB,     /* blocking=False, unboundop left out */
};

/* C_CLOSE / C_RELEASE flags. */
enum {
    XF_MOD_END_SEND = 1 << 0,
    XF_MOD_END_RECV = 1 << 1,
    XF_MOD_FORCE = 1 << 2,
};

/* C_ID flags: bit 0 drop (else make); bits 1-2 the end asked for. */

/* I_EXEC how (% XF_MOD_EXEC_NHOW) and what (% XF_MOD_NSCRIPTS). */
enum {
    XF_MOD_EXEC_STR = 0,    /* exec(id, script, shared)      */
    XF_MOD_EXEC_FUNC,       /* exec(id, func, shared)        */
    XF_MOD_EXEC_CODE,       /* exec(id, func.__code__)       */
    XF_MOD_RUN_STRING,      /* run_string(id, script, shared)*/
    XF_MOD_RUN_FUNC,        /* run_func(id, func, shared)    */
    XF_MOD_CALL,            /* call(id, func)                */
    XF_MOD_EXEC_NHOW
};

enum {
    XF_MOD_SCRIPT_PASS = 0,     /* "pass" / def f(): pass           */
    XF_MOD_SCRIPT_RAISE,        /* raises ValueError('xidfuzz')     */
    XF_MOD_SCRIPT_DEL,          /* deletes the names it was given   */
    XF_MOD_SCRIPT_BAD,          /* "" / a function with an argument */
    XF_MOD_SCRIPT_SYNTAX,       /* "(" / a closure                  */
    XF_MOD_NSCRIPTS
};

/* I_QUERY which. */
enum {
    XF_MOD_IQ_WHENCE = 0,
    XF_MOD_IQ_CONFIG,
    XF_MOD_IQ_RUNNING,
    XF_MOD_IQ_LIST,
    XF_MOD_IQ_CURRENT,
    XF_MOD_IQ_MAIN,
    XF_MOD_IQ_NWHICH
};

/* Q_QUERY which. */
enum {
    XF_MOD_QQ_COUNT = 0,
    XF_MOD_QQ_FULL,
    XF_MOD_QQ_MAXSIZE,
    XF_MOD_QQ_DEFAULTS,
    XF_MOD_QQ_LIST,
    XF_MOD_QQ_NWHICH
};

/* C_QUERY which. */
enum {
    XF_MOD_CQ_COUNT = 0,
    XF_MOD_CQ_INFO,
    XF_MOD_CQ_DEFAULTS,
    XF_MOD_CQ_SENDERS,
    XF_MOD_CQ_RECEIVERS,
    XF_MOD_CQ_LIST,
    XF_MOD_CQ_NWHICH
};

/* I_DESTROY_BAD sel. */
enum {
    XF_MOD_DB_CURRENT = 0,      /* the actor itself */
    XF_MOD_DB_MAIN,             /* main (always "running") */
    XF_MOD_DB_UNKNOWN,          /* an ID that never existed */
    XF_MOD_DB_NEGATIVE,         /* -1 */
    XF_MOD_DB_NOT_INT,          /* "1" */
    XF_MOD_DB_RESTRICTED,       /* restrict=True on main */
    XF_MOD_DB_NSEL
};

/* A config:
 *   u8 form: bits 0-1: 0 None, 1 a name (str), 2 new_config(name,
 *            **overrides), 3 that namespace then edited (setattr/delattr);
 *   u8 name sel (% XF_MOD_NNAMESEL);
 *   u8 mask: bit i (0..6): override field i; bit 7: an unknown key;
 *   per overridden field, u8 value sel (% XF_MOD_NVALSEL);
 *   u8 missing: for form 3, bit i: delete field i.
 * Fields in order: use_main_obmalloc, allow_fork, allow_exec,
 * allow_threads, allow_daemon_threads, check_multi_interp_extensions,
 * gil. */
enum {
    XF_MOD_NAME_ISOLATED = 0,
    XF_MOD_NAME_LEGACY,
    XF_MOD_NAME_EMPTY,
    XF_MOD_NAME_DEFAULT,
    XF_MOD_NAME_BLANK,          /* "" */
    XF_MOD_NAME_JUNK,           /* "xidfuzz" */
    XF_MOD_NAME_NUL,            /* "legacy\0x" */
    XF_MOD_NAME_SURROGATE,      /* "\udc80" */
    XF_MOD_NAME_NOT_STR,        /* 7 */
    XF_MOD_NNAMESEL
};

#define XF_MOD_NFIELDS 7
enum {
    XF_MOD_VAL_TRUE = 0,
    XF_MOD_VAL_FALSE,
    XF_MOD_VAL_ONE,             /* int 1: not a bool */
    XF_MOD_VAL_NONE,
    XF_MOD_VAL_OWN,             /* "own" */
    XF_MOD_VAL_SHARED,          /* "shared" */
    XF_MOD_VAL_GDEFAULT,        /* "default" */
    XF_MOD_VAL_JUNK,            /* "\u00f6wn" (non-ASCII) */
    XF_MOD_VAL_NUL,             /* "own\0x" */
    XF_MOD_VAL_SURROGATE,       /* "own\ud800" */
    XF_MOD_NVALSEL
};

/* Environment knobs.
 *
 * XIDFUZZ_STATIC_POOL=1: the lifecycle operations do nothing, so that no
 * input creates an interpreter (ci/bench.sh measures this subset).
 *
 * XIDFUZZ_MODULES_AVOID=all (or a comma-separated list of finding short
 * names): steer around the combinations that reach the findings not fixed
 * in the patched core yet (see modules.c, "Avoided combinations"), so
 * that a campaign can look past them. */
#define XF_ENV_STATIC_POOL "XIDFUZZ_STATIC_POOL"
#define XF_ENV_MODULES_AVOID "XIDFUZZ_MODULES_AVOID"

#endif
