/* fuzz/release_race input encoding, shared with its seed writer. */
#ifndef XIDFUZZ_RELEASE_RACE_H
#define XIDFUZZ_RELEASE_RACE_H

/* Slot 0 (main) and three subinterpreters. */
#define XF_RR_NSLOTS 4

/* Live items at once: enough to overfill one interpreter's pending-call
 * queue (300 in 3.13) with room to spare. */
#define XF_RR_MAX_ITEMS 512
/* Objects shared by one input (one per SHARE or FLOOD). */
#define XF_RR_MAX_OBJECTS 32
/* Operations per input. */
#define XF_RR_MAX_OPS 64
/* Copies one FLOOD makes and releases: a little past the queue. */
#define XF_RR_MAX_FLOOD 320
/* Calls one CALL makes (a little past the queue, as FLOOD), and calls
 * one input can make in all (what the harness keeps a record of). */
#define XF_RR_MAX_CALL 320
#define XF_RR_MAX_CALLS 1024

/* One opcode byte (modulo XF_RR_NOPS), then its operands.  Opcode bytes
 * from XF_FAULT_OPCODE (core/harness/fault.h, 0xf8) up are FAULT: a fault spec
 * follows, on for the next spec.ops operations.  CALL was appended after
 * the first seven: an opcode byte of 7 or more now decodes differently
 * than before it (the seed writer and the committed regressions only
 * ever wrote 0-6, which keep their meaning). */
enum xf_rr_op {
    XF_RR_SHARE = 0,    /* u8 slot, object (objgen.h)                    */
    XF_RR_REBUILD,      /* u8 item, u8 slot                              */
    XF_RR_RELEASE,      /* u8 item, u8 from-slot, u8 flags               */
    XF_RR_RUN_PENDING,  /* u8 slot                                       */
    XF_RR_FLOOD,        /* u8 owner, u8 from, u8 flags, u16 count, object */
    XF_RR_END,          /* u8 b: slot 1 + b % (NSLOTS-1); bit 0 of
                           b / (NSLOTS-1): end it from its own thread
                           state (no tstate given to the core)           */
    XF_RR_NEW,          /* u8 b: slot b % NSLOTS, created now if it was
                           ended; bit 0 of b / NSLOTS: first ask for an
                           interpreter with a config the runtime rejects;
                           bit 1 of b / NSLOTS (added later; the
                           committed inputs never set it): first make a
                           bare interpreter (never initialised, not
                           ready) and end it; bit 2 (added later): then
                           u16 n, and first a _PyXI_NewInterpreter whose
                           (2 + n)-th allocation fails                   */
    XF_RR_CALL,         /* u8 from, u8 into, u8 flags, u16 count: count
                           calls, made in `from`, to run in `into`       */
    XF_RR_NOPS
};

/* NEW's operand: b / XF_RR_NSLOTS holds these. */
enum {
    XF_RR_NEW_REJECTED = 1 << 0,
    XF_RR_NEW_BARE = 1 << 1,
    XF_RR_NEW_FAILING = 1 << 2,
};

/* Flags of RELEASE, FLOOD and CALL. */
enum {
    XF_RR_RAWFREE = 1 << 0,     /* _ReleaseAndRawFree, not _Release;
                                   CALL: _Py_CallInInterpreterAndRawFree */
    XF_RR_THEN_RUN = 1 << 1,    /* the owner (CALL: `into`) runs its
                                   pending calls after */
    XF_RR_CALL_FAILS = 1 << 2,  /* CALL: a call run at once (into ==
                                   from) raises and returns -1 */
};

/* Environment knob: XIDFUZZ_STATIC_POOL=1 turns END and NEW into no-ops
 * and maps every slot operand onto a live slot, so that no input creates
 * or ends an interpreter (ci/bench.sh measures this subset). */
#define XF_ENV_STATIC_POOL "XIDFUZZ_STATIC_POOL"

#endif
