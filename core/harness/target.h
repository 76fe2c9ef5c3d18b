/* What every fuzz target shares: start the runtime and the interpreter
 * pool once, and wrap each input in the per-input invariants.
 *
 * A target defines one function that runs an input and declares itself:
 *
 *     static void run(const uint8_t *data, size_t size) { ... }
 *     XF_FUZZ_TARGET(run, NSLOTS)
 *
 * NSLOTS interpreters (slot 0 = main) are created before the first input,
 * so that no input pays for them and libFuzzer's per-input malloc/free
 * accounting starts balanced.
 */
#ifndef XIDFUZZ_TARGET_H
#define XIDFUZZ_TARGET_H

#include "runtime.h"

#include <stddef.h>
#include <stdint.h>

typedef void (*xf_input_fn)(const uint8_t *data, size_t size);
typedef void (*xf_init_fn)(void);

void xf_target_init(int nslots);
void xf_target_run(xf_input_fn fn, const uint8_t *data, size_t size);

/* XF_FUZZ_TARGET_INIT also runs `init` once, after the pool exists and
 * before the first input. */
#define XF_FUZZ_TARGET_INIT(fn, nslots, init)                             \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                     \
    {                                                                     \
        (void)argc;                                                       \
        (void)argv;                                                       \
        xf_target_init(nslots);                                           \
        init();                                                           \
        return 0;                                                         \
    }                                                                     \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)          \
    {                                                                     \
        xf_target_run(fn, data, size);                                    \
        return 0;                                                         \
    }

static inline void
xf_no_init(void)
{
}

#define XF_FUZZ_TARGET(fn, nslots) XF_FUZZ_TARGET_INIT(fn, nslots, xf_no_init)

#endif
