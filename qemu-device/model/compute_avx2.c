// SPDX-License-Identifier: MIT
/*
 * compute_avx2.c - AVX2 kernels, bit-exact with compute_ref.c.  Compiled
 * with a target pragma/attribute (no special compiler flags); dispatch
 * (isa.c) checks CPUID before any of this runs.
 *
 * No VNNI here, and vpmaddubsw would saturate on u8 * s8 pairs, so every
 * product goes through vpmaddwd on int16: CONV (dense / grouped) holds
 * x - in_zp as int16 (padding 0), output channels in the 8 int32 lanes and
 * 2 input channels per lane, blocks of 2 x 8 output channels by 5 output
 * pixels; depthwise (in_c == groups, fewer than 8 channels per group)
 * holds channels in lanes (vpmaddwd of the sign-extended input against
 * (w, 0) pairs); FC holds the reduction in the lanes.  The requantization
 * is vectorized in int64 exactly like sushi_requant().  When a per-call
 * buffer cannot be allocated the kernel runs the reference instead.
 */
#include "model_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
/* GCC 12's intrinsics headers trip it under -Winit-self (their __Y = __Y) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include "simd_prep.h"
#include "simd_dw.h"

#define AI static inline __attribute__((always_inline))

/* ------------------------------------------------------------ epilogue */

/* min / max of int64 lanes (AVX2 has no vpminsq) */
AI __m256i max64(__m256i a, __m256i b)
{
	return _mm256_blendv_epi8(a, b, _mm256_cmpgt_epi64(b, a));
}

AI __m256i min64(__m256i a, __m256i b)
{
	return _mm256_blendv_epi8(a, b, _mm256_cmpgt_epi64(a, b));
}

/* 4 exact int64 accumulators of slots [slot, slot + 4) -> 4 int64 outputs */
AI __m256i epi_q4(__m256i a, const struct simd_epi *t, size_t slot)
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i v, sg, q;

	v = _mm256_add_epi64(_mm256_mul_epi32(a, _mm256_loadu_si256((const __m256i *)(t->mult + slot))),
			     _mm256_loadu_si256((const __m256i *)(t->bm + slot)));
	sg = _mm256_cmpgt_epi64(zero, v);
	q = _mm256_sub_epi64(_mm256_xor_si256(v, sg), sg);		/* |v| < 2^63 */
	q = _mm256_add_epi64(q, _mm256_loadu_si256((const __m256i *)(t->half + slot)));
	q = _mm256_srlv_epi64(q, _mm256_loadu_si256((const __m256i *)(t->shift + slot)));
	q = _mm256_sub_epi64(_mm256_xor_si256(q, sg), sg);
	q = max64(q, _mm256_set1_epi64x(t->lo));
	q = min64(q, _mm256_set1_epi64x(t->hi));
	return _mm256_add_epi64(q, _mm256_set1_epi64x(t->zp));
}

/* low dwords of 2 x 4 int64 lanes holding values in [-128, 127] -> 8 bytes */
AI __m128i q8_to_b8(__m256i r0, __m256i r1)
{
	const __m256i idx = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
	__m128i d0 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(r0, idx));
	__m128i d1 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(r1, idx));
	__m128i w = _mm_packs_epi32(d0, d1);

	return _mm_packs_epi16(w, w);
}

/* 8 raw int32 accumulators -> 8 output bytes (low half) */
AI __m128i epi_b8(__m256i acc, const struct simd_epi *t, size_t slot)
{
	__m256i a = _mm256_sub_epi32(acc, _mm256_loadu_si256((const __m256i *)(t->corr + slot)));
	__m256i r0 = epi_q4(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)), t, slot);
	__m256i r1 = epi_q4(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)), t, slot + 4);

	return q8_to_b8(r0, r1);
}

/* store the low @n (<= 8) bytes of @v */
AI void store_n(int8_t *dst, __m128i v, uint32_t n)
{
	int8_t tmp[16];

	if (n >= 8) {
		_mm_storel_epi64((__m128i *)dst, v);
		return;
	}
	_mm_storeu_si128((__m128i *)tmp, v);
	memcpy(dst, tmp, n);
}

/* ------------------------------------------------------------ dense conv */

