/* Writing generator programs (objgen.h) for seeds and tests. */
#ifndef XIDFUZZ_OBJGEN_ENCODE_H
#define XIDFUZZ_OBJGEN_ENCODE_H

#include "encode.h"
#include "objgen.h"

void xf_enc_none(xf_out *out);
void xf_enc_bool(xf_out *out, int value);
void xf_enc_int(xf_out *out, int64_t value);
/* n little-endian two's-complement bytes (1..XF_GEN_MAX_BIGINT_BYTES). */
void xf_enc_bigint(xf_out *out, const uint8_t *bytes, size_t n);
void xf_enc_float_sel(xf_out *out, enum xf_float_sel sel);
void xf_enc_float(xf_out *out, double value);
/* A str of n characters of charset `sel`, each given as its code unit
 * (the value read_char() decodes, e.g. an index for XF_STR_ASTRAL). */
void xf_enc_str(xf_out *out, enum xf_str_sel sel, const uint32_t *units, size_t n);
/* The same without the opcode: what str-based unshareables read. */
void xf_enc_str_payload(xf_out *out, enum xf_str_sel sel, const uint32_t *units, size_t n);
void xf_enc_ascii(xf_out *out, const char *s);
void xf_enc_bytes(xf_out *out, const void *p, size_t n);
/* A tuple header; `width` nodes must follow. */
void xf_enc_tuple(xf_out *out, int width);
/* ("str", b"bytes", 7, ("nested", X)): a tuple of the common shareable
 * kinds, nested, for seeds; the one node that follows is X. */
void xf_enc_mixed_tuple(xf_out *out);
/* A tuple of `width` copies of the node that follows. */
void xf_enc_fill(xf_out *out, int width);
/* The node that follows, nested in `depth` 1-tuples. */
void xf_enc_deep(xf_out *out, int depth);
/* The index-th object made so far (creation order, items before their
 * tuple). */
void xf_enc_reuse(xf_out *out, int index);
/* An unshareable value; str-based selectors take a str payload after. */
void xf_enc_unshareable(xf_out *out, enum xf_unshareable_sel sel);
/* Zero bytes after the program: a longer input earns a larger node budget
 * (XF_GEN_NODES_PER_BYTE) without changing the tree. */
void xf_enc_pad_to(xf_out *out, size_t size);

#endif
