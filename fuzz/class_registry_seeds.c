/* Seed writer for fuzz/class_registry: each seed is a program in the encoding
 * the target reads (its header comment), so what a seed covers is stated
 * here in code.  Usage: class_registry_seeds OUTDIR */
#include "encode.h"
#include "fault.h"
#include "class_registry.h"

#include <stdint.h>

/* The getdata functions: G0 shares the value as an int, G1 as 8 bytes. */
enum { G0 = 0, G1 = 1 };

/* Class indexes. */
enum { K0 = 0, K1, K2, K3, KS = XF_REG_STATIC };

static xf_out out;

static void
make(int s, int k, int base)
{
    xf_put_u8(&out, XF_REG_MAKE);
    xf_put_u8(&out, (uint8_t)s);
    xf_put_u8(&out, (uint8_t)k);
    /* 0: base object; else base class (b - 1). */
    xf_put_u8(&out, (uint8_t)(base < 0 ? 0 : base + 1));
}

static void
reg(int s, int k, int g)
{
    xf_put_u8(&out, XF_REG_REGISTER);
    xf_put_u8(&out, (uint8_t)s);
    xf_put_u8(&out, (uint8_t)k);
    xf_put_u8(&out, (uint8_t)g);
}

static void
unreg(int s, int k)
{
    xf_put_u8(&out, XF_REG_UNREGISTER);
    xf_put_u8(&out, (uint8_t)s);
    xf_put_u8(&out, (uint8_t)k);
}

static void
share(int s, int k, int r, uint16_t value)
{
    xf_put_u8(&out, XF_REG_SHARE);
    xf_put_u8(&out, (uint8_t)s);
    xf_put_u8(&out, (uint8_t)k);
    xf_put_u8(&out, (uint8_t)r);
    xf_put_u16(&out, value);
}

static void
drop(int k)
{
    xf_put_u8(&out, XF_REG_DROP);
    xf_put_u8(&out, (uint8_t)k);
}

static void
collect(int s, int k, int g)
{
    xf_put_u8(&out, XF_REG_COLLECT);
    xf_put_u8(&out, (uint8_t)s);
    xf_put_u8(&out, (uint8_t)k);
    xf_put_u8(&out, (uint8_t)g);
}

static void
fault(xf_fault_mode mode, uint32_t param, int ops)
{
    xf_fault_put_op(&out, mode, param, ops);
}

static void
emit(const char *name)
{
    xf_seed_emit(&out, name);
}

