/* Known leaks kept out of libFuzzer's leak trigger; see known_leaks.h. */
#include "known_leaks.h"
#include "report.h"

#include <execinfo.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out_buf,
                              size_t out_buf_size) __attribute__((weak));

int xf_known_leaks_on;

/* XIDFUZZ_KNOWN_LEAKS, NUL-separated. */
static char *sites;
static int nsites;

/* The raw domain is called from several threads (release_race, modules):
 * one lock around the table, the cache and the counts. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Return addresses LeakSanitizer keeps above the allocator hook: with
 * malloc_context_size=10 its stack is malloc, _PyMem_RawMalloc, the hook
 * (fault.c), then seven more. */
#define FRAMES_ABOVE_HOOK 7
#define FRAMES_TAKEN 16

/* Each return address symbolized once: whether one of its function names
 * (inlined ones included) holds a site's name. */
#define PC_CACHE 16384
static struct {
    void *pc;
    signed char verdict;        /* 0 empty, 1 hook, 2 site, 3 other */
} pc_cache[PC_CACHE];

/* The live blocks of the sites: open addressing, linear probing,
 * deletion by backward shift.  Full: a new block is not counted (it then
 * costs a scan, as without this).  Kept disguised (HIDE): LeakSanitizer
 * reads every word of this table, and a plain pointer would make a leaked
 * block, and all it points to, reachable. */
#define TABLE 65536
#define HIDE(p) ((uintptr_t)(p) ^ (uintptr_t)0xa5a5a5a5a5a5a5a5ULL)
static uintptr_t table[TABLE];
static long table_n;

/* Counts of the current input: blocks of the sites allocated and freed. */
static long input_allocs, input_frees;

/* Blocks kept to free when an input's known leaks left more mallocs than
 * frees (filled at start-up, outside any input; refilled when low, which
 * costs that one input libFuzzer's rerun). */
#define RESERVE 65536
static void *reserve[RESERVE];
static long reserve_n;

static int
is_hook_name(const char *name)
{
    return strncmp(name, "fault_", 6) == 0 || strncmp(name, "xf_known_leaks_", 15) == 0
           || strcmp(name, "from_site") == 0 || strcmp(name, "backtrace") == 0;
}

static int
classify(void *pc)
{
    size_t h = ((uintptr_t)pc >> 2) % PC_CACHE;
    for (size_t n = 0; n < PC_CACHE; n++, h = (h + 1) % PC_CACHE) {
        if (pc_cache[h].pc == pc) {
            return pc_cache[h].verdict;
        }
        if (pc_cache[h].verdict == 0) {
            break;
        }
    }
    char buf[1024];
    buf[0] = buf[1] = '\0';
    __sanitizer_symbolize_pc(pc, "%f", buf, sizeof(buf));
    int verdict = 3;
    for (char *name = buf; name < buf + sizeof(buf) && *name != '\0';
         name += strlen(name) + 1) {
        if (is_hook_name(name)) {
            verdict = 1;
            break;
        }
        const char *s = sites;
        for (int i = 0; i < nsites; i++, s += strlen(s) + 1) {
            if (strstr(name, s) != NULL) {
                verdict = 2;
            }
        }
    }
    if (pc_cache[h].verdict == 0) {
        pc_cache[h].pc = pc;
        pc_cache[h].verdict = (signed char)verdict;
    }
    return verdict;
}

/* Whether the block being allocated comes from a site: a site's name in
 * the FRAMES_ABOVE_HOOK return addresses after the hooks' own. */
static int
from_site(void)
{
    void *frames[FRAMES_TAKEN];
    int n = backtrace(frames, FRAMES_TAKEN);
    int above = 0, past_hooks = 0;
    for (int i = 0; i < n && above < FRAMES_ABOVE_HOOK; i++) {
        int verdict = classify(frames[i]);
        if (verdict == 1 && !past_hooks) {
            continue;
        }
        past_hooks = 1;
        above++;
        if (verdict == 2) {
            return 1;
        }
    }
    return 0;
}

static size_t
slot_of(void *ptr)
{
    return ((uintptr_t)ptr >> 4) % TABLE;
}

static void
table_add(void *ptr)
{
    if (table_n >= TABLE - 1) {
        return;
    }
    size_t h = slot_of(ptr);
    while (table[h] != 0) {
        h = (h + 1) % TABLE;
    }
    table[h] = HIDE(ptr);
    table_n++;
    input_allocs++;
}

