/* Seed writer for fuzz/modules: each seed is a program written with the
 * encoding the target reads (modules.h, objgen_encode.h).
 * Usage: modules_seeds OUTDIR */
#include "fault.h"
#include "objgen_encode.h"
#include "modules.h"

#include <string.h>

static xf_out out;

static void
emit(const char *name)
{
    xf_seed_emit(&out, name);
}

static void
u8(int v)
{
    xf_put_u8(&out, (uint8_t)v);
}

static void
op(enum xf_mod_op code, int actor)
{
    u8(code);
    u8(actor);
}

/* ("str", b"bytes", 7, ("nested", 2.5)) */
static void
mixed_tuple(void)
{
    xf_enc_mixed_tuple(&out);
    xf_enc_float(&out, 2.5);
}

static void
q_create(int actor, int maxsel, int fmt, int ubsel)
{
    op(XF_MOD_Q_CREATE, actor);
    u8(maxsel);
    u8(fmt);
    u8(ubsel);
}

/* An object must follow. */
static void
q_put(int actor, int q, int ubsel, int fmt)
{
    op(XF_MOD_Q_PUT, actor);
    u8(q);
    u8(ubsel | (fmt << 4));
}

static void
buffer(int kind, const char *data)
{
    u8(kind);
    xf_put_span(&out, XF_MOD_MAX_BUFLEN, data, strlen(data));
}

static void
q_put_buf(int actor, int q, int ubsel, int kind, const char *data)
{
    op(XF_MOD_Q_PUT_BUF, actor);
    u8(q);
    u8(ubsel);
    buffer(kind, data);
}

static void
q_get(int actor, int q, int flags)
{
    op(XF_MOD_Q_GET, actor);
    u8(q);
    u8(flags);
}

static void
q_simple(enum xf_mod_op code, int actor, int q)
{
    op(code, actor);
    u8(q);
}

static void
q_query(int actor, int q, int which)
{
    op(XF_MOD_Q_QUERY, actor);
    u8(q);
    u8(which);
}

static void
c_create(int actor, int ubsel)
{
    op(XF_MOD_C_CREATE, actor);
    u8(ubsel);
}

/* An object must follow. */
static void
c_send(int actor, int c, int ubsel, int mode)
{
    op(XF_MOD_C_SEND, actor);
    u8(c);
    u8(ubsel | (mode << 3));
}

static void
c_send_buf(int actor, int c, int ubsel, int kind, const char *data)
{
    op(XF_MOD_C_SEND_BUF, actor);
    u8(c);
    u8(ubsel);
    buffer(kind, data);
}

static void
c_flags(enum xf_mod_op code, int actor, int c, int flags)
{
    op(code, actor);
    u8(c);
    u8(flags);
}

static void
c_destroy(int actor, int c)
{
    op(XF_MOD_C_DESTROY, actor);
    u8(c);
}

/* n shared (name, object) pairs must follow. */
static void
i_exec(int actor, int target, int how, int what, int n)
{
    op(XF_MOD_I_EXEC, actor);
    u8(target);
    u8(how);
    u8(what);
    u8(n);
}

static void
i_query(int actor, int target, int which)
{
    op(XF_MOD_I_QUERY, actor);
    u8(target);
    u8(which);
}

/* A config (modules.h): form, name, mask, values[, missing]. */
static void
config(int form, int name, int mask, const int *vals, int missing)
{
    u8(form);
    u8(name);
    u8(mask);
    for (int f = 0, k = 0; f < XF_MOD_NFIELDS; f++) {
        if (mask & (1 << f)) {
            u8(vals[k++]);
        }
    }
    if (form == 3) {
        u8(missing);
    }
}

static void
l_create(int actor, int reqrefs)
{
    u8(XF_MOD_LIFECYCLE);
    u8(XF_MOD_L_CREATE);
    u8(actor);
    config(0, 0, 0, NULL, 0);
    u8(reqrefs);
}

