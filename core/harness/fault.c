/* Allocation-failure injection; see fault.h. */
#include "fault.h"
#include "check.h"
#include "known_leaks.h"
#include "pc_cache.h"

#ifndef Py_BUILD_CORE
#  define Py_BUILD_CORE 1
#endif
#include <Python.h>

#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read by the hooks on every allocation: plain ints, one thread (fault.h). */
int xf_fault_armed;
int xf_fault_on;

typedef struct {
    PyMemAllocatorEx orig;
    const char *name;
    unsigned long armed_allocs;     /* since the run began */
} fault_domain;

static fault_domain domains[3] = {
    {.name = "raw"},
    {.name = "mem"},
    {.name = "obj"},
};

/* XIDFUZZ_FAULT_TRACE=1: print the stack of every injected failure (to
 * tell which allocation a sweep step failed). */
void __sanitizer_print_stack_trace(void) __attribute__((weak));

/* Return addresses kept of the last injected failure's stack: enough to
 * get from the allocator through CPython to the harness's call. */
#define XF_FAULT_SITE_FRAMES 24

static struct {
    int installed;
    int trace;
    unsigned long override;     /* XIDFUZZ_FAULT_NTH / --sweep; 0: none */
    xf_fault_spec spec;
    int ops_left;               /* < 0: until the run ends */
    unsigned long stretch;      /* armed allocations since the spec was set */
    unsigned long hits;
    xf_fault_spec hit_spec;     /* the spec of the last injected failure */
    unsigned long hit_index;    /* its place in that spec's stretch */
    const char *hit_domain;
    void *site[XF_FAULT_SITE_FRAMES];   /* its stack (return addresses) */
    int site_frames;
    char *avoid;                /* XIDFUZZ_FAULT_AVOID, NUL-separated */
    int navoid;
} st;

static int avoided_site(void *const *frames, int n);

/* Whether the next armed allocation fails (and count it). */
static int
inject(fault_domain *d)
{
    d->armed_allocs++;
    unsigned long i = ++st.stretch;
    int fail = 0;
    switch (st.spec.mode) {
    case XF_FAULT_NTH:
        fail = i == st.spec.param;
        break;
    case XF_FAULT_EVERY:
        fail = i % st.spec.param == 0;
        break;
    case XF_FAULT_MASK:
        fail = i <= 32 && ((st.spec.param >> (i - 1)) & 1);
        break;
    default:
        break;
    }
    /* The stack of a failure about to be injected: whether it is at an
     * avoided site, and kept for the report (xf_fault_report): a drift or
     * a wrong result after an injected failure has no stack of its own
     * that says which allocation failed.  Only when a failure is due, so
     * it costs nothing otherwise. */
    void *site[XF_FAULT_SITE_FRAMES];
    int site_frames = 0;
    if (fail && __sanitizer_symbolize_pc != NULL) {
        site_frames = backtrace(site, XF_FAULT_SITE_FRAMES);
        if (st.navoid > 0 && avoided_site(site, site_frames)) {
            fail = 0;
        }
    }
    st.hits += fail;
    if (fail) {
        st.hit_spec = st.spec;
        st.hit_index = i;
        st.hit_domain = d->name;
        memcpy(st.site, site, sizeof(site[0]) * (size_t)site_frames);
        st.site_frames = site_frames;
    }
    if (fail && st.trace && __sanitizer_print_stack_trace != NULL) {
        fprintf(stderr, "xidfuzz: injected failure: armed allocation %lu (%s domain):\n",
                i, d->name);
        __sanitizer_print_stack_trace();
    }
    return fail;
}

/* The hooks' own frames, left out of a failure's stack. */
static int
is_hook(const char *name)
{
    return strcmp(name, "inject") == 0 || strncmp(name, "fault_", 6) == 0
           || strcmp(name, "backtrace") == 0;
}

/* Whether the allocation being failed (its stack: `frames`) is made by a
 * function of XIDFUZZ_FAULT_AVOID: the innermost name of its stack that is
 * not a hook's; or, for an entry "under:F", whether F is any function of
 * the stack (inlined ones included) -- for a bug that a failure anywhere
 * inside one call reaches (XF-005: TracebackException.from_exception()).
 * Each return address is judged once (pc_cache.h); later failures at the
 * same place read the answer from a small table.  Only runs when a
 * failure is about to be injected. */
#define AVOID_CACHE 1024
enum {
    PC_HOOK = 1,                /* only the injector's own names */
    PC_SITE = 2,                /* innermost name is an avoided site */
    PC_UNDER = 4,               /* some name is an "under:" site */
    PC_OTHER = 8,               /* innermost name is not a hook's */
};
#define UNDER_PREFIX "under:"
static xf_pc_entry avoid_cache[AVOID_CACHE];

