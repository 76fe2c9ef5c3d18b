/* Seed writer for fuzz/namespace (encoding in namespace.h): one seed per
 * path of every operation.  Usage: namespace_seeds OUTDIR */
#include "fault.h"
#include "namegen.h"
#include "namespace.h"
#include "objgen_encode.h"

#include <stdio.h>

static xf_out out;

static void
emit(const char *name)
{
    xf_seed_emit(&out, name);
}

/* NAMES in `slot`: n plain names a, b, c, ... */
static void
names_plain(int slot, int kind, int n)
{
    xf_put_u8(&out, XF_NS_OP_NAMES);
    xf_put_u8(&out, (uint8_t)slot);
    xf_put_u8(&out, (uint8_t)kind);
    xf_put_u8(&out, (uint8_t)n);
    for (int i = 0; i < n; i++) {
        xf_enc_name(&out, XF_NAME_PLAIN, i);
    }
}

static void
names_one(int kind, enum xf_name_sel sel)
{
    xf_put_u8(&out, XF_NS_OP_NAMES);
    xf_put_u8(&out, 1);
    xf_put_u8(&out, (uint8_t)kind);
    xf_put_u8(&out, 2);
    xf_enc_name(&out, XF_NAME_PLAIN, 0);
    xf_enc_name(&out, sel, 1);
}

/* FILL entry 0 in `slot`: every item PLAIN with an int value. */
static void
fill_all(int slot, int n)
{
    xf_put_u8(&out, XF_NS_OP_FILL);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, (uint8_t)slot);
    for (int i = 0; i < n; i++) {
        xf_put_u8(&out, XF_NS_FILL_PLAIN);
        xf_enc_int(&out, 1000 + i);
    }
}

/* FILL entry 0 into `slot` inside a session entered from `from`; the
 * items follow. */
static void
fill_in_session(int slot, int from)
{
    xf_put_u8(&out, XF_NS_OP_FILL);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, (uint8_t)(slot | XF_NS_FILL_IN_SESSION | (from << XF_NS_FILL_FROM_SHIFT)));
}

static void
apply(int slot, int dflt)
{
    xf_put_u8(&out, XF_NS_OP_APPLY);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, (uint8_t)slot);
    xf_put_u8(&out, (uint8_t)dflt);
}

static void
free_ns(int slot)
{
    xf_put_u8(&out, XF_NS_OP_FREE);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, (uint8_t)slot);
}

static void
session(int from, int into, int kind, int code, int nested)
{
    xf_put_u8(&out, XF_NS_OP_SESSION);
    xf_put_u8(&out, (uint8_t)from);
    xf_put_u8(&out, (uint8_t)into);
    xf_put_u8(&out, (uint8_t)kind);
    if (kind == XF_NS_UPDATES_DICT) {
        xf_put_u8(&out, 1);                 /* two updates */
        xf_enc_name(&out, XF_NAME_PLAIN, 0);
        xf_enc_ascii(&out, "shared");
        xf_enc_name(&out, XF_NAME_PLAIN, 1);
        xf_enc_tuple(&out, 2);
        xf_enc_int(&out, 7);
        xf_enc_bytes(&out, "b", 1);
    }
    xf_put_u8(&out, (uint8_t)xf_ns_encode_code(code));
    xf_put_u8(&out, (uint8_t)nested);
}

/* SESSION from slot 0 into slot 1 with one update, a dict, which cannot
 * be shared; the code would just pass. */
static void
session_unshareable_update(void)
{
    xf_put_u8(&out, XF_NS_OP_SESSION);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, 1);
    xf_put_u8(&out, XF_NS_UPDATES_DICT);
    xf_put_u8(&out, 0);                     /* one update */
    xf_enc_name(&out, XF_NAME_PLAIN, 2);
    xf_enc_unshareable(&out, XF_UNSH_DICT);
    xf_put_u8(&out, (uint8_t)xf_ns_encode_code(XF_NS_CODE_PASS));
    xf_put_u8(&out, 0);
}

