/* SPDX-License-Identifier: MIT */
/*
 * simd_prep.h - plain-C data preparation shared by the AVX2 and AVX-512
 * kernels (compute_avx2.c, compute_avx512.c): per-call padded / transformed
 * copies of the input, weights repacked into the lane layout a kernel
 * wants, and the per-output-channel epilogue table (corrections, multipliers,
 * rounding constants, clamp bounds) for the vectorized requantization.
 * Nothing here executes a vector instruction on its own: the including file
 * compiles it under its own target, and only calls it after CPUID dispatch.
 *
 * Exactness notes (the reference is compute_ref.c):
 *  - every raw accumulator a kernel builds satisfies |partial| < 2^31
 *    (reduction <= 65536 taps of |255 * 128|), and raw - corr is the exact
 *    reference accumulator, computed modulo 2^32 and therefore exact;
 *  - the epilogue evaluates acc * mult + bias * mult (= (acc + bias) * mult,
 *    |.| < 2^63) in int64 and rounds as sushi_rshift() does; the AVX-512
 *    fast path (struct simd_epi.fast, checked per layer) adds half first and
 *    rounds with one arithmetic shift, which is the same integer whenever
 *    v + half cannot overflow.
 */
#ifndef SUSHI_SIMD_PREP_H
#define SUSHI_SIMD_PREP_H

#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/*
 * Loop unrolling of the register-blocked kernels: the accumulator arrays
 * must be fully unrolled to live in registers (gcc and clang spell it
 * differently).  SIMD_UNROLL_RT: loops whose trip count is only constant in
 * some instantiations (clang would warn when it cannot unroll them).
 */
#define SIMD_PRAGMA(x) _Pragma(#x)
#if defined(__clang__)
#define SIMD_UNROLL(n) SIMD_PRAGMA(clang loop unroll(full))
#define SIMD_UNROLL_RT(n)
#define SIMD_NOUNROLL SIMD_PRAGMA(clang loop unroll(disable))
#else
#define SIMD_UNROLL(n) SIMD_PRAGMA(GCC unroll n)
#define SIMD_UNROLL_RT(n) SIMD_PRAGMA(GCC unroll n)
#define SIMD_NOUNROLL SIMD_PRAGMA(GCC unroll 1)
#endif

static inline void *simd_alloc(size_t bytes)
{
	size_t n = (bytes + 63) & ~(size_t)63;

	if (n < bytes)
		return NULL;
	return aligned_alloc(64, n ? n : 64);
}

/* a * b + c with overflow check (sizes of per-call buffers) */
static inline int simd_size(size_t *r, size_t a, size_t b)
{
	return __builtin_mul_overflow(a, b, r) ? -1 : 0;
}

/*
 * Epilogue table, one slot per vector lane: slot = (g * nbl + ob) * vl + j
 * holds output channel g * kg + ob * vl + j when ob * vl + j < kg, else
 * zeros (its result is never stored).
 */
struct simd_epi {
	int32_t *corr;		/* raw accumulator - corr = exact accumulator */
	int64_t *mult;		/* sign-extended multiplier */
	int64_t *bm;		/* bias * mult */
	int64_t *half;		/* 2^(shift-1), 0 for shift 0 */
	int64_t *shift;
	int64_t *bmh;		/* (bias - corr) * mult + half, modulo 2^64 */
	int64_t *adj;		/* -1 when shift > 0, else 0 */
	int64_t lo, hi;		/* act_min - out_zp, act_max - out_zp */
	int64_t zp;		/* out_zp */
	/*
	 * fast: for every channel, |(acc + bias) * mult| + half < 2^63 for
	 * any |acc| < 2^31, so raw * mult + bmh = (acc + bias) * mult + half
	 * cannot overflow and rounding is one arithmetic shift (see
	 * simd_epi_build()); otherwise the kernels take the general path.
	 */
	int fast;
	void *mem;
};

