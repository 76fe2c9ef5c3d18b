/* obmalloc arenas from malloc/free, for the pymalloc harness
 * (XIDFUZZ_PYMALLOC_HARNESS).
 *
 * By default pymalloc maps its 1 MiB arenas with mmap, which ASan does not
 * track: a pymalloc object freed by the wrong interpreter is then reported
 * as a free of an unknown address, and LeakSanitizer never sees the objects
 * at all.  As malloc blocks, the arenas are known to ASan (a report names
 * the arena an object came from) and LeakSanitizer counts them exactly. */
#include "runtime.h"

#include <stdlib.h>

static void *
arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void
arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

void
xf_use_malloc_arenas(void)
{
    PyObjectArenaAllocator arenas = {NULL, arena_alloc, arena_free};
    PyObject_SetArenaAllocator(&arenas);
}