struct dense_ctx {
	const struct sushi_hw_layer *l;
	const struct sushi_layer_io *io;
	const struct simd_epi *t;
	const int16_t *u;		/* padded x - in_zp */
	const int16_t *w;		/* repacked weights, int16 pairs */
	struct simd_dense_in d;
	uint32_t cgp, nb, kg;
	size_t blk;			/* elements per block of 8 channels */
};

#define DENSE_OMAX 2

AI void dense_run(const struct dense_ctx *c, uint32_t gi, uint32_t ob0,
		  const int O, const int P)
{
	const struct sushi_hw_layer *l = c->l;
	const uint32_t k = l->kernel, s = l->stride, ow = l->out_w;
	const size_t npix = (size_t)l->out_h * ow, ps = c->d.ps, wp = c->d.wp;
	const size_t c2n = c->cgp / 2;
	const int16_t *wbase = c->w + ((size_t)gi * c->nb + ob0) * c->blk;
	const int16_t *ubase = c->u + (size_t)gi * c->cgp;

	for (size_t q0 = 0; q0 < npix; q0 += P) {
		const int16_t *px[8];
		__m256i acc[DENSE_OMAX * 8], res[DENSE_OMAX * 8];
		const int16_t *wb = wbase;

		SIMD_UNROLL(8)
		for (int p = 0; p < P; p++) {
			size_t q = q0 + p < npix ? q0 + p : npix - 1;
			size_t oy = q / ow, ox = q % ow;

			px[p] = ubase + (oy * s * wp + ox * s) * ps;
		}
		SIMD_UNROLL(16)
		for (int i = 0; i < O * P; i++)
			acc[i] = _mm256_setzero_si256();
		for (uint32_t ky = 0; ky < k; ky++) {
			for (uint32_t kx = 0; kx < k; kx++) {
				const size_t toff = (ky * wp + kx) * ps;

				for (size_t c2 = 0; c2 < c2n; c2++) {
					const size_t off = toff + 2 * c2;
					__m256i wv[DENSE_OMAX];

					SIMD_UNROLL(2)
					for (int o = 0; o < O; o++)
						wv[o] = _mm256_loadu_si256((const __m256i *)(wb + 16 * o));
					wb += 16 * O;
					SIMD_UNROLL(8)
					for (int p = 0; p < P; p++) {
						int32_t v;
						__m256i b;

						memcpy(&v, px[p] + off, 4);
						b = _mm256_set1_epi32(v);
						SIMD_UNROLL(2)
						for (int o = 0; o < O; o++)
							acc[p * O + o] = _mm256_add_epi32(acc[p * O + o],
								_mm256_madd_epi16(b, wv[o]));
					}
				}
			}
		}
		SIMD_UNROLL(16)
		for (int i = 0; i < O * P; i++)
			res[i] = acc[i];
		SIMD_NOUNROLL
		for (int p = 0; p < P; p++) {
			int8_t *out;

			if (q0 + p >= npix)
				break;
			out = c->io->out + (q0 + p) * l->out_c + (size_t)gi * c->kg;
			SIMD_NOUNROLL
			for (int o = 0; o < O; o++) {
				uint32_t ocg = (ob0 + o) * 8;
				size_t slot = ((size_t)gi * c->nb + ob0 + o) * 8;

				store_n(out + ocg, epi_b8(res[p * O + o], c->t, slot),
					c->kg - ocg);
			}
		}
	}
}

static __attribute__((noinline)) void
dense_run2(const struct dense_ctx *c, uint32_t gi, uint32_t ob0)
{
	dense_run(c, gi, ob0, 2, 5);
}

static __attribute__((noinline)) void
dense_run1(const struct dense_ctx *c, uint32_t gi, uint32_t ob0)
{
	dense_run(c, gi, ob0, 1, 8);
}

static void copy_plain(int8_t *dst, const int8_t *src, size_t n)
{
	memcpy(dst, src, n);
}

/* u[i] = x[i] - zp as int16 */
static void widen_sub(int16_t *u, const int8_t *x, size_t n, int32_t zp)
{
	const __m256i z = _mm256_set1_epi16((int16_t)zp);
	size_t i = 0;

	for (; i + 16 <= n; i += 16)
		_mm256_storeu_si256((__m256i *)(u + i), _mm256_sub_epi16(
			_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + i))), z));
	for (; i < n; i++)
		u[i] = (int16_t)(x[i] - zp);
}