/* A create() of a config: form, name sel, one override (field, value). */
static void
l_create_cfg(int actor, int flags, int form, int name, int field, int val)
{
    u8(XF_MOD_LIFECYCLE);
    u8(XF_MOD_L_CREATE);
    u8(actor);
    if (field < 0) {
        config(form, name, 0, NULL, 0);
    }
    else {
        config(form, name, 1 << field, (const int[]){val}, 0);
    }
    u8(flags);
}

static void
l_destroy(int actor, int dyn)
{
    u8(XF_MOD_LIFECYCLE);
    u8(XF_MOD_L_DESTROY);
    u8(actor);
    u8(dyn);
}

#define DYN0 XF_MOD_NSLOTS
#define DYN1 (XF_MOD_NSLOTS + 1)

static void
write_queues(void)
{
    /* Every shareable type through a queue, across interpreters. */
    q_create(1, 0, 3, XF_MOD_UB_REPLACE);
    q_put(1, 0, XF_MOD_UB_REMOVE, 2);
    mixed_tuple();
    q_put(2, 0, XF_MOD_UB_ERROR, 5);
    xf_enc_bigint(&out, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9);
    q_put(0, 0, XF_MOD_UB_REPLACE, 0);
    xf_enc_float_sel(&out, XF_FLOAT_NEG_ZERO);
    q_query(3, 0, XF_MOD_QQ_COUNT);
    q_get(3, 0, 0);
    q_get(0, 0, 0);
    q_get(2, 0, 0);
    q_get(1, 0, 0);       /* QueueEmpty */
    q_query(2, 0, XF_MOD_QQ_DEFAULTS);
    q_query(1, 0, XF_MOD_QQ_LIST);
    emit("queue-put-get-across");

    /* maxsize 2: QueueFull, is_full, maxsize. */
    q_create(0, 2, 0x80, XF_MOD_UB_REMOVE);
    q_put(1, 0, 0, 0);
    xf_enc_ascii(&out, "a");
    q_put(2, 0, 0, 0);
    xf_enc_bytes(&out, "b", 1);
    q_query(3, 0, XF_MOD_QQ_FULL);
    q_put(3, 0, 0, 0);
    xf_enc_none(&out);      /* QueueFull */
    q_query(0, 0, XF_MOD_QQ_MAXSIZE);
    q_get(1, 0, 0);
    q_query(3, 0, XF_MOD_QQ_FULL);
    q_get(2, 0, 0);
    emit("queue-full");

    /* Unshareable values and bad arguments are refused. */
    q_create(2, 1, 0, XF_MOD_UB_ERROR);
    q_put(2, 0, 0, 0);
    xf_enc_unshareable(&out, XF_UNSH_LIST);
    q_put(1, 0, 0, 0);
    xf_enc_tuple(&out, 2);
    xf_enc_int(&out, 1);
    xf_enc_unshareable(&out, XF_UNSH_DICT);
    q_put(0, 0, XF_MOD_UB_ZERO, 0);
    xf_enc_none(&out);
    q_put(0, 1, 0, 0);      /* never existed */
    xf_enc_none(&out);
    q_create(0, 0, 0, XF_MOD_UB_NEG);
    q_get(3, 0, 0);         /* empty */
    emit("queue-refused");

    /* bind / release: release to 0 destroys; "never bound". */
    q_create(1, 0, 0, XF_MOD_UB_REPLACE);
    q_simple(XF_MOD_Q_RELEASE, 2, 0);   /* never bound */
    q_simple(XF_MOD_Q_BIND, 2, 0);
    q_simple(XF_MOD_Q_BIND, 3, 0);
    q_simple(XF_MOD_Q_RELEASE, 1, 0);
    q_simple(XF_MOD_Q_RELEASE, 0, 0);   /* destroyed */
    q_get(1, 0, 0);                     /* not found */
    q_simple(XF_MOD_Q_DESTROY, 1, 0);   /* not found */
    emit("queue-bind-release");

    /* Buffers: a view of the very memory, held, then let go. */
    q_create(1, 0, 0, XF_MOD_UB_REPLACE);
    q_put_buf(1, 0, XF_MOD_UB_REPLACE, 1, "shared bytearray");
    q_put_buf(2, 0, XF_MOD_UB_REPLACE, 0, "shared bytes");
    op(XF_MOD_BUF_TOUCH, 0);            /* write into buffer 0 */
    u8(3);
    u8('Z');
    q_get(3, 0, XF_MOD_KEEP);
    q_get(0, 0, XF_MOD_KEEP);
    op(XF_MOD_BUF_TOUCH, 0);            /* resize while exported */
    u8(1);
    u8(0);
    op(XF_MOD_BUF_TOUCH, 0);            /* drop the harness's memoryview */
    u8(2);
    u8(0);
    u8(XF_MOD_DROP_HELD);
    u8(0);
    op(XF_MOD_BUF_TOUCH, 0);            /* resize: nothing exports it */
    u8(1);
    u8(0);
    emit("queue-buffers");
}

