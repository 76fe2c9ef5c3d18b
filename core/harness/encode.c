/* Input encoding; see encode.h. */
#include "encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
xf_out_reset(xf_out *out)
{
    out->size = 0;
}

static void
put_le(xf_out *out, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++) {
        if (out->size >= sizeof(out->data)) {
            fprintf(stderr, "encode: input larger than %zu bytes\n", sizeof(out->data));
            exit(2);
        }
        out->data[out->size++] = (uint8_t)(v >> (8 * i));
    }
}

void xf_put_u8(xf_out *out, uint8_t v) { put_le(out, v, 1); }
void xf_put_u16(xf_out *out, uint16_t v) { put_le(out, v, 2); }
void xf_put_u32(xf_out *out, uint32_t v) { put_le(out, v, 4); }
void xf_put_u64(xf_out *out, uint64_t v) { put_le(out, v, 8); }

void
xf_put_bytes(xf_out *out, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put_le(out, ((const uint8_t *)p)[i], 1);
    }
}

void
xf_put_span(xf_out *out, size_t max, const void *p, size_t n)
{
    /* xf_read_range(0, max): one byte when max < 256, else two. */
    put_le(out, n, max < 0x100 ? 1 : 2);
    xf_put_bytes(out, p, n);
}

int
xf_out_write(const xf_out *out, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(out->data, 1, out->size, f) != out->size) {
        fprintf(stderr, "seeds: cannot write %s\n", path);
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

static const char *seeds_dir;
static int seeds_failures;

int
xf_seeds_open(int argc, char **argv)
{
    if (argc != 2) {
        const char *slash = strrchr(argv[0], '/');
        fprintf(stderr, "usage: %s OUTDIR\n", slash != NULL ? slash + 1 : argv[0]);
        return -1;
    }
    seeds_dir = argv[1];
    return 0;
}

void
xf_seed_emit(xf_out *out, const char *name)
{
    if (xf_out_write(out, seeds_dir, name) != 0) {
        seeds_failures++;
    }
    xf_out_reset(out);
}

int
xf_seeds_status(void)
{
    return seeds_failures != 0;
}