static int conv_dense(const struct sushi_hw_layer *l,
		      const struct sushi_layer_geom *g,
		      const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t cg = l->in_c / l->groups, taps = l->kernel * l->kernel;
	struct simd_epi t = { 0 };
	struct dense_ctx c = { .l = l, .io = io, .t = &t };
	int8_t *raw = NULL;
	int16_t *u = NULL, *w = NULL;
	int64_t *wsum = NULL;
	size_t un, wn;
	int ok = 0;

	c.cgp = (cg + 1) & ~1u;
	c.kg = l->out_c / l->groups;
	c.nb = (c.kg + 7) / 8;
	c.blk = (size_t)taps * c.cgp * 8;
	un = simd_dense_in_elems(l, c.cgp, &c.d);
	if (un && un < SIZE_MAX / 2 &&
	    !simd_size(&wn, (size_t)l->groups * c.nb, c.blk * 2)) {
		raw = simd_alloc(un);
		u = simd_alloc(un * 2);
		w = simd_alloc(wn);
		wsum = simd_alloc((size_t)l->out_c * sizeof(*wsum));
	}
	if (raw && u && w && wsum) {
		simd_dense_w(l, io, w, c.cgp, 8, 2, DENSE_OMAX, 2, wsum);
		ok = !simd_epi_build(&t, l, g, io, epi, l->groups, c.kg, 8, 0, NULL);
	}
	free(wsum);
	if (!ok) {
		free(raw);
		free(u);
		free(w);
		return sushi_ref_conv(l, g, io, epi);	/* same bytes, no memory */
	}
	simd_dense_in(l, io->in, raw, c.cgp, &c.d, copy_plain,
		      (int8_t)sushi_s32(l->in_zp));
	widen_sub(u, raw, un, sushi_s32(l->in_zp));
	free(raw);
	c.u = u;
	c.w = w;
	for (uint32_t gi = 0; gi < l->groups; gi++) {
		for (uint32_t ob0 = 0; ob0 < c.nb; ob0 += DENSE_OMAX) {
			if (c.nb - ob0 == 1)
				dense_run1(&c, gi, ob0);
			else
				dense_run2(&c, gi, ob0);
		}
	}
	free(u);
	free(w);
	simd_epi_free(&t);
	return 0;
}

/* ------------------------------------------------------- depthwise conv */

/*
 * Depthwise (simd_dw.h): blocks of 32 output channels, 4 vectors of 8
 * lanes; a lane holds 2 kernel rows of one column as an int16 pair, so one
 * vpmaddwd does 2 taps of 8 channels.  Lane (vector 2 h + r, 128-bit lane
 * j, dword i) is channel 16 h + 8 j + 4 r + i: what unpacking 2 rows of 16
 * sign-extended channels gives, and what the saturating packs (and one
 * vpermq) turn back into 32 bytes in channel order.
 */
#define DW_BLK 32

static uint32_t dw2_slot(uint32_t cc)
{
	const uint32_t h = cc / 16, c16 = cc % 16;

	return (2 * h + c16 % 8 / 4) * 8 + c16 / 8 * 4 + cc % 4;
}

struct dw2 {
	const struct sushi_hw_layer *l;
	const struct sushi_layer_io *io;
	struct simd_dw_plan pl;
};

/* one pixel, channel multiplier m > 1: o[c] = src[c / m] */
static void dw2_spread(int8_t *o, const int8_t *src, const uint8_t *idx,
		       const uint32_t *s0, const uint32_t *ns, size_t n16)
{
	for (size_t j = 0; j < n16; j++) {
		int8_t tmp[16] = { 0 };
		__m128i v;

		if (ns[j] == 16) {
			v = _mm_loadu_si128((const __m128i *)(src + s0[j]));
		} else {
			memcpy(tmp, src + s0[j], ns[j]);
			v = _mm_loadu_si128((const __m128i *)tmp);
		}
		v = _mm_shuffle_epi8(v, _mm_load_si128((const __m128i *)(idx + 16 * j)));
		_mm_storeu_si128((__m128i *)(o + 16 * j), v);
	}
}

