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

struct dw_ctx {
	const struct sushi_hw_layer *l;
	const struct sushi_layer_io *io;
	const struct simd_epi *t;
	const int8_t *e;		/* padded, expanded input */
	const int32_t *wd;		/* (w, 0) pairs, [tap][cep] */
	size_t wp, cep;
};

#define DW_P 4

AI void dw_run(const struct dw_ctx *c, size_t c0, const int K)
{
	const struct sushi_hw_layer *l = c->l;
	const uint32_t k = K ? (uint32_t)K : l->kernel, s = l->stride;
	const size_t cep = c->cep, wp = c->wp;
	const uint32_t nvalid = l->out_c - c0 < 8 ? (uint32_t)(l->out_c - c0) : 8;
	__m256i wk[9];

	if (K) {
		SIMD_UNROLL(9)
		for (int t = 0; t < K * K; t++)
			wk[t] = _mm256_loadu_si256((const __m256i *)(c->wd + (size_t)t * cep + c0));
	}
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		const int8_t *row = c->e + (size_t)oy * s * wp * cep + c0;
		int8_t *orow = c->io->out + (size_t)oy * l->out_w * l->out_c + c0;

		for (uint32_t ox = 0; ox < l->out_w; ox += DW_P) {
			const uint32_t np = l->out_w - ox < DW_P ? l->out_w - ox : DW_P;
			__m256i acc[DW_P], res[DW_P];

			SIMD_UNROLL(4)
			for (int p = 0; p < DW_P; p++)
				acc[p] = _mm256_setzero_si256();
			SIMD_UNROLL_RT(3)
			for (uint32_t ky = 0; ky < k; ky++) {
				SIMD_UNROLL_RT(3)
				for (uint32_t kx = 0; kx < k; kx++) {
					const uint32_t t = ky * k + kx;
					const __m256i wv = K ? wk[t] :
						_mm256_loadu_si256((const __m256i *)(c->wd + (size_t)t * cep + c0));
					const int8_t *x = row + (ky * wp + (size_t)ox * s + kx) * cep;

					SIMD_UNROLL(4)
					for (int p = 0; p < DW_P; p++) {
						size_t pp = (uint32_t)p < np ? (size_t)p : np - 1;
						__m256i xv = _mm256_cvtepi8_epi32(_mm_loadl_epi64(
							(const __m128i *)(x + pp * s * cep)));

						acc[p] = _mm256_add_epi32(acc[p], _mm256_madd_epi16(xv, wv));
					}
				}
			}
			SIMD_UNROLL(4)
			for (int p = 0; p < DW_P; p++)
				res[p] = acc[p];
			SIMD_NOUNROLL
			for (uint32_t p = 0; p < np; p++)
				store_n(orow + (size_t)(ox + p) * l->out_c,
					epi_b8(res[p], c->t, c0), nvalid);
		}
	}
}

static __attribute__((noinline)) void
dw_run3(const struct dw_ctx *c, size_t c0)
{
	dw_run(c, c0, 3);
}

static __attribute__((noinline)) void
dw_runk(const struct dw_ctx *c, size_t c0)
{
	dw_run(c, c0, 0);
}

static int conv_dw(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t taps = l->kernel * l->kernel;
	const size_t cep = ((size_t)l->out_c + 15) & ~(size_t)15;
	const size_t hp = (size_t)l->in_h + 2 * l->pad, wp = (size_t)l->in_w + 2 * l->pad;
	struct simd_epi t = { 0 };
	struct dw_ctx c = { .l = l, .io = io, .t = &t, .wp = wp, .cep = cep };
	int8_t *e = NULL;
	int32_t *wd = NULL;
	size_t en;

	if (!simd_size(&en, hp * wp, cep) &&
	    !simd_epi_build(&t, l, g, io, epi, 1, l->out_c, 8, sushi_s32(l->in_zp), NULL)) {
		e = simd_alloc(en);
		wd = simd_alloc((size_t)taps * cep * 4);
	}
	if (!e || !wd) {
		free(e);
		free(wd);
		simd_epi_free(&t);
		return sushi_ref_conv(l, g, io, epi);
	}
	simd_dw_in(l, io->in, e, hp, wp, cep);
	simd_dw_w(l, io, wd, cep);
	c.e = e;
	c.wd = wd;
	for (size_t c0 = 0; c0 < l->out_c; c0 += 8) {
		if (l->kernel == 3)
			dw_run3(&c, c0);
		else
			dw_runk(&c, c0);
	}
	free(e);
	free(wd);
	simd_epi_free(&t);
	return 0;
}

static int avx2_conv(const struct sushi_hw_layer *l,
		     const struct sushi_layer_geom *g,
		     const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	if (l->in_c == l->groups && l->out_c / l->groups < 8)
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
