/* What the module scenarios (queues, channels) share: the log of what each
 * owner thread put or sent, the records of the queues or channels by ID,
 * each reader's order check, and the small helpers their oracles use.
 *
 * An owner thread logs each item before it calls put() or send(): the
 * item's number in the log (seq) and the owner's index make the tag that
 * travels with the item, so a reader finds the entry of what it took.
 * Readers look entries up while their owner adds more: the log grows by
 * chunks, under its lock, and entries never move. */
#ifndef XIDFUZZ_STRESS_ITEM_LOG_H
#define XIDFUZZ_STRESS_ITEM_LOG_H

#include "stress.h"

#define XS_SEQ_BITS 24
#define XS_SEQ_MAX ((int64_t)1 << XS_SEQ_BITS)

/* The module's unbound ops (Modules/_interpreters_common.h). */
enum { XS_OP_REMOVE = 1, XS_OP_ERROR = 2, XS_OP_REPLACE = 3, XS_OP_COUNT = 4 };

/* One interpreter an owner thread lived through. */
typedef struct xs_life_rec {
    struct xs_life_rec *next;
    int owner;
    long index;
    int64_t interpid;
    int state;                  /* XS_LIFE_*, atomic */
    /* Raw pointers, no references: the payloads of an interpreter that
     * ended while an item was in flight stay allocated (leaked with it,
     * documented: crossinterp.c _xidata_release); these keep them
     * reachable, so that LeakSanitizer reports only real losses. */
    void *bytes_at, *str_at;
} xs_life_rec;

enum { XS_ENTRY_PENDING = 0, XS_ENTRY_DONE, XS_ENTRY_REFUSED };

typedef struct {
    xs_life_rec *life;
    int64_t box;                /* the queue or channel ID */
    int kind;
    int op;
    int state;                  /* XS_ENTRY_*, atomic */
    int seen;                   /* how it came out (the scenario's), atomic */
    void *obj_at;               /* raw pointer, as for the payloads */
} xs_entry;

typedef struct {
    pthread_mutex_t mu;
    xs_entry **chunks;
    long nchunks;
    int64_t n;                  /* entries made (under mu) */
    xs_life_rec *lives;         /* newest first, read by the final check */
} xs_entry_log;

void xs_log_init(xs_entry_log *log);

/* A new entry of `log` (its owner's thread only); *p_seq gets its number. */
xs_entry *xs_log_new_entry(xs_entry_log *log, int64_t *p_seq);

/* Entry `seq` of `log` (below log->n). */
xs_entry *xs_log_entry_at(xs_entry_log *log, int64_t seq);

/* A new life of `owner` (index `index`), added to log->lives. */
xs_life_rec *xs_log_new_life(xs_entry_log *log, int owner, long index);

/* The tag of an owner's item, and the entry a tag names among `nlogs`
 * logs (NULL: none; *p_owner, *p_seq get its owner and number). */
long xs_tag(int owner, int64_t seq);
xs_entry *xs_log_find(xs_entry_log *logs, int nlogs, long tag, int *p_owner,
                      int64_t *p_seq);

/* Records (a scenario's struct per queue or channel) by ID. */
typedef struct {
    pthread_mutex_t mu;
    void **records;
    int64_t size;
} xs_id_table;

void xs_table_init(xs_id_table *t);
void *xs_table_get(xs_id_table *t, int64_t id);
/* Fails the run if `id` has a record already (`what` names the call
 * that returned it). */
void xs_table_put(xs_id_table *t, int64_t id, void *record, const char *what);
int64_t xs_table_size(xs_id_table *t);

/* What one reader has taken from one queue or channel: the last sequence
 * number of each owner's items (-1: none yet).  An owner puts its items
 * one after the other, so a queue holds them in that order, and a reader
 * that takes one must never take an earlier one of the same owner from
 * it afterwards (it was there, ahead of the one taken).  Readers are
 * compared only with themselves: two readers' takes are not ordered by
 * when they record them. */
typedef struct {
    int64_t box;
    int64_t last[XS_MAX_THREADS];
} xs_fifo;

/* `f`'s record for reading `box`: reset when the reader's box changed. */
int64_t *xs_fifo_for(xs_fifo *f, int64_t box);

/* `exc` is an instance of exactly `type`. */
int xs_is_exactly(PyObject *exc, PyObject *type);

/* 0.2 ms, to let owners catch up after an empty get or recv. */
void xs_pause_briefly(void);

#endif