static void
write_channels(void)
{
    c_create(1, XF_MOD_UB_REPLACE);
    c_send(1, 0, XF_MOD_UB_REMOVE, XF_MOD_SEND_NOWAIT);
    mixed_tuple();
    c_send(2, 0, XF_MOD_UB_ERROR, XF_MOD_SEND_DEFAULT_UB);
    xf_enc_ascii(&out, "two");
    c_flags(XF_MOD_C_QUERY, 3, 0, XF_MOD_CQ_INFO);
    c_flags(XF_MOD_C_QUERY, 0, 0, XF_MOD_CQ_SENDERS);
    c_flags(XF_MOD_C_RECV, 3, 0, 0);
    c_flags(XF_MOD_C_RECV, 0, 0, 0);
    c_flags(XF_MOD_C_RECV, 0, 0, XF_MOD_DEFAULT);
    c_flags(XF_MOD_C_RECV, 3, 0, 0);            /* empty */
    c_flags(XF_MOD_C_QUERY, 2, 0, XF_MOD_CQ_RECEIVERS);
    c_flags(XF_MOD_C_QUERY, 2, 0, XF_MOD_CQ_DEFAULTS);
    c_flags(XF_MOD_C_QUERY, 1, 0, XF_MOD_CQ_LIST);
    emit("channel-send-recv");

    /* Closing: not empty, send-only (drains), force; closed. */
    c_create(0, XF_MOD_UB_ERROR);
    c_send(1, 0, 0, XF_MOD_SEND_NOWAIT);
    xf_enc_int(&out, 42);
    c_send(1, 0, 0, XF_MOD_SEND_NOWAIT);
    xf_enc_int(&out, 43);
    c_flags(XF_MOD_C_CLOSE, 2, 0, 0);                   /* not empty */
    c_flags(XF_MOD_C_CLOSE, 2, 0, XF_MOD_END_SEND);     /* closing */
    c_send(1, 0, 0, XF_MOD_SEND_NOWAIT);                /* closed */
    xf_enc_none(&out);
    c_flags(XF_MOD_C_QUERY, 3, 0, XF_MOD_CQ_INFO);
    c_flags(XF_MOD_C_RECV, 3, 0, 0);
    c_flags(XF_MOD_C_RECV, 3, 0, 0);                    /* the last one */
    c_flags(XF_MOD_C_RECV, 3, 0, 0);                    /* closed */
    c_flags(XF_MOD_C_QUERY, 0, 0, XF_MOD_CQ_INFO);
    c_destroy(0, 0);
    c_destroy(0, 0);                                    /* not found */
    emit("channel-close");

    /* Release of ends: the channel closes when no end is open. */
    c_create(2, XF_MOD_UB_REMOVE);
    c_send(1, 0, 0, XF_MOD_SEND_NOWAIT);
    xf_enc_bytes(&out, "x", 1);
    c_flags(XF_MOD_C_RECV, 2, 0, 0);
    c_flags(XF_MOD_C_RELEASE, 1, 0, XF_MOD_END_SEND);
    c_send(1, 0, 0, XF_MOD_SEND_NOWAIT);                /* already closed */
    xf_enc_none(&out);
    c_flags(XF_MOD_C_QUERY, 2, 0, XF_MOD_CQ_INFO);
    c_flags(XF_MOD_C_RELEASE, 2, 0, 0);                 /* both: closed */
    c_flags(XF_MOD_C_RECV, 3, 0, 0);                    /* closed */
    c_flags(XF_MOD_C_QUERY, 0, 0, XF_MOD_CQ_INFO);
    emit("channel-release-ends");

    /* Blocking send that times out, send_buffer, ChannelIDs. */
    c_create(3, XF_MOD_UB_REPLACE);
    c_send(1, 0, 0, XF_MOD_SEND_TIMEOUT);
    xf_enc_ascii(&out, "nobody receives");
    c_send_buf(2, 0, XF_MOD_UB_REPLACE, 1, "channel bytearray");
    c_flags(XF_MOD_C_RECV, 1, 0, XF_MOD_KEEP);
    c_flags(XF_MOD_C_ID, 1, 0, 1 << 1);                 /* a send-end ID */
    c_flags(XF_MOD_C_ID, 2, 0, 3 << 1);                 /* ValueError */
    c_flags(XF_MOD_C_ID, 2, 1, 1 << 3);                 /* forced, unknown */
    c_flags(XF_MOD_C_ID, 0, 0, 1);                      /* drop the first */
    c_flags(XF_MOD_C_QUERY, 0, 0, XF_MOD_CQ_COUNT);
    c_flags(XF_MOD_C_ID, 0, 0, 1);                      /* the last: gone */
    c_flags(XF_MOD_C_QUERY, 0, 0, XF_MOD_CQ_COUNT);     /* not found */
    emit("channel-timeout-buffer-ids");
}

