/* Seed writer for fuzz/excinfo (encoding in excinfo.h): one seed per kind
 * of exception and per path of every operation.
 * Usage: excinfo_seeds OUTDIR */
#include "excinfo.h"
#include "fault.h"
#include "namegen.h"
#include "objgen_encode.h"

#include <stdio.h>

static xf_out out;

static void
emit(const char *name)
{
    xf_seed_emit(&out, name);
}

/* A spec without nesting: the names that `flags` asks for are `sel`
 * (letter 1), the message (if `mode` takes one) is plain "a", and the
 * notes are n_notes names of kind `note_sel`. */
typedef struct {
    int base;
    int flags;
    enum xf_name_sel sel;
    int mode;
    int n_notes;
    enum xf_name_sel note_sel;
} spec;

static void
put_spec(const spec *s, int depth)
{
    xf_put_u8(&out, (uint8_t)s->base);
    xf_put_u8(&out, (uint8_t)s->flags);
    for (int bit = XF_EI_SET_NAME; bit <= XF_EI_SET_MODULE; bit <<= 1) {
        if (s->flags & bit) {
            xf_enc_name(&out, s->sel, 1);
        }
    }
    xf_put_u8(&out, (uint8_t)s->mode);
    if (s->mode != XF_EI_MSG_NONE) {
        xf_enc_name(&out, XF_NAME_PLAIN, 0);
    }
    xf_put_u8(&out, (uint8_t)s->n_notes);
    for (int i = 0; i < s->n_notes; i++) {
        xf_enc_name(&out, s->note_sel, i);
    }
    /* Cause and context (if flagged) and group members: plain ones. */
    spec plain = {XF_EI_KEY_ERROR, 0, XF_NAME_PLAIN, XF_EI_MSG_ONE, 0, XF_NAME_PLAIN};
    int nested = (depth < XF_EI_MAX_DEPTH);
    if ((s->flags & XF_EI_CAUSE) && nested) {
        put_spec(&plain, depth + 1);
    }
    if ((s->flags & XF_EI_CONTEXT) && nested) {
        put_spec(&plain, depth + 1);
    }
    if (s->base == XF_EI_EXCEPTION_GROUP || s->base == XF_EI_BASE_EXCEPTION_GROUP) {
        xf_put_u8(&out, 1);     /* two members */
        if (nested) {
            put_spec(&plain, depth + 1);
            spec sub = {XF_EI_VALUE_ERROR, 0, XF_NAME_PLAIN, XF_EI_MSG_NONE, 1, XF_NAME_PLAIN};
            put_spec(&sub, depth + 1);
        }
    }
}

static void
snapshot(const char *file, int make, int use, const spec *s)
{
    xf_put_u8(&out, XF_EI_OP_SNAPSHOT);
    xf_put_u8(&out, (uint8_t)make);
    xf_put_u8(&out, (uint8_t)use);
    put_spec(s, 0);
    emit(file);
}

static const char *base_names[XF_EI_NBASES] = {
    "value-error", "key-error", "os-error", "exception", "base-exception",
    "keyboard-interrupt", "system-exit", "memory-error", "recursion-error",
    "stop-iteration", "unicode-error", "exception-group", "base-exception-group",
};

static void
write_bases(void)
{
    char file[64];
    for (int b = 0; b < XF_EI_NBASES; b++) {
        spec s = {b, XF_EI_RAISE, XF_NAME_PLAIN, XF_EI_MSG_ONE, 0, XF_NAME_PLAIN};
        snprintf(file, sizeof(file), "snapshot-%s", base_names[b]);
        snapshot(file, b % XF_EI_NSLOTS, (b + 1) % XF_EI_NSLOTS, &s);
    }
    spec two = {XF_EI_OS_ERROR, 0, XF_NAME_PLAIN, XF_EI_MSG_TWO, 0, XF_NAME_PLAIN};
    snapshot("snapshot-os-error-two-args", 1, 2, &two);
    spec none = {XF_EI_VALUE_ERROR, 0, XF_NAME_PLAIN, XF_EI_MSG_NONE, 0, XF_NAME_PLAIN};
    snapshot("snapshot-value-error-no-args", 0, 1, &none);
}

static const struct {
    const char *file;
    int flags;
    enum xf_name_sel sel;
} heap_cases[] = {
    {"heap-plain", XF_EI_HEAP, XF_NAME_PLAIN},
    {"heap-name-non-ascii", XF_EI_HEAP | XF_EI_SET_NAME | XF_EI_SET_QUALNAME, XF_NAME_NON_ASCII},
    {"heap-qualname-surrogate", XF_EI_HEAP | XF_EI_SET_QUALNAME, XF_NAME_SURROGATE},
    {"heap-qualname-nul", XF_EI_HEAP | XF_EI_SET_QUALNAME, XF_NAME_NUL},
    {"heap-qualname-empty", XF_EI_HEAP | XF_EI_SET_QUALNAME, XF_NAME_EMPTY},
    {"heap-names-long", XF_EI_HEAP | XF_EI_SET_NAME | XF_EI_SET_QUALNAME | XF_EI_SET_MODULE,
     XF_NAME_LONG},
    {"heap-module-not-str", XF_EI_HEAP | XF_EI_SET_MODULE, XF_NAME_NOT_STR},
    {"heap-module-surrogate", XF_EI_HEAP | XF_EI_SET_MODULE, XF_NAME_SURROGATE},
    {"heap-module-str-subclass", XF_EI_HEAP | XF_EI_SET_MODULE, XF_NAME_STR_SUB},
    {"heap-no-module", XF_EI_HEAP | XF_EI_DEL_MODULE, XF_NAME_PLAIN},
};