/* input row @iy expanded to output channels, padded: ring row @dst */
static void dw2_expand(const struct dw2 *c, long iy, int8_t *dst)
{
	const struct sushi_hw_layer *l = c->l;
	const struct simd_dw_plan *pl = &c->pl;
	const uint32_t C = l->in_c;
	const int8_t zp = (int8_t)sushi_s32(l->in_zp);

	for (size_t x = 0; x < pl->wp; x++) {
		int8_t *o = dst + x * pl->cep;
		const int8_t *src;

		if (iy < 0 || x < pl->p || x >= pl->p + l->in_w) {
			memset(o, zp, pl->cep);
			continue;
		}
		src = c->io->in + ((size_t)iy * l->in_w + x - pl->p) * C;
		if (pl->m == 1) {
			memcpy(o, src, C);
			memset(o + C, 0, pl->cep - C);
			continue;
		}
		dw2_spread(o, src, pl->idx, pl->src, pl->nsrc, pl->cep / 16);
	}
}

/* the ring holds every input row output row @oy reads */
static void dw2_rows(struct dw2 *c, uint32_t oy)
{
	struct simd_dw_plan *pl = &c->pl;

	for (uint32_t ky = 0; ky < pl->k; ky++) {
		long iy = simd_dw_iy(pl, c->l, oy, ky);

		if (iy < 0 || pl->ring_iy[iy % pl->k] == iy)
			continue;
		dw2_expand(c, iy, (int8_t *)simd_dw_row(pl, iy));
		pl->ring_iy[iy % pl->k] = iy;
	}
}

/* tap row of block @b for output row @oy: [g][x][4 vectors][8 lanes] */
static void dw2_taps(const struct dw2 *c, uint32_t oy, size_t b)
{
	const struct simd_dw_plan *pl = &c->pl;

	for (uint32_t gi = 0; gi < pl->g; gi++) {
		const int8_t *r0 = (const int8_t *)simd_dw_row(pl, simd_dw_iy(pl, c->l, oy, 2 * gi)) + b * DW_BLK;
		const int8_t *r1 = (const int8_t *)simd_dw_row(pl, simd_dw_iy(pl, c->l, oy, 2 * gi + 1)) + b * DW_BLK;
		uint8_t *t = pl->tap + (size_t)gi * pl->wx * 128;

		for (size_t x = 0; x < pl->wx; x++, t += 128) {
			SIMD_UNROLL(2)
			for (int h = 0; h < 2; h++) {
				const size_t off = x * pl->cep + 16 * h;
				__m256i a = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(r0 + off)));
				__m256i bb = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(r1 + off)));

				_mm256_store_si256((__m256i *)(t + 64 * h), _mm256_unpacklo_epi16(a, bb));
				_mm256_store_si256((__m256i *)(t + 64 * h + 32), _mm256_unpackhi_epi16(a, bb));
			}
		}
	}
}

/* 8 raw accumulators of slots [sb, sb + 8) -> q (simd_dw.h), int32 */
AI __m256i dw2_q(__m256i raw, const struct simd_dw_epi *t, size_t sb,
		 const int NEG, const int HI)
{
	__m256i a = _mm256_add_epi32(raw, _mm256_load_si256((const __m256i *)(t->c1 + sb)));
	__m256i u = _mm256_abs_epi32(a), pe, po, r;

	pe = _mm256_mul_epu32(u, _mm256_load_si256((const __m256i *)(t->me + sb / 2)));
	po = _mm256_mul_epu32(_mm256_shuffle_epi32(u, 0xb1),
			      _mm256_load_si256((const __m256i *)(t->mo + sb / 2)));
	if (HI) {
		r = _mm256_blend_epi32(_mm256_shuffle_epi32(pe, 0xb1), po, 0xaa);
		r = _mm256_srlv_epi32(_mm256_add_epi32(r, _mm256_load_si256((const __m256i *)(t->hh + sb))),
				      _mm256_load_si256((const __m256i *)(t->hs + sb)));
	} else {
		pe = _mm256_srlv_epi64(_mm256_add_epi64(pe, _mm256_load_si256((const __m256i *)(t->he + sb / 2))),
				       _mm256_load_si256((const __m256i *)(t->se + sb / 2)));
		po = _mm256_srlv_epi64(_mm256_add_epi64(po, _mm256_load_si256((const __m256i *)(t->ho + sb / 2))),
				       _mm256_load_si256((const __m256i *)(t->so + sb / 2)));
		r = _mm256_blend_epi32(pe, _mm256_shuffle_epi32(po, 0xb1), 0xaa);
	}
	r = _mm256_sign_epi32(r, a);
	if (NEG)
		r = _mm256_sign_epi32(r, _mm256_load_si256((const __m256i *)(t->sg + sb)));
	return r;
}

