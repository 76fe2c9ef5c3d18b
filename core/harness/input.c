/* Input decoding; see input.h for the contract. */
#include "input.h"

#include <string.h>

void
xf_input_init(xf_input *in, const uint8_t *data, size_t size)
{
    in->data = data;
    in->size = data != NULL ? size : 0;
    in->pos = 0;
}

size_t
xf_input_remaining(const xf_input *in)
{
    return in->size - in->pos;
}

int
xf_input_exhausted(const xf_input *in)
{
    return in->pos >= in->size;
}

/* Little-endian read of up to 8 bytes; missing bytes read as zero. */
static uint64_t
read_le(xf_input *in, size_t width)
{
    uint64_t value = 0;
    for (size_t i = 0; i < width; i++) {
        if (in->pos < in->size) {
            value |= (uint64_t)in->data[in->pos++] << (8 * i);
        }
    }
    return value;
}

uint8_t
xf_read_u8(xf_input *in)
{
    return (uint8_t)read_le(in, 1);
}

uint16_t
xf_read_u16(xf_input *in)
{
    return (uint16_t)read_le(in, 2);
}

uint32_t
xf_read_u32(xf_input *in)
{
    return (uint32_t)read_le(in, 4);
}

uint64_t
xf_read_u64(xf_input *in)
{
    return read_le(in, 8);
}

int
xf_read_bool(xf_input *in)
{
    return xf_read_u8(in) & 1;
}

uint32_t
xf_read_range(xf_input *in, uint32_t lo, uint32_t hi)
{
    if (hi <= lo) {
        return lo;
    }
    uint64_t span = (uint64_t)hi - lo + 1;
    size_t width = span <= 0x100 ? 1 : span <= 0x10000 ? 2 : 4;
    return lo + (uint32_t)(read_le(in, width) % span);
}

double
xf_read_double(xf_input *in)
{
    uint64_t bits = xf_read_u64(in);
    double value;
    memcpy(&value, &bits, sizeof(value));
    return value;
}

const uint8_t *
xf_read_span(xf_input *in, size_t max, size_t *len)
{
    size_t want = max <= 0xffff ? xf_read_range(in, 0, (uint32_t)max)
                                : xf_read_u32(in) % (max + 1);
    size_t left = xf_input_remaining(in);
    if (want > left) {
        want = left;
    }
    /* NULL + 0 is undefined behaviour: an empty input has no span. */
    static const uint8_t empty[1];
    const uint8_t *span = in->data != NULL ? in->data + in->pos : empty;
    in->pos += want;
    *len = want;
    return span;
}
