/* Unit tests of the input decoder (core/harness/input.c) and its inverse
 * (core/harness/encode.c). */
#include "check.h"
#include "encode.h"
#include "input.h"

#include <math.h>
#include <string.h>

static void
test_little_endian_and_exhaustion(void)
{
    const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05};
    xf_input in;
    xf_input_init(&in, data, sizeof(data));
    CHECK(xf_read_u16(&in) == 0x0201);
    CHECK(xf_input_remaining(&in) == 3);
    /* Only three bytes are left: the missing high byte reads as zero. */
    CHECK(xf_read_u32(&in) == 0x050403);
    CHECK(xf_input_exhausted(&in));
    CHECK(xf_read_u8(&in) == 0);
    CHECK(xf_read_u64(&in) == 0);
    CHECK(in.pos == in.size);
}

static void
test_null_and_empty(void)
{
    xf_input in;
    xf_input_init(&in, NULL, 100);
    CHECK(xf_input_remaining(&in) == 0);
    CHECK(xf_read_u32(&in) == 0);
    size_t len = 99;
    (void)xf_read_span(&in, 10, &len);
    CHECK(len == 0);
}

static void
test_range(void)
{
    const uint8_t data[] = {200, 7, 0xff, 0xff, 9};
    xf_input in;
    xf_input_init(&in, data, sizeof(data));
    CHECK(xf_read_range(&in, 0, 9) == 200 % 10);      /* one byte */
    CHECK(xf_read_range(&in, 5, 5) == 5);              /* no byte */
    CHECK(in.pos == 1);
    CHECK(xf_read_range(&in, 10, 13) == 10 + 7 % 4);
    CHECK(xf_read_range(&in, 0, 999) == 0xffff % 1000); /* two bytes */
    CHECK(in.pos == 4);
    CHECK(xf_read_range(&in, 3, 1) == 3);               /* hi < lo */
    for (int i = 0; i < 300; i++) {
        uint32_t v = xf_read_range(&in, 100, 355);
        CHECK(v >= 100 && v <= 355);
    }
}

static void
test_span_clipped(void)
{
    const uint8_t data[] = {50, 'a', 'b', 'c'};
    xf_input in;
    xf_input_init(&in, data, sizeof(data));
    size_t len;
    const uint8_t *p = xf_read_span(&in, 255, &len);
    CHECK(len == 3);                /* asked for 50, three remain */
    CHECK(memcmp(p, "abc", 3) == 0);
    CHECK(xf_input_exhausted(&in));
}

static void
test_double_bits(void)
{
    xf_out out;
    xf_out_reset(&out);
    double values[] = {-0.0, INFINITY, NAN, 1e-310, 3.25};
    for (int i = 0; i < 5; i++) {
        uint64_t bits;
        memcpy(&bits, &values[i], sizeof(bits));
        xf_put_u64(&out, bits);
    }
    xf_input in;
    xf_input_init(&in, out.data, out.size);
    double z = xf_read_double(&in);
    CHECK(z == 0.0 && signbit(z));
    CHECK(isinf(xf_read_double(&in)));
    CHECK(isnan(xf_read_double(&in)));
    CHECK(xf_read_double(&in) == 1e-310);
    CHECK(xf_read_double(&in) == 3.25);
}

static void
test_encode_roundtrip(void)
{
    xf_out out;
    xf_out_reset(&out);
    xf_put_u8(&out, 0xab);
    xf_put_u16(&out, 0x1234);
    xf_put_u32(&out, 0xdeadbeef);
    xf_put_u64(&out, 0x0102030405060708ull);
    xf_put_span(&out, 255, "xyz", 3);
    xf_put_span(&out, 4096, "hello", 5);
    xf_input in;
    xf_input_init(&in, out.data, out.size);
    CHECK(xf_read_u8(&in) == 0xab);
    CHECK(xf_read_u16(&in) == 0x1234);
    CHECK(xf_read_u32(&in) == 0xdeadbeef);
    CHECK(xf_read_u64(&in) == 0x0102030405060708ull);
    size_t len;
    const uint8_t *p = xf_read_span(&in, 255, &len);
    CHECK(len == 3 && memcmp(p, "xyz", 3) == 0);
    p = xf_read_span(&in, 4096, &len);
    CHECK(len == 5 && memcmp(p, "hello", 5) == 0);
    CHECK(xf_input_exhausted(&in));
}

static void
test_deterministic(void)
{
    uint8_t data[64];
    for (int i = 0; i < 64; i++) {
        data[i] = (uint8_t)(i * 37 + 11);
    }
    uint64_t first = 0, second = 0;
    for (int round = 0; round < 2; round++) {
        xf_input in;
        xf_input_init(&in, data, sizeof(data));
        uint64_t acc = 0;
        while (!xf_input_exhausted(&in)) {
            acc = acc * 31 + xf_read_range(&in, 0, 1000) + xf_read_bool(&in);
        }
        *(round ? &second : &first) = acc;
    }
    CHECK(first == second);
}

int
main(void)
{
    test_little_endian_and_exhaustion();
    test_null_and_empty();
    test_range();
    test_span_clipped();
    test_double_bits();
    test_encode_roundtrip();
    test_deterministic();
    return check_summary("test_input");
}
