/* fuzz/namespace input encoding, shared with its seed writer. */
#ifndef XIDFUZZ_NAMESPACE_H
#define XIDFUZZ_NAMESPACE_H

#define XF_NS_NSLOTS 4      /* main + three subinterpreters */
#define XF_NS_TABLE 3       /* live namespaces at once */
#define XF_NS_MAX_NAMES 6
#define XF_NS_MAX_OPS 24
#define XF_NS_MAX_UPDATES 4

/* One byte (% XF_NS_NOPS) chooses the next operation; bytes from
 * XF_FAULT_OPCODE (core/harness/fault.h, 0xf8) up are FAULT: a fault spec follows,
 * on for the next spec.ops operations. */
enum xf_ns_op {
    XF_NS_OP_NAMES = 0,     /* u8 slot, u8 kind, u8 n, n names */
    XF_NS_OP_FILL,          /* u8 ns, u8 slot (bits 0-1; see
                               XF_NS_FILL_IN_SESSION), per item: u8 how
                               [, key, value] */
    XF_NS_OP_APPLY,         /* u8 ns, u8 slot, u8 default */
    XF_NS_OP_FREE,          /* u8 ns, u8 slot */
    XF_NS_OP_SESSION,       /* u8 from, u8 into, u8 updates kind [, u8 n,
                               n x (name, value)], u8 code (see
                               xf_ns_decode_code, XF_NS_CODE_HIDE_MAIN), u8 nested: bit 0 enters
                               again from inside, into slot (byte>>1) */
    XF_NS_NOPS
};

/* The container _PyXI_NamespaceFromNames gets. */
enum xf_ns_names_kind {
    XF_NS_NAMES_LIST = 0,
    XF_NS_NAMES_TUPLE,
    XF_NS_NAMES_DICT,
    XF_NS_NAMES_NONE,
    XF_NS_NAMES_SET,        /* sized, not a sequence: NotImplementedError */
    XF_NS_NAMES_ITER,       /* no len(): TypeError */
    XF_NS_NAMES_FAILS_LAST, /* a sequence whose last item raises LookupError */
    XF_NS_NAMES_NULL,       /* no object at all: NULL, as None */
    /* Appended: a kind byte of 8 or more decodes differently than before
     * it (the seed writer only ever wrote 0-7, which keep their meaning). */
    XF_NS_NAMES_LEN_ONCE,   /* a sequence whose len() raises BufferError
                               when asked again: the core asks twice */
    XF_NS_NAMES_NKINDS
};

/* FILL's slot byte: bits 2-4 all set, fill inside a session
 * (_PyXI_FillNamespaceFromDict's session argument) entered from slot
 * byte >> 5.  A failed fill in a session is captured with a formatted
 * traceback (~1.4 ms), so random bytes pick it one time in eight. */
#define XF_NS_FILL_IN_SESSION 0x1c
#define XF_NS_FILL_FROM_SHIFT 5

/* How FILL puts an item's name into the dict it fills from. */
enum xf_ns_fill_how {
    XF_NS_FILL_ABSENT = 0,  /* not in the dict */
    XF_NS_FILL_PLAIN,       /* the name as a str, with a value */
    XF_NS_FILL_COLLIDE,     /* StrCollide(name): a hash the lookup misses */
    XF_NS_FILL_BAD_EQ,      /* StrBadEq(name): equal hash, __eq__ raises */
    XF_NS_FILL_NHOW
};

/* APPLY's default for items without a value. */
enum xf_ns_default {
    XF_NS_DEFAULT_NULL = 0,
    XF_NS_DEFAULT_NONE,
    XF_NS_DEFAULT_INT,
    XF_NS_NDEFAULTS
};

/* SESSION's nsupdates. */
enum xf_ns_updates {
    XF_NS_UPDATES_NULL = 0,
    XF_NS_UPDATES_LIST,     /* not a dict */
    XF_NS_UPDATES_EMPTY,
    XF_NS_UPDATES_DICT,
    XF_NS_UPDATES_NONE,     /* Py_None: no updates, as NULL */
    XF_NS_NUPDATES
};

/* SESSION's code, run in the entered __main__. */
enum xf_ns_code {
    XF_NS_CODE_NONE = 0,    /* run nothing */
    XF_NS_CODE_PASS,
    XF_NS_CODE_VALUE_ERROR,
    XF_NS_CODE_ZERO_DIV,
    XF_NS_CODE_CUSTOM,      /* a class defined in __main__ */
    XF_NS_CODE_KEYBOARD,    /* a BaseException */
    XF_NS_NCODES
};

/* The code byte: a session whose code raises costs ~1.4 ms (the core
 * formats a traceback) against ~0.1 ms, so random bytes mostly pick code
 * that does not raise; the raising ones take bytes 12-15 (mod 16). */
/* A code byte from here up also hides the entered interpreter's __main__
 * (sys.modules['__main__'] is an int) while _PyXI_Enter runs; the failure
 * is captured with a traceback, so one random byte in 32 does it. */
#define XF_NS_CODE_HIDE_MAIN 0xf8

static inline int
xf_ns_decode_code(int byte)
{
    int b = byte % 16;
    return b < 12 ? b % 2 : XF_NS_CODE_VALUE_ERROR + (b - 12);
}

static inline int
xf_ns_encode_code(int code)
{
    return code < XF_NS_CODE_VALUE_ERROR ? code : 12 + (code - XF_NS_CODE_VALUE_ERROR);
}

#endif