static int
judge_avoid(const char *names, size_t size)
{
    int flags = 0;
    /* One name per function, inlined ones first (report_site()). */
    for (const char *name = names; name < names + size && *name != '\0';
         name += strlen(name) + 1) {
        int innermost = 0;
        if (!(flags & PC_OTHER) && !is_hook(name)) {
            flags |= PC_OTHER;
            innermost = 1;
        }
        const char *a = st.avoid;
        for (int i = 0; i < st.navoid; i++, a += strlen(a) + 1) {
            size_t n = strlen(UNDER_PREFIX);
            if (strncmp(a, UNDER_PREFIX, n) == 0) {
                if (strcmp(name, a + n) == 0) {
                    flags |= PC_UNDER;
                }
            }
            else if (innermost && strcmp(name, a) == 0) {
                flags |= PC_SITE;
            }
        }
    }
    if (!(flags & PC_OTHER)) {
        flags |= PC_HOOK;
    }
    return flags;
}

static int
avoided_site(void *const *frames, int n)
{
    int innermost = 1;
    for (int i = 0; i < n; i++) {
        int flags = xf_pc_verdict(avoid_cache, AVOID_CACHE, frames[i], judge_avoid);
        if (flags & PC_UNDER) {
            return 1;
        }
        if (innermost && !(flags & PC_HOOK)) {
            if (flags & PC_SITE) {
                return 1;
            }
            innermost = 0;
        }
    }
    return 0;
}

/* The known leaks (known_leaks.h) are all raw-domain blocks: only that
 * domain's hooks report to it. */
#define COUNTS_KNOWN_LEAKS(d) \
    (__builtin_expect(xf_known_leaks_on, 0) && (d) == &domains[0])

static void *
fault_malloc(void *ctx, size_t size)
{
    fault_domain *d = ctx;
    if (__builtin_expect(xf_fault_armed, 0) && inject(d)) {
        return NULL;
    }
    void *p = d->orig.malloc(d->orig.ctx, size);
    if (COUNTS_KNOWN_LEAKS(d)) {
        xf_known_leaks_alloc(p);
    }
    return p;
}

static void *
fault_calloc(void *ctx, size_t nelem, size_t elsize)
{
    fault_domain *d = ctx;
    if (__builtin_expect(xf_fault_armed, 0) && inject(d)) {
        return NULL;
    }
    void *p = d->orig.calloc(d->orig.ctx, nelem, elsize);
    if (COUNTS_KNOWN_LEAKS(d)) {
        xf_known_leaks_alloc(p);
    }
    return p;
}

/* A failed realloc leaves the block as it was, as realloc() does. */
static void *
fault_realloc(void *ctx, void *ptr, size_t size)
{
    fault_domain *d = ctx;
    if (__builtin_expect(xf_fault_armed, 0) && inject(d)) {
        return NULL;
    }
    void *p = d->orig.realloc(d->orig.ctx, ptr, size);
    if (COUNTS_KNOWN_LEAKS(d)) {
        xf_known_leaks_realloc(ptr, p);
    }
    return p;
}

static void
fault_free(void *ctx, void *ptr)
{
    fault_domain *d = ctx;
    if (COUNTS_KNOWN_LEAKS(d)) {
        xf_known_leaks_free(ptr);
    }
    d->orig.free(d->orig.ctx, ptr);
}

static unsigned long
parse_nth(const char *s)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 || n == 0) {
        fprintf(stderr, "xidfuzz: %s must be a positive number, not '%s'\n",
                XF_ENV_FAULT_NTH, s);
        exit(2);
    }
    return n;
}

void
xf_fault_install(void)
{
    if (st.installed) {
        return;
    }
    const char *nth = getenv(XF_ENV_FAULT_NTH);
    if (nth != NULL && nth[0] != '\0') {
        st.override = parse_nth(nth);
    }
    const char *trace = getenv(XF_ENV_FAULT_TRACE);
    st.trace = trace != NULL && trace[0] != '\0' && trace[0] != '0';
    st.avoid = xf_name_list_from_env(XF_ENV_FAULT_AVOID, &st.navoid);
    xf_known_leaks_install();
    static const PyMemAllocatorDomain ids[3] = {
        PYMEM_DOMAIN_RAW, PYMEM_DOMAIN_MEM, PYMEM_DOMAIN_OBJ,
    };
    for (int i = 0; i < 3; i++) {
        PyMem_GetAllocator(ids[i], &domains[i].orig);
        PyMemAllocatorEx hook = {
            .ctx = &domains[i],
            .malloc = fault_malloc,
            .calloc = fault_calloc,
            .realloc = fault_realloc,
            .free = fault_free,
        };
        PyMem_SetAllocator(ids[i], &hook);
    }
    /* backtrace() loads its unwinder on the first call: now, not inside
     * the first injected failure of some input (libFuzzer would count the
     * loader's allocations against that input). */
    if (__sanitizer_symbolize_pc != NULL) {
        void *pc;
        backtrace(&pc, 1);
    }
    st.installed = 1;
}

