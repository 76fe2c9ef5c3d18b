/* Standalone replay driver: runs a target's LLVMFuzzerTestOneInput over
 * files and directories without libFuzzer.  This is what reproduces a
 * crash, what ctest runs over the corpus, and what Valgrind and coverage
 * builds use.
 *
 *   NAME_replay [--timeout SECONDS] [--quiet] [--sweep [--sweep-max N]] PATH...
 *
 * Directories are walked recursively in sorted order (hidden entries are
 * skipped).  Every path is checked before the first input runs, so a typo
 * costs nothing.  One line per input; a hang names the input that hung.
 *
 * --sweep (core/harness/fault.h): each input runs again and again, with the 1st,
 * then the 2nd, ... armed allocation of the run failing (the input's own
 * fault specs are ignored), until a run hits no injected failure (it made
 * fewer armed allocations than that) or --sweep-max runs (default 1000).
 * After a run that ends with more mallocs than frees, LeakSanitizer is
 * asked, as libFuzzer does; a report names XIDFUZZ_FAULT_NTH=N, which
 * replays that step (NAME_replay FILE with the variable set).
 *
 * Exit status: 0 all inputs ran, 1 a leak in a sweep, 2 bad usage or
 * unreadable input, 3 timeout (a crash exits the way the sanitizer or
 * abort() makes it).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "runtime.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    char **paths;
    size_t n, cap;
} path_list;

static const char *progname = "replay";
static const char *current_input = "";
static unsigned timeout_seconds = 25;

static void
die(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", progname);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

/* An option's value: a whole number in 1..max; otherwise `usage` (which
 * names the option and the range) as the error. */
static long
option_number(const char *arg, long max, const char *usage)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (*end != '\0' || n <= 0 || n > max) {
        die(usage, arg);
    }
    return n;
}

static void
on_alarm(int sig)
{
    (void)sig;
    /* Only async-signal-safe calls here. */
    static const char msg1[] = ": TIMEOUT: input ran longer than the limit: ";
    write(2, progname, strlen(progname));
    write(2, msg1, sizeof(msg1) - 1);
    write(2, current_input, strlen(current_input));
    write(2, "\n", 1);
    _exit(3);
}

static void
push(path_list *list, const char *path)
{
    if (list->n == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->paths = realloc(list->paths, list->cap * sizeof(char *));
        if (list->paths == NULL) {
            die("out of memory listing %s", path);
        }
    }
    list->paths[list->n] = strdup(path);
    if (list->paths[list->n] == NULL) {
        die("out of memory listing %s", path);
    }
    list->n++;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void
collect(path_list *list, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        die("cannot read input '%s': no such file or directory", path);
    }
    if (S_ISREG(st.st_mode)) {
        if (access(path, R_OK) != 0) {
            die("cannot read input '%s': permission denied", path);
        }
        push(list, path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        die("input '%s' is neither a file nor a directory", path);
    }
    struct dirent **entries;
    int n = scandir(path, &entries, NULL, by_name);
    if (n < 0) {
        die("cannot list directory '%s'", path);
    }
    for (int i = 0; i < n; i++) {
        if (entries[i]->d_name[0] != '.') {
            char child[4096];
            snprintf(child, sizeof(child), "%s/%s", path, entries[i]->d_name);
            collect(list, child);
        }
        free(entries[i]);
    }
    free(entries);
}

static uint8_t *
read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        die("cannot open input '%s'", path);
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            die("out of memory reading '%s'", path);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        cap *= 2;
        buf = realloc(buf, cap);
    }
    if (ferror(f)) {
        die("error reading input '%s'", path);
    }
    fclose(f);
    *size = n;
    return buf;
}

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
usage(void)
{
    fprintf(stderr, "usage: %s [--timeout SECONDS] [--quiet] "
            "[--sweep [--sweep-max N]] PATH...\n", progname);
    exit(2);
}

/* LeakSanitizer's per-run check (what libFuzzer calls after an input that
 * ended with more mallocs than frees); absent without the sanitizers. */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void
run_once(const uint8_t *data, size_t size)
{
    alarm(timeout_seconds);
    LLVMFuzzerTestOneInput(data, size);
    alarm(0);
}