static void
write_interpreters(void)
{
    /* exec & co. into other interpreters, with shared values. */
    i_exec(1, 2, XF_MOD_EXEC_STR, XF_MOD_SCRIPT_PASS, 2);
    u8(0);
    mixed_tuple();
    u8(1);
    xf_enc_str(&out, XF_STR_SURROGATES, (const uint32_t[]){1, 2}, 2);
    i_exec(2, 0, XF_MOD_RUN_STRING, XF_MOD_SCRIPT_RAISE, 0);
    i_exec(0, 3, XF_MOD_EXEC_FUNC, XF_MOD_SCRIPT_DEL, 1);
    u8(2);
    xf_enc_int(&out, -5);
    i_exec(3, 1, XF_MOD_RUN_FUNC, XF_MOD_SCRIPT_RAISE, 0);
    i_exec(3, 1, XF_MOD_CALL, XF_MOD_SCRIPT_PASS, 0);
    i_exec(1, 1, XF_MOD_EXEC_CODE, XF_MOD_SCRIPT_PASS, 0);
    i_exec(2, 3, XF_MOD_EXEC_STR, XF_MOD_SCRIPT_SYNTAX, 0);
    i_exec(2, 3, XF_MOD_RUN_STRING, XF_MOD_SCRIPT_BAD, 0);
    i_exec(2, 3, XF_MOD_EXEC_FUNC, XF_MOD_SCRIPT_BAD, 0);
    i_exec(2, 3, XF_MOD_CALL, XF_MOD_SCRIPT_SYNTAX, 0);
    i_exec(0, XF_MOD_NACTORS, XF_MOD_EXEC_STR, XF_MOD_SCRIPT_PASS, 0);
    i_exec(2, 1, XF_MOD_EXEC_STR, XF_MOD_SCRIPT_PASS, 1);
    u8(3);
    xf_enc_unshareable(&out, XF_UNSH_LIST);
    emit("interp-exec");

    op(XF_MOD_I_SET_MAIN, 1);
    u8(0);
    u8(3);
    u8(0);
    xf_enc_ascii(&out, "to main");
    u8(1);
    xf_enc_bytes(&out, "\x00\xff", 2);
    u8(2);
    xf_enc_int(&out, INT64_MIN);
    op(XF_MOD_I_SET_MAIN, 0);
    u8(2);
    u8(0);                  /* empty: ValueError */
    op(XF_MOD_I_SET_MAIN, 2);
    u8(3);
    u8(0x80);               /* None */
    op(XF_MOD_I_SET_MAIN, 3);
    u8(1);
    u8(1);
    u8(0);
    xf_enc_unshareable(&out, XF_UNSH_INT_SUB);
    op(XF_MOD_I_SHAREABLE, 1);
    u8(0);
    mixed_tuple();
    op(XF_MOD_I_SHAREABLE, 2);
    u8(1);
    op(XF_MOD_I_SHAREABLE, 3);
    u8(2);
    op(XF_MOD_I_CAPTURE, 0);
    u8(3);
    xf_put_span(&out, 40, "oops", 4);
    op(XF_MOD_I_CAPTURE, 2);
    u8(0);
    xf_put_span(&out, 40, "", 0);
    op(XF_MOD_I_CAPTURE, 1);
    u8(2);
    xf_put_span(&out, 40, "", 0);
    emit("interp-main-attrs-shareable-capture");

    for (int w = 0; w < XF_MOD_IQ_NWHICH; w++) {
        i_query(w % XF_MOD_NSLOTS, (w + 1) % XF_MOD_NSLOTS, w);
    }
    i_query(2, XF_MOD_NACTORS, XF_MOD_IQ_WHENCE);
    op(XF_MOD_I_IDREF, 1);
    u8(2);
    u8(0);                  /* incref */
    op(XF_MOD_I_IDREF, 3);
    u8(2);
    u8(1);                  /* decref */
    op(XF_MOD_I_IDREF, 3);
    u8(0);
    u8(0);                  /* incref main: undone at the end */
    for (int sel = 0; sel < XF_MOD_DB_NSEL; sel++) {
        op(XF_MOD_I_DESTROY_BAD, sel % XF_MOD_NSLOTS);
        u8(sel);
    }
    emit("interp-query-idref-destroy");

    /* Configs: new_config() and refused create(). */
    op(XF_MOD_I_NEW_CONFIG, 0);
    config(1, XF_MOD_NAME_LEGACY, 0x41, (const int[]){XF_MOD_VAL_FALSE, XF_MOD_VAL_OWN}, 0);
    op(XF_MOD_I_NEW_CONFIG, 1);
    config(2, XF_MOD_NAME_EMPTY, 0x08, (const int[]){XF_MOD_VAL_ONE}, 0);
    op(XF_MOD_I_NEW_CONFIG, 2);
    config(1, XF_MOD_NAME_JUNK, 0, NULL, 0);
    op(XF_MOD_I_NEW_CONFIG, 3);
    config(1, XF_MOD_NAME_ISOLATED, 0xc0, (const int[]){XF_MOD_VAL_JUNK}, 0);
    op(XF_MOD_I_NEW_CONFIG, 0);
    config(1, XF_MOD_NAME_SURROGATE, 0, NULL, 0);
    op(XF_MOD_I_NEW_CONFIG, 1);
    config(0, 0, 0x40, (const int[]){XF_MOD_VAL_GDEFAULT}, 0);
    op(XF_MOD_I_CREATE_BAD, 1);
    config(1, XF_MOD_NAME_EMPTY, 0, NULL, 0);
    op(XF_MOD_I_CREATE_BAD, 2);
    config(3, XF_MOD_NAME_ISOLATED, 0x20, (const int[]){XF_MOD_VAL_FALSE}, 0x01);
    op(XF_MOD_I_CREATE_BAD, 3);
    config(3, XF_MOD_NAME_ISOLATED, 0x21,
           (const int[]){XF_MOD_VAL_FALSE, XF_MOD_VAL_FALSE}, 0x04);
    op(XF_MOD_I_CREATE_BAD, 0);
    config(2, XF_MOD_NAME_LEGACY, 0x80, NULL, 0);
    op(XF_MOD_I_CREATE_BAD, 0);
    config(1, XF_MOD_NAME_NOT_STR, 0, NULL, 0);
    emit("interp-configs");
}