/* Python frames run disarmed.  The core runs Python code (the traceback
 * module while it snapshots an exception, __str__ methods): what fails
 * there are the eval loop's and the stdlib's own error paths, which are
 * CPython-wide, not the xid core's.  With them armed, sweeps of the
 * excinfo seeds stopped in the eval loop (a use-after-free of a code
 * constant after an unwind, "error return without exception set") and in
 * traceback's placeholders, and never got to the core.  So a frame of any
 * interpreter disarms injection for as long as it runs; the C code the
 * core calls directly stays armed. */
static PyObject *
disarmed_eval_frame(PyThreadState *tstate, struct _PyInterpreterFrame *frame,
                    int throwflag)
{
    int armed = xf_fault_armed;
    xf_fault_armed = 0;
    PyObject *res = _PyEval_EvalFrameDefault(tstate, frame, throwflag);
    xf_fault_armed = armed;
    return res;
}

/* While a spec is on, every interpreter evaluates frames through
 * disarmed_eval_frame (a custom eval function costs some speed, so only
 * then).  Every interpreter alive when a spec is set, including ones
 * created since the last spec (setting the same function is a no-op). */
static void
set_eval_hooks(int on)
{
    for (PyInterpreterState *interp = PyInterpreterState_Head(); interp != NULL;
         interp = PyInterpreterState_Next(interp)) {
        _PyInterpreterState_SetEvalFrameFunc(
            interp, on ? disarmed_eval_frame : _PyEval_EvalFrameDefault);
    }
}

static void
spec_on(xf_fault_spec spec, int ops)
{
    st.spec = spec;
    st.ops_left = ops;
    st.stretch = 0;
    xf_fault_on = st.installed && spec.mode != XF_FAULT_OFF;
    xf_fault_armed = 0;
    if (xf_fault_on) {
        /* Count allocations from the same start whatever ran before
         * (check.h).  Only here: emptying them before every input cost
         * tuple_nesting a third of its rate. */
        xf_empty_freelists();
    }
    if (st.installed) {
        set_eval_hooks(xf_fault_on);
    }
}

void
xf_fault_begin_input(void)
{
    st.hits = 0;
    st.site_frames = 0;
    for (int i = 0; i < 3; i++) {
        domains[i].armed_allocs = 0;
    }
    if (st.override > 0) {
        spec_on((xf_fault_spec){XF_FAULT_NTH, (uint32_t)st.override, 1}, -1);
    }
    else {
        spec_on((xf_fault_spec){XF_FAULT_OFF, 0, 1}, 0);
    }
}

void
xf_fault_set(xf_fault_spec spec)
{
    if (st.override == 0) {
        spec_on(spec, spec.ops);
    }
}

void
xf_fault_op_done(void)
{
    if (st.ops_left > 0 && --st.ops_left == 0) {
        spec_on((xf_fault_spec){XF_FAULT_OFF, 0, 1}, 0);
    }
}

void
xf_fault_set_override(unsigned long n)
{
    st.override = n;
}

unsigned long
xf_fault_override(void)
{
    return st.override;
}

unsigned long
xf_fault_hits(void)
{
    return st.hits;
}

unsigned long
xf_fault_armed_allocs(void)
{
    return domains[0].armed_allocs + domains[1].armed_allocs + domains[2].armed_allocs;
}

const char *
xf_fault_describe(void)
{
    static char buf[256];
    static const char *modes[XF_FAULT_NMODES] = {"off", "nth", "every", "mask"};
    int n;
    if (st.override > 0) {
        n = snprintf(buf, sizeof(buf), "%s=%lu", XF_ENV_FAULT_NTH, st.override);
    }
    else if (st.hits > 0) {
        /* The spec may be off by now (its stretch ended): name the one
         * that failed the last allocation. */
        const char *mode = st.hit_spec.mode < XF_FAULT_NMODES ? modes[st.hit_spec.mode] : "?";
        n = snprintf(buf, sizeof(buf), "fault spec %s %#x (last failure: allocation "
                     "%lu of its stretch, %s domain)", mode,
                     (unsigned)st.hit_spec.param, st.hit_index, st.hit_domain);
    }
    else {
        const char *mode = st.spec.mode < XF_FAULT_NMODES ? modes[st.spec.mode] : "?";
        n = snprintf(buf, sizeof(buf), "fault spec %s %#x", mode,
                     (unsigned)st.spec.param);
    }
    snprintf(buf + n, sizeof(buf) - (size_t)n,
             ": %lu injected failure(s); armed allocations: raw %lu, mem %lu, obj %lu",
             st.hits, domains[0].armed_allocs, domains[1].armed_allocs,
             domains[2].armed_allocs);
    return buf;
}

