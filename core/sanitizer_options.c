/* Default sanitizer options, compiled into every program of a sanitizer
 * variant.  The environment (ASAN_OPTIONS, ...) still overrides them. */

#ifndef XIDFUZZ_SYMBOLIZER
#  define XIDFUZZ_SYMBOLIZER ""
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);

const char *
__asan_default_options(void)
{
    /* handle_abort: an oracle failure (abort()) prints a stack trace in the
     * replay driver too, not only under libFuzzer. */
    return "detect_leaks=1:handle_abort=1:symbolize=1"
           ":external_symbolizer_path=" XIDFUZZ_SYMBOLIZER;
}

const char *
__ubsan_default_options(void)
{
    /* The core is built with -fno-sanitize=function (see
     * core/build_cpython.sh); every other report stops the run. */
    return "halt_on_error=1:print_stacktrace=1:symbolize=1"
           ":external_symbolizer_path=" XIDFUZZ_SYMBOLIZER;
}

const char *
__lsan_default_options(void)
{
    return "print_suppressions=0";
}
