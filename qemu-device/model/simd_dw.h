/* SPDX-License-Identifier: MIT */
/*
 * simd_dw.h - plain-C plan and tables of the depthwise CONV kernels
 * (in_c == groups, any channel multiplier m = out_c / groups) shared by
 * compute_avx2.c and compute_avx512.c.  Included under the including
 * file's target; nothing here executes a vector instruction on its own.
 *
 * Both families stream the input one output row at a time:
 *  - a ring of k "expanded rows" E[k][wp][cep] (plus one padding row):
 *    input row iy, horizontally padded (wp = in_w + 2 pad), channel c of
 *    the output side holding input channel c / m, transformed for the
 *    family (AVX-512: u8 = x ^ 0x80; AVX2: x); padding holds in_zp
 *    transformed the same way.  Each input row is expanded once;
 *  - per output row and block of output channels, a "tap row" T: for each
 *    padded column and group of kernel rows, one 32-bit lane per channel
 *    holding that column's taps of the group (AVX-512: 3 u8 rows + a
 *    zero-weight byte; AVX2: 2 int16 rows), which vpdpbusd / vpmaddwd
 *    multiply by the same lanes of the weights;
 *  - the requantization on those lanes (see struct simd_dw_epi).
 * Scratch per call: the ring ((k + 1) * wp * cep bytes), the tap row
 * (G * wp * blk * 4 bytes, G = groups of kernel rows), the weights and the
 * per-channel epilogue table; never a copy of the whole input.
 *
 * The lanes of a block are in the order the in-lane unpack instructions
 * produce (simd_dw_slot()), so that the saturating packs that narrow the
 * results restore the channel order for free.
 */
#ifndef SUSHI_SIMD_DW_H
#define SUSHI_SIMD_DW_H

#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/*
 * Exact requantization on 32-bit lanes, for one block of channels in slot
 * order.  a = raw + c1 (= acc + bias, |a| < 2^31 checked per channel);
 * for m < 0 (bit set in neg) a is negated first, so that with u = |a|,
 *   r = (u * |mult| + half) >> shift	(unsigned 64-bit, even / odd lanes)
 *   q = sign(a) * r = round_away((acc + bias) * mult / 2^shift)
 * which is sushi_requant() before the zero point and the clamp, as long as
 * r < 2^31 (checked per channel from the largest |acc + bias| the layer
 * allows).  Even / odd: 64-bit lanes of the even / odd 32-bit lanes.
 */
struct simd_dw_epi {
	int32_t *c1;		/* [cep] bias - corr */
	uint64_t *me, *mo;	/* [cep / 2] |mult| of even / odd lanes */
	uint64_t *he, *ho;	/* [cep / 2] 2^(shift-1) (0 for shift 0) */
	uint64_t *se, *so;	/* [cep / 2] shift */
	uint32_t *neg;		/* [cep / 16] bit per lane: mult < 0 */
	int32_t *sg;		/* [cep] -1 where mult < 0, else 1 */
	int32_t *hh;		/* [cep] 2^(shift-33) (hi form) */
	int32_t *hs;		/* [cep] shift - 32 (hi form) */
	int any_neg;
	/*
	 * hi: every shift >= 33, so r = ((u * |mult|) >> 32) + 2^(shift-33))
	 * >> (shift - 32): the high dwords of the products, one 32-bit add
	 * and shift for all lanes (nested floors of powers of 2 compose).
	 */
	int hi;
};

struct simd_dw_plan {
	uint32_t k, s, p, m, taps;
	uint32_t blk;		/* channels per block */
	uint32_t vl;		/* 32-bit lanes per vector */
	uint32_t rows;		/* kernel rows per tap lane (3 or 2) */
	uint32_t g;		/* groups of kernel rows: ceil(k / rows) */
	size_t cep;		/* out_c rounded up to blk */
	size_t wp;		/* padded input width */
	size_t wx;		/* padded columns the output row reads */
	struct simd_dw_epi e;
	void *wq;		/* weights: [block][g][kx][blk lanes] */
	uint8_t *ring;		/* (k + 1) expanded rows, the last one padding */
	long *ring_iy;		/* input row held by each ring slot */
	uint8_t *tap;		/* the tap row of one block */
	uint8_t *idx;		/* [cep]: per 16 channels, c / m - (first c) / m */
	uint32_t *src;		/* [cep / 16]: first input channel of 16 channels */
	uint32_t *nsrc;		/* [cep / 16]: input channels from there (<= 16) */
	void *mem;
};

/* maps a channel inside a block to its slot (vector * vl + lane) */
typedef uint32_t (*simd_dw_slot_fn)(uint32_t cc);

static inline void simd_dw_free(struct simd_dw_plan *pl)
{
	free(pl->mem);
	pl->mem = NULL;
}

/* carve @bytes (64-aligned) off the plan's allocation */
static inline void *simd_dw_take(char **p, size_t bytes)
{
	void *r = *p;

	*p += (bytes + 63) & ~(size_t)63;
	return r;
}