/* "xidfuzz: fault injection: last injected failure (...) in: f <- caller <- ...":
 * the functions (inlined ones included) of the last injected failure's
 * stack, innermost first, from the allocation (this file's hooks left out)
 * to the target's entry point, on one line, so that a report whose own stack says nothing of it
 * (a refcount drift, an oracle failure) names the failed allocation, and
 * KNOWN_BUGS.md can match it.  Nothing without the sanitizers'
 * symbolizer. */
static void
report_site(void)
{
    if (st.hits == 0 || st.site_frames <= 0 || __sanitizer_symbolize_pc == NULL) {
        return;
    }
    char line[2048];
    size_t used = 0;
    int names = 0, in_hooks = 1;
    line[0] = '\0';
    for (int i = 0; i < st.site_frames && used < sizeof(line) - 1; i++) {
        /* (It looks up the call before the return address itself.) */
        char buf[1024];
        xf_pc_names(st.site[i], buf, sizeof(buf));
        /* One name per function, inlined ones first, each ended by a NUL;
         * an empty one ends them. */
        for (char *name = buf; name < buf + sizeof(buf) && *name != '\0';
             name += strlen(name) + 1) {
            if (in_hooks && is_hook(name)) {
                continue;
            }
            in_hooks = 0;
            if (strcmp(name, "LLVMFuzzerTestOneInput") == 0) {
                i = st.site_frames;     /* the harness's driver from here */
                break;
            }
            int n = snprintf(line + used, sizeof(line) - used, "%s%s",
                             names++ ? " <- " : "", name);
            if (n < 0 || (size_t)n >= sizeof(line) - used) {
                used = sizeof(line) - 1;
                break;
            }
            used += (size_t)n;
        }
    }
    if (names > 0) {
        fprintf(stderr, "xidfuzz: fault injection: last injected failure (allocation %lu "
                "of its stretch, %s domain) in: %s\n", st.hit_index, st.hit_domain, line);
    }
}

void
xf_fault_report(void)
{
    if (st.hits > 0 || st.override > 0) {
        fprintf(stderr, "xidfuzz: fault injection: %s\n", xf_fault_describe());
        report_site();
    }
}

xf_fault_spec
xf_fault_read_spec(xf_input *in)
{
    xf_fault_spec spec = {.mode = xf_read_u8(in) % XF_FAULT_NMODES};
    switch (spec.mode) {
    case XF_FAULT_NTH:
        spec.param = 1 + (uint32_t)xf_read_u8(in);
        break;
    case XF_FAULT_EVERY:
        spec.param = 1 + (uint32_t)(xf_read_u8(in) % 16);
        break;
    case XF_FAULT_MASK:
        spec.param = xf_read_u32(in);
        break;
    default:
        break;
    }
    spec.ops = 1 + xf_read_u8(in) % XF_FAULT_MAX_OPS;
    return spec;
}

void
xf_fault_put_spec(xf_out *out, xf_fault_spec spec)
{
    xf_put_u8(out, (uint8_t)spec.mode);
    switch (spec.mode) {
    case XF_FAULT_NTH:
        xf_put_u8(out, (uint8_t)(spec.param - 1));
        break;
    case XF_FAULT_EVERY:
        xf_put_u8(out, (uint8_t)(spec.param - 1));
        break;
    case XF_FAULT_MASK:
        xf_put_u32(out, spec.param);
        break;
    default:
        break;
    }
    xf_put_u8(out, (uint8_t)(spec.ops - 1));
}

void
xf_fault_put_op(xf_out *out, xf_fault_mode mode, uint32_t param, int ops)
{
    xf_put_u8(out, XF_FAULT_OPCODE);
    xf_fault_put_spec(out, (xf_fault_spec){mode, param, ops});
}

int
xf_fault_take_op(xf_input *in, uint8_t op)
{
    if (op < XF_FAULT_OPCODE) {
        return 0;
    }
    xf_fault_set(xf_fault_read_spec(in));
    return 1;
}
