/* Seed writer for fuzz/release_race: each seed is a schedule written with
 * the encoding the target reads (release_race.h, objgen_encode.h).
 * Usage: release_race_seeds OUTDIR */
#include "fault.h"
#include "objgen_encode.h"
#include "release_race.h"

#include <stdio.h>

static xf_out out;

static void
emit(const char *name)
{
    xf_seed_emit(&out, name);
}

static void
op(enum xf_rr_op code)
{
    xf_put_u8(&out, (uint8_t)code);
}

/* ("str", b"bytes", 7, ("nested", b"")) */
static void
mixed_tuple(void)
{
    xf_enc_mixed_tuple(&out);
    xf_enc_bytes(&out, "", 0);
}

static void
share(int slot)
{
    op(XF_RR_SHARE);
    xf_put_u8(&out, (uint8_t)slot);
}

static void
rebuild(int item, int slot)
{
    op(XF_RR_REBUILD);
    xf_put_u8(&out, (uint8_t)item);
    xf_put_u8(&out, (uint8_t)slot);
}

static void
release(int item, int from, int flags)
{
    op(XF_RR_RELEASE);
    xf_put_u8(&out, (uint8_t)item);
    xf_put_u8(&out, (uint8_t)from);
    xf_put_u8(&out, (uint8_t)flags);
}

static void
run_pending(int slot)
{
    op(XF_RR_RUN_PENDING);
    xf_put_u8(&out, (uint8_t)slot);
}

static void
flood(int owner, int from, int flags, int count)
{
    op(XF_RR_FLOOD);
    xf_put_u8(&out, (uint8_t)owner);
    xf_put_u8(&out, (uint8_t)from);
    xf_put_u8(&out, (uint8_t)flags);
    xf_put_u16(&out, (uint16_t)count);
}

static void
end(int slot)
{
    op(XF_RR_END);
    xf_put_u8(&out, (uint8_t)(slot - 1));
}

/* END from the interpreter's own thread state. */
static void
end_inside(int slot)
{
    op(XF_RR_END);
    xf_put_u8(&out, (uint8_t)(slot - 1 + (XF_RR_NSLOTS - 1)));
}

static void
new_interp(int slot)
{
    op(XF_RR_NEW);
    xf_put_u8(&out, (uint8_t)slot);
}

/* NEW that first makes a bare interpreter and ends it. */
static void
new_after_bare(int slot)
{
    op(XF_RR_NEW);
    xf_put_u8(&out, (uint8_t)(slot + XF_RR_NSLOTS * XF_RR_NEW_BARE));
}

/* NEW that first makes a start whose (2 + n)-th allocation fails. */
static void
new_after_failing_start(int slot, int n)
{
    op(XF_RR_NEW);
    xf_put_u8(&out, (uint8_t)(slot + XF_RR_NSLOTS * XF_RR_NEW_FAILING));
    xf_put_u16(&out, (uint16_t)n);
}

static void
call(int from, int into, int flags, int count)
{
    op(XF_RR_CALL);
    xf_put_u8(&out, (uint8_t)from);
    xf_put_u8(&out, (uint8_t)into);
    xf_put_u8(&out, (uint8_t)flags);
    xf_put_u16(&out, (uint16_t)count);
}

/* Allocation failures injected into shares and rebuilds. */
static void
write_faults(void)
{
    xf_fault_put_op(&out, XF_FAULT_EVERY, 2, 4);
    share(1);
    mixed_tuple();
    share(2);
    xf_enc_bytes(&out, "bytes", 5);
    rebuild(0, 3);
    rebuild(1, 0);
    release(0, 2, XF_RR_THEN_RUN);
    release(1, 1, XF_RR_THEN_RUN);
    emit("fault-every2-share-rebuild");
    share(1);
    mixed_tuple();
    xf_fault_put_op(&out, XF_FAULT_MASK, 0x55, 2);
    rebuild(0, 2);
    flood(2, 1, XF_RR_THEN_RUN, 8);
    xf_enc_ascii(&out, "flooded");
    emit("fault-mask-rebuild-flood");
}

