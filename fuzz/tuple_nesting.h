/* fuzz/tuple_nesting input header, shared with its seed writer. */
#ifndef XIDFUZZ_TUPLE_NESTING_H
#define XIDFUZZ_TUPLE_NESTING_H

/* Slot 0 (main) and three subinterpreters. */
#define XF_TN_NSLOTS 4

enum {
    XF_TN_HEAP = 1 << 0,
    XF_TN_RAWFREE = 1 << 1,
    XF_TN_FROM_B = 1 << 2,
    XF_TN_TWICE = 1 << 3,
    XF_TN_FAULT = 1 << 4,   /* a fault spec (core/harness/fault.h) follows */
    XF_TN_CLEAR = 1 << 5,
};

#endif
