/* Known leaks kept out of libFuzzer's leak trigger; see known_leaks.h.
 *
 * Every raw-domain block an input allocates is noted (a hash table and a
 * list, no stack taken); at the end of the input, each of those still
 * alive is judged by the allocation stack AddressSanitizer stored for it
 * (__asan_get_alloc_stack: the very stack a `leak:` suppression is
 * matched against, as deep as malloc_context_size).  A block from a
 * site is kept in the table until it is freed, in whatever input. */
#include "known_leaks.h"
#include "pc_cache.h"
#include "report.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t __asan_get_alloc_stack(void *addr, void **trace, size_t size,
                              int *thread_id) __attribute__((weak));

int xf_known_leaks_on;

/* XIDFUZZ_KNOWN_LEAKS, NUL-separated. */
static char *sites;
static int nsites;

/* The raw domain is called from several threads (release_race, modules):
 * one lock around the tables, the cache and the counts. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Each return address symbolized once: whether one of its function names
 * (inlined ones included) holds a site's name, as a suppression does. */
#define PC_CACHE 16384
enum { PC_SITE = 1, PC_OTHER };
static xf_pc_entry pc_cache[PC_CACHE];

/* Raw blocks: FRESH, allocated by the current input and not judged yet;
 * SITE, judged to come from a site.  Open addressing, linear probing,
 * deletion by backward shift.  Full: a new block is not noted (if it
 * leaks, libFuzzer scans, as without this).  The addresses are kept
 * disguised (HIDE): LeakSanitizer reads every word of these tables, and
 * a plain pointer would make a leaked block, and all it points to,
 * reachable. */
#define TABLE 131072
#define HIDE(p) ((uintptr_t)(p) ^ (uintptr_t)0xa5a5a5a5a5a5a5a5ULL)
enum { FRESH = 1, SITE };
static uintptr_t keys[TABLE];
static unsigned char states[TABLE];
static long table_n;

/* The current input's FRESH blocks in order (some freed since), and how
 * many of them were judged already. */
#define FRESH_MAX 65536
static uintptr_t fresh[FRESH_MAX];
static long nfresh, njudged;

/* Counts of the current input: blocks of the sites made (judged) and
 * freed. */
static long input_allocs, input_frees;

/* Blocks kept to free when an input's known leaks left more mallocs than
 * frees (filled at start-up, outside any input; refilled when low, which
 * costs that one input libFuzzer's rerun). */
#define RESERVE 65536
static void *reserve[RESERVE];
static long reserve_n;

static int
judge_site(const char *names, size_t size)
{
    int verdict = PC_OTHER;
    for (const char *name = names; name < names + size && *name != '\0';
         name += strlen(name) + 1) {
        const char *s = sites;
        for (int i = 0; i < nsites; i++, s += strlen(s) + 1) {
            if (strstr(name, s) != NULL) {
                verdict = PC_SITE;
            }
        }
    }
    return verdict;
}

/* Whether a site's name is in the block's stored allocation stack. */
static int
from_site(void *ptr)
{
    void *trace[64];
    int tid;
    size_t n = __asan_get_alloc_stack(ptr, trace, 64, &tid);
    for (size_t i = 0; i < n; i++) {
        if (xf_pc_verdict(pc_cache, PC_CACHE, trace[i], judge_site) == PC_SITE) {
            return 1;
        }
    }
    return 0;
}

static size_t
home(uintptr_t key)
{
    return (size_t)((key >> 4) % TABLE);
}

/* The slot holding ptr, or -1. */
static long
find(void *ptr)
{
    uintptr_t key = HIDE(ptr);
    for (size_t h = home(key); keys[h] != 0; h = (h + 1) % TABLE) {
        if (keys[h] == key) {
            return (long)h;
        }
    }
    return -1;
}

static int
insert(void *ptr, int state)
{
    if (table_n >= TABLE / 2) {
        return 0;
    }
    uintptr_t key = HIDE(ptr);
    size_t h = home(key);
    while (keys[h] != 0) {
        h = (h + 1) % TABLE;
    }
    keys[h] = key;
    states[h] = (unsigned char)state;
    table_n++;
    return 1;
}

static void
remove_at(size_t h)
{
    keys[h] = 0;
    states[h] = 0;
    table_n--;
    /* Backward shift: move up each later entry of the run that could no
     * longer be found past the hole. */
    size_t hole = h;
    for (size_t j = (h + 1) % TABLE; keys[j] != 0; j = (j + 1) % TABLE) {
        size_t k = home(keys[j]);
        int reachable = hole <= j ? (k > hole && k <= j) : (k > hole || k <= j);
        if (!reachable) {
            keys[hole] = keys[j];
            states[hole] = states[j];
            keys[j] = 0;
            states[j] = 0;
            hole = j;
        }
    }
}

static void
note_fresh(void *ptr)
{
    if (nfresh < FRESH_MAX && insert(ptr, FRESH)) {
        fresh[nfresh++] = HIDE(ptr);
    }
}

void
xf_known_leaks_alloc(void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    note_fresh(ptr);
    pthread_mutex_unlock(&lock);
}

static void
forget(void *ptr)
{
    long h = find(ptr);
    if (h >= 0) {
        if (states[h] == SITE) {
            input_frees++;
        }
        remove_at((size_t)h);
    }
}

void
xf_known_leaks_free(void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    forget(ptr);
    pthread_mutex_unlock(&lock);
}

/* A moved block is a block freed and a new one allocated here: the stack
 * of the new one is realloc's. */
void
xf_known_leaks_realloc(void *old, void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    if (old != NULL) {
        forget(old);
    }
    note_fresh(ptr);
    pthread_mutex_unlock(&lock);
}

/* Judge the current input's blocks noted since the last call that are
 * still alive: a site's become SITE (and count), the others are dropped. */
static void
judge_fresh(void)
{
    for (; njudged < nfresh; njudged++) {
        void *ptr = (void *)HIDE(fresh[njudged]);
        long h = find(ptr);
        if (h < 0 || states[h] != FRESH) {
            continue;
        }
        if (from_site(ptr)) {
            states[h] = SITE;
            input_allocs++;
        }
        else {
            remove_at((size_t)h);
        }
    }
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
    if (__asan_get_alloc_stack == NULL || __sanitizer_symbolize_pc == NULL) {
        fprintf(stderr, "xidfuzz: %s needs an AddressSanitizer build\n",
                XF_ENV_KNOWN_LEAKS);
        exit(2);
    }
    sites = xf_name_list_from_env(XF_ENV_KNOWN_LEAKS, &nsites);
    const char *s = sites;
    for (int i = 0; i < nsites; i++, s += strlen(s) + 1) {
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
    /* Blocks of an earlier input not judged (a run that stopped on a
     * failure) go unjudged: their FRESH entries are dropped when freed. */
    nfresh = njudged = 0;
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
    judge_fresh();
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
    long left = xf_known_leaks_outstanding();
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