int
main(int argc, char **argv)
{
    if (xf_seeds_open(argc, argv) != 0) {
        return 2;
    }

    /* Without interpreter creation (what XIDFUZZ_STATIC_POOL keeps). */
    share(1);
    mixed_tuple();
    rebuild(0, 2);
    rebuild(0, 0);
    release(0, 1, 0);
    emit("owner-release");

    share(2);
    xf_enc_bytes(&out, "kept alive by its data", 22);
    rebuild(0, 3);
    release(0, 0, XF_RR_THEN_RUN);
    emit("bytes-release-from-main-then-run");

    share(1);
    xf_enc_ascii(&out, "one");
    share(2);
    mixed_tuple();
    share(0);
    xf_enc_float(&out, 2.5);
    release(0, 3, XF_RR_RAWFREE);
    release(1, 0, XF_RR_RAWFREE);
    release(2, 1, 0);
    rebuild(1, 3);              /* released: does nothing */
    run_pending(1);
    run_pending(2);
    run_pending(0);
    emit("rawfree-queued-in-three");

    share(3);
    mixed_tuple();
    release(0, 1, 0);
    emit("queued-until-teardown");

    flood(2, 1, 0, 150);
    xf_enc_bytes(&out, "flood", 5);
    flood(2, 3, XF_RR_RAWFREE, 140);
    xf_enc_ascii(&out, "flood");
    run_pending(2);
    emit("flood-290-below-capacity");

    flood(0, 1, XF_RR_RAWFREE | XF_RR_THEN_RUN, 200);
    mixed_tuple();
    emit("flood-main-then-run");

    /* The call helpers, run at once in the caller's own interpreter:
     * their result is the call's (0, or -1 with what it raised). */
    call(1, 1, 0, 2);
    call(2, 2, XF_RR_RAWFREE, 1);
    call(0, 0, XF_RR_CALL_FAILS, 1);
    call(3, 3, XF_RR_RAWFREE | XF_RR_CALL_FAILS, 1);
    emit("call-at-once");

    /* ... and queued in another interpreter, run when it runs its pending
     * calls, by an operation or at the end of the input, beside queued
     * releases.  (Past a full queue: corpus/release_race/regressions/
     * XF-010-call-past-queue-capacity, since the seeds also replay on the
     * pristine core under the pymalloc harness.) */
    call(1, 2, 0, 3);
    call(0, 2, XF_RR_RAWFREE, 2);
    share(2);
    xf_enc_ascii(&out, "beside the calls");
    release(0, 3, 0);
    run_pending(2);
    call(2, 0, XF_RR_RAWFREE | XF_RR_THEN_RUN, 5);
    call(3, 1, 0, 1);
    call(0, 1, XF_RR_RAWFREE | XF_RR_CALL_FAILS, 1);
    emit("call-queued-then-run");

    flood(3, 2, 0, 250);
    xf_enc_int(&out, 250);
    call(1, 3, XF_RR_RAWFREE, 50);
    run_pending(3);
    emit("call-fills-queue-with-releases");

    /* With interpreter ending and creation. */
    share(1);
    xf_enc_bytes(&out, "orphan", 6);
    share(1);
    mixed_tuple();
    share(2);
    xf_enc_ascii(&out, "survivor");
    end(1);
    release(0, 0, 0);
    release(1, 2, XF_RR_RAWFREE);
    rebuild(2, 1);              /* recreates slot 1 */
    release(2, 1, XF_RR_THEN_RUN);
    emit("end-with-data-out");

    share(3);
    xf_enc_ascii(&out, "queued");
    share(3);
    mixed_tuple();
    release(0, 0, 0);
    release(1, 2, XF_RR_RAWFREE);
    end(3);
    new_interp(3);
    share(3);
    xf_enc_bytes(&out, "replacement", 11);
    release(2, 0, XF_RR_THEN_RUN);
    emit("end-with-releases-queued");

    flood(2, 0, 0, 120);
    xf_enc_bytes(&out, "flooded", 7);
    end(2);
    emit("end-with-flood-queued");

    share(1);
    xf_enc_ascii(&out, "queued");
    release(0, 2, 0);
    end_inside(1);
    new_interp(1);
    share(1);
    xf_enc_ascii(&out, "again");
    emit("end-from-inside-then-new");

    /* Calls queued in an interpreter that ends run as it ends. */
    call(0, 1, 0, 4);
    call(2, 1, XF_RR_RAWFREE, 4);
    end(1);
    call(1, 1, 0, 1);           /* recreates slot 1 */
    call(3, 2, XF_RR_RAWFREE, 2);
    end_inside(2);
    emit("call-queued-until-end");

    new_after_bare(2);
    share(2);
    xf_enc_ascii(&out, "after a bare one");
    new_after_bare(0);
    release(0, 0, XF_RR_THEN_RUN);
    emit("new-after-bare-interpreter");

    /* Starts with an allocation failing: the second allocation (the start
     * fails before its thread state: clean on every core), and the 13000th
     * (a failure the start tolerates).  Most others find XF-042..XF-045 on
     * the pristine core, where the seeds also replay: those are the
     * regression inputs XF-043-* and XF-045-*. */
    new_after_failing_start(1, 0);
    share(1);
    xf_enc_ascii(&out, "after a failed start");
    emit("new-after-failing-start-early");
    new_after_failing_start(2, 12998);
    share(2);
    xf_enc_ascii(&out, "after a tolerated failure");
    emit("new-after-failing-start-tolerated");

    /* NEW after a rejected config: corpus/release_race/regressions/
     * XF-018-rejected-config-leak (the pristine core leaks there, and the
     * seeds also replay under the pymalloc harness, on the unpatched core). */

    write_faults();
    return xf_seeds_status();
}
