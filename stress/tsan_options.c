/* ThreadSanitizer defaults for xidstress (used only in the tsan variant;
 * TSAN_OPTIONS in the environment still wins).  The suppressions file
 * lists races inside CPython itself that the stress scenarios trigger on
 * every run; see the file for why each entry is there. */
#ifndef XIDFUZZ_TSAN_SUPPRESSIONS
#  define XIDFUZZ_TSAN_SUPPRESSIONS ""
#endif

const char *__tsan_default_options(void);

const char *
__tsan_default_options(void)
{
    return "halt_on_error=1:second_deadlock_stack=1:history_size=4"
           ":suppressions=" XIDFUZZ_TSAN_SUPPRESSIONS;
}
