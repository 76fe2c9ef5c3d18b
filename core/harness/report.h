/* Reporting: what a target says when an oracle fails, and the notes it
 * writes about each input when asked to. */
#ifndef XIDFUZZ_REPORT_H
#define XIDFUZZ_REPORT_H

/* Report a broken oracle: prints "xidfuzz: ORACLE FAILURE: <message>" and
 * aborts, so the fuzzer keeps the input and the sanitizer prints a stack. */
void xf_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* XIDFUZZ_VERBOSE=1 in the environment: targets describe each input on
 * stderr with xf_note() (one line: what was generated, what happened). */
int xf_verbose(void);
void xf_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
