/* What the injector and the known-leak counter know about a return
 * address: its function names (one symbolizer round trip each), and a
 * small table that keeps each address's verdict about them, so that it is
 * asked once.  Also the lists of function names they look for. */
#ifndef XIDFUZZ_PC_CACHE_H
#define XIDFUZZ_PC_CACHE_H

#include <stddef.h>

void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out_buf,
                              size_t out_buf_size) __attribute__((weak));

typedef struct {
    void *pc;
    signed char value;          /* the caller's verdict; 0: empty */
} xf_pc_entry;

/* pc's function names into buf, innermost (inlined) first, each ending
 * in NUL, the last followed by an empty one (nothing known: no name). */
void xf_pc_names(void *pc, char *buf, size_t size);

/* pc's verdict (nonzero) from `table` (n entries, open addressing, never
 * emptied): `judge` reads its names (as xf_pc_names() gives them) the
 * first time; when the table is full, every time. */
int xf_pc_verdict(xf_pc_entry *table, size_t n, void *pc,
                  int (*judge)(const char *names, size_t size));

/* The environment variable `var` as a list of names: "a,b" copied as
 * "a\0b\0", with their count in *n; NULL (and 0) when it is unset or
 * empty.  Out of memory: one line and exit status 2. */
char *xf_name_list_from_env(const char *var, int *n);

#endif