/* one output row of block @b: 32 channels per pixel */
AI void dw2_row(const struct dw2 *c, uint32_t oy, size_t b, const int K,
		const int NEG, const int HI)
{
	const struct sushi_hw_layer *l = c->l;
	const struct simd_dw_plan *pl = &c->pl;
	const uint32_t k = K ? (uint32_t)K : pl->k, g = K ? 2 : pl->g, s = pl->s;
	const uint32_t *wq = (const uint32_t *)pl->wq + b * pl->g * pl->k * DW_BLK;
	const size_t nv = l->out_c - b * DW_BLK;
	const __m256i zp = _mm256_set1_epi16((int16_t)sushi_s32(l->out_zp));
	const __m256i lo = _mm256_set1_epi8((char)sushi_s32(l->act_min));
	const __m256i hi = _mm256_set1_epi8((char)sushi_s32(l->act_max));
	int8_t *out = c->io->out + (size_t)oy * l->out_w * l->out_c + b * DW_BLK;

	for (uint32_t ox = 0; ox < l->out_w; ox++, out += l->out_c) {
		__m256i q[4], p0, p1, r;

		/* one vector at a time: AVX2 has 16 registers */
		SIMD_UNROLL(4)
		for (int v = 0; v < 4; v++) {
			__m256i acc = _mm256_setzero_si256();

			SIMD_UNROLL_RT(2)
			for (uint32_t gi = 0; gi < g; gi++) {
				const uint8_t *t = pl->tap + ((size_t)gi * pl->wx + (size_t)ox * s) * 128 + 32 * v;
				const uint32_t *w = wq + gi * k * DW_BLK + 8 * v;

				SIMD_UNROLL_RT(3)
				for (uint32_t kx = 0; kx < k; kx++)
					acc = _mm256_add_epi32(acc, _mm256_madd_epi16(
						_mm256_load_si256((const __m256i *)(t + 128 * kx)),
						_mm256_load_si256((const __m256i *)(w + DW_BLK * kx))));
			}
			q[v] = dw2_q(acc, &pl->e, b * DW_BLK + 8 * v, NEG, HI);
		}
		p0 = _mm256_adds_epi16(_mm256_packs_epi32(q[0], q[1]), zp);
		p1 = _mm256_adds_epi16(_mm256_packs_epi32(q[2], q[3]), zp);
		r = _mm256_permute4x64_epi64(_mm256_packs_epi16(p0, p1), 0xd8);
		r = _mm256_min_epi8(_mm256_max_epi8(r, lo), hi);
		if (nv >= 32) {
			_mm256_storeu_si256((__m256i *)out, r);
		} else {
			int8_t tmp[32];

			_mm256_storeu_si256((__m256i *)tmp, r);
			memcpy(out, tmp, nv);
		}
	}
}

typedef void (*dw2_row_fn)(const struct dw2 *c, uint32_t oy, size_t b);

#define DW2_ROW(name, K, NEG, HI)					\
	static __attribute__((noinline)) void				\
	name(const struct dw2 *c, uint32_t oy, size_t b)		\
	{								\
		dw2_row(c, oy, b, K, NEG, HI);				\
	}
DW2_ROW(dw2_row3, 3, 0, 0)
DW2_ROW(dw2_row3h, 3, 0, 1)
DW2_ROW(dw2_row3n, 3, 1, 0)
DW2_ROW(dw2_row3nh, 3, 1, 1)
DW2_ROW(dw2_rowk, 0, 1, 0)

/* the row kernel for this layer: k == 3 specialized, any sign, hi form */
static dw2_row_fn dw2_pick(const struct simd_dw_plan *pl)
{
	static const dw2_row_fn k3[2][2] = {
		{ dw2_row3, dw2_row3h }, { dw2_row3n, dw2_row3nh },
	};

	if (pl->k != 3)
		return dw2_rowk;
	return k3[pl->e.any_neg][pl->e.hi];
}