static inline void simd_epi_free(struct simd_epi *t)
{
	free(t->mem);
	t->mem = NULL;
}

/* sum of weight row @oc over the reduction */
static inline int64_t simd_wsum(const struct sushi_layer_io *io, uint64_t red,
				uint64_t oc)
{
	const int8_t *w = io->w + oc * io->w_stride;
	int64_t s = 0;

	for (uint64_t i = 0; i < red; i++)
		s += w[i];
	return s;
}

/*
 * simd_epi_build() - fill @t for @groups groups of @kg channels in
 * blocks of @vl lanes; corr = @czp * (sum of the weight row), the sums
 * taken from @wsum when not NULL.
 */
static inline int simd_epi_build(struct simd_epi *t,
				 const struct sushi_hw_layer *l,
				 const struct sushi_layer_geom *g,
				 const struct sushi_layer_io *io,
				 const struct sushi_epi *epi, uint32_t groups,
				 uint32_t kg, uint32_t vl, int32_t czp,
				 const int64_t *wsum)
{
	const size_t nbl = (kg + vl - 1) / vl;
	size_t n = (size_t)groups * nbl * vl, bytes;
	char *p;

	if (simd_size(&bytes, n, 4 + 6 * 8))
		return -1;
	p = t->mem = simd_alloc(bytes + 7 * 64);
	if (!p)
		return -1;
	memset(p, 0, bytes + 7 * 64);
	t->fast = 1;
	t->mult = (int64_t *)p;
	t->bm = t->mult + n;
	t->half = t->bm + n;
	t->shift = t->half + n;
	t->bmh = t->shift + n;
	t->adj = t->bmh + n;
	t->corr = (int32_t *)(t->adj + n);
	t->zp = sushi_s32(l->out_zp);
	t->lo = sushi_s32(l->act_min) - t->zp;
	t->hi = sushi_s32(l->act_max) - t->zp;
	for (uint32_t gi = 0; gi < groups; gi++) {
		for (uint32_t j = 0; j < kg; j++) {
			size_t slot = (gi * nbl) * vl + j;
			uint32_t oc = gi * kg + j;
			const struct sushi_epi *e = &epi[oc];
			uint64_t bound;

			t->mult[slot] = e->mult;
			t->bm[slot] = (int64_t)e->bias * e->mult;
			t->shift[slot] = e->shift;
			t->half[slot] = e->shift ? (int64_t)1 << (e->shift - 1) : 0;
			if (czp)
				t->corr[slot] = (int32_t)(czp * (wsum ? wsum[oc] :
					simd_wsum(io, g->reduction, oc)));
			/*
			 * (raw - corr + bias) * mult + half, with raw * mult
			 * computed by the kernel: the constant may wrap, the
			 * sum is exact when fast holds.  round_away(v / 2^s) =
			 * floor((v + half - (v < 0 && s > 0)) / 2^s).
			 */
			t->bmh[slot] = (int64_t)((uint64_t)((int64_t)e->bias - t->corr[slot]) *
						 (uint64_t)(int64_t)e->mult +
						 (uint64_t)t->half[slot]);
			t->adj[slot] = e->shift ? -1 : 0;
			bound = ((1ull << 31) + (uint64_t)(e->bias < 0 ? -(int64_t)e->bias : e->bias)) *
				(uint64_t)(e->mult < 0 ? -(int64_t)e->mult : e->mult);
			if (bound > (uint64_t)INT64_MAX - (uint64_t)t->half[slot])
				t->fast = 0;
		}
	}
	return 0;
}

/*
 * Dense conv input: a spatially padded copy, [Hp][Wp][groups][cgp] with the
 * channels of each group padded to cgp.  Input bytes go through @cp, a copy
 * that may transform them (VNNI: u8 = x ^ 0x80 = x + 128; AVX2: plain),
 * and padding (spatial and channel) holds @fill (the transformed in_zp), so
 * a padded tap contributes in_zp (+ 128) times its weight, which corr
 * removes.  Padded channels have zero weights.
 */
