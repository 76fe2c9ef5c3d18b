/* Known findings a target steers around when asked to.
 *
 * A campaign on a core that still has the known bugs (`./xidfuzz fuzz
 * --core pristine`) would otherwise meet them again within a few inputs
 * and end its process each time.  XIDFUZZ_AVOID lists the findings whose
 * KNOWN_BUGS.md entry has an `- avoid:` line (what the target then does,
 * in words), as "XF-003,XF-005".  A target asks xf_avoiding(3) before the
 * operation that reaches XF-003 and, when it is avoided, skips exactly
 * that operation (or accepts exactly that known wrong outcome) and says
 * so with xf_avoided().  Unset (tests, repro, triage by hand, every
 * campaign on the patched core), nothing is avoided.
 *
 * A bad entry is one line on stderr and exit status 2. */
#ifndef XIDFUZZ_AVOID_H
#define XIDFUZZ_AVOID_H

#define XF_ENV_AVOID "XIDFUZZ_AVOID"

/* Read XIDFUZZ_AVOID (at start-up, so that a bad entry stops the program
 * before its first input); xf_avoiding() reads it when nobody has. */
void xf_avoid_init(void);

/* Whether XIDFUZZ_AVOID names XF-<id>. */
int xf_avoiding(int id);

/* A note (XIDFUZZ_VERBOSE) that XF-<id>'s trigger was steered around:
 * `what` says what was skipped or accepted. */
void xf_avoided(int id, const char *what);

#endif
