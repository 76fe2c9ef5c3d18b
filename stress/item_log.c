/* The module scenarios' shared parts; see item_log.h. */
#include "item_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XS_CHUNK 1024

void
xs_log_init(xs_entry_log *log)
{
    pthread_mutex_init(&log->mu, NULL);
}

xs_entry *
xs_log_entry_at(xs_entry_log *log, int64_t seq)
{
    return &log->chunks[seq / XS_CHUNK][seq % XS_CHUNK];
}

xs_entry *
xs_log_new_entry(xs_entry_log *log, int64_t *p_seq)
{
    pthread_mutex_lock(&log->mu);
    int64_t seq = log->n;
    if (seq / XS_CHUNK >= log->nchunks) {
        xs_entry **c = realloc(log->chunks, (size_t)(log->nchunks + 1) * sizeof(*c));
        if (c == NULL || (c[log->nchunks] = calloc(XS_CHUNK, sizeof(xs_entry))) == NULL) {
            xs_fail("out of memory");
        }
        log->chunks = c;
        log->nchunks++;
    }
    xs_entry *e = xs_log_entry_at(log, seq);
    log->n++;
    pthread_mutex_unlock(&log->mu);
    *p_seq = seq;
    return e;
}

xs_life_rec *
xs_log_new_life(xs_entry_log *log, int owner, long index)
{
    xs_life_rec *life = calloc(1, sizeof(*life));
    if (life == NULL) {
        xs_fail("out of memory");
    }
    life->owner = owner;
    life->index = index;
    pthread_mutex_lock(&log->mu);
    life->next = log->lives;
    log->lives = life;
    pthread_mutex_unlock(&log->mu);
    return life;
}

long
xs_tag(int owner, int64_t seq)
{
    return ((long)owner << XS_SEQ_BITS) | (long)seq;
}

xs_entry *
xs_log_find(xs_entry_log *logs, int nlogs, long tag, int *p_owner,
            int64_t *p_seq)
{
    int owner = (int)(tag >> XS_SEQ_BITS);
    int64_t seq = tag & (XS_SEQ_MAX - 1);
    if (tag < 0 || owner >= nlogs) {
        return NULL;
    }
    xs_entry_log *log = &logs[owner];
    pthread_mutex_lock(&log->mu);
    xs_entry *e = seq < log->n ? xs_log_entry_at(log, seq) : NULL;
    pthread_mutex_unlock(&log->mu);
    *p_owner = owner;
    *p_seq = seq;
    return e;
}

void
xs_table_init(xs_id_table *t)
{
    pthread_mutex_init(&t->mu, NULL);
}

void *
xs_table_get(xs_id_table *t, int64_t id)
{
    pthread_mutex_lock(&t->mu);
    void *r = id >= 0 && id < t->size ? t->records[id] : NULL;
    pthread_mutex_unlock(&t->mu);
    return r;
}

void
xs_table_put(xs_id_table *t, int64_t id, void *record, const char *what)
{
    pthread_mutex_lock(&t->mu);
    if (id >= t->size) {
        int64_t size = t->size ? t->size : 64;
        while (size <= id) {
            size *= 2;
        }
        void **r = realloc(t->records, (size_t)size * sizeof(*r));
        if (r == NULL) {
            xs_fail("out of memory");
        }
        memset(r + t->size, 0, (size_t)(size - t->size) * sizeof(*r));
        t->records = r;
        t->size = size;
    }
    if (t->records[id] != NULL) {
        xs_fail("%s returned ID %lld twice", what, (long long)id);
    }
    t->records[id] = record;
    pthread_mutex_unlock(&t->mu);
}

int64_t
xs_table_size(xs_id_table *t)
{
    pthread_mutex_lock(&t->mu);
    int64_t size = t->size;
    pthread_mutex_unlock(&t->mu);
    return size;
}

int64_t *
xs_fifo_for(xs_fifo *f, int64_t box)
{
    if (f->box != box) {
        f->box = box;
        for (int i = 0; i < XS_MAX_THREADS; i++) {
            f->last[i] = -1;
        }
    }
    return f->last;
}

int
xs_is_exactly(PyObject *exc, PyObject *type)
{
    return exc != NULL && type != NULL && (PyObject *)Py_TYPE(exc) == type;
}

void
xs_pause_briefly(void)
{
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
}