static int conv_dw(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	struct dw2 c = { .l = l, .io = io };
	struct simd_dw_plan *pl = &c.pl;
	dw2_row_fn row;

	if (simd_dw_plan_init(pl, l, DW_BLK, 8, 2))
		return sushi_ref_conv(l, g, io, epi);	/* same bytes, no memory */
	if (simd_dw_epi(pl, l, io, epi, sushi_s32(l->in_zp), dw2_slot)) {
		simd_dw_free(pl);
		return sushi_ref_conv(l, g, io, epi);	/* outside the 32-bit lanes */
	}
	simd_dw_weights(pl, l, io, dw2_slot, 2);
	dw2_expand(&c, -1, (int8_t *)simd_dw_row(pl, -1));
	row = dw2_pick(pl);
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		dw2_rows(&c, oy);
		for (size_t b = 0; b < pl->cep / DW_BLK; b++) {
			dw2_taps(&c, oy, b);
			row(&c, oy, b);
		}
	}
	simd_dw_free(pl);
	return 0;
}

static int avx2_conv(const struct sushi_hw_layer *l,
		     const struct sushi_layer_geom *g,
		     const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	if (l->in_c == l->groups)
		return conv_dw(l, g, io, epi);
	return conv_dense(l, g, io, epi);
}

/* ------------------------------------------------------------------- FC */

AI int32_t hsum256(__m256i v)
{
	__m128i b = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0x4e));
	b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0xb1));
	return _mm_cvtsi128_si32(b);
}

#define FC_ROWS 4

AI void fc_rows(const struct sushi_hw_layer *l, const struct sushi_layer_io *io,
		const struct sushi_epi *epi, const int16_t *x16, size_t red,
		uint32_t oc0, const int R)
{
	const int32_t ozp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);
	const size_t full = red & ~(size_t)15;
	const int8_t *wr[FC_ROWS];
	__m256i acc[FC_ROWS];
	int64_t res[FC_ROWS];

	SIMD_UNROLL(4)
	for (int r = 0; r < R; r++) {
		wr[r] = io->w + (size_t)(oc0 + r) * io->w_stride;
		acc[r] = _mm256_setzero_si256();
	}
	for (size_t i = 0; i < full; i += 16) {
		const __m256i xv = _mm256_loadu_si256((const __m256i *)(x16 + i));

		SIMD_UNROLL(4)
		for (int r = 0; r < R; r++) {
			__m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wr[r] + i)));

			acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(xv, wv));
		}
	}
	SIMD_UNROLL(4)
	for (int r = 0; r < R; r++)
		res[r] = hsum256(acc[r]);
	SIMD_NOUNROLL
	for (int r = 0; r < R; r++) {
		for (size_t i = full; i < red; i++)
			res[r] += (int64_t)x16[i] * wr[r][i];
		io->out[oc0 + r] = sushi_requant(res[r], &epi[oc0 + r], ozp, lo, hi);
	}
}

static int avx2_fc(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const size_t red = g->reduction;
	int16_t *x16 = simd_alloc(red * 2);
	uint32_t oc = 0;

	if (!x16)
		return sushi_ref_conv(l, g, io, epi);
	widen_sub(x16, io->in, red, sushi_s32(l->in_zp));
	for (; oc + FC_ROWS <= l->out_c; oc += FC_ROWS)
		fc_rows(l, io, epi, x16, red, oc, FC_ROWS);
	for (; oc < l->out_c; oc++)
		fc_rows(l, io, epi, x16, red, oc, 1);
	free(x16);
	return 0;
}

/* ------------------------------------------------------------------ ADD */

