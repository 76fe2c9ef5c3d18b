/* Input decoding: read bounded values from the fuzzer's bytes.
 *
 * Every reader is total: it never reads past the end, and once the input
 * is exhausted it returns zero (or the lower bound, or an empty span).  The
 * same bytes therefore always decode to the same values, and a truncated
 * input is simply a shorter program.  Multi-byte integers are little-endian.
 */
#ifndef XIDFUZZ_INPUT_H
#define XIDFUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
} xf_input;

void xf_input_init(xf_input *in, const uint8_t *data, size_t size);

/* Bytes not consumed yet. */
size_t xf_input_remaining(const xf_input *in);
int xf_input_exhausted(const xf_input *in);

uint8_t xf_read_u8(xf_input *in);
uint16_t xf_read_u16(xf_input *in);
uint32_t xf_read_u32(xf_input *in);
uint64_t xf_read_u64(xf_input *in);
int xf_read_bool(xf_input *in);

/* A value in [lo, hi] (inclusive; lo <= hi).  Consumes only as many bytes
 * as the width of the range needs (1 for a range of at most 256 values). */
uint32_t xf_read_range(xf_input *in, uint32_t lo, uint32_t hi);

/* The raw bits of an IEEE double: every double, NaN payloads included. */
double xf_read_double(xf_input *in);

/* A span of the input itself, not copied: a length in [0, max] is read
 * first, then clipped to what remains.  *len receives the length. */
const uint8_t *xf_read_span(xf_input *in, size_t max, size_t *len);

#endif
