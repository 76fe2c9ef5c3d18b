/* Per-target plumbing; see target.h. */
#include "target.h"

typedef struct {
    xf_input_fn fn;
    const uint8_t *data;
    size_t size;
} rerun_args;

static void
rerun(void *arg)
{
    rerun_args *a = arg;
    a->fn(a->data, a->size);
}

void
xf_target_init(int nslots)
{
    xf_runtime_init();
    for (int i = 1; i < nslots; i++) {
        (void)xf_interp(i);
    }
}

void
xf_target_run(xf_input_fn fn, const uint8_t *data, size_t size)
{
    rerun_args args = {fn, data, size};
    xf_check check;
    xf_check_begin(&check);
    fn(data, size);
    xf_check_end(&check, rerun, &args);
}
