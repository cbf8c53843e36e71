// SPDX-License-Identifier: MIT
/*
 * compute_avx512.c - AVX-512 (F/BW/VL) + VNNI kernels, bit-exact with
 * compute_ref.c.  Compiled with a target pragma/attribute, so no special
 * compiler flags are needed; dispatch (isa.c) checks CPUID before any of
 * this runs.
 *
 * CONV (dense / grouped): output channels in the 16 int32 lanes, 4 input
 * channels per vpdpbusd lane (u8 = x + 128 times s8 weights, from a padded
 * u8 copy of the input whose padding is in_zp + 128), blocks of 4 x 16
 * output channels by 6 output pixels (24 zmm accumulators, 4 weight
 * vectors, 1 broadcast), the output pixels taken as one flat sequence so
 * only the very last block is partial; weights repacked per call to
 * [tap][c/4][16 oc][4].  The (in_zp + 128) * sum(w) correction and the
 * requantization are vectorized in int64, exactly as sushi_requant().
 * CONV depthwise (in_c == groups, fewer than 16 channels per group):
 * channels in lanes, vpdpwssd of the sign-extended input against (w, 0)
 * int16 pairs, 4 output pixels per block, 3x3 weights kept in registers.
 * FC: the reduction in the byte lanes (weights used in place, no
 * repacking), one row at a time with 4 accumulator pairs.  ADD, pools, GAP: elements / channels in
 * lanes.  When a per-call buffer cannot be allocated the kernel runs the
 * reference instead (same bytes).
 */
#include "model_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,avx512f,avx512bw,avx512vl,avx512vnni")
/* GCC 12's intrinsics headers trip it under -Winit-self (their __Y = __Y) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include "simd_prep.h"
#include "simd_dw.h"

#define AI static inline __attribute__((always_inline))

/* ------------------------------------------------------------ epilogue */

/* 8 exact int64 accumulators of slots [slot, slot + 8) -> 8 int64 outputs */
AI __m512i epi_q8(__m512i a, const struct simd_epi *t, size_t slot)
{
	const __m512i zero = _mm512_setzero_si512();
	__m512i v, q;
	__mmask8 neg;

	v = _mm512_add_epi64(_mm512_mul_epi32(a, _mm512_loadu_si512(t->mult + slot)),
			     _mm512_loadu_si512(t->bm + slot));
	neg = _mm512_cmplt_epi64_mask(v, zero);
	q = _mm512_add_epi64(_mm512_abs_epi64(v), _mm512_loadu_si512(t->half + slot));
	q = _mm512_srlv_epi64(q, _mm512_loadu_si512(t->shift + slot));
	q = _mm512_mask_sub_epi64(q, neg, zero, q);
	q = _mm512_max_epi64(q, _mm512_set1_epi64(t->lo));
	q = _mm512_min_epi64(q, _mm512_set1_epi64(t->hi));
	return _mm512_add_epi64(q, _mm512_set1_epi64(t->zp));
}

/*
 * t->fast: 8 raw accumulators -> round_away(v / 2^s) as floor((v + half -
 * (v < 0 && s > 0)) / 2^s), v = (raw - corr + bias) * mult, exact because
 * v + half cannot overflow (simd_epi_build() checked it)
 */
AI __m512i epi_fast_q8(__m512i raw, const struct simd_epi *t, size_t slot)
{
	const __m512i half = _mm512_loadu_si512(t->half + slot);
	__m512i w = _mm512_add_epi64(_mm512_mul_epi32(raw, _mm512_loadu_si512(t->mult + slot)),
				     _mm512_loadu_si512(t->bmh + slot));
	__mmask8 neg = _mm512_cmplt_epi64_mask(w, half);	/* v < 0 */

	w = _mm512_mask_add_epi64(w, neg, w, _mm512_loadu_si512(t->adj + slot));
	return _mm512_srav_epi64(w, _mm512_loadu_si512(t->shift + slot));
}

/* 16 raw int32 accumulators -> 16 output bytes */
AI __m128i epi_b16(__m512i acc, const struct simd_epi *t, size_t slot)
{
	__m512i a, r0, r1;

	if (t->fast) {
		/* saturate to int32, then clamp: same as clamping the int64 */
		__m256i d0 = _mm512_cvtsepi64_epi32(epi_fast_q8(
			_mm512_cvtepi32_epi64(_mm512_castsi512_si256(acc)), t, slot));
		__m256i d1 = _mm512_cvtsepi64_epi32(epi_fast_q8(
			_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(acc, 1)), t, slot + 8));
		__m512i d = _mm512_inserti64x4(_mm512_castsi256_si512(d0), d1, 1);

		d = _mm512_max_epi32(d, _mm512_set1_epi32((int32_t)t->lo));
		d = _mm512_min_epi32(d, _mm512_set1_epi32((int32_t)t->hi));
		return _mm512_cvtepi32_epi8(_mm512_add_epi32(d, _mm512_set1_epi32((int32_t)t->zp)));
	}
	a = _mm512_sub_epi32(acc, _mm512_loadu_si512(t->corr + slot));
	r0 = epi_q8(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(a)), t, slot);
	r1 = epi_q8(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(a, 1)), t, slot + 8);
	return _mm_unpacklo_epi64(_mm512_cvtepi64_epi8(r0), _mm512_cvtepi64_epi8(r1));
}