static int
table_remove(void *ptr)
{
    size_t h = slot_of(ptr);
    while (table[h] != HIDE(ptr)) {
        if (table[h] == 0) {
            return 0;
        }
        h = (h + 1) % TABLE;
    }
    table[h] = 0;
    table_n--;
    input_frees++;
    /* Backward shift: move up each later entry of the run that may no
     * longer be found past the hole. */
    size_t hole = h;
    for (size_t j = (h + 1) % TABLE; table[j] != 0; j = (j + 1) % TABLE) {
        size_t home = slot_of((void *)HIDE(table[j]));
        int reachable = hole <= j ? (home > hole && home <= j)
                                  : (home > hole || home <= j);
        if (!reachable) {
            table[hole] = table[j];
            table[j] = 0;
            hole = j;
        }
    }
    return 1;
}

void
xf_known_leaks_alloc(void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    if (from_site()) {
        table_add(ptr);
    }
    pthread_mutex_unlock(&lock);
}

void
xf_known_leaks_free(void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    (void)table_remove(ptr);
    pthread_mutex_unlock(&lock);
}

/* A moved block stays what it was; realloc(NULL, n) is an allocation. */
void
xf_known_leaks_realloc(void *old, void *ptr)
{
    if (old == NULL) {
        xf_known_leaks_alloc(ptr);
        return;
    }
    if (ptr == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    if (table_remove(old)) {
        table_add(ptr);
    }
    pthread_mutex_unlock(&lock);
}

static void
refill(void)
{
    while (reserve_n < RESERVE) {
        void *p = malloc(1);
        if (p == NULL) {
            return;
        }
        reserve[reserve_n++] = p;
    }
}

void
xf_known_leaks_install(void)
{
    const char *v = getenv(XF_ENV_KNOWN_LEAKS);
    if (v == NULL || v[0] == '\0' || xf_known_leaks_on) {
        return;
    }
    if (__sanitizer_symbolize_pc == NULL) {
        fprintf(stderr, "xidfuzz: %s needs a sanitizer build\n", XF_ENV_KNOWN_LEAKS);
        exit(2);
    }
    sites = strdup(v);
    if (sites == NULL) {
        fprintf(stderr, "xidfuzz: out of memory reading %s\n", XF_ENV_KNOWN_LEAKS);
        exit(2);
    }
    nsites = 1;
    for (char *c = sites; *c != '\0'; c++) {
        if (*c == ',') {
            *c = '\0';
            nsites++;
        }
    }
    for (const char *s = sites; s < sites + strlen(v); s += strlen(s) + 1) {
        if (*s == '\0') {
            fprintf(stderr, "xidfuzz: %s: an empty function name in '%s'\n",
                    XF_ENV_KNOWN_LEAKS, v);
            exit(2);
        }
    }
    refill();
    xf_known_leaks_on = 1;
}

void
xf_known_leaks_begin_input(void)
{
    if (!xf_known_leaks_on) {
        return;
    }
    pthread_mutex_lock(&lock);
    input_allocs = input_frees = 0;
    pthread_mutex_unlock(&lock);
}

long
xf_known_leaks_outstanding(void)
{
    if (!xf_known_leaks_on) {
        return 0;
    }
    pthread_mutex_lock(&lock);
    long left = input_allocs - input_frees;
    pthread_mutex_unlock(&lock);
    return left;
}

void
xf_known_leaks_end_input(void)
{
    if (!xf_known_leaks_on) {
        return;
    }
    pthread_mutex_lock(&lock);
    long left = input_allocs - input_frees;
    pthread_mutex_unlock(&lock);
    if (left != 0) {
        xf_note("known leaks: their functions' blocks made %ld more mallocs "
                "than frees, balanced", left);
    }
    if (reserve_n < left) {
        /* Once in RESERVE blocks: libFuzzer sees the refill's mallocs
         * and reruns this input (which then balances). */
        refill();
    }
    for (; left > 0 && reserve_n > 0; left--) {
        free(reserve[--reserve_n]);
    }
    for (; left < 0 && reserve_n < RESERVE; left++) {
        void *p = malloc(1);
        if (p == NULL) {
            break;
        }
        reserve[reserve_n++] = p;
    }
}
