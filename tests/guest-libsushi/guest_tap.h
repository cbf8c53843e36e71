/* SPDX-License-Identifier: MIT */
/*
 * guest_tap.h - the TAP output of the in-guest libsushi tests (one test
 * program per file): tap() prints one numbered line, OK(cond, fmt, ...)
 * and EQ(want, got, fmt, ...) report a condition and, on failure, where it
 * failed and what was seen; tap_done() prints the plan and the summary.
 */
#ifndef SUSHI_GUEST_TAP_H
#define SUSHI_GUEST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int n_test, n_fail;

/* Print one TAP line; returns @ok. */
__attribute__((format(printf, 4, 5)))
static int tap(int ok, long line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	n_test++;
	if (!ok)
		n_fail++;
	printf("%s %d - ", ok ? "ok" : "not ok", n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		printf("#   failed: %s (line %ld)\n", cond, line);
	fflush(stdout);
	return ok;
}

#define OK(cond, ...) tap(!!(cond), __LINE__, #cond, __VA_ARGS__)

/* want == got, with both printed on failure */
#define EQ(want, got, ...) do { \
	long long w_ = (long long)(want), g_ = (long long)(got); \
	if (!tap(w_ == g_, __LINE__, #got, __VA_ARGS__)) \
		printf("#   want %lld, got %lld\n", w_, g_); \
} while (0)

/* The plan and the summary; the exit status of the test program. */
static inline int tap_done(void)
{
	printf("1..%d\n# %d passed, %d failed\n", n_test, n_test - n_fail,
	       n_fail);
	return n_fail ? 1 : 0;
}

#endif /* SUSHI_GUEST_TAP_H */