/* 16 bytes to @dst, only the first @n (a plain store when n >= 16) */
AI void store16(int8_t *dst, __m128i v, uint32_t n)
{
	if (n >= 16)
		_mm_storeu_si128((__m128i *)dst, v);
	else
		_mm_mask_storeu_epi8(dst, (__mmask16)((1u << n) - 1), v);
}

static __mmask16 lanes16(uint32_t n)
{
	return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}

static __mmask64 lanes64(uint64_t n)
{
	return n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
}

/* ------------------------------------------------------------ dense conv */

/* dst[i] = src[i] ^ 0x80 (int8 -> u8 = x + 128) */
static void copy_xor80(int8_t *dst, const int8_t *src, size_t n)
{
	const __m512i k = _mm512_set1_epi8((char)0x80);
	size_t i = 0;

	for (; i + 64 <= n; i += 64)
		_mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), k));
	if (i < n) {
		__mmask64 m = lanes64(n - i);

		_mm512_mask_storeu_epi8(dst + i, m,
			_mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), k));
	}
}

struct dense_ctx {
	const struct sushi_hw_layer *l;
	const struct sushi_layer_io *io;
	const struct simd_epi *t;
	const uint8_t *u;		/* padded u8 input */
	const int8_t *w;		/* repacked weights */
	struct simd_dense_in d;
	uint32_t cgp, nb, kg;
	size_t blk;			/* bytes per block of 16 channels */
};

#define DENSE_OMAX 4
#define DENSE_P4 6

/*
 * One group @gi, blocks [ob0, ob0 + O) of 16 output channels, over every
 * output pixel, P pixels at a time (the last block repeats the final
 * pixel; its copies are not stored).
 */
AI void dense_run(const struct dense_ctx *c, uint32_t gi, uint32_t ob0,
		  const int O, const int P)
{
	const struct sushi_hw_layer *l = c->l;
	const uint32_t k = l->kernel, s = l->stride, ow = l->out_w;
	const size_t npix = (size_t)l->out_h * ow, ps = c->d.ps, wp = c->d.wp;
	const size_t c4n = c->cgp / 4;
	const int8_t *wbase = c->w + ((size_t)gi * c->nb + ob0) * c->blk;
	const uint8_t *ubase = c->u + (size_t)gi * c->cgp;

	for (size_t q0 = 0; q0 < npix; q0 += P) {
		const uint8_t *px[12];
		__m512i acc[DENSE_OMAX * 12];
		__m512i res[DENSE_OMAX * 12];
		const int8_t *wb = wbase;

		SIMD_UNROLL(12)
		for (int p = 0; p < P; p++) {
			size_t q = q0 + p < npix ? q0 + p : npix - 1;
			size_t oy = q / ow, ox = q % ow;

			px[p] = ubase + (oy * s * wp + ox * s) * ps;
		}
		SIMD_UNROLL(48)
		for (int i = 0; i < O * P; i++)
			acc[i] = _mm512_setzero_si512();
		for (uint32_t ky = 0; ky < k; ky++) {
			for (uint32_t kx = 0; kx < k; kx++) {
				const size_t toff = (ky * wp + kx) * ps;

				for (size_t c4 = 0; c4 < c4n; c4++) {
					const size_t off = toff + 4 * c4;
					__m512i wv[DENSE_OMAX];

					SIMD_UNROLL(4)
					for (int o = 0; o < O; o++)
						wv[o] = _mm512_loadu_si512(wb + 64 * o);
					wb += 64 * O;
					SIMD_UNROLL(12)
					for (int p = 0; p < P; p++) {
						int32_t v;
						__m512i b;

						memcpy(&v, px[p] + off, 4);
						b = _mm512_set1_epi32(v);
						SIMD_UNROLL(4)
						for (int o = 0; o < O; o++)
							acc[p * O + o] = _mm512_dpbusd_epi32(acc[p * O + o], b, wv[o]);
					}
				}
			}
		}
		/* constant indices only on acc: it stays in registers */
		SIMD_UNROLL(48)
		for (int i = 0; i < O * P; i++)
			_mm512_store_si512(res + i, acc[i]);
		SIMD_NOUNROLL
		for (int p = 0; p < P; p++) {
			int8_t *out;

			if (q0 + p >= npix)
				break;
			out = c->io->out + (q0 + p) * l->out_c + (size_t)gi * c->kg;
			SIMD_NOUNROLL
			for (int o = 0; o < O; o++) {
				uint32_t ocg = (ob0 + o) * 16;
				size_t slot = ((size_t)gi * c->nb + ob0 + o) * 16;

				store16(out + ocg, epi_b16(_mm512_load_si512(res + p * O + o), c->t, slot),
					c->kg - ocg);
			}
		}
	}
}

