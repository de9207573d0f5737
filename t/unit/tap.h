
/*
 * Copyright (C) ngx_meet authors
 *
 * A tiny header-only TAP producer for the C unit tests (t/unit/test_*.c,
 * run by t/unit.t).
 *
 *     ok(cond, "name %d", i);
 *     is_int(got, expected, "name");            integers (long long)
 *     is_mem(got, got_len, expected, expected_len, "name");
 *     is_str(got, expected, "name");            NUL-terminated strings
 *     diag("fmt", ...);  note("fmt", ...);      "# ..." lines
 *     plan(n);                                  optional, before the tests
 *     return done_testing();                    prints "1..N", exit status
 *
 * Each check returns 1 when it passed.  done_testing() returns 1 (a
 * non-zero exit status) if a test failed, none ran, or a plan() was not
 * met; main() returns its value.
 */


#ifndef _MEET_TAP_H_INCLUDED_
#define _MEET_TAP_H_INCLUDED_


#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>


static int  tap_run;
static int  tap_failed;
static int  tap_planned = -1;


#if defined(__GNUC__)
#define TAP_PRINTF(f, a)  __attribute__((format(printf, f, a)))
#define TAP_UNUSED        __attribute__((unused))
#else
#define TAP_PRINTF(f, a)
#define TAP_UNUSED
#endif


#define ok(cond, ...)                                                         \
    tap_ok((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, expected, ...)                                            \
    tap_is_int((long long) (got), (long long) (expected), __FILE__,          \
               __LINE__, __VA_ARGS__)

#define is_mem(got, got_len, expected, expected_len, ...)                     \
    tap_is_mem((const void *) (got), (size_t) (got_len),                      \
               (const void *) (expected), (size_t) (expected_len),            \
               __FILE__, __LINE__, __VA_ARGS__)

#define is_str(got, expected, ...)                                            \
    tap_is_str((got), (expected), __FILE__, __LINE__, __VA_ARGS__)


static void TAP_UNUSED TAP_PRINTF(1, 2)
diag(const char *fmt, ...)
{
    va_list  ap;

    fflush(stdout);
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}


#define note  diag


static void TAP_UNUSED
plan(int n)
{
    tap_planned = n;
}


static void
tap_result(int pass, const char *file, int line, const char *fmt, va_list ap)
{
    tap_run++;

    if (!pass) {
        tap_failed++;
    }

    printf("%s %d - ", pass ? "ok" : "not ok", tap_run);
    vprintf(fmt, ap);
    printf("\n");

    if (!pass) {
        printf("#   Failed test at %s line %d.\n", file, line);
    }

    fflush(stdout);
}


static int TAP_UNUSED TAP_PRINTF(4, 5)
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    tap_result(pass, file, line, fmt, ap);
    va_end(ap);

    return pass;
}


static int TAP_UNUSED TAP_PRINTF(5, 6)
tap_is_int(long long got, long long expected, const char *file, int line,
    const char *fmt, ...)
{
    int      pass;
    va_list  ap;

    pass = (got == expected);

    va_start(ap, fmt);
    tap_result(pass, file, line, fmt, ap);
    va_end(ap);

    if (!pass) {
        printf("#          got: %lld\n#     expected: %lld\n", got, expected);
    }

    return pass;
}


static void
tap_dump(const char *label, const unsigned char *p, size_t n)
{
    size_t  i;

    printf("# %12s: (%zu bytes)", label, n);

    for (i = 0; i < n && i < 64; i++) {
        printf(" %02x", p[i]);
    }

    printf("%s\n", n > 64 ? " ..." : "");
}


static int TAP_UNUSED TAP_PRINTF(7, 8)
tap_is_mem(const void *got, size_t got_len, const void *expected,
    size_t expected_len, const char *file, int line, const char *fmt, ...)
{
    int      pass;
    va_list  ap;

    pass = (got_len == expected_len
            && (got_len == 0 || memcmp(got, expected, got_len) == 0));

    va_start(ap, fmt);
    tap_result(pass, file, line, fmt, ap);
    va_end(ap);

    if (!pass) {
        tap_dump("got", got, got ? got_len : 0);
        tap_dump("expected", expected, expected ? expected_len : 0);
    }

    return pass;
}


static int TAP_UNUSED TAP_PRINTF(5, 6)
tap_is_str(const char *got, const char *expected, const char *file, int line,
    const char *fmt, ...)
{
    int      pass;
    va_list  ap;

    pass = (got != NULL && expected != NULL && strcmp(got, expected) == 0)
           || (got == NULL && expected == NULL);

    va_start(ap, fmt);
    tap_result(pass, file, line, fmt, ap);
    va_end(ap);

    if (!pass) {
        printf("#          got: '%s'\n#     expected: '%s'\n",
               got ? got : "(null)", expected ? expected : "(null)");
    }

    return pass;
}


static int TAP_UNUSED
done_testing(void)
{
    printf("1..%d\n", tap_run);

    if (tap_planned >= 0 && tap_planned != tap_run) {
        printf("# Looks like you planned %d tests but ran %d.\n",
               tap_planned, tap_run);
        fflush(stdout);
        return 1;
    }

    if (tap_run == 0) {
        printf("# No tests run.\n");
        fflush(stdout);
        return 1;
    }

    if (tap_failed) {
        printf("# Looks like you failed %d test%s of %d.\n",
               tap_failed, tap_failed == 1 ? "" : "s", tap_run);
        fflush(stdout);
        return 1;
    }

    fflush(stdout);

    return 0;
}


#endif /* _MEET_TAP_H_INCLUDED_ */
