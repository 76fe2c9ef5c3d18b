/* Writing generator programs; see objgen_encode.h. */
#include "objgen_encode.h"

#include <string.h>

void xf_enc_none(xf_out *out) { xf_put_u8(out, XF_GEN_NONE); }

void
xf_enc_bool(xf_out *out, int value)
{
    xf_put_u8(out, XF_GEN_BOOL);
    xf_put_u8(out, value ? 1 : 0);
}

void
xf_enc_int(xf_out *out, int64_t value)
{
    xf_put_u8(out, XF_GEN_INT);
    xf_put_u64(out, (uint64_t)value);
}

void
xf_enc_bigint(xf_out *out, const uint8_t *bytes, size_t n)
{
    xf_put_u8(out, XF_GEN_BIGINT);
    xf_put_u8(out, (uint8_t)(n - 1));      /* xf_read_range(1, 32) */
    xf_put_bytes(out, bytes, n);
}

void
xf_enc_float_sel(xf_out *out, enum xf_float_sel sel)
{
    xf_put_u8(out, XF_GEN_FLOAT);
    xf_put_u8(out, (uint8_t)sel);
}

void
xf_enc_float(xf_out *out, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    xf_enc_float_sel(out, XF_FLOAT_BITS);
    xf_put_u64(out, bits);
}

void
xf_enc_str(xf_out *out, enum xf_str_sel sel, const uint32_t *units, size_t n)
{
    xf_put_u8(out, XF_GEN_STR);
    xf_enc_str_payload(out, sel, units, n);
}

void
xf_enc_str_payload(xf_out *out, enum xf_str_sel sel, const uint32_t *units, size_t n)
{
    xf_put_u8(out, (uint8_t)sel);
    xf_put_u8(out, (uint8_t)n);            /* xf_read_range(0, 255) */
    for (size_t i = 0; i < n; i++) {
        switch (sel) {
        case XF_STR_ASCII:
        case XF_STR_LATIN1:
            xf_put_u8(out, (uint8_t)units[i]);
            break;
        case XF_STR_BMP:
        case XF_STR_ASTRAL:
        case XF_STR_SURROGATES:
            xf_put_u16(out, (uint16_t)units[i]);
            break;
        default:
            xf_put_u32(out, units[i]);
            break;
        }
    }
}

void
xf_enc_ascii(xf_out *out, const char *s)
{
    uint32_t units[XF_GEN_MAX_STR];
    size_t n = strlen(s);
    for (size_t i = 0; i < n && i < XF_GEN_MAX_STR; i++) {
        units[i] = (uint8_t)s[i];
    }
    xf_enc_str(out, XF_STR_ASCII, units, n);
}

void
xf_enc_bytes(xf_out *out, const void *p, size_t n)
{
    xf_put_u8(out, XF_GEN_BYTES);
    xf_put_span(out, XF_GEN_MAX_BYTES, p, n);
}

void
xf_enc_tuple(xf_out *out, int width)
{
    xf_put_u8(out, XF_GEN_TUPLE);
    xf_put_u8(out, (uint8_t)width);        /* xf_read_range(0, max_width) */
}

void
xf_enc_mixed_tuple(xf_out *out)
{
    xf_enc_tuple(out, 4);
    xf_enc_ascii(out, "str");
    xf_enc_bytes(out, "bytes", 5);
    xf_enc_int(out, 7);
    xf_enc_tuple(out, 2);
    xf_enc_ascii(out, "nested");
}

static void
put_count(xf_out *out, int n)
{
    if (n < XF_GEN_SHORT_COUNTS) {
        xf_put_u8(out, (uint8_t)n);
    }
    else {
        xf_put_u8(out, XF_GEN_LONG_COUNT);
        xf_put_u16(out, (uint16_t)n);
    }
}

void
xf_enc_fill(xf_out *out, int width)
{
    xf_put_u8(out, XF_GEN_FILL);
    put_count(out, width);
}

void
xf_enc_deep(xf_out *out, int depth)
{
    xf_put_u8(out, XF_GEN_DEEP);
    put_count(out, depth);
}

void
xf_enc_reuse(xf_out *out, int index)
{
    xf_put_u8(out, XF_GEN_REUSE);
    xf_put_u8(out, (uint8_t)index);
}

void
xf_enc_unshareable(xf_out *out, enum xf_unshareable_sel sel)
{
    xf_put_u8(out, XF_GEN_UNSHAREABLE);
    xf_put_u8(out, (uint8_t)sel);
}

void
xf_enc_pad_to(xf_out *out, size_t size)
{
    while (out->size < size) {
        xf_put_u8(out, 0);
    }
}
