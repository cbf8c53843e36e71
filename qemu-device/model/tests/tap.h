/* SPDX-License-Identifier: MIT */
/*
 * tap.h - a minimal TAP producer for the model library's host tests:
 * ok()/is_u64() print "ok N - ..." or "not ok N - ...", tap_done() prints
 * the plan and the closing count and returns the exit status.
 * A test binary given "--quick" runs fewer random cases (valgrind runs).
 */
#ifndef SUSHI_TAP_H
#define SUSHI_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_quick;

static inline void tap_init(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--quick"))
			tap_quick = 1;
}

__attribute__((format(printf, 2, 3)))
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return cond;
}

#define is_u64(got, want, ...)                                               \
	do {                                                                 \
		uint64_t g_ = (got), w_ = (want);                            \
		if (!ok(g_ == w_, __VA_ARGS__))                              \
			printf("#   got %" PRIu64 ", want %" PRIu64 "\n", g_, w_); \
	} while (0)

#define is_int(got, want, ...)                                               \
	do {                                                                 \
		long long g_ = (got), w_ = (want);                           \
		if (!ok(g_ == w_, __VA_ARGS__))                              \
			printf("#   got %lld, want %lld\n", g_, w_);         \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	printf("%d passed, %d failed\n", tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

/* xorshift64*: deterministic test data */
static inline uint64_t tap_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

#endif /* SUSHI_TAP_H */