/*
 * Tables of the channel multiplier's spreading, per 16 output channels
 * (without a division per channel: the plan is built per call).
 */
static inline void simd_dw_spread_tables(struct simd_dw_plan *pl, uint32_t in_c)
{
	uint32_t q = 0, r = 0, q0 = 0;	/* c = q * m + r */

	for (size_t c = 0; c < pl->cep; c++) {
		if (c % 16 == 0) {
			q0 = q;
			pl->src[c / 16] = q < in_c ? q : 0;
			pl->nsrc[c / 16] = q >= in_c ? 0 : in_c - q < 16 ? in_c - q : 16;
		}
		pl->idx[c] = (uint8_t)(q - q0);
		if (++r == pl->m) {
			r = 0;
			q++;
		}
	}
}

/*
 * simd_dw_plan_init() - sizes and one allocation for the plan of @l with
 * blocks of @blk channels, @vl lanes per vector, @rows kernel rows per
 * lane and weight elements of @es bytes (1: u8/s8 quads, 2: int16 pairs).
 * Returns 0, or -1 when a size overflows or memory is short.
 */
static inline int simd_dw_plan_init(struct simd_dw_plan *pl,
				    const struct sushi_hw_layer *l,
				    uint32_t blk, uint32_t vl, uint32_t rows)
{
	size_t n, ring, tap, wq, tab;
	char *p;

	memset(pl, 0, sizeof(*pl));
	pl->k = l->kernel;
	pl->s = l->stride;
	pl->p = l->pad;
	pl->m = l->out_c / l->groups;
	pl->taps = pl->k * pl->k;
	pl->blk = blk;
	pl->vl = vl;
	pl->rows = rows;
	pl->g = (pl->k + rows - 1) / rows;
	pl->cep = ((size_t)l->out_c + blk - 1) / blk * blk;
	pl->wp = (size_t)l->in_w + 2 * pl->p;
	pl->wx = (size_t)(l->out_w - 1) * pl->s + pl->k;
	if (simd_size(&ring, pl->wp, pl->cep) || simd_size(&ring, ring, pl->k + 1))
		return -1;
	tap = (size_t)pl->g * pl->wx * blk * 4;
	wq = pl->cep / blk * pl->g * pl->k * blk * 4;
	tab = pl->cep * 4 + 6 * (pl->cep / 2) * 8 + pl->cep / 16 * 4 + 64 +
	      pl->cep * 4 + pl->cep + pl->cep / 16 * 8 + 128 + pl->cep * 8;
	n = ring + tap + wq + tab + (pl->k + 1) * sizeof(long) + 16 * 64;
	p = pl->mem = simd_alloc(n);
	if (!p)
		return -1;
	pl->ring = simd_dw_take(&p, ring);
	pl->tap = simd_dw_take(&p, tap);
	pl->wq = simd_dw_take(&p, wq);
	pl->e.c1 = simd_dw_take(&p, pl->cep * 4);
	pl->e.me = simd_dw_take(&p, pl->cep / 2 * 8);
	pl->e.mo = simd_dw_take(&p, pl->cep / 2 * 8);
	pl->e.he = simd_dw_take(&p, pl->cep / 2 * 8);
	pl->e.ho = simd_dw_take(&p, pl->cep / 2 * 8);
	pl->e.se = simd_dw_take(&p, pl->cep / 2 * 8);
	pl->e.so = simd_dw_take(&p, pl->cep / 2 * 8);
	pl->e.neg = simd_dw_take(&p, pl->cep / 16 * 4 + 4);
	pl->e.sg = simd_dw_take(&p, pl->cep * 4);
	pl->e.hh = simd_dw_take(&p, pl->cep * 4);
	pl->e.hs = simd_dw_take(&p, pl->cep * 4);
	pl->idx = simd_dw_take(&p, pl->cep);
	pl->src = simd_dw_take(&p, pl->cep / 16 * 4);
	pl->nsrc = simd_dw_take(&p, pl->cep / 16 * 4);
	simd_dw_spread_tables(pl, l->in_c);
	pl->ring_iy = simd_dw_take(&p, (pl->k + 1) * sizeof(long));
	for (uint32_t i = 0; i < pl->k; i++)
		pl->ring_iy[i] = -1;
	return 0;
}

/* weight of output channel @c at kernel row @ky, column @kx (0 past k) */
static inline int32_t simd_dw_wt(const struct simd_dw_plan *pl,
				 const struct sushi_layer_io *io, uint32_t c,
				 uint32_t ky, uint32_t kx)
{
	if (ky >= pl->k)
		return 0;
	return io->w[(size_t)c * io->w_stride + ky * pl->k + kx];
}

/*
 * The weights in lane order: for block b, row group gi, column kx, one
 * 32-bit lane per slot holding the group's rows (es 1: bytes, the 4th 0;
 * es 2: int16 pairs).  Lanes of channels >= out_c are 0.
 */