static int avx2_add(const struct sushi_hw_layer *l,
		    const struct sushi_layer_geom *g,
		    const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t s = l->add_shift;
	const int64_t ozp = sushi_s32(l->out_zp);
	const __m256i za = _mm256_set1_epi64x(sushi_s32(l->in_zp));
	const __m256i zb = _mm256_set1_epi64x(sushi_s32(l->in2_zp));
	const __m256i ma = _mm256_set1_epi64x(sushi_s32(l->add_mult_a));
	const __m256i mb = _mm256_set1_epi64x(sushi_s32(l->add_mult_b));
	/* |v| < 2^41: v + half - (v < 0) + 2^62 is positive, and
	 * floor((y + 2^62) / 2^s) = floor(y / 2^s) + 2^(62 - s) */
	const __m256i half = _mm256_set1_epi64x((s ? (int64_t)1 << (s - 1) : 0) +
						((int64_t)1 << 62));
	const __m256i adj = _mm256_set1_epi64x(s ? -1 : 0);
	const __m256i bias = _mm256_set1_epi64x(((int64_t)1 << 62) >> s);
	const __m256i lo = _mm256_set1_epi64x(sushi_s32(l->act_min) - ozp);
	const __m256i hi = _mm256_set1_epi64x(sushi_s32(l->act_max) - ozp);
	const __m256i zpv = _mm256_set1_epi64x(ozp);
	const __m128i cnt = _mm_cvtsi32_si128((int)s);
	const uint64_t n = g->out_bytes;

	(void)epi;
	for (uint64_t i = 0; i < n; i += 4) {
		const uint32_t m = n - i >= 4 ? 4 : (uint32_t)(n - i);
		int32_t ra = 0, rb = 0, ro;
		__m256i a, b, v;

		memcpy(&ra, io->in + i, m);
		memcpy(&rb, io->in2 + i, m);
		a = _mm256_cvtepi8_epi64(_mm_cvtsi32_si128(ra));
		b = _mm256_cvtepi8_epi64(_mm_cvtsi32_si128(rb));
		v = _mm256_add_epi64(_mm256_mul_epi32(_mm256_sub_epi64(a, za), ma),
				     _mm256_mul_epi32(_mm256_sub_epi64(b, zb), mb));
		v = _mm256_add_epi64(_mm256_add_epi64(v, half),
				     _mm256_and_si256(_mm256_cmpgt_epi64(_mm256_setzero_si256(), v), adj));
		v = _mm256_sub_epi64(_mm256_srl_epi64(v, cnt), bias);
		v = _mm256_add_epi64(min64(max64(v, lo), hi), zpv);
		ro = _mm_cvtsi128_si32(q8_to_b8(v, v));
		memcpy(io->out + i, &ro, m);
	}
	return 0;
}

/* ---------------------------------------------------------------- pools */

static int avx2_maxpool(const struct sushi_hw_layer *l,
			const struct sushi_layer_geom *g,
			const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t C = l->in_c;
	const __m256i delta = _mm256_set1_epi16((int16_t)(sushi_s32(l->out_zp) -
							  sushi_s32(l->in_zp)));
	const __m256i lo = _mm256_set1_epi16((int16_t)sushi_s32(l->act_min));
	const __m256i hi = _mm256_set1_epi16((int16_t)sushi_s32(l->act_max));

	(void)g;
	(void)epi;
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		for (uint32_t ox = 0; ox < l->out_w; ox++) {
			int8_t *out = io->out + ((size_t)oy * l->out_w + ox) * C;
			uint32_t y0, y1, x0, x1, c0 = 0;

			simd_pool_win(l, oy, ox, &y0, &y1, &x0, &x1);
			for (; c0 + 16 <= C; c0 += 16) {
				__m128i best = _mm_set1_epi8(-128);
				__m256i r;

				for (uint32_t iy = y0; iy < y1; iy++)
					for (uint32_t ix = x0; ix < x1; ix++)
						best = _mm_max_epi8(best, _mm_loadu_si128((const __m128i *)
							(io->in + ((size_t)iy * l->in_w + ix) * C + c0)));
				r = _mm256_add_epi16(_mm256_cvtepi8_epi16(best), delta);
				r = _mm256_min_epi16(_mm256_max_epi16(r, lo), hi);
				_mm_storeu_si128((__m128i *)(out + c0),
						 _mm_packs_epi16(_mm256_castsi256_si128(r),
								 _mm256_extracti128_si256(r, 1)));
			}
			for (; c0 < C; c0++)
				out[c0] = simd_pool_one(l, io->in, oy, ox, c0);
		}
	}
	return 0;
}

/* rdiv(s, n) + zp clamped, 8 int32 sums |s| <= 2^15, n <= 64 (exact in float) */
AI __m256i avg_q8(__m256i s, __m256 bn, __m256i nv, __m256i zp, __m256i lo,
		  __m256i hi)
{
	__m256i a = _mm256_add_epi32(_mm256_slli_epi32(_mm256_abs_epi32(s), 1), nv);
	__m256i q = _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(a), bn));

	q = _mm256_sign_epi32(q, s);
	return _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(q, zp), lo), hi);
}

