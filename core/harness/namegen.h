/* Names: the str (and not-quite-str) objects that the core copies to raw
 * memory as UTF-8 (namespace names, exception type names, ...).
 *
 * Encoding: u8 selector (% XF_NAME_NSEL), u8 letter; the letter picks one
 * of a few short names so that duplicates and matches are common. */
#ifndef XIDFUZZ_NAMEGEN_H
#define XIDFUZZ_NAMEGEN_H

#include "runtime.h"
#include "encode.h"
#include "input.h"

enum xf_name_sel {
    XF_NAME_PLAIN = 0,      /* "a".."h" */
    XF_NAME_PLAIN2,
    XF_NAME_PLAIN3,
    XF_NAME_EMPTY,          /* "" */
    XF_NAME_LONG,           /* 300 characters */
    XF_NAME_NON_ASCII,      /* "é" + letter, "名" */
    XF_NAME_SURROGATE,      /* letter + lone surrogate: not UTF-8 encodable */
    XF_NAME_NUL,            /* letter + NUL + letter */
    XF_NAME_NOT_STR,        /* int, bytes or None */
    XF_NAME_STR_SUB,        /* subclasses of str, same text as PLAIN */
    XF_NAME_STR_BAD_HASH,   /* __hash__ raises */
    XF_NAME_STR_BAD_EQ,     /* __eq__ raises */
    XF_NAME_STR_COLLIDE,    /* __hash__ returns 42 */
    XF_NAME_NSEL
};

#define XF_NAME_LETTERS 8

/* A new reference, or NULL with an exception set. */
PyObject *xf_gen_name(xf_input *in);

/* The bytes xf_gen_name() reads as name `sel`, letter `letter`. */
void xf_enc_name(xf_out *out, enum xf_name_sel sel, int letter);

/* What copying `name` to raw UTF-8 memory (the core's
 * _copy_string_obj_raw) must raise: NULL when it succeeds, else the
 * exception type (TypeError for a non-str, UnicodeEncodeError for a lone
 * surrogate, ValueError for an embedded NUL).  Derived from the code
 * points, not by calling the same API. */
PyObject *xf_name_copy_error(PyObject *name);

#endif
