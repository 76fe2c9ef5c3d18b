/* Return addresses, their function names and the verdicts kept about
 * them; see pc_cache.h. */
#include "pc_cache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
xf_pc_names(void *pc, char *buf, size_t size)
{
    buf[0] = buf[1] = '\0';
    if (__sanitizer_symbolize_pc != NULL) {
        __sanitizer_symbolize_pc(pc, "%f", buf, size);
    }
}

int
xf_pc_verdict(xf_pc_entry *table, size_t n, void *pc,
              int (*judge)(const char *names, size_t size))
{
    xf_pc_entry *e = NULL;
    size_t h = ((uintptr_t)pc >> 2) % n;
    for (size_t i = 0; i < n; i++, h = (h + 1) % n) {
        if (table[h].pc == pc && table[h].value != 0) {
            return table[h].value;
        }
        if (table[h].value == 0) {
            e = &table[h];
            break;
        }
    }
    char buf[1024];
    xf_pc_names(pc, buf, sizeof(buf));
    int value = judge(buf, sizeof(buf));
    if (e != NULL) {
        e->pc = pc;
        e->value = (signed char)value;
    }
    return value;
}

char *
xf_name_list_from_env(const char *var, int *n)
{
    *n = 0;
    const char *v = getenv(var);
    if (v == NULL || v[0] == '\0') {
        return NULL;
    }
    char *list = strdup(v);
    if (list == NULL) {
        fprintf(stderr, "xidfuzz: out of memory reading %s\n", var);
        exit(2);
    }
    *n = 1;
    for (char *c = list; *c != '\0'; c++) {
        if (*c == ',') {
            *c = '\0';
            (*n)++;
        }
    }
    return list;
}