static __attribute__((noinline)) void
dense_run4(const struct dense_ctx *c, uint32_t gi, uint32_t ob0)
{
	dense_run(c, gi, ob0, 4, DENSE_P4);
}

static __attribute__((noinline)) void
dense_run3(const struct dense_ctx *c, uint32_t gi, uint32_t ob0)
{
	dense_run(c, gi, ob0, 3, 8);
}

static __attribute__((noinline)) void
dense_run2(const struct dense_ctx *c, uint32_t gi, uint32_t ob0)
{
	dense_run(c, gi, ob0, 2, 12);
}

static __attribute__((noinline)) void
dense_run1(const struct dense_ctx *c, uint32_t gi, uint32_t ob0)
{
	dense_run(c, gi, ob0, 1, 12);
}

static int conv_dense(const struct sushi_hw_layer *l,
		      const struct sushi_layer_geom *g,
		      const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t cg = l->in_c / l->groups, taps = l->kernel * l->kernel;
	struct simd_epi t = { 0 };
	struct dense_ctx c = { .l = l, .io = io, .t = &t };
	uint8_t *u = NULL;
	int8_t *w = NULL;
	int64_t *wsum = NULL;
	size_t un, wn;
	int ok = 0;

	c.cgp = (cg + 3) & ~3u;
	c.kg = l->out_c / l->groups;
	c.nb = (c.kg + 15) / 16;
	c.blk = (size_t)taps * c.cgp * 16;
	un = simd_dense_in_elems(l, c.cgp, &c.d);
	if (un && !simd_size(&wn, (size_t)l->groups * c.nb, c.blk)) {
		u = simd_alloc(un);
		w = simd_alloc(wn);
		wsum = simd_alloc((size_t)l->out_c * sizeof(*wsum));
	}
	if (u && w && wsum) {
		simd_dense_w(l, io, w, c.cgp, 16, 4, DENSE_OMAX, 1, wsum);
		ok = !simd_epi_build(&t, l, g, io, epi, l->groups, c.kg, 16,
				     sushi_s32(l->in_zp) + 128, wsum);
	}
	free(wsum);
	if (!ok) {
		free(u);
		free(w);
		return sushi_ref_conv(l, g, io, epi);	/* same bytes, no memory */
	}
	simd_dense_in(l, io->in, (int8_t *)u, c.cgp, &c.d, copy_xor80,
		      (int8_t)(sushi_s32(l->in_zp) ^ 0x80));
	c.u = u;
	c.w = w;
	for (uint32_t gi = 0; gi < l->groups; gi++) {
		for (uint32_t ob0 = 0; ob0 < c.nb; ob0 += DENSE_OMAX) {
			switch (c.nb - ob0) {
			case 1:
				dense_run1(&c, gi, ob0);
				break;
			case 2:
				dense_run2(&c, gi, ob0);
				break;
			case 3:
				dense_run3(&c, gi, ob0);
				break;
			default:
				dense_run4(&c, gi, ob0);
				break;
			}
		}
	}
	free(u);
	free(w);
	simd_epi_free(&t);
	return 0;
}

/* ------------------------------------------------------- depthwise conv */

/*
 * Depthwise (simd_dw.h): blocks of 64 output channels, 4 vectors of 16
 * lanes; a lane holds 3 kernel rows of one column as u8 (x ^ 0x80) and a
 * zero-weight byte, so one vpdpbusd does 3 taps of 16 channels.  Lane
 * (vector r, 128-bit lane j, dword i) is channel 16 j + 4 r + i: what
 * unpacking 3 rows of 64 bytes gives, and what two rounds of saturating
 * packs turn back into 64 bytes in channel order.
 */
#define DW_BLK 64

static uint32_t dw512_slot(uint32_t cc)
{
	return (cc % 16 / 4) * 16 + (cc / 16) * 4 + cc % 4;
}

struct dw512 {
	const struct sushi_hw_layer *l;
	const struct sushi_layer_io *io;
	struct simd_dw_plan pl;
};

/* one pixel, channel multiplier m > 1: o[c] = src[c / m] ^ 0x80 */
static void dw512_spread(uint8_t *o, const int8_t *src, const uint8_t *idx,
			 const uint32_t *s0, const uint32_t *ns, size_t n16)
{
	const __m128i k80 = _mm_set1_epi8((char)0x80);

	for (size_t j = 0; j < n16; j++) {
		__m128i v = _mm_maskz_loadu_epi8(lanes16(ns[j]), src + s0[j]);

		v = _mm_shuffle_epi8(v, _mm_load_si128((const __m128i *)(idx + 16 * j)));
		_mm_storeu_si128((__m128i *)(o + 16 * j), _mm_xor_si128(v, k80));
	}
}

