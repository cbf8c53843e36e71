/* SPDX-License-Identifier: MIT */
/*
 * sushi_sat.h - saturating 64-bit addition and multiplication for the
 * model's cost arithmetic (cost.c) and the host budgets (host_cost.c), in
 * the common subset of kernel C and C11: a result that does not fit is
 * U64_MAX, never a wrapped small number.
 */
#ifndef SUSHI_SAT_H
#define SUSHI_SAT_H

#include <linux/types.h>

#ifdef __KERNEL__
#include <linux/overflow.h>
#define sushi_add_overflow(a, b, d)	check_add_overflow(a, b, d)
#define sushi_mul_overflow(a, b, d)	check_mul_overflow(a, b, d)
#else
#define sushi_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define sushi_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
#endif

static inline __u64 sushi_sat_add(__u64 a, __u64 b)
{
	__u64 r;

	return sushi_add_overflow(a, b, &r) ? ~(__u64)0 : r;
}

static inline __u64 sushi_sat_mul(__u64 a, __u64 b)
{
	__u64 r;

	return sushi_mul_overflow(a, b, &r) ? ~(__u64)0 : r;
}

#endif /* SUSHI_SAT_H */
