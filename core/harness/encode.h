/* Input encoding: the inverse of input.h, for seed writers and unit
 * tests.  Values are appended little-endian, exactly as the readers
 * consume them, so a seed says in code what an input means. */
#ifndef XIDFUZZ_ENCODE_H
#define XIDFUZZ_ENCODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t data[1 << 16];
    size_t size;
} xf_out;

void xf_out_reset(xf_out *out);
void xf_put_u8(xf_out *out, uint8_t v);
void xf_put_u16(xf_out *out, uint16_t v);
void xf_put_u32(xf_out *out, uint32_t v);
void xf_put_u64(xf_out *out, uint64_t v);
void xf_put_bytes(xf_out *out, const void *p, size_t n);
/* A span as xf_read_span(in, max, ...) reads it (max <= 0xffff). */
void xf_put_span(xf_out *out, size_t max, const void *p, size_t n);

/* Write out->data to DIR/NAME; returns 0, or -1 with a message printed. */
int xf_out_write(const xf_out *out, const char *dir, const char *name);

/* Seed writers (fuzz/NAME_seeds.c): xf_seeds_open() takes the output
 * directory from the command line (0, or -1 after a usage line),
 * xf_seed_emit() writes one seed there and empties `out` for the next,
 * and xf_seeds_status() is main's exit status (1 if a write failed). */
int xf_seeds_open(int argc, char **argv);
void xf_seed_emit(xf_out *out, const char *name);
int xf_seeds_status(void);

#endif