static int avx2_avgpool(const struct sushi_hw_layer *l,
			const struct sushi_layer_geom *g,
			const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t C = l->in_c;
	const int32_t izp = sushi_s32(l->in_zp);
	const __m256i zp = _mm256_set1_epi32(sushi_s32(l->out_zp));
	const __m256i lo = _mm256_set1_epi32(sushi_s32(l->act_min));
	const __m256i hi = _mm256_set1_epi32(sushi_s32(l->act_max));

	(void)g;
	(void)epi;
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		for (uint32_t ox = 0; ox < l->out_w; ox++) {
			int8_t *out = io->out + ((size_t)oy * l->out_w + ox) * C;
			uint32_t y0, y1, x0, x1, n, c0 = 0;
			__m256i nzp, nv;
			__m256 bn;

			simd_pool_win(l, oy, ox, &y0, &y1, &x0, &x1);
			n = (y1 - y0) * (x1 - x0);
			nzp = _mm256_set1_epi16((int16_t)(n * izp));
			nv = _mm256_set1_epi32((int32_t)n);
			bn = _mm256_set1_ps((float)(2 * n));
			for (; c0 + 16 <= C; c0 += 16) {
				__m256i s = _mm256_setzero_si256(), q0, q1;

				for (uint32_t iy = y0; iy < y1; iy++)
					for (uint32_t ix = x0; ix < x1; ix++)
						s = _mm256_add_epi16(s, _mm256_cvtepi8_epi16(_mm_loadu_si128(
							(const __m128i *)(io->in + ((size_t)iy * l->in_w + ix) * C + c0))));
				s = _mm256_sub_epi16(s, nzp);
				q0 = avg_q8(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(s)), bn, nv, zp, lo, hi);
				q1 = avg_q8(_mm256_cvtepi16_epi32(_mm256_extracti128_si256(s, 1)), bn, nv, zp, lo, hi);
				_mm_storeu_si128((__m128i *)(out + c0), _mm_packs_epi16(
					_mm_packs_epi32(_mm256_castsi256_si128(q0), _mm256_extracti128_si256(q0, 1)),
					_mm_packs_epi32(_mm256_castsi256_si128(q1), _mm256_extracti128_si256(q1, 1))));
			}
			for (; c0 < C; c0++)
				out[c0] = simd_pool_one(l, io->in, oy, ox, c0);
		}
	}
	return 0;
}

static int avx2_gap(const struct sushi_hw_layer *l,
		    const struct sushi_layer_geom *g,
		    const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t C = l->in_c;
	const size_t npix = (size_t)l->in_h * l->in_w, blk = (size_t)1 << 23;
	int64_t *sum = simd_alloc((size_t)C * sizeof(*sum));

	if (!sum)
		return sushi_ref_pool(l, g, io, epi);
	memset(sum, 0, (size_t)C * sizeof(*sum));
	for (size_t p0 = 0; p0 < npix; p0 += blk) {
		size_t p1 = npix - p0 < blk ? npix : p0 + blk;
		uint32_t c0 = 0;

		for (; c0 + 8 <= C; c0 += 8) {
			__m256i a = _mm256_setzero_si256(), s64;

			for (size_t p = p0; p < p1; p++)
				a = _mm256_add_epi32(a, _mm256_cvtepi8_epi32(
					_mm_loadl_epi64((const __m128i *)(io->in + p * C + c0))));
			s64 = _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(sum + c0)),
					       _mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)));
			_mm256_storeu_si256((__m256i *)(sum + c0), s64);
			s64 = _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(sum + c0 + 4)),
					       _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)));
			_mm256_storeu_si256((__m256i *)(sum + c0 + 4), s64);
		}
		for (; c0 < C; c0++)
			for (size_t p = p0; p < p1; p++)
				sum[c0] += io->in[p * C + c0];
	}
	simd_gap_finish(l, sum, io->out);
	free(sum);
	return 0;
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

const struct sushi_kernel_set sushi_kernels_avx2 = {
	.name = "avx2",
	.op = {
		[SUSHI_OP_CONV] = avx2_conv,
		[SUSHI_OP_FC] = avx2_fc,
		[SUSHI_OP_ADD] = avx2_add,
		[SUSHI_OP_AVGPOOL] = avx2_avgpool,
		[SUSHI_OP_MAXPOOL] = avx2_maxpool,
		[SUSHI_OP_GAP] = avx2_gap,
	},
};

#else /* not x86-64: isa.c never selects this family */

const struct sushi_kernel_set sushi_kernels_avx2 = {
	.name = "avx2",
};

#endif