/* Allocation failures injected into each operation. */
static void
write_faults(void)
{
    xf_fault_put_op(&out, XF_FAULT_EVERY, 1, 1);
    names_plain(1, XF_NS_NAMES_LIST, 3);
    names_plain(1, XF_NS_NAMES_DICT, 3);
    emit("fault-names-every-allocation");
    /* A name of more than one character: the fill's lookup makes a str
     * for it (allocation 1; XF-015). */
    xf_put_u8(&out, XF_NS_OP_NAMES);
    xf_put_u8(&out, 1);
    xf_put_u8(&out, XF_NS_NAMES_LIST);
    xf_put_u8(&out, 1);
    xf_enc_name(&out, XF_NAME_LONG, 0);
    xf_fault_put_op(&out, XF_FAULT_NTH, 1, 1);
    fill_all(1, 1);
    apply(2, XF_NS_DEFAULT_NULL);
    emit("fault-fill-lookup");
    /* The str value's buffer (allocation 2 after the item's data). */
    names_plain(2, XF_NS_NAMES_TUPLE, 1);
    xf_fault_put_op(&out, XF_FAULT_NTH, 2, 1);
    xf_put_u8(&out, XF_NS_OP_FILL);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, 2);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_ascii(&out, "shared");
    apply(0, XF_NS_DEFAULT_NONE);
    emit("fault-fill-str-value");
    names_plain(1, XF_NS_NAMES_LIST, 3);
    fill_all(1, 3);
    xf_fault_put_op(&out, XF_FAULT_MASK, 0x2, 1);
    apply(3, XF_NS_DEFAULT_NULL);
    free_ns(1);
    emit("fault-apply-second-allocation");
    /* The session's thread state (allocation 1; XF-013). */
    xf_fault_put_op(&out, XF_FAULT_NTH, 1, 1);
    session(0, 1, XF_NS_UPDATES_NULL, XF_NS_CODE_PASS, 0);
    emit("fault-session-thread-state");
    /* An unshareable update: NotShareableError's message holds its repr,
     * which makes the main thread state's "Py_Repr" list (allocation 5
     * here; XF-016). */
    xf_fault_put_op(&out, XF_FAULT_NTH, 5, 1);
    session_unshareable_update();
    emit("fault-session-unshareable-repr");
    xf_fault_put_op(&out, XF_FAULT_EVERY, 5, 2);
    session(1, 2, XF_NS_UPDATES_DICT, XF_NS_CODE_VALUE_ERROR, 0);
    session(2, 2, XF_NS_UPDATES_DICT, XF_NS_CODE_CUSTOM, 0);
    emit("fault-every5-sessions-raise");
}