/* input row @iy expanded to output channels, u8, padded: ring row @dst */
static void dw512_expand(const struct dw512 *c, long iy, uint8_t *dst)
{
	const struct sushi_hw_layer *l = c->l;
	const struct simd_dw_plan *pl = &c->pl;
	const uint32_t C = l->in_c;
	const __m512i k80 = _mm512_set1_epi8((char)0x80);
	const __m512i pad = _mm512_set1_epi8((char)(sushi_s32(l->in_zp) ^ 0x80));

	for (size_t x = 0; x < pl->wp; x++) {
		uint8_t *o = dst + x * pl->cep;
		const int8_t *src;

		if (iy < 0 || x < pl->p || x >= pl->p + l->in_w) {
			for (size_t c0 = 0; c0 < pl->cep; c0 += 64)
				_mm512_storeu_si512(o + c0, pad);
			continue;
		}
		src = c->io->in + ((size_t)iy * l->in_w + x - pl->p) * C;
		if (pl->m == 1) {
			for (size_t c0 = 0; c0 < pl->cep; c0 += 64) {
				__mmask64 m = c0 < C ? lanes64(C - c0) : 0;

				_mm512_storeu_si512(o + c0, _mm512_xor_si512(
					_mm512_maskz_loadu_epi8(m, src + (c0 < C ? c0 : 0)), k80));
			}
			continue;
		}
		dw512_spread(o, src, pl->idx, pl->src, pl->nsrc, pl->cep / 16);
	}
}

/* the ring holds every input row output row @oy reads */
static void dw512_rows(struct dw512 *c, uint32_t oy)
{
	struct simd_dw_plan *pl = &c->pl;

	for (uint32_t ky = 0; ky < pl->k; ky++) {
		long iy = simd_dw_iy(pl, c->l, oy, ky);

		if (iy < 0 || pl->ring_iy[iy % pl->k] == iy)
			continue;
		dw512_expand(c, iy, simd_dw_row(pl, iy));
		pl->ring_iy[iy % pl->k] = iy;
	}
}

/* tap row of block @b for output row @oy: [g][x][4 vectors][16 lanes] */
static void dw512_taps(const struct dw512 *c, uint32_t oy, size_t b)
{
	const struct simd_dw_plan *pl = &c->pl;

	for (uint32_t gi = 0; gi < pl->g; gi++) {
		const uint8_t *r0 = simd_dw_row(pl, simd_dw_iy(pl, c->l, oy, 3 * gi)) + b * DW_BLK;
		const uint8_t *r1 = simd_dw_row(pl, simd_dw_iy(pl, c->l, oy, 3 * gi + 1)) + b * DW_BLK;
		const uint8_t *r2 = simd_dw_row(pl, simd_dw_iy(pl, c->l, oy, 3 * gi + 2)) + b * DW_BLK;
		uint8_t *t = pl->tap + (size_t)gi * pl->wx * 256;

		for (size_t x = 0; x < pl->wx; x++, t += 256) {
			const size_t off = x * pl->cep;
			__m512i a = _mm512_loadu_si512(r0 + off), bb = _mm512_loadu_si512(r1 + off);
			__m512i cc = _mm512_loadu_si512(r2 + off);
			__m512i ablo = _mm512_unpacklo_epi8(a, bb), abhi = _mm512_unpackhi_epi8(a, bb);
			__m512i cclo = _mm512_unpacklo_epi8(cc, cc), cchi = _mm512_unpackhi_epi8(cc, cc);

			_mm512_store_si512(t, _mm512_unpacklo_epi16(ablo, cclo));
			_mm512_store_si512(t + 64, _mm512_unpackhi_epi16(ablo, cclo));
			_mm512_store_si512(t + 128, _mm512_unpacklo_epi16(abhi, cchi));
			_mm512_store_si512(t + 192, _mm512_unpackhi_epi16(abhi, cchi));
		}
	}
}