static inline void simd_dw_weights(struct simd_dw_plan *pl,
				   const struct sushi_hw_layer *l,
				   const struct sushi_layer_io *io,
				   simd_dw_slot_fn slot, uint32_t es)
{
	uint32_t *wq = pl->wq;

	for (size_t c = 0; c < pl->cep; c++) {
		const size_t b = c / pl->blk;
		const uint32_t sl = slot((uint32_t)(c % pl->blk));

		for (uint32_t gi = 0; gi < pl->g; gi++) {
			for (uint32_t kx = 0; kx < pl->k; kx++) {
				uint32_t v = 0;

				for (uint32_t r = 0; c < l->out_c && r < pl->rows; r++) {
					int32_t w = simd_dw_wt(pl, io, (uint32_t)c,
							       gi * pl->rows + r, kx);

					v |= (es == 1 ? (uint32_t)(uint8_t)w :
					      (uint32_t)(uint16_t)w) << (r * 8 * es);
				}
				wq[((b * pl->g + gi) * pl->k + kx) * pl->blk + sl] = v;
			}
		}
	}
}

/* the largest |acc| a depthwise layer can reach: taps * 255 * 128 */
static inline uint64_t simd_dw_acc_max(const struct simd_dw_plan *pl)
{
	return (uint64_t)pl->taps * 255 * 128;
}

/*
 * The epilogue table in slot order, corr = @czp * (sum of the weights).
 * Returns 0, or -1 when some channel's |acc + bias| or requantized
 * magnitude may not fit the 32-bit lanes (the caller runs the reference).
 */
static inline int simd_dw_epi(struct simd_dw_plan *pl,
			      const struct sushi_hw_layer *l,
			      const struct sushi_layer_io *io,
			      const struct sushi_epi *epi, int32_t czp,
			      simd_dw_slot_fn slot)
{
	struct simd_dw_epi *t = &pl->e;

	memset(t->c1, 0, pl->cep * 4);
	memset(t->neg, 0, pl->cep / 16 * 4 + 4);
	for (size_t i = 0; i < pl->cep / 2; i++)
		t->me[i] = t->mo[i] = t->he[i] = t->ho[i] = t->se[i] = t->so[i] = 0;
	t->any_neg = 0;
	t->hi = 1;
	for (size_t i = 0; i < pl->cep; i++) {
		t->sg[i] = 1;
		t->hh[i] = 0;
		t->hs[i] = 0;
	}
	for (uint32_t c = 0; c < l->out_c; c++) {
		const struct sushi_epi *e = &epi[c];
		const size_t sl = c / pl->blk * pl->blk + slot(c % pl->blk);
		const uint64_t am = e->mult < 0 ? (uint64_t)0 - (uint64_t)(int64_t)e->mult :
						  (uint64_t)e->mult;
		const uint64_t half = e->shift ? (uint64_t)1 << (e->shift - 1) : 0;
		const uint64_t ab = e->bias < 0 ? (uint64_t)0 - (uint64_t)(int64_t)e->bias :
						  (uint64_t)e->bias;
		const uint64_t amax = simd_dw_acc_max(pl) + ab;
		int64_t sw = 0;

		if (amax > INT32_MAX || ((amax * am + half) >> e->shift) > INT32_MAX)
			return -1;
		for (uint32_t t_ = 0; t_ < pl->taps; t_++)
			sw += io->w[(size_t)c * io->w_stride + t_];
		t->c1[sl] = (int32_t)((int64_t)e->bias - (int64_t)czp * sw);
		*(sl & 1 ? &t->mo[sl / 2] : &t->me[sl / 2]) = am;
		*(sl & 1 ? &t->ho[sl / 2] : &t->he[sl / 2]) = half;
		*(sl & 1 ? &t->so[sl / 2] : &t->se[sl / 2]) = e->shift;
		if (e->shift >= 33) {
			t->hh[sl] = (int32_t)1 << (e->shift - 33);
			t->hs[sl] = (int32_t)e->shift - 32;
		} else {
			t->hi = 0;
		}
		if (e->mult < 0) {
			t->neg[sl / 16] |= 1u << (sl % 16);
			t->sg[sl] = -1;
			t->any_neg = 1;
		}
	}
	return 0;
}

/*
 * The input row the kernel row @ky of output row @oy reads, as a ring row:
 * rows outside the input map to the padding row (slot k).
 */
static inline long simd_dw_iy(const struct simd_dw_plan *pl,
			      const struct sushi_hw_layer *l, uint32_t oy,
			      uint32_t ky)
{
	long iy = (long)oy * pl->s - (long)pl->p + (long)(ky < pl->k ? ky : 0);

	return iy < 0 || iy >= (long)l->in_h ? -1 : iy;
}

static inline uint8_t *simd_dw_row(const struct simd_dw_plan *pl, long iy)
{
	size_t slot = iy < 0 ? pl->k : (size_t)iy % pl->k;

	return pl->ring + slot * pl->wp * pl->cep;
}

#endif /* SUSHI_SIMD_DW_H */
