/* SPDX-License-Identifier: MIT */
/*
 * model_internal.h - the arithmetic every compute kernel shares (rounding,
 * requantization, clamping) and the kernel-family table.  Private to the
 * model library; the documented definitions are in
 * Documentation/hardware/model.rst ("Arithmetic").
 */
#ifndef SUSHI_MODEL_INTERNAL_H
#define SUSHI_MODEL_INTERNAL_H

#include <stdint.h>

#include "sushi_model.h"

/* A decoded epilogue record (host order). */
struct sushi_epi {
	int32_t bias;
	int32_t mult;
	uint32_t shift;
};

/*
 * rdiv(n, d), d > 0: n / d rounded to nearest, ties away from zero.
 * |n| < 2^62 and d < 2^62 for every caller, so 2|n| + d cannot overflow.
 */
static inline int64_t sushi_rdiv(int64_t n, int64_t d)
{
	uint64_t m = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
	uint64_t q = (2 * m + (uint64_t)d) / (2 * (uint64_t)d);

	return n < 0 ? -(int64_t)q : (int64_t)q;
}

/* rshift(x, s): x / 2^s rounded to nearest, ties away from zero; s <= 62. */
static inline int64_t sushi_rshift(int64_t x, uint32_t s)
{
	uint64_t m, q;

	if (!s)
		return x;
	m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	q = (m + ((uint64_t)1 << (s - 1))) >> s;
	return x < 0 ? -(int64_t)q : (int64_t)q;
}

static inline int8_t sushi_clamp8(int64_t v, int32_t lo, int32_t hi)
{
	if (v < lo)
		return (int8_t)lo;
	if (v > hi)
		return (int8_t)hi;
	return (int8_t)v;
}

/*
 * The CONV/FC epilogue: out = clamp(out_zp + rshift((acc + bias) * mult,
 * shift)).  |acc| <= 2^31 (reduction <= 65536 of |255 * 128|), so the
 * product stays below 2^63.
 */
static inline int8_t sushi_requant(int64_t acc, const struct sushi_epi *e,
				   int32_t out_zp, int32_t lo, int32_t hi)
{
	int64_t v = sushi_rshift((acc + e->bias) * (int64_t)e->mult, e->shift);

	return sushi_clamp8(v + out_zp, lo, hi);
}

static inline int32_t sushi_s32(uint32_t v)
{
	return (int32_t)v;
}

/*
 * One kernel per op.  Called with a checked layer, its geometry, buffers
 * that are present, and (CONV/FC) decoded epilogues.  Returns 0 or -ENOMEM.
 */
typedef int (*sushi_op_fn)(const struct sushi_hw_layer *l,
			   const struct sushi_layer_geom *g,
			   const struct sushi_layer_io *io,
			   const struct sushi_epi *epi);

struct sushi_kernel_set {
	const char *name;
	sushi_op_fn op[SUSHI_OP_COUNT];
};

extern const struct sushi_kernel_set sushi_kernels_ref;
extern const struct sushi_kernel_set sushi_kernels_avx2;
extern const struct sushi_kernel_set sushi_kernels_avx512;

/* Reference kernels, also the fallback of the fast families. */
int sushi_ref_conv(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi);
int sushi_ref_add(const struct sushi_hw_layer *l,
		  const struct sushi_layer_geom *g,
		  const struct sushi_layer_io *io, const struct sushi_epi *epi);
int sushi_ref_pool(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi);

/* compute.c: the checks sushi_layer_compute() and the streamed variant share */
int sushi_compute_begin(const struct sushi_hw_layer *l, const void *io,
			enum sushi_isa *isa, struct sushi_layer_geom *g);

#endif /* SUSHI_MODEL_INTERNAL_H */