/* 16 raw accumulators of slots [sb, sb + 16) -> q (simd_dw.h), int32 */
AI __m512i dw512_q(__m512i raw, const struct simd_dw_epi *t, size_t sb,
		   const int NEG, const int HI)
{
	const __m512i zero = _mm512_setzero_si512();
	__m512i a = _mm512_add_epi32(raw, _mm512_load_si512(t->c1 + sb));
	__m512i u, pe, po, r;
	__mmask16 ks;

	if (NEG)
		a = _mm512_mask_sub_epi32(a, (__mmask16)t->neg[sb / 16], zero, a);
	ks = _mm512_cmplt_epi32_mask(a, zero);
	u = _mm512_abs_epi32(a);
	pe = _mm512_mul_epu32(u, _mm512_load_si512(t->me + sb / 2));
	if (HI) {
		/* high dwords: even lanes from pe, odd lanes from po */
		po = _mm512_mul_epu32(_mm512_shuffle_epi32(u, _MM_PERM_CDAB),
				      _mm512_load_si512(t->mo + sb / 2));
		r = _mm512_mask_shuffle_epi32(po, (__mmask16)0x5555, pe, _MM_PERM_CDAB);
		r = _mm512_srlv_epi32(_mm512_add_epi32(r, _mm512_load_si512(t->hh + sb)),
				      _mm512_load_si512(t->hs + sb));
		return _mm512_mask_sub_epi32(r, ks, zero, r);
	}
	po = _mm512_mul_epu32(_mm512_srli_epi64(u, 32), _mm512_load_si512(t->mo + sb / 2));
	pe = _mm512_srlv_epi64(_mm512_add_epi64(pe, _mm512_load_si512(t->he + sb / 2)),
			       _mm512_load_si512(t->se + sb / 2));
	po = _mm512_srlv_epi64(_mm512_add_epi64(po, _mm512_load_si512(t->ho + sb / 2)),
			       _mm512_load_si512(t->so + sb / 2));
	r = _mm512_mask_shuffle_epi32(pe, (__mmask16)0xAAAA, po, _MM_PERM_CDAB);
	return _mm512_mask_sub_epi32(r, ks, zero, r);
}

/* one output row of block @b: 64 channels per pixel */
AI void dw512_row(const struct dw512 *c, uint32_t oy, size_t b, const int K,
		  const int NEG, const int HI)
{
	const struct sushi_hw_layer *l = c->l;
	const struct simd_dw_plan *pl = &c->pl;
	const uint32_t k = K ? (uint32_t)K : pl->k, g = K ? 1 : pl->g, s = pl->s;
	const uint32_t *wq = (const uint32_t *)pl->wq + b * pl->g * pl->k * DW_BLK;
	const size_t nv = l->out_c - b * DW_BLK;
	const __mmask64 mst = lanes64(nv);
	const __m512i zp = _mm512_set1_epi16((int16_t)sushi_s32(l->out_zp));
	const __m512i lo = _mm512_set1_epi8((char)sushi_s32(l->act_min));
	const __m512i hi = _mm512_set1_epi8((char)sushi_s32(l->act_max));
	int8_t *out = c->io->out + (size_t)oy * l->out_w * l->out_c + b * DW_BLK;
	__m512i wk[12];

	if (K) {
		SIMD_UNROLL(12)
		for (int i = 0; i < 4 * K; i++)
			wk[i] = _mm512_load_si512(wq + 16 * i);
	}
	for (uint32_t ox = 0; ox < l->out_w; ox++, out += l->out_c) {
		__m512i acc[4], q[4], p01, p23, r;

		SIMD_UNROLL(4)
		for (int v = 0; v < 4; v++)
			acc[v] = _mm512_setzero_si512();
		for (uint32_t gi = 0; gi < g; gi++) {
			SIMD_UNROLL_RT(3)
			for (uint32_t kx = 0; kx < k; kx++) {
				const uint8_t *t = pl->tap + ((size_t)gi * pl->wx + (size_t)ox * s + kx) * 256;

				SIMD_UNROLL(4)
				for (int v = 0; v < 4; v++)
					acc[v] = _mm512_dpbusd_epi32(acc[v], _mm512_load_si512(t + 64 * v),
						K ? wk[kx * 4 + v] :
						_mm512_load_si512(wq + ((gi * k + kx) * 4 + v) * 16));
			}
		}
		SIMD_UNROLL(4)
		for (int v = 0; v < 4; v++)
			q[v] = dw512_q(acc[v], &pl->e, b * DW_BLK + 16 * v, NEG, HI);
		p01 = _mm512_adds_epi16(_mm512_packs_epi32(q[0], q[1]), zp);
		p23 = _mm512_adds_epi16(_mm512_packs_epi32(q[2], q[3]), zp);
		r = _mm512_packs_epi16(p01, p23);
		r = _mm512_min_epi8(_mm512_max_epi8(r, lo), hi);
		if (nv >= 64)
			_mm512_storeu_si512(out, r);
		else
			_mm512_mask_storeu_epi8(out, mst, r);
	}
}

typedef void (*dw512_row_fn)(const struct dw512 *c, uint32_t oy, size_t b);

#define DW512_ROW(name, K, NEG, HI)					\
	static __attribute__((noinline)) void				\
	name(const struct dw512 *c, uint32_t oy, size_t b)		\
	{								\
		dw512_row(c, oy, b, K, NEG, HI);			\
	}
DW512_ROW(dw512_row3, 3, 0, 0)
DW512_ROW(dw512_row3h, 3, 0, 1)
DW512_ROW(dw512_row3n, 3, 1, 0)
DW512_ROW(dw512_row3nh, 3, 1, 1)
DW512_ROW(dw512_rowk, 0, 1, 0)