struct simd_dense_in {
	size_t hp, wp, ps;	/* padded height, width, elements per pixel */
};

typedef void (*simd_copy_fn)(int8_t *dst, const int8_t *src, size_t n);

static inline size_t simd_dense_in_elems(const struct sushi_hw_layer *l,
					 uint32_t cgp, struct simd_dense_in *d)
{
	size_t n;

	d->hp = (size_t)l->in_h + 2 * l->pad;
	d->wp = (size_t)l->in_w + 2 * l->pad;
	d->ps = (size_t)l->groups * cgp;
	if (simd_size(&n, d->hp, d->wp) || simd_size(&n, n, d->ps))
		return 0;
	return n;
}

static inline void simd_dense_in(const struct sushi_hw_layer *l,
				 const int8_t *in, int8_t *u, uint32_t cgp,
				 const struct simd_dense_in *d, simd_copy_fn cp,
				 int8_t fill)
{
	const uint32_t cg = l->in_c / l->groups, p = l->pad;
	const size_t row = d->wp * d->ps;

	for (size_t iy = 0; iy < d->hp; iy++) {
		int8_t *o = u + iy * row;
		const int8_t *x;

		if (iy < p || iy >= p + l->in_h) {
			memset(o, fill, row);
			continue;
		}
		x = in + (iy - p) * l->in_w * l->in_c;
		memset(o, fill, p * d->ps);
		memset(o + (p + l->in_w) * d->ps, fill, p * d->ps);
		o += p * d->ps;
		if (cg == cgp) {
			cp(o, x, (size_t)l->in_w * l->in_c);
			continue;
		}
		for (size_t ix = 0; ix < l->in_w; ix++, o += d->ps, x += l->in_c) {
			memset(o, fill, d->ps);
			for (uint32_t gi = 0; gi < l->groups; gi++)
				cp(o + gi * cgp, x + gi * cg, cg);
		}
	}
}

/*
 * Dense conv weights, per group, in chunks of up to @omax blocks of @vl
 * output channels: [g][chunk][tap][cgp / cpl][o < on][vl][cpl] where cpl
 * input channels share one 32-bit lane (4 for u8 * s8 VNNI, 2 for s16
 * pairs).  Block ob starts at ob * taps * cgp * vl elements inside its
 * group, whatever chunk it is in.  @es is the element size (1: int8,
 * 2: int16).  Padding lanes and channels are 0.  @wsum gets the sum of
 * every weight row (out_c entries).
 */
static __attribute__((noinline, unused)) void simd_dense_w(const struct sushi_hw_layer *l,
				const struct sushi_layer_io *io, void *dst,
				uint32_t cgp, uint32_t vl, uint32_t cpl,
				uint32_t omax, uint32_t es, int64_t *wsum)
{
	const uint32_t k = l->kernel, taps = k * k;
	const uint32_t cg = l->in_c / l->groups, kg = l->out_c / l->groups;
	const uint32_t nb = (kg + vl - 1) / vl;
	const size_t blk = (size_t)taps * cgp * vl;

	memset(dst, 0, (size_t)l->groups * nb * blk * es);
	for (uint32_t gi = 0; gi < l->groups; gi++) {
		for (uint32_t ocg = 0; ocg < kg; ocg++) {
			const uint32_t ob = ocg / vl, j = ocg % vl;
			const uint32_t ob0 = ob - ob % omax;
			const uint32_t on = nb - ob0 < omax ? nb - ob0 : omax;
			const size_t tstride = (size_t)cgp * on * vl;
			const size_t cqstride = (size_t)on * vl * cpl;
			const size_t base = ((size_t)gi * nb + ob0) * blk +
					    (size_t)(ob - ob0) * vl * cpl + (size_t)j * cpl;
			const int8_t *w = io->w + (size_t)(gi * kg + ocg) * io->w_stride;
			int32_t sum = 0;	/* |sum| <= 128 * 65536 */

			/* one 32-bit lane (cpl * es == 4 bytes) per store */
			for (uint32_t t = 0; t < taps; t++) {
				char *d = (char *)dst + (base + t * tstride) * es;

				uint32_t cq = 0;

				if (cpl == 4 && es == 1) {
					const int8_t *x = w + t;

					for (; cq + 4 <= cg; cq += 4, d += cqstride, x += 4 * taps) {
						int8_t e0 = x[0], e1 = x[taps], e2 = x[2 * taps], e3 = x[3 * taps];
						uint32_t v = (uint32_t)(uint8_t)e0 | (uint32_t)(uint8_t)e1 << 8 |
							     (uint32_t)(uint8_t)e2 << 16 | (uint32_t)(uint8_t)e3 << 24;

						sum += e0 + e1 + e2 + e3;
						memcpy(d, &v, 4);
					}
				}
				for (; cq < cg; cq += cpl, d += cqstride * es) {
					uint32_t v = 0;

					for (uint32_t i = 0; i < cpl && cq + i < cg; i++) {
						int8_t e = w[(size_t)(cq + i) * taps + t];

						sum += e;
						v |= (es == 1 ? (uint32_t)(uint8_t)e :
						       (uint32_t)(uint16_t)e) << (i * 8 * es);
					}
					memcpy(d, &v, 4);
				}
			}
			wsum[gi * kg + ocg] = sum;
		}
	}
}

