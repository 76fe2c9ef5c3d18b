/* Per-target plumbing; see target.h. */
#include "target.h"
#include "avoid.h"
#include "fault.h"
#include "known_leaks.h"

typedef struct {
    xf_input_fn fn;
    const uint8_t *data;
    size_t size;
} rerun_args;

static void
rerun(void *arg)
{
    rerun_args *a = arg;
    xf_fault_begin_input();
    a->fn(a->data, a->size);
}

void
xf_target_init(int nslots)
{
    xf_avoid_init();
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
    xf_known_leaks_begin_input();
    /* Every run (reruns of the drift check too) starts with injection off
     * (or the override's), so the same bytes fail the same allocations. */
    xf_fault_begin_input();
    fn(data, size);
    xf_check_end(&check, rerun, &args);
    xf_known_leaks_end_input();
}
