/* Default sanitizer options, compiled into every program of a sanitizer
 * variant.  The environment (ASAN_OPTIONS, ...) still overrides them. */

#ifndef XIDFUZZ_SYMBOLIZER
#  define XIDFUZZ_SYMBOLIZER ""
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);

/* An empty external_symbolizer_path would turn symbolizing off: programs
 * built without a known symbolizer (OSS-Fuzz builds, which run on another
 * machine) leave the key out, and the sanitizer searches PATH. */
#define XF_HAVE_SYMBOLIZER (XIDFUZZ_SYMBOLIZER[0] != '\0')

const char *
__asan_default_options(void)
{
    /* handle_abort: an oracle failure (abort()) prints a stack trace in the
     * replay driver too, not only under libFuzzer. */
    static const char base[] = "detect_leaks=1:handle_abort=1:symbolize=1";
    static const char with_path[] = "detect_leaks=1:handle_abort=1:symbolize=1"
                                    ":external_symbolizer_path=" XIDFUZZ_SYMBOLIZER;
    return XF_HAVE_SYMBOLIZER ? with_path : base;
}

const char *
__ubsan_default_options(void)
{
    /* The core is built with -fno-sanitize=function (see
     * core/cpython/build_cpython.sh); every other report stops the run. */
    static const char base[] = "halt_on_error=1:print_stacktrace=1:symbolize=1";
    static const char with_path[] = "halt_on_error=1:print_stacktrace=1:symbolize=1"
                                    ":external_symbolizer_path=" XIDFUZZ_SYMBOLIZER;
    return XF_HAVE_SYMBOLIZER ? with_path : base;
}

const char *
__lsan_default_options(void)
{
    return "print_suppressions=0";
}
