/* Seed writer for fuzz/tuple_nesting: each seed is written with the same
 * encoding the target reads (objgen_encode.h), so what a seed covers is
 * stated here in code.  Usage: tuple_nesting_seeds OUTDIR */
#include "fault.h"
#include "objgen_encode.h"
#include "tuple_nesting.h"

#include <float.h>
#include <stdio.h>

static xf_out out;

static void
header(int a, int b, int flags)
{
    xf_out_reset(&out);
    xf_put_u8(&out, (uint8_t)a);
    xf_put_u8(&out, (uint8_t)b);
    xf_put_u8(&out, (uint8_t)flags);
}

static void
emit(const char *name)
{
    xf_seed_emit(&out, name);
}

/* One of every shareable scalar, edge values included. */
static void
every_scalar(void)
{
    static const uint32_t nul[] = {'a', 0, 'b'};
    static const uint32_t latin1[] = {0xe9, 0xff, 0x80};
    static const uint32_t bmp[] = {0x20ac, 0x4e2d, 0xfffd};
    static const uint32_t astral[] = {(0x1f600 - 0x10000) / 16, 0xffff};
    static const uint32_t lone[] = {0x000, 0x7ff, 0x400};
    static const uint8_t two64[] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0};
    xf_enc_tuple(&out, 30);
    xf_enc_none(&out);
    xf_enc_bool(&out, 1);
    xf_enc_bool(&out, 0);
    xf_enc_int(&out, 0);
    xf_enc_int(&out, -1);
    xf_enc_int(&out, INT64_MAX);
    xf_enc_int(&out, INT64_MIN);
    xf_enc_int(&out, 256);
    xf_enc_int(&out, -5);
    xf_enc_bigint(&out, two64, 8);                 /* fits: -2**63 */
    xf_enc_float(&out, 1.5);
    xf_enc_float_sel(&out, XF_FLOAT_NAN);
    xf_enc_float_sel(&out, XF_FLOAT_NEG_NAN);
    xf_enc_float_sel(&out, XF_FLOAT_INF);
    xf_enc_float_sel(&out, XF_FLOAT_NEG_INF);
    xf_enc_float_sel(&out, XF_FLOAT_NEG_ZERO);
    xf_enc_float_sel(&out, XF_FLOAT_ZERO);
    xf_enc_float_sel(&out, XF_FLOAT_DENORMAL_MIN);
    xf_enc_float_sel(&out, XF_FLOAT_MAX);
    xf_enc_ascii(&out, "");
    xf_enc_ascii(&out, "x");
    xf_enc_str(&out, XF_STR_ASCII, nul, 3);
    xf_enc_str(&out, XF_STR_LATIN1, latin1, 3);
    xf_enc_str(&out, XF_STR_BMP, bmp, 3);
    xf_enc_str(&out, XF_STR_ASTRAL, astral, 2);
    xf_enc_str(&out, XF_STR_SURROGATES, lone, 3);
    xf_enc_bytes(&out, "", 0);
    xf_enc_bytes(&out, "by\0tes", 6);
    xf_enc_tuple(&out, 0);
    xf_enc_ascii(&out, "the end");
}

/* (1, (2, (3, "three")), ("a", ("b", ()))) */
static void
nested(void)
{
    xf_enc_tuple(&out, 3);
    xf_enc_int(&out, 1);
    xf_enc_tuple(&out, 2);
    xf_enc_int(&out, 2);
    xf_enc_tuple(&out, 2);
    xf_enc_int(&out, 3);
    xf_enc_ascii(&out, "three");
    xf_enc_tuple(&out, 2);
    xf_enc_ascii(&out, "a");
    xf_enc_tuple(&out, 2);
    xf_enc_ascii(&out, "b");
    xf_enc_tuple(&out, 0);
}

static void
deep(int depth)
{
    xf_enc_deep(&out, depth);
    xf_enc_ascii(&out, "bottom");
    /* Budget: XF_GEN_BASE_NODES + XF_GEN_NODES_PER_BYTE * length. */
    xf_enc_pad_to(&out, (size_t)(depth + 8) / XF_GEN_NODES_PER_BYTE + 8);
}

/* A wide tuple holding one str many times, plus REUSE of it. */
static void
wide(int width)
{
    xf_enc_tuple(&out, 3);
    xf_enc_fill(&out, width);
    xf_enc_ascii(&out, "same");
    xf_enc_reuse(&out, 0);
    xf_enc_reuse(&out, 1);
    xf_enc_pad_to(&out, (size_t)(2 * width + 16) / XF_GEN_NODES_PER_BYTE + 8);
}

static void
unshareable_leaf(enum xf_unshareable_sel sel)
{
    static const uint32_t key[] = {'k', 'e', 'y'};
    xf_enc_tuple(&out, 3);
    xf_enc_int(&out, 1);
    xf_enc_tuple(&out, 2);
    xf_enc_ascii(&out, "before");
    xf_enc_unshareable(&out, sel);
    if (sel == XF_UNSH_INT_SUB) {
        xf_put_u8(&out, 7);
    }
    else if (sel == XF_UNSH_STR_SUB || sel == XF_UNSH_STR_BAD_HASH
             || sel == XF_UNSH_STR_BAD_EQ) {
        xf_enc_str_payload(&out, XF_STR_ASCII, key, 3);
    }
    xf_enc_ascii(&out, "after");
}

