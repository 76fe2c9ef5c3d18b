/* Known leaks kept out of libFuzzer's leak trigger.
 *
 * libFuzzer reruns every input that made more mallocs than frees and then
 * has LeakSanitizer scan the whole heap.  On a core with a known leak that
 * nearly every input reaches (XF-002: every shared name), campaigns
 * suppress the leak's function (LSAN_OPTIONS suppressions, see
 * `known_leak_suppressions` in xidfuzz) and still paid a rerun and a scan
 * for almost every input: some ten times the time of its inputs without
 * the leak check.
 *
 * XIDFUZZ_KNOWN_LEAKS=f,g (the same functions as those suppressions) makes
 * the harness count, per input, the raw-domain blocks whose allocation
 * stack holds one of them: the stack AddressSanitizer stored for the
 * block, which is what a `leak:` suppression is matched against, with
 * the same substring rule.  At the end of the input it frees (or takes)
 * as many kept blocks as those made more than they freed.
 * libFuzzer's count then leaves out exactly the blocks the suppressions
 * would leave out of its report: any other block still makes it scan, and
 * a new leak is found as before.  Unset (tests, repro, the patched core),
 * nothing is counted. */
#ifndef XIDFUZZ_KNOWN_LEAKS_H
#define XIDFUZZ_KNOWN_LEAKS_H

#include <stddef.h>

#define XF_ENV_KNOWN_LEAKS "XIDFUZZ_KNOWN_LEAKS"

/* Read XIDFUZZ_KNOWN_LEAKS and fill the reserve (at start-up). */
void xf_known_leaks_install(void);

/* Nonzero while known leaks are counted: the raw allocator hooks then
 * report their blocks. */
extern int xf_known_leaks_on;

/* Raw-domain hooks: a block allocated, freed, or moved by realloc (no
 * stack is taken: blocks are judged when the input ends). */
void xf_known_leaks_alloc(void *ptr);
void xf_known_leaks_free(void *ptr);
void xf_known_leaks_realloc(void *old, void *ptr);

/* The known leaks' blocks the current input has allocated and not
 * freed so far (0 when nothing is counted). */
long xf_known_leaks_outstanding(void);

/* Around an input: start counting; at its end, balance libFuzzer's
 * malloc/free count by what the known leaks' blocks did. */
void xf_known_leaks_begin_input(void);
void xf_known_leaks_end_input(void);

#endif