static void
write_heap_types(void)
{
    for (size_t i = 0; i < sizeof(heap_cases) / sizeof(heap_cases[0]); i++) {
        spec s = {XF_EI_VALUE_ERROR, heap_cases[i].flags, heap_cases[i].sel,
                  XF_EI_MSG_ONE, 0, XF_NAME_PLAIN};
        snapshot(heap_cases[i].file, 1, 0, &s);
    }
}

static void
write_messages_and_notes(void)
{
    static const struct { const char *file; int mode; } modes[] = {
        {"str-raises", XF_EI_STR_RAISES},
        {"str-not-str", XF_EI_STR_NOT_STR},
        {"str-huge", XF_EI_STR_HUGE},
        {"str-subclass", XF_EI_STR_SUBCLASS},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        spec s = {XF_EI_EXCEPTION, XF_EI_RAISE, XF_NAME_PLAIN, modes[i].mode, 0, XF_NAME_PLAIN};
        snapshot(modes[i].file, 2, 1, &s);
    }
    static const struct { const char *file; enum xf_name_sel sel; } notes[] = {
        {"notes-plain", XF_NAME_PLAIN},
        {"notes-non-ascii", XF_NAME_NON_ASCII},
        {"notes-not-str", XF_NAME_NOT_STR},
        {"notes-surrogate", XF_NAME_SURROGATE},
        {"notes-nul", XF_NAME_NUL},
    };
    for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
        spec s = {XF_EI_VALUE_ERROR, 0, XF_NAME_PLAIN, XF_EI_MSG_ONE, 2, notes[i].sel};
        snapshot(notes[i].file, 0, 2, &s);
    }
    spec chained = {XF_EI_VALUE_ERROR, XF_EI_RAISE | XF_EI_CAUSE | XF_EI_CONTEXT,
                    XF_NAME_PLAIN, XF_EI_MSG_ONE, 0, XF_NAME_PLAIN};
    snapshot("chained-cause-and-context", 1, 2, &chained);
}

static void
write_apply(void)
{
    char file[64];
    for (int code = 0; code < XF_EI_NCODES; code++) {
        for (int with = 0; with < 2; with++) {
            xf_put_u8(&out, XF_EI_OP_APPLY);
            xf_put_u8(&out, 1);
            xf_put_u8(&out, (uint8_t)(with ? 2 : 1));
            xf_put_u8(&out, (uint8_t)code);
            xf_put_u8(&out, (uint8_t)with);
            if (with) {
                spec s = {XF_EI_VALUE_ERROR, XF_EI_RAISE, XF_NAME_PLAIN, XF_EI_MSG_ONE, 0,
                          XF_NAME_PLAIN};
                put_spec(&s, 0);
            }
            snprintf(file, sizeof(file), "apply-code%d-%s", -1 - code,
                     with ? "with-exception" : "nothing-captured");
            emit(file);
        }
    }
}

static void
session(const char *file, int from, int into, const spec *s)
{
    xf_put_u8(&out, XF_EI_OP_SESSION);
    xf_put_u8(&out, (uint8_t)from);
    xf_put_u8(&out, (uint8_t)into);
    put_spec(s, 0);
    emit(file);
}

static void
write_sessions(void)
{
    spec plain = {XF_EI_VALUE_ERROR, XF_EI_RAISE, XF_NAME_PLAIN, XF_EI_MSG_ONE, 1, XF_NAME_PLAIN};
    session("session-main-to-sub", 0, 1, &plain);
    session("session-sub-to-main", 2, 0, &plain);
    session("session-sub-to-sub", 1, 2, &plain);
    spec memory = {XF_EI_MEMORY_ERROR, XF_EI_RAISE, XF_NAME_PLAIN, XF_EI_MSG_NONE, 0, XF_NAME_PLAIN};
    session("session-memory-error", 0, 2, &memory);
    spec interrupt = {XF_EI_KEYBOARD_INTERRUPT, 0, XF_NAME_PLAIN, XF_EI_MSG_NONE, 0, XF_NAME_PLAIN};
    session("session-keyboard-interrupt", 1, 0, &interrupt);
    spec str_raises = {XF_EI_EXCEPTION, XF_EI_RAISE, XF_NAME_PLAIN, XF_EI_STR_RAISES, 0,
                       XF_NAME_PLAIN};
    session("session-str-raises", 0, 1, &str_raises);
    spec group = {XF_EI_EXCEPTION_GROUP, XF_EI_HEAP, XF_NAME_PLAIN, XF_EI_MSG_ONE, 0, XF_NAME_PLAIN};
    session("session-exception-group", 2, 1, &group);
}