/* Fail the 1st, 2nd, ... armed allocation until a run hits none. */
static void
sweep(const char *path, const uint8_t *data, size_t size, unsigned long max,
      int quiet, const char *progress)
{
    double t0 = now_ms();
    unsigned long n = 1;
    for (; n <= max; n++) {
        xf_fault_set_override(n);
        run_once(data, size);
        unsigned long hits = xf_fault_hits();
        if (xf_alloc_balance() > 0 && __lsan_do_recoverable_leak_check != NULL
            && __lsan_do_recoverable_leak_check() != 0)
        {
            fprintf(stderr, "%s: sweep: %s: LEAK with %s=%lu (replay: %s=%lu "
                    "%s %s)\n", progname, path, XF_ENV_FAULT_NTH, n,
                    XF_ENV_FAULT_NTH, n, progname, path);
            /* Not exit(): LeakSanitizer would report the same leak again. */
            fflush(stderr);
            _exit(1);
        }
        if (hits == 0) {
            break;
        }
    }
    xf_fault_set_override(0);
    if (n > max) {
        fprintf(stderr, "%s: sweep %s: %s: failed allocations 1..%lu in turn, no "
                "failure; stopped at --sweep-max (%.1f ms)\n", progname, progress, path,
                max, now_ms() - t0);
    }
    else if (!quiet) {
        fprintf(stderr, "%s: sweep %s: %s: %lu armed allocation(s), each failed "
                "in turn, no failure (%.1f ms)\n", progname, progress, path, n - 1,
                now_ms() - t0);
    }
}

int
main(int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    progname = slash ? slash + 1 : argv[0];
    int quiet = 0;
    int sweeping = 0;
    int sweep_max_given = 0;
    unsigned long sweep_max = 1000;
    path_list inputs = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        else if (strcmp(argv[i], "--quiet") == 0) {
            quiet = 1;
        }
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout_seconds = (unsigned)option_number(
                argv[++i], 86400, "--timeout takes a number of seconds (1..86400), not '%s'");
        }
        else if (strcmp(argv[i], "--sweep") == 0) {
            sweeping = 1;
        }
        else if (strcmp(argv[i], "--sweep-max") == 0 && i + 1 < argc) {
            sweep_max = (unsigned long)option_number(
                argv[++i], 10000000, "--sweep-max takes a number of runs (1..10000000), not '%s'");
            sweep_max_given = 1;
        }
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage();
        }
        else {
            die("unknown option '%s' (try --help)", argv[i]);
        }
    }
    if (i == argc) {
        usage();
    }
    if (sweep_max_given && !sweeping) {
        die("%s", "--sweep-max needs --sweep");
    }
    for (; i < argc; i++) {
        size_t before = inputs.n;
        collect(&inputs, argv[i]);
        if (inputs.n == before) {
            die("no inputs found in '%s'", argv[i]);
        }
    }

    LLVMFuzzerInitialize(&argc, &argv);
    /* A sanitizer report ends the process without xf_fail(): say what
     * fault injection did there too. */
    if (__sanitizer_set_death_callback != NULL) {
        __sanitizer_set_death_callback(xf_fault_report);
    }
    signal(SIGALRM, on_alarm);
    for (size_t k = 0; k < inputs.n; k++) {
        size_t size;
        uint8_t *data = read_file(inputs.paths[k], &size);
        current_input = inputs.paths[k];
        if (sweeping) {
            char progress[64];
            snprintf(progress, sizeof(progress), "[%zu/%zu]", k + 1, inputs.n);
            sweep(current_input, data, size, sweep_max, quiet, progress);
            free(data);
            free(inputs.paths[k]);
            continue;
        }
        if (!quiet) {
            fprintf(stderr, "%s: %s: running (%zu bytes)\n", progname, current_input, size);
        }
        double t0 = now_ms();
        run_once(data, size);
        if (!quiet) {
            fprintf(stderr, "%s: %s: ok (%.1f ms)\n", progname, current_input,
                    now_ms() - t0);
        }
        free(data);
        free(inputs.paths[k]);
    }
    fprintf(stderr, "%s: %zu input(s) %s, no failure\n", progname, inputs.n,
            sweeping ? "swept" : "replayed");
    free(inputs.paths);
    return 0;
}