int
main(int argc, char **argv)
{
    if (xf_seeds_open(argc, argv) != 0) {
        return 2;
    }

    /* Register, share, unregister: then the class is not shareable, and a
     * second unregistration finds nothing (the registry-unregister-noop
     * mutant keeps it registered). */
    reg(1, K0, G0);
    share(1, K0, 2, 1234);
    unreg(1, K0);
    share(1, K0, 0, 7);
    unreg(1, K0);
    emit("register-share-unregister");

    /* A repeated registration counts: one unregistration leaves the class
     * registered, the second removes it (the registry-no-refcount mutant
     * removes it at the first).  The second registration asks for G0 but
     * keeps G1, which the class has there. */
    reg(2, K1, G1);
    reg(2, K1, G0);
    unreg(2, K1);
    share(2, K1, 0, 4321);
    unreg(2, K1);
    share(2, K1, 1, 4321);
    unreg(2, K1);
    emit("register-twice");

    /* One class, registered in two interpreters' registries with different
     * getdata functions, and in neither of the third's. */
    make(1, K2, -1);
    reg(1, K2, G0);
    reg(2, K2, G1);
    share(0, K2, 1, 300);
    share(1, K2, 2, 301);
    share(2, K2, 0, 302);
    unreg(0, K2);
    unreg(2, K2);
    share(2, K2, 1, 303);
    share(1, K2, 0, 304);
    unreg(1, K2);
    share(1, K2, 2, 305);
    emit("two-slots");

    /* A class dies while registered (twice in its home, once elsewhere);
     * the class made in its place is not registered anywhere; registering
     * another class walks (and drops) the dead entries. */
    make(1, K0, -1);
    reg(1, K0, G0);
    reg(1, K0, G0);
    reg(0, K0, G1);
    share(0, K0, 1, 1000);
    drop(K0);
    make(1, K0, -1);
    share(1, K0, 2, 1001);
    share(0, K0, 2, 1002);
    unreg(1, K0);
    unreg(0, K0);
    reg(0, K1, G0);
    reg(1, K1, G1);
    share(0, K1, 1, 1003);
    share(1, K1, 0, 1004);
    unreg(0, K1);
    emit("dies-registered");

    /* MAKE over a registered class replaces it: the old one dies. */
    make(2, K3, -1);
    reg(2, K3, G1);
    share(2, K3, 2, 77);
    make(2, K3, -1);
    share(2, K3, 0, 78);
    unreg(2, K3);
    reg(2, K3, G0);
    share(2, K3, 1, 79);
    emit("replace-registered");

    /* The static type is registered globally: every interpreter sees its
     * registration, and the count is one for all of them. */
    reg(0, KS, G1);
    share(1, KS, 2, 500);
    share(2, KS, 0, 501);
    reg(2, KS, G0);
    unreg(1, KS);
    share(0, KS, 1, 502);
    unreg(0, KS);
    share(2, KS, 1, 503);
    unreg(2, KS);
    emit("static-global");

    /* Lookup is by exact class: a subclass of a registered class is not
     * shareable until it is registered itself.  Dropping the base drops
     * the subclass first, both registered. */
    make(1, K0, -1);
    make(1, K1, K0);
    reg(1, K0, G0);
    share(1, K1, 0, 600);
    share(1, K0, 0, 601);
    reg(1, K1, G1);
    share(1, K1, 2, 602);
    drop(K0);
    share(1, K0, 2, 603);
    share(1, K1, 0, 604);
    emit("subclass-exact-match");

    /* Everything in the main interpreter. */
    make(0, K2, -1);
    reg(0, K2, G1);
    share(0, K2, 0, 0);
    reg(0, K2, G1);
    unreg(0, K2);
    share(0, K2, 0, 65535);
    unreg(0, K2);
    share(0, K2, 0, 1);
    drop(K2);
    emit("main-only");

    /* A class of one interpreter registered and shared in the others. */
    make(2, K3, -1);
    reg(0, K3, G0);
    reg(1, K3, G1);
    share(0, K3, 2, 900);
    share(1, K3, 2, 901);
    share(2, K3, 1, 902);
    unreg(2, K3);
    emit("foreign-class");

    /* Left registered for the end of the input to undo. */
    reg(1, K0, G0);
    reg(2, K1, G1);
    reg(2, K1, G1);
    reg(2, K1, G1);
    reg(0, KS, G0);
    reg(0, KS, G0);
    make(0, K2, -1);
    make(0, K3, K2);
    reg(0, K3, G1);
    emit("left-registered");

    /* Allocation failures (core/harness/fault.h).  A new registration's
     * one allocation is its entry (raw domain): the class's weakref is the
     * basic one its base's subclass list already holds, reused.  Failing
     * the entry is a finding of its own (a regression input, not a seed);
     * here the registration's entry is armed allocation 1 and the share's
     * int (G0) the 2nd, which fails. */
    make(1, K0, -1);
    fault(XF_FAULT_NTH, 2, 2);
    reg(1, K0, G0);
    share(1, K0, 2, 1500);
    reg(1, K0, G0);
    share(1, K0, 2, 1501);
    unreg(1, K0);
    emit("fault-nth2-register-share");

    /* NotShareableError's message (the instance's repr) allocates: Check
     * and Get of an unregistered class fail with MemoryError instead. */
    for (int nth = 1; nth <= 3; nth++) {
        make(2, K1, -1);
        reg(1, K1, G0);
        fault(XF_FAULT_EVERY, (uint32_t)nth, 1);
        share(2, K1, 0, 2000);
        unreg(1, K1);
        static const char *const names[] = {
            "fault-not-shareable-every1", "fault-not-shareable-every2",
            "fault-not-shareable-every3",
        };
        emit(names[nth - 1]);
    }

    /* The getdata's int (G0) and the rebuild's bytes (G1) fail; repeated
     * registrations and unregistrations allocate nothing. */
    reg(1, K0, G0);
    reg(2, K1, G1);
    reg(0, KS, G1);
    fault(XF_FAULT_EVERY, 1, 8);
    share(1, K0, 2, 3000);
    share(2, K1, 0, 3001);
    share(1, KS, 2, 3002);
    reg(1, K0, G0);
    reg(0, KS, G1);
    unreg(1, K0);
    unreg(0, KS);
    share(0, KS, 1, 3003);
    emit("fault-every1-registered");
    reg(1, K0, G0);
    reg(2, K1, G1);
    fault(XF_FAULT_NTH, 1, 2);
    share(1, K0, 0, 3100);
    share(2, K1, 0, 3101);
    emit("fault-nth1-share");
    reg(1, K0, G1);
    fault(XF_FAULT_MASK, 0x5u, 3);
    share(1, K0, 2, 3200);
    share(1, K0, 0, 3201);
    share(0, K0, 2, 3202);
    unreg(1, K0);
    emit("fault-mask-rebuild");

    /* A class dies registered under injection: the next find drops its
     * dead entries, which allocates nothing. */
    make(1, K2, -1);
    reg(1, K2, G0);
    reg(1, K3, G1);
    drop(K2);
    fault(XF_FAULT_EVERY, 1, 3);
    share(1, K3, 2, 4000);
    unreg(1, K3);
    unreg(1, K3);
    emit("fault-dead-entry");

    /* A class dies in a collection whose finalizer registers it: the
     * collector has cleared its weakrefs, so the registration makes a new
     * one (and drops the dead entry of an earlier registration). */
    make(1, K0, -1);
    collect(1, K0, G0);
    share(1, K1, 0, 5000);
    emit("collect-registering");
    make(2, K1, -1);
    make(2, K2, K1);
    reg(2, K1, G1);
    reg(0, K1, G0);
    reg(2, K2, G0);
    collect(2, K1, G0);
    reg(2, K3, G1);
    share(2, K3, 1, 5001);
    unreg(2, K3);
    emit("collect-registered-with-subclass");
    /* The registration's allocations in turn: its entry (1, a finding of
     * its own on the pristine core: XF-041), then the weakref (2), which
     * only a dying class makes. */
    make(0, K3, -1);
    fault(XF_FAULT_NTH, 2, 1);
    collect(0, K3, G1);
    emit("fault-nth2-collect-weakref");
    make(1, K2, -1);
    reg(1, K2, G0);
    fault(XF_FAULT_NTH, 2, 1);
    collect(1, K2, G1);
    reg(1, K1, G1);
    emit("fault-nth2-collect-registered");

    make(0, K0, -1);
    emit("make-only");
    drop(K0);
    emit("drop-empty");
    emit("empty");
    return xf_seeds_status();
}
