/* Layouts of the xid core's private structs, as defined in CPython 3.13's
 * Python/crossinterp.c and crossinterp_data_lookup.h.  The harness reads
 * them to check what the public API does not expose: that a failed call
 * left no partial namespace behind, which interpreter owns an item.
 * They must change when the core's do; unit tests use them against the
 * real core, so a drift shows up there first. */
#ifndef XIDFUZZ_XID_PRIVATE_H
#define XIDFUZZ_XID_PRIVATE_H

#include "runtime.h"
#include "pycore_crossinterp.h"

/* struct _shared_tuple_data (crossinterp_data_lookup.h) */
typedef struct {
    Py_ssize_t len;
    _PyCrossInterpreterData **data;
} xf_shared_tuple;

/* struct _sharednsitem and struct _sharedns (crossinterp.c) */
typedef struct {
    const char *name;
    _PyCrossInterpreterData *data;
} xf_ns_item;

typedef struct {
    Py_ssize_t len;
    xf_ns_item *items;
} xf_ns_layout;

static inline xf_ns_layout *
xf_ns_view(_PyXI_namespace *ns)
{
    return (xf_ns_layout *)ns;
}

#endif