int
main(int argc, char **argv)
{
    if (xf_seeds_open(argc, argv) != 0) {
        return 2;
    }
    char fname[64];

    /* The whole life of a namespace, across interpreters. */
    names_plain(1, XF_NS_NAMES_LIST, 3);
    fill_all(1, 3);
    apply(2, XF_NS_DEFAULT_NULL);
    free_ns(3);
    emit("lifecycle-list-fill-apply-free-elsewhere");

    names_plain(0, XF_NS_NAMES_TUPLE, 2);
    fill_all(0, 2);
    apply(0, XF_NS_DEFAULT_NONE);
    free_ns(0);
    emit("lifecycle-tuple-same-interp");

    names_plain(2, XF_NS_NAMES_DICT, 4);
    apply(1, XF_NS_DEFAULT_INT);
    emit("names-dict-apply-default");

    /* Unfilled items, no default. */
    names_plain(2, XF_NS_NAMES_LIST, 2);
    apply(1, XF_NS_DEFAULT_NULL);
    emit("apply-without-value-or-default");

    /* Fill: absent names, a value the lookup misses, a bad __eq__,
     * an unshareable value. */
    names_plain(1, XF_NS_NAMES_LIST, 4);
    xf_put_u8(&out, XF_NS_OP_FILL);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, 1);
    xf_put_u8(&out, XF_NS_FILL_ABSENT);
    xf_put_u8(&out, XF_NS_FILL_COLLIDE);
    xf_enc_int(&out, 1);
    xf_put_u8(&out, XF_NS_FILL_BAD_EQ);
    xf_enc_int(&out, 2);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_int(&out, 3);
    apply(3, XF_NS_DEFAULT_NONE);
    emit("fill-absent-collide-bad-eq");

    names_plain(1, XF_NS_NAMES_LIST, 2);
    xf_put_u8(&out, XF_NS_OP_FILL);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, 2);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_ascii(&out, "ok");
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_unshareable(&out, XF_UNSH_LIST);
    emit("fill-unshareable-value");

    /* Every kind of name, in each container. */
    for (int kind = 0; kind < XF_NS_NAMES_NKINDS; kind++) {
        for (int sel = 0; sel < XF_NAME_NSEL; sel++) {
            names_one(kind, (enum xf_name_sel)sel);
            snprintf(fname, sizeof(fname), "names-kind%d-name%02d", kind, sel);
            emit(fname);
        }
        names_plain(0, kind, 0);
        snprintf(fname, sizeof(fname), "names-kind%d-empty", kind);
        emit(fname);
    }

    /* Sessions. */
    session(0, 1, XF_NS_UPDATES_DICT, XF_NS_CODE_PASS, 0);
    emit("session-main-to-sub-updates");
    session(1, 2, XF_NS_UPDATES_NULL, XF_NS_CODE_VALUE_ERROR, 0);
    emit("session-raises-value-error");
    session(2, 2, XF_NS_UPDATES_EMPTY, XF_NS_CODE_CUSTOM, 0);
    emit("session-same-interp-custom-error");
    session(3, 0, XF_NS_UPDATES_DICT, XF_NS_CODE_KEYBOARD, 0);
    emit("session-into-main-keyboard-interrupt");
    session(1, 3, XF_NS_UPDATES_LIST, XF_NS_CODE_PASS, 0);
    emit("session-updates-not-a-dict");
    session(0, 2, XF_NS_UPDATES_NULL, XF_NS_CODE_ZERO_DIV, 1 | (2 << 1));
    emit("session-nested-already-running");
    session(0, 2, XF_NS_UPDATES_NULL, XF_NS_CODE_NONE, 1 | (3 << 1));
    emit("session-nested-other-interp");

    session(1, 1, XF_NS_UPDATES_NONE, XF_NS_CODE_PASS, 0);
    emit("session-updates-none");
    /* __main__ hidden (sys.modules['__main__'] is not a module): the enter
     * fails with a captured error; then with updates that raise first. */
    for (int kind = XF_NS_UPDATES_NULL; kind <= XF_NS_UPDATES_LIST; kind++) {
        xf_put_u8(&out, XF_NS_OP_SESSION);
        xf_put_u8(&out, 0);
        xf_put_u8(&out, 2);
        xf_put_u8(&out, (uint8_t)kind);
        xf_put_u8(&out, (uint8_t)(XF_NS_CODE_HIDE_MAIN | xf_ns_encode_code(XF_NS_CODE_PASS)));
        xf_put_u8(&out, 0);
        session(1, 2, XF_NS_UPDATES_DICT, XF_NS_CODE_PASS, 0);
        snprintf(fname, sizeof(fname), "session-main-hidden-updates%d", kind);
        emit(fname);
    }

    /* FILL inside a session: an unshareable value propagates as the
     * caller's NotShareableError, an int past ssize_t as the snapshot of
     * its OverflowError; a fill that works captures nothing. */
    static const uint8_t big[] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    names_plain(2, XF_NS_NAMES_LIST, 2);
    fill_in_session(2, 0);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_ascii(&out, "ok");
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_unshareable(&out, XF_UNSH_LIST);
    emit("fill-in-session-unshareable");
    names_plain(1, XF_NS_NAMES_TUPLE, 1);
    fill_in_session(1, 1);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_bigint(&out, big, 9);
    emit("fill-in-session-int-overflow");
    names_plain(3, XF_NS_NAMES_LIST, 2);
    fill_in_session(3, 2);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_int(&out, 5);
    xf_put_u8(&out, XF_NS_FILL_ABSENT);
    apply(0, XF_NS_DEFAULT_NONE);
    free_ns(1);
    emit("fill-in-session-then-apply");

    /* A namespace whose first item has data and whose last has none. */
    names_plain(1, XF_NS_NAMES_LIST, 3);
    xf_put_u8(&out, XF_NS_OP_FILL);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, 1);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_int(&out, 1);
    xf_put_u8(&out, XF_NS_FILL_PLAIN);
    xf_enc_int(&out, 2);
    xf_put_u8(&out, XF_NS_FILL_ABSENT);
    free_ns(2);
    emit("fill-partial-free-elsewhere");

    /* Session updates that cannot be shared or found again. */
    session_unshareable_update();
    emit("session-unshareable-update");
    write_faults();
    return xf_seeds_status();
}
