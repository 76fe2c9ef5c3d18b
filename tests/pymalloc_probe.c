/* Proof that the pymalloc harness reports what the production harness
 * cannot see: an object of one interpreter freed by another.  Each own-GIL
 * interpreter has its own obmalloc state; freeing a block of interpreter
 * A's arenas while B is current hands it to free() (B's allocator does not
 * know the address), which ASan reports as a bad free inside the arena
 * (a malloc block, core/harness/arena_malloc.c).  Under the production
 * harness every object is its own malloc block and the same free passes
 * unnoticed.
 *
 *   pymalloc_probe clean        the object is freed by its own interpreter
 *   pymalloc_probe cross-free   ... by another one
 */
#include "target.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "clean") && strcmp(argv[1], "cross-free"))) {
        fprintf(stderr, "usage: pymalloc_probe clean|cross-free\n");
        return 2;
    }
    xf_target_init(3);
    int prev = xf_enter(1);
    /* Small enough for pymalloc (at most 512 bytes). */
    PyObject *obj = PyBytes_FromString("owned by slot 1");
    if (obj == NULL) {
        xf_fail("PyBytes_FromString failed");
    }
    if (strcmp(argv[1], "cross-free") == 0) {
        xf_enter(2);
    }
    Py_DECREF(obj);
    xf_leave(prev);
    printf("pymalloc_probe: %s: freed without a report\n", argv[1]);
    return 0;
}
