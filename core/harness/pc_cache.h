/* What the injector and the known-leak counter know about a return
 * address: its function names (one symbolizer round trip each), and a
 * small table that keeps each address's verdict so that it is asked once.
 * Open addressing, never emptied; a full table answers nothing new (the
 * caller then decides again each time). */
#ifndef XIDFUZZ_PC_CACHE_H
#define XIDFUZZ_PC_CACHE_H

#include <stddef.h>
#include <stdint.h>

void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out_buf,
                              size_t out_buf_size) __attribute__((weak));

typedef struct {
    void *pc;
    signed char value;          /* the caller's verdict; 0: empty */
} xf_pc_entry;

/* pc's entry in `table` (n entries): its own, the empty one to fill, or
 * NULL when the table is full. */
static inline xf_pc_entry *
xf_pc_lookup(xf_pc_entry *table, size_t n, void *pc)
{
    size_t h = ((uintptr_t)pc >> 2) % n;
    for (size_t i = 0; i < n; i++, h = (h + 1) % n) {
        if (table[h].pc == pc || table[h].value == 0) {
            return &table[h];
        }
    }
    return NULL;
}

/* pc's function names into buf, innermost (inlined) first, each ending
 * in NUL, the last followed by an empty one (nothing known: no name). */
static inline void
xf_pc_names(void *pc, char *buf, size_t size)
{
    buf[0] = buf[1] = '\0';
    if (__sanitizer_symbolize_pc != NULL) {
        __sanitizer_symbolize_pc(pc, "%f", buf, size);
    }
}

/* Store a verdict (nonzero) in the entry xf_pc_lookup() gave, if any. */
static inline void
xf_pc_store(xf_pc_entry *e, void *pc, int value)
{
    if (e != NULL && e->value == 0) {
        e->pc = pc;
        e->value = (signed char)value;
    }
}

#endif