/* the row kernel for this layer: k == 3 specialized, any sign, hi form */
static dw512_row_fn dw512_pick(const struct simd_dw_plan *pl)
{
	static const dw512_row_fn k3[2][2] = {
		{ dw512_row3, dw512_row3h }, { dw512_row3n, dw512_row3nh },
	};

	if (pl->k != 3)
		return dw512_rowk;
	return k3[pl->e.any_neg][pl->e.hi];
}

static int conv_dw(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	struct dw512 c = { .l = l, .io = io };
	struct simd_dw_plan *pl = &c.pl;
	dw512_row_fn row;

	if (simd_dw_plan_init(pl, l, DW_BLK, 16, 3))
		return sushi_ref_conv(l, g, io, epi);	/* same bytes, no memory */
	if (simd_dw_epi(pl, l, io, epi, sushi_s32(l->in_zp) + 128, dw512_slot)) {
		simd_dw_free(pl);
		return sushi_ref_conv(l, g, io, epi);	/* outside the 32-bit lanes */
	}
	simd_dw_weights(pl, l, io, dw512_slot, 1);
	dw512_expand(&c, -1, simd_dw_row(pl, -1));
	row = dw512_pick(pl);
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		dw512_rows(&c, oy);
		for (size_t b = 0; b < pl->cep / DW_BLK; b++) {
			dw512_taps(&c, oy, b);
			row(&c, oy, b);
		}
	}
	simd_dw_free(pl);
	return 0;
}

static int avx512_conv(const struct sushi_hw_layer *l,
		       const struct sushi_layer_geom *g,
		       const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	if (l->in_c == l->groups)
		return conv_dw(l, g, io, epi);
	return conv_dense(l, g, io, epi);
}

/* ------------------------------------------------------------------- FC */

AI int32_t hsum512(__m512i v)
{
	__m256i a = _mm256_add_epi32(_mm512_castsi512_si256(v),
				     _mm512_extracti64x4_epi64(v, 1));
	__m128i b = _mm_add_epi32(_mm256_castsi256_si128(a),
				  _mm256_extracti128_si256(a, 1));

	b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0x4e));
	b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0xb1));
	return _mm_cvtsi128_si32(b);
}

/*
 * One weight row against the u8 input: 4 independent accumulator pairs
 * over consecutive 64-byte chunks, so the weights stream sequentially
 * (row after row) for the hardware prefetcher.  raw - (in_zp + 128) *
 * sum(w) is the exact accumulator; every partial sum is < 2^31.
 */
AI int64_t fc_dot(const uint8_t *xu, const int8_t *wr, size_t red, int64_t czp)
{
	const __m512i ones = _mm512_set1_epi8(1);
	__m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
	__m512i s0 = a0, s1 = a0, s2 = a0, s3 = a0, w;
	size_t i = 0;

	for (; i + 256 <= red; i += 256) {
		w = _mm512_loadu_si512(wr + i);
		a0 = _mm512_dpbusd_epi32(a0, _mm512_load_si512(xu + i), w);
		s0 = _mm512_dpbusd_epi32(s0, ones, w);
		w = _mm512_loadu_si512(wr + i + 64);
		a1 = _mm512_dpbusd_epi32(a1, _mm512_load_si512(xu + i + 64), w);
		s1 = _mm512_dpbusd_epi32(s1, ones, w);
		w = _mm512_loadu_si512(wr + i + 128);
		a2 = _mm512_dpbusd_epi32(a2, _mm512_load_si512(xu + i + 128), w);
		s2 = _mm512_dpbusd_epi32(s2, ones, w);
		w = _mm512_loadu_si512(wr + i + 192);
		a3 = _mm512_dpbusd_epi32(a3, _mm512_load_si512(xu + i + 192), w);
		s3 = _mm512_dpbusd_epi32(s3, ones, w);
	}
	for (; i < red; i += 64) {
		const __mmask64 m = lanes64(red - i);

		w = _mm512_maskz_loadu_epi8(m, wr + i);
		a0 = _mm512_dpbusd_epi32(a0, _mm512_load_si512(xu + i), w);
		s0 = _mm512_dpbusd_epi32(s0, ones, w);
	}
	a0 = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
	s0 = _mm512_add_epi32(_mm512_add_epi32(s0, s1), _mm512_add_epi32(s2, s3));
	return (int64_t)hsum512(a0) - czp * hsum512(s0);
}

static int avx512_fc(const struct sushi_hw_layer *l,
		     const struct sushi_layer_geom *g,
		     const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const size_t red = g->reduction, rp = (red + 63) & ~(size_t)63;
	const int64_t czp = sushi_s32(l->in_zp) + 128;
	const int32_t ozp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);
	uint8_t *xu = simd_alloc(rp);

	if (!xu)
		return sushi_ref_conv(l, g, io, epi);
	copy_xor80((int8_t *)xu, io->in, red);
	memset(xu + red, 0, rp - red);		/* u8 0: no contribution */
	for (uint32_t oc = 0; oc < l->out_c; oc++)
		io->out[oc] = sushi_requant(fc_dot(xu, io->w + (size_t)oc * io->w_stride,
						   red, czp),
					    &epi[oc], ozp, lo, hi);
	free(xu);
	return 0;
}