/* Interpreters the program creates: in-flight items and buffers outlive
 * them as their unbound op says. */
static void
write_lifecycle(void)
{
    /* A created interpreter's queue, items and channel end outlive it.
     * (Items still in flight when it ends: the regressions, until
     * XF-NEW-queue-item-data-leak is fixed in the patched core.) */
    l_create(1, 0);
    q_create(DYN0, 0, 0, XF_MOD_UB_REPLACE);
    c_create(0, XF_MOD_UB_REMOVE);
    q_put(DYN0, 0, XF_MOD_UB_ERROR, 1);
    xf_enc_ascii(&out, "error");
    q_put_buf(DYN0, 0, XF_MOD_UB_REMOVE, 0, "created-interpreter bytes");
    c_send(DYN0, 0, XF_MOD_UB_REPLACE, XF_MOD_SEND_NOWAIT);
    mixed_tuple();
    c_flags(XF_MOD_C_RECV, 2, 0, 0);
    c_flags(XF_MOD_C_QUERY, 1, 0, XF_MOD_CQ_SENDERS);
    q_put(1, 0, XF_MOD_UB_REMOVE, 3);
    xf_enc_ascii(&out, "survivor");
    i_query(0, DYN0, XF_MOD_IQ_CONFIG);
    i_query(DYN0, DYN0, XF_MOD_IQ_CURRENT);
    i_query(3, 0, XF_MOD_IQ_LIST);
    i_exec(2, DYN0, XF_MOD_EXEC_STR, XF_MOD_SCRIPT_PASS, 1);
    u8(0);
    xf_enc_int(&out, 9);
    i_exec(DYN0, 1, XF_MOD_RUN_FUNC, XF_MOD_SCRIPT_RAISE, 0);
    q_get(3, 0, 0);
    q_get(3, 0, XF_MOD_KEEP);   /* a view of its bytes, dropped before it ends */
    u8(XF_MOD_DROP_HELD);
    u8(0);
    l_destroy(2, 0);
    q_get(3, 0, 0);             /* survivor */
    q_get(3, 0, 0);             /* empty: the queue outlives its creator */
    c_send(1, 0, XF_MOD_UB_REPLACE, XF_MOD_SEND_NOWAIT);
    xf_enc_none(&out);
    c_flags(XF_MOD_C_QUERY, 2, 0, XF_MOD_CQ_INFO);
    c_flags(XF_MOD_C_RECV, 2, 0, 0);
    i_query(1, DYN0, XF_MOD_IQ_WHENCE);     /* not found */
    i_exec(1, DYN0, XF_MOD_EXEC_STR, XF_MOD_SCRIPT_PASS, 0);   /* not found */
    emit("lifecycle-outlive-creator");

    l_create(0, 1);             /* reqrefs */
    c_create(0, XF_MOD_UB_REPLACE);
    c_send(DYN0, 0, XF_MOD_UB_ERROR, XF_MOD_SEND_NOWAIT);
    xf_enc_bytes(&out, "from a created interpreter", 26);
    c_flags(XF_MOD_C_RECV, 3, 0, 0);
    op(XF_MOD_I_IDREF, 1);
    u8(DYN0);
    u8(0);
    op(XF_MOD_I_IDREF, 2);
    u8(DYN0);
    u8(1);                      /* decref to 0: destroyed */
    c_send(1, 0, XF_MOD_UB_REPLACE, XF_MOD_SEND_NOWAIT);
    xf_enc_int(&out, 1);
    c_flags(XF_MOD_C_QUERY, 3, 0, XF_MOD_CQ_INFO);
    c_flags(XF_MOD_C_RECV, 3, 0, 0);
    emit("lifecycle-decref-destroys");

    l_create_cfg(2, 0, 1, XF_MOD_NAME_LEGACY, -1, 0);      /* shared GIL */
    l_create(DYN0, 2);          /* from inside a created one; high-level
                                   modules imported: classes registered */
    q_create(DYN1, 0, 0, XF_MOD_UB_REPLACE);
    q_put_buf(DYN0, 0, XF_MOD_UB_REPLACE, 1, "exported by a created interpreter");
    q_get(1, 0, 0);
    i_query(1, DYN0, XF_MOD_IQ_CONFIG);
    op(XF_MOD_I_SHAREABLE, DYN1);
    u8(1);
    l_destroy(DYN1, 0);         /* destroyed from inside another */
    l_destroy(DYN1, 1);         /* itself: InterpreterError */
    emit("lifecycle-nested");

    /* A created interpreter without the high-level modules: its first
     * QueueEmpty makes _interpqueues import them there
     * (ensure_external_exc_types()), which registers QueueFull too. */
    l_create(1, 0);
    q_create(DYN0, 2, 0x80, XF_MOD_UB_REMOVE);
    q_get(DYN0, 0, 0);          /* empty: QueueEmpty */
    q_put(DYN0, 0, 0, 0);
    xf_enc_ascii(&out, "a");
    q_put(DYN0, 0, 0, 0);
    xf_enc_ascii(&out, "b");
    q_put(DYN0, 0, 0, 0);
    xf_enc_none(&out);          /* QueueFull */
    q_get(2, 0, 0);
    l_destroy(0, 0);
    q_get(2, 0, 0);             /* "b" outlives its putter */
    emit("lifecycle-first-queue-empty");

    /* Own GIL on the main allocator; a config refused by the runtime. */
    l_create_cfg(3, 0, 2, XF_MOD_NAME_LEGACY, 6, XF_MOD_VAL_OWN);
    l_create_cfg(0, 0, 1, XF_MOD_NAME_EMPTY, -1, 0);       /* refused */
    i_query(DYN0, DYN0, XF_MOD_IQ_CONFIG);
    q_create(DYN0, 1, 0, XF_MOD_UB_ERROR);
    q_put(DYN0, 0, XF_MOD_UB_ERROR, 0);
    xf_enc_ascii(&out, "own gil");
    q_get(2, 0, 0);
    emit("lifecycle-configs");
}