int
main(int argc, char **argv)
{
    if (xf_seeds_open(argc, argv) != 0) {
        return 2;
    }
    char name[64];

    header(0, 1, 0);
    every_scalar();
    emit("scalars-main-to-sub");
    header(1, 2, XF_TN_HEAP | XF_TN_RAWFREE | XF_TN_FROM_B);
    every_scalar();
    emit("scalars-rawfree-from-b");
    header(2, 0, XF_TN_HEAP | XF_TN_FROM_B | XF_TN_TWICE);
    every_scalar();
    emit("scalars-sub-to-main-twice");
    header(3, 3, XF_TN_HEAP);
    every_scalar();
    emit("scalars-same-interp");

    header(1, 3, XF_TN_FROM_B);
    nested();
    emit("nested-release-from-b");
    header(2, 1, XF_TN_HEAP | XF_TN_RAWFREE);
    nested();
    emit("nested-rawfree-from-a");

    /* Dropped in the owner without the release machinery. */
    header(1, 2, XF_TN_HEAP | XF_TN_CLEAR);
    every_scalar();
    emit("scalars-free-in-owner");
    header(2, 3, XF_TN_CLEAR);
    nested();
    emit("nested-clear-in-owner");
    header(3, 1, XF_TN_CLEAR | XF_TN_FROM_B | XF_TN_TWICE);
    nested();
    emit("nested-clear-null-interp");
    header(1, 0, XF_TN_HEAP | XF_TN_CLEAR);
    xf_enc_unshareable(&out, XF_UNSH_LIST);
    emit("unshareable-free-empty-data");

    header(1, 2, XF_TN_HEAP | XF_TN_FROM_B);
    deep(400);
    emit("deep-400-ok");
    /* The last depth that shares, and the first that does not, given the
     * budget of 500 (Py_C_RECURSION_LIMIT in a pydebug build): the check
     * fails once an item sits deeper than budget + 1. */
    header(1, 2, 0);
    deep(501);
    emit("deep-501-at-recursion-limit");
    header(1, 2, XF_TN_HEAP | XF_TN_FROM_B);
    deep(502);
    emit("deep-502-past-recursion-limit");
    header(2, 1, XF_TN_HEAP | XF_TN_RAWFREE | XF_TN_FROM_B);
    deep(700);
    emit("deep-700-recursion-error");

    /* A leaf that cannot be shared, at the last depths the budget admits:
     * at 500 its own error is raised; at 501 building that error needs
     * recursion that is not left, and RecursionError comes instead. */
    static const uint8_t big[] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    for (int depth = 500; depth <= 501; depth++) {
        header(1, 2, 0);
        xf_enc_deep(&out, depth);
        xf_enc_bigint(&out, big, 9);
        xf_enc_pad_to(&out, (size_t)(depth + 8) / XF_GEN_NODES_PER_BYTE + 8);
        snprintf(name, sizeof(name), "deep-%d-int-overflow", depth);
        emit(name);
        header(2, 3, 0);
        xf_enc_deep(&out, depth);
        xf_enc_unshareable(&out, XF_UNSH_LIST);
        xf_enc_pad_to(&out, (size_t)(depth + 8) / XF_GEN_NODES_PER_BYTE + 8);
        snprintf(name, sizeof(name), "deep-%d-not-shareable", depth);
        emit(name);
    }

    header(3, 1, XF_TN_HEAP | XF_TN_FROM_B);
    wide(700);
    emit("wide-700-reuse");

    static const uint8_t two64[] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    header(1, 2, 0);
    xf_enc_tuple(&out, 2);
    xf_enc_int(&out, 1);
    xf_enc_bigint(&out, two64, 9);
    emit("int-beyond-ssize-t");

    for (int sel = 0; sel < XF_UNSH_NSEL; sel++) {
        header(sel % XF_TN_NSLOTS, (sel + 1) % XF_TN_NSLOTS, sel & 0xf);
        unshareable_leaf((enum xf_unshareable_sel)sel);
        snprintf(name, sizeof(name), "unshareable-%02d", sel);
        emit(name);
    }

    /* Allocation failures (core/harness/fault.h).  A str's buffer is the share's
     * first allocation (XF-012); a tuple's item array its second (XF-011). */
    header(1, 2, XF_TN_FAULT);
    xf_fault_put_spec(&out, (xf_fault_spec){XF_FAULT_NTH, 1, 1});
    xf_enc_ascii(&out, "shared");
    emit("fault-str-buffer");
    header(2, 1, XF_TN_FAULT);
    xf_fault_put_spec(&out, (xf_fault_spec){XF_FAULT_NTH, 2, 1});
    xf_enc_tuple(&out, 1);
    xf_enc_int(&out, 7);
    emit("fault-tuple-items");
    header(1, 3, XF_TN_FAULT | XF_TN_HEAP | XF_TN_FROM_B | XF_TN_TWICE);
    xf_fault_put_spec(&out, (xf_fault_spec){XF_FAULT_EVERY, 4, 1});
    nested();
    emit("fault-every4-nested-twice");
    header(3, 0, XF_TN_FAULT | XF_TN_HEAP | XF_TN_RAWFREE);
    xf_fault_put_spec(&out, (xf_fault_spec){XF_FAULT_MASK, 0xffff0000u, 1});
    nested();
    emit("fault-mask-rebuild");
    /* NotShareableError's message holds repr(obj): a dict's repr first
     * records itself in the thread state's "Py_Repr" list. */
    header(3, 1, XF_TN_FAULT);
    xf_fault_put_spec(&out, (xf_fault_spec){XF_FAULT_NTH, 1, 1});
    xf_enc_unshareable(&out, XF_UNSH_DICT);
    emit("fault-unshareable-repr");

    header(0, 0, 0);
    emit("header-only");
    xf_out_reset(&out);
    emit("empty");
    return xf_seeds_status();
}
