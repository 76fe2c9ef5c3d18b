/* fuzz/class_registry input encoding, shared with its seed writer (the header
 * comment of fuzz/class_registry.c describes it). */
#ifndef XIDFUZZ_CLASS_REGISTRY_H
#define XIDFUZZ_CLASS_REGISTRY_H

#define XF_REG_NSLOTS 3         /* slot 0 (main) and two subinterpreters */
#define XF_REG_NHEAP 4          /* heap classes, indexes 0..3 */
#define XF_REG_STATIC XF_REG_NHEAP  /* the harness's static type */
#define XF_REG_NCLASSES (XF_REG_NHEAP + 1)
#define XF_REG_MAX_OPS 48

enum xf_reg_op {
    XF_REG_MAKE = 0,
    XF_REG_REGISTER,
    XF_REG_UNREGISTER,
    XF_REG_SHARE,
    XF_REG_DROP,
    XF_REG_COLLECT,
    XF_REG_NOPS
};

#endif