/* ------------------------------------------------------------------ ADD */

static int avx512_add(const struct sushi_hw_layer *l,
		      const struct sushi_layer_geom *g,
		      const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t s = l->add_shift;
	const int64_t ozp = sushi_s32(l->out_zp);
	const __m512i za = _mm512_set1_epi64(sushi_s32(l->in_zp));
	const __m512i zb = _mm512_set1_epi64(sushi_s32(l->in2_zp));
	const __m512i ma = _mm512_set1_epi64(sushi_s32(l->add_mult_a));
	const __m512i mb = _mm512_set1_epi64(sushi_s32(l->add_mult_b));
	const __m512i half = _mm512_set1_epi64(s ? (int64_t)1 << (s - 1) : 0);
	const __m512i adj = _mm512_set1_epi64(s ? 1 : 0);
	const __m512i lo = _mm512_set1_epi64(sushi_s32(l->act_min) - ozp);
	const __m512i hi = _mm512_set1_epi64(sushi_s32(l->act_max) - ozp);
	const __m512i zpv = _mm512_set1_epi64(ozp);
	const __m128i cnt = _mm_cvtsi32_si128((int)s);
	const uint64_t n = g->out_bytes;

	(void)epi;
	for (uint64_t i = 0; i < n; i += 8) {
		const __mmask16 m = lanes16(n - i >= 8 ? 8 : (uint32_t)(n - i));
		__m512i a = _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(m, io->in + i));
		__m512i b = _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(m, io->in2 + i));
		__m512i v;
		__mmask8 neg;

		v = _mm512_add_epi64(_mm512_mul_epi32(_mm512_sub_epi64(a, za), ma),
				     _mm512_mul_epi32(_mm512_sub_epi64(b, zb), mb));
		neg = _mm512_cmplt_epi64_mask(v, _mm512_setzero_si512());
		v = _mm512_add_epi64(v, half);
		v = _mm512_mask_sub_epi64(v, neg, v, adj);
		v = _mm512_sra_epi64(v, cnt);
		v = _mm512_min_epi64(_mm512_max_epi64(v, lo), hi);
		v = _mm512_add_epi64(v, zpv);
		_mm_mask_storeu_epi8(io->out + i, m, _mm512_cvtepi64_epi8(v));
	}
	return 0;
}

/* ---------------------------------------------------------------- pools */

static int avx512_maxpool(const struct sushi_hw_layer *l,
			  const struct sushi_layer_geom *g,
			  const struct sushi_layer_io *io,
			  const struct sushi_epi *epi)
{
	const uint32_t C = l->in_c;
	const __m512i delta = _mm512_set1_epi16((int16_t)(sushi_s32(l->out_zp) -
							  sushi_s32(l->in_zp)));
	const __m512i lo = _mm512_set1_epi16((int16_t)sushi_s32(l->act_min));
	const __m512i hi = _mm512_set1_epi16((int16_t)sushi_s32(l->act_max));
	const __m512i m128 = _mm512_set1_epi8(-128);

	(void)g;
	(void)epi;
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		for (uint32_t ox = 0; ox < l->out_w; ox++) {
			int8_t *out = io->out + ((size_t)oy * l->out_w + ox) * C;
			uint32_t y0, y1, x0, x1;

			simd_pool_win(l, oy, ox, &y0, &y1, &x0, &x1);
			for (uint32_t c0 = 0; c0 < C; c0 += 64) {
				const __mmask64 m = lanes64(C - c0);
				__m512i best = m128, r0, r1;

				for (uint32_t iy = y0; iy < y1; iy++)
					for (uint32_t ix = x0; ix < x1; ix++)
						best = _mm512_max_epi8(best, _mm512_mask_loadu_epi8(m128, m,
							io->in + ((size_t)iy * l->in_w + ix) * C + c0));
				r0 = _mm512_cvtepi8_epi16(_mm512_castsi512_si256(best));
				r1 = _mm512_cvtepi8_epi16(_mm512_extracti64x4_epi64(best, 1));
				r0 = _mm512_min_epi16(_mm512_max_epi16(_mm512_add_epi16(r0, delta), lo), hi);
				r1 = _mm512_min_epi16(_mm512_max_epi16(_mm512_add_epi16(r1, delta), lo), hi);
				best = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi16_epi8(r0)),
							  _mm512_cvtepi16_epi8(r1), 1);
				_mm512_mask_storeu_epi8(out + c0, m, best);
			}
		}
	}
	return 0;
}