/* Allocation failures injected into the module calls that arm them
 * (create, put, get, channels.create, send, recv). */
static void
write_faults(void)
{
    xf_fault_put_op(&out, XF_FAULT_EVERY, 2, 8);
    q_create(1, 0, 0, XF_MOD_UB_REPLACE);
    q_create(2, 2, 0, XF_MOD_UB_ERROR);
    q_put(1, 0, XF_MOD_UB_REPLACE, 1);
    mixed_tuple();
    q_put(2, 0, XF_MOD_UB_REMOVE, 2);
    xf_enc_ascii(&out, "second");
    q_get(3, 0, 0);
    q_get(0, 0, 0);
    q_get(0, 0, 0);
    emit("fault-every2-queue");

    c_create(0, XF_MOD_UB_REPLACE);
    xf_fault_put_op(&out, XF_FAULT_MASK, 0x2a5, 6);
    c_send(1, 0, XF_MOD_UB_REPLACE, XF_MOD_SEND_NOWAIT);
    mixed_tuple();
    c_send(2, 0, XF_MOD_UB_REMOVE, XF_MOD_SEND_NOWAIT);
    xf_enc_bytes(&out, "bytes", 5);
    c_flags(XF_MOD_C_RECV, 3, 0, 0);
    c_flags(XF_MOD_C_RECV, 1, 0, 0);
    c_flags(XF_MOD_C_RECV, 2, 0, XF_MOD_DEFAULT);
    emit("fault-mask-channel");
}

int
main(int argc, char **argv)
{
    if (xf_seeds_open(argc, argv) != 0) {
        return 2;
    }
    write_queues();
    write_channels();
    write_interpreters();
    write_lifecycle();
    write_faults();
    return xf_seeds_status();
}