/* window of pooling output (oy, ox) clipped to the input */
static inline void simd_pool_win(const struct sushi_hw_layer *l, uint32_t oy,
				 uint32_t ox, uint32_t *y0, uint32_t *y1,
				 uint32_t *x0, uint32_t *x1)
{
	int64_t ys = (int64_t)oy * l->stride - l->pad;
	int64_t xs = (int64_t)ox * l->stride - l->pad;
	int64_t ye = ys + l->kernel, xe = xs + l->kernel;

	*y0 = ys < 0 ? 0 : (uint32_t)ys;
	*x0 = xs < 0 ? 0 : (uint32_t)xs;
	*y1 = ye > l->in_h ? l->in_h : (uint32_t)ye;
	*x1 = xe > l->in_w ? l->in_w : (uint32_t)xe;
}

/* one pooling output channel, as compute_ref.c computes it (vector tails) */
static inline int8_t simd_pool_one(const struct sushi_hw_layer *l,
				   const int8_t *in, uint32_t oy, uint32_t ox,
				   uint32_t c)
{
	const int32_t in_zp = sushi_s32(l->in_zp), out_zp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);
	uint32_t y0, y1, x0, x1;
	int64_t sum = 0, n = 0;
	int32_t best = -128;

	simd_pool_win(l, oy, ox, &y0, &y1, &x0, &x1);
	for (uint32_t iy = y0; iy < y1; iy++) {
		for (uint32_t ix = x0; ix < x1; ix++) {
			int32_t x = in[((size_t)iy * l->in_w + ix) * l->in_c + c];

			sum += x - in_zp;
			n++;
			if (x > best)
				best = x;
		}
	}
	if (l->op == SUSHI_OP_MAXPOOL)
		return sushi_clamp8((int64_t)best - in_zp + out_zp, lo, hi);
	return sushi_clamp8(sushi_rdiv(sum, n) + out_zp, lo, hi);
}

/* GAP: exact per-channel sums (int64) of raw inputs, scalar tail helper */
static inline void simd_gap_finish(const struct sushi_hw_layer *l,
				   const int64_t *sum, int8_t *out)
{
	const int64_t n = (int64_t)l->in_h * l->in_w;
	const int64_t zp = sushi_s32(l->in_zp), ozp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);

	for (uint32_t c = 0; c < l->out_c; c++)
		out[c] = sushi_clamp8(sushi_rdiv(sum[c] - n * zp, n) + ozp, lo, hi);
}

#endif /* SUSHI_SIMD_PREP_H */