/* rdiv(s, n) + zp, clamped, for 16 int32 sums |s| <= 2^15 and n <= 64 */
AI __m128i avg_b16(__m512i s, __m512 bn, __m512i nv, __m512i zp, __m512i lo,
		   __m512i hi)
{
	__m512i a = _mm512_add_epi32(_mm512_slli_epi32(_mm512_abs_epi32(s), 1), nv);
	__m512i q = _mm512_cvttps_epi32(_mm512_div_ps(_mm512_cvtepi32_ps(a), bn));

	q = _mm512_mask_sub_epi32(q, _mm512_cmplt_epi32_mask(s, _mm512_setzero_si512()),
				  _mm512_setzero_si512(), q);
	q = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(q, zp), lo), hi);
	return _mm512_cvtepi32_epi8(q);
}

static int avx512_avgpool(const struct sushi_hw_layer *l,
			  const struct sushi_layer_geom *g,
			  const struct sushi_layer_io *io,
			  const struct sushi_epi *epi)
{
	const uint32_t C = l->in_c;
	const int32_t izp = sushi_s32(l->in_zp);
	const __m512i zp = _mm512_set1_epi32(sushi_s32(l->out_zp));
	const __m512i lo = _mm512_set1_epi32(sushi_s32(l->act_min));
	const __m512i hi = _mm512_set1_epi32(sushi_s32(l->act_max));

	(void)g;
	(void)epi;
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		for (uint32_t ox = 0; ox < l->out_w; ox++) {
			int8_t *out = io->out + ((size_t)oy * l->out_w + ox) * C;
			uint32_t y0, y1, x0, x1, n;
			__m512i nzp, nv;
			__m512 bn;

			simd_pool_win(l, oy, ox, &y0, &y1, &x0, &x1);
			n = (y1 - y0) * (x1 - x0);
			nzp = _mm512_set1_epi16((int16_t)(n * izp));
			nv = _mm512_set1_epi32((int32_t)n);
			bn = _mm512_set1_ps((float)(2 * n));
			for (uint32_t c0 = 0; c0 < C; c0 += 32) {
				const __mmask32 m = (__mmask32)lanes64(C - c0 >= 32 ? 32 : C - c0);
				__m512i s = _mm512_setzero_si512();
				__m128i b0, b1;

				for (uint32_t iy = y0; iy < y1; iy++)
					for (uint32_t ix = x0; ix < x1; ix++)
						s = _mm512_add_epi16(s, _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m,
							io->in + ((size_t)iy * l->in_w + ix) * C + c0)));
				s = _mm512_sub_epi16(s, nzp);
				b0 = avg_b16(_mm512_cvtepi16_epi32(_mm512_castsi512_si256(s)), bn, nv, zp, lo, hi);
				b1 = avg_b16(_mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(s, 1)), bn, nv, zp, lo, hi);
				_mm256_mask_storeu_epi8(out + c0, m,
					_mm256_inserti128_si256(_mm256_castsi128_si256(b0), b1, 1));
			}
		}
	}
	return 0;
}

static int avx512_gap(const struct sushi_hw_layer *l,
		      const struct sushi_layer_geom *g,
		      const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t C = l->in_c;
	const size_t npix = (size_t)l->in_h * l->in_w, blk = (size_t)1 << 23;
	int64_t *sum = simd_alloc(((size_t)C + 64) * sizeof(*sum));

	if (!sum)
		return sushi_ref_pool(l, g, io, epi);
	memset(sum, 0, ((size_t)C + 64) * sizeof(*sum));
	for (size_t p0 = 0; p0 < npix; p0 += blk) {
		size_t p1 = npix - p0 < blk ? npix : p0 + blk;

		for (uint32_t c0 = 0; c0 < C; c0 += 16) {
			const __mmask16 m = lanes16(C - c0);
			__m512i a = _mm512_setzero_si512();
			__m512i lo64, hi64;

			for (size_t p = p0; p < p1; p++)
				a = _mm512_add_epi32(a, _mm512_cvtepi8_epi32(
					_mm_maskz_loadu_epi8(m, io->in + p * C + c0)));
			lo64 = _mm512_add_epi64(_mm512_loadu_si512(sum + c0),
				_mm512_cvtepi32_epi64(_mm512_castsi512_si256(a)));
			hi64 = _mm512_add_epi64(_mm512_loadu_si512(sum + c0 + 8),
				_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(a, 1)));
			_mm512_storeu_si512(sum + c0, lo64);
			_mm512_storeu_si512(sum + c0 + 8, hi64);
		}
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

const struct sushi_kernel_set sushi_kernels_avx512 = {
	.name = "avx512",
	.op = {
		[SUSHI_OP_CONV] = avx512_conv,
		[SUSHI_OP_FC] = avx512_fc,
		[SUSHI_OP_ADD] = avx512_add,
		[SUSHI_OP_AVGPOOL] = avx512_avgpool,
		[SUSHI_OP_MAXPOOL] = avx512_maxpool,
		[SUSHI_OP_GAP] = avx512_gap,
	},
};

#else /* not x86-64: isa.c never selects this family */

const struct sushi_kernel_set sushi_kernels_avx512 = {
	.name = "avx512",
};

#endif