static void
write_classes(void)
{
    spec plain = {XF_EI_VALUE_ERROR, 0, XF_NAME_PLAIN, XF_EI_MSG_NONE, 0, XF_NAME_PLAIN};
    xf_put_u8(&out, XF_EI_OP_CLASS);
    xf_put_u8(&out, 0);
    xf_put_u8(&out, 1);
    put_spec(&plain, 0);
    emit("class-value-error");
    spec memory = {XF_EI_MEMORY_ERROR, 0, XF_NAME_PLAIN, XF_EI_MSG_NONE, 0, XF_NAME_PLAIN};
    xf_put_u8(&out, XF_EI_OP_CLASS);
    xf_put_u8(&out, 1);
    xf_put_u8(&out, 1);
    put_spec(&memory, 0);
    emit("class-memory-error");
}

/* Allocation failures injected into each operation.  The numbers are
 * where a sweep (fuzz/replay_main.c) found something to look at: 23 is
 * the proxy's message in _PyXI_ApplyError(-2) (XF-014), 1 the session's
 * thread state (XF-013), 40 inside the snapshot's traceback. */
static void
write_faults(void)
{
    spec raised = {XF_EI_VALUE_ERROR, XF_EI_RAISE, XF_NAME_PLAIN, XF_EI_MSG_ONE, 0,
                   XF_NAME_PLAIN};
    xf_fault_put_op(&out, XF_FAULT_NTH, 23, 1);
    xf_put_u8(&out, XF_EI_OP_APPLY);
    xf_put_u8(&out, 1);
    xf_put_u8(&out, 2);
    xf_put_u8(&out, 1);                 /* code -2: _PyXI_ERR_OTHER */
    xf_put_u8(&out, 1);
    put_spec(&raised, 0);
    emit("fault-apply-code2-proxy-format");
    xf_fault_put_op(&out, XF_FAULT_NTH, 1, 1);
    session("fault-session-thread-state", 0, 1, &raised);
    xf_fault_put_op(&out, XF_FAULT_NTH, 40, 1);
    snapshot("fault-snapshot-traceback", 0, 1, &raised);
    xf_fault_put_op(&out, XF_FAULT_EVERY, 3, 2);
    spec notes = {XF_EI_VALUE_ERROR, XF_EI_HEAP, XF_NAME_NON_ASCII, XF_EI_MSG_ONE, 2,
                  XF_NAME_NON_ASCII};
    snapshot("fault-every3-snapshot-heap-notes", 2, 1, &notes);
    xf_fault_put_op(&out, XF_FAULT_MASK, 0x00f0f0f0u, 8);
    session("fault-mask-session", 1, 2, &raised);
}

/* RAW: every combination of fields the core's invariants allow, with
 * each module choice for typed ones; names plain. */
static void
write_raw(void)
{
    char file[64];
    for (int fields = 0; fields < 16; fields++) {
        if ((fields & XF_EI_RAW_QUALNAME) && !(fields & XF_EI_RAW_TYPE)) {
            continue;       /* a qualname needs a type */
        }
        int nmodules = (fields & XF_EI_RAW_TYPE) ? 4 : 1;
        for (int module = 0; module < nmodules; module++) {
            int byte = fields | (module << 4)
                       | (fields == 0 ? XF_EI_RAW_NONE : 0)
                       | (fields == 4 ? XF_EI_RAW_NONE | XF_EI_RAW_NULL : 0);
            xf_out_reset(&out);
            xf_put_u8(&out, XF_EI_OP_RAW);
            xf_put_u8(&out, (uint8_t)(fields % XF_EI_NSLOTS));
            xf_put_u8(&out, (uint8_t)byte);
            int names = 0;
            if (fields & XF_EI_RAW_TYPE) {
                names += module == 3 ? 2 : 1;
                names += (fields & XF_EI_RAW_QUALNAME) ? 1 : 0;
            }
            names += ((fields & XF_EI_RAW_MSG) != 0) + ((fields & XF_EI_RAW_DISPLAY) != 0);
            for (int i = 0; i < names; i++) {
                xf_enc_name(&out, i == 0 ? XF_NAME_NON_ASCII : XF_NAME_PLAIN, i);
            }
            snprintf(file, sizeof(file), "raw-fields%02x-module%d", fields, module);
            emit(file);
        }
    }
}

int
main(int argc, char **argv)
{
    if (xf_seeds_open(argc, argv) != 0) {
        return 2;
    }
    write_bases();
    write_heap_types();
    write_messages_and_notes();
    write_apply();
    write_sessions();
    write_classes();
    write_faults();
    write_raw();
    return xf_seeds_status();
}
