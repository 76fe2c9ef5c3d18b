/* XIDFUZZ_AVOID: the known findings a target steers around (avoid.h). */
#include "avoid.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finding ids are XF-001..XF-999. */
#define MAX_ID 1000

static unsigned char avoided[MAX_ID];

static void
bad_entry(const char *entry, size_t len)
{
    fprintf(stderr, "xidfuzz: %s: '%.*s' is not a finding id (XF-NNN)\n",
            XF_ENV_AVOID, (int)len, entry);
    exit(2);
}

static int done;

/* Parse "XF-003,XF-005" once; an empty or unset variable avoids nothing. */
void
xf_avoid_init(void)
{
    if (done) {
        return;
    }
    done = 1;
    const char *v = getenv(XF_ENV_AVOID);
    if (v == NULL) {
        return;
    }
    while (*v != '\0') {
        size_t len = strcspn(v, ",");
        if (len == 0) {
            v++;
            continue;
        }
        if (len < 4 || len > 6 || strncmp(v, "XF-", 3) != 0) {
            bad_entry(v, len);
        }
        int id = 0;
        for (size_t i = 3; i < len; i++) {
            if (v[i] < '0' || v[i] > '9') {
                bad_entry(v, len);
            }
            id = id * 10 + (v[i] - '0');
        }
        if (id == 0) {
            bad_entry(v, len);
        }
        avoided[id] = 1;
        v += len;
        if (*v == ',') {
            v++;
        }
    }
}

int
xf_avoiding(int id)
{
    xf_avoid_init();
    return id > 0 && id < MAX_ID && avoided[id];
}

void
xf_avoided(int id, const char *what)
{
    xf_note("avoiding XF-%03d: %s", id, what);
}
