/* Object generation: build Python object trees from the fuzzer's bytes.
 *
 * The input is read as a pre-order program of nodes; each node starts with
 * one opcode byte (taken modulo XF_GEN_NOPS) followed by its operands.  An
 * exhausted input reads as zeros, i.e. XF_GEN_NONE, so every byte string is
 * a valid tree.  Objects are created in the current interpreter.
 *
 *   XF_GEN_NONE                      None
 *   XF_GEN_BOOL        u8            True if odd
 *   XF_GEN_INT         u64           any int64 (incl. PY_SSIZE_T_MIN/MAX)
 *   XF_GEN_BIGINT      u8 n, n bytes little-endian signed int of 1..32 bytes
 *   XF_GEN_FLOAT       u8 sel [u64]  sel picks nan/-nan/inf/-inf/-0.0/...,
 *                                    XF_FLOAT_BITS reads raw IEEE bits
 *   XF_GEN_STR         (see xf_gen_str_payload)
 *   XF_GEN_BYTES       u16 len, bytes
 *   XF_GEN_TUPLE       u8 width, width nodes
 *   XF_GEN_FILL        count width, node    a wide tuple of one repeated item
 *   XF_GEN_DEEP        count depth, node    node nested in `depth` 1-tuples
 *   XF_GEN_REUSE       u8 index             an object made earlier (a DAG)
 *   XF_GEN_UNSHAREABLE u8 sel [str]         list, dict, subclasses, ...
 *
 * A count is one byte below XF_GEN_LONG_COUNT (taken modulo
 * XF_GEN_SHORT_COUNTS), or that byte then a u16.
 */
#ifndef XIDFUZZ_OBJGEN_H
#define XIDFUZZ_OBJGEN_H

#include "runtime.h"
#include "input.h"

enum xf_gen_op {
    XF_GEN_NONE = 0,
    XF_GEN_BOOL,
    XF_GEN_INT,
    XF_GEN_BIGINT,
    XF_GEN_FLOAT,
    XF_GEN_STR,
    XF_GEN_BYTES,
    XF_GEN_TUPLE,
    XF_GEN_FILL,
    XF_GEN_DEEP,
    XF_GEN_REUSE,
    XF_GEN_UNSHAREABLE,
    XF_GEN_NOPS
};

enum xf_float_sel {
    XF_FLOAT_BITS = 0,
    XF_FLOAT_NAN,
    XF_FLOAT_NEG_NAN,
    XF_FLOAT_INF,
    XF_FLOAT_NEG_INF,
    XF_FLOAT_NEG_ZERO,
    XF_FLOAT_ZERO,
    XF_FLOAT_DENORMAL_MIN,
    XF_FLOAT_MAX,
    XF_FLOAT_NSEL
};

/* Character sets of XF_GEN_STR: the selector byte, a u8 length, then one
 * code unit per character read as the set says. */
enum xf_str_sel {
    XF_STR_ASCII = 0,       /* u8 & 0x7f: 1-byte kind, embedded NUL */
    XF_STR_LATIN1,          /* u8: 1-byte kind, non-ASCII */
    XF_STR_BMP,             /* u16: 2-byte kind, lone surrogates too */
    XF_STR_ASTRAL,          /* u16: 0x10000 + u16 * 16: 4-byte kind */
    XF_STR_ANY,             /* u32 % 0x110000 */
    XF_STR_SURROGATES,      /* u16: 0xD800 + u16 % 0x800 */
    XF_STR_NSEL
};

enum xf_unshareable_sel {
    XF_UNSH_LIST = 0,
    XF_UNSH_DICT,
    XF_UNSH_INT_SUB,
    XF_UNSH_STR_SUB,
    XF_UNSH_TUPLE_SUB,
    XF_UNSH_BAD_EQ,
    XF_UNSH_BAD_HASH,
    XF_UNSH_OBJECT,
    XF_UNSH_BYTEARRAY,
    XF_UNSH_COMPLEX,
    XF_UNSH_STR_BAD_HASH,
    XF_UNSH_STR_BAD_EQ,
    XF_UNSH_NSEL
};

#define XF_GEN_MAX_STR 255
#define XF_GEN_MAX_BYTES 4096
#define XF_GEN_MAX_BIGINT_BYTES 32
#define XF_GEN_REUSE_SLOTS 32
#define XF_GEN_LONG_COUNT 0xff
#define XF_GEN_SHORT_COUNTS 32
#define XF_GEN_BASE_NODES 16
#define XF_GEN_NODES_PER_BYTE 1

typedef struct {
    int allow_unshareable;  /* else XF_GEN_UNSHAREABLE makes None */
    int max_nodes;          /* items beyond this budget become None; the
                               budget is also at most BASE + PER_BYTE *
                               the input's length */
    int max_width;          /* XF_GEN_TUPLE width bound */
    int max_fill;           /* XF_GEN_FILL width bound */
    int max_depth;          /* total nesting bound (XF_GEN_DEEP included) */
} xf_gen_opts;

/* Defaults: every type, deep enough to pass the core's recursion limit. */
extern const xf_gen_opts xf_gen_default_opts;

/* A new reference to the generated tree, or NULL with an exception set
 * (only when the interpreter itself fails, e.g. MemoryError). */
PyObject *xf_gen_object(xf_input *in, const xf_gen_opts *opts);

/* One str from a XF_GEN_STR payload (selector, length, characters). */
PyObject *xf_gen_str_payload(xf_input *in);

#endif
