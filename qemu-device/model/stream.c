// SPDX-License-Identifier: MIT
/*
 * stream.c - sushi_layer_compute_streamed(): one layer computed in bands of
 * output rows, its activations read and written through callbacks, so that
 * the host holds one band (sushi_stream_band_bytes()) instead of whole
 * tensors.  Owns the band plan (rows per band for a tile size, the buffer
 * sizes of a band), the band buffers and the per-op band computations.
 * Every op gives the bytes of sushi_layer_compute() on the whole tensors:
 *
 * - CONV (dense, grouped, depthwise), FC and MAXPOOL: the band's input rows
 *   land in a buffer padded explicitly on every side, and a sub-layer of
 *   the band's size with pad 0 runs through sushi_layer_compute(), so the
 *   chosen family's kernels compute it.  CONV pads with in_zp (a tap on it
 *   adds (in_zp - in_zp) * w = 0, as a tap the reference skips); MAXPOOL
 *   with -128, which no real element is below, and the reference's max
 *   starts at -128 (every window also holds a real element: pad < kernel).
 *   A padded row wider than SUSHI_HW_MAX_DIM (in_w + 2 pad > 16384), which
 *   no layer may have, is computed in column strips of at most that width.
 * - AVGPOOL: padding is excluded from the count, so explicit padding would
 *   change it: a copy of the reference loop that knows the band's first
 *   input row (the reference arithmetic; not the SIMD kernels).
 * - GAP: int64 per-channel sums of (x - in_zp) over bands of input rows
 *   (exact, order-free), then the reference's rdiv and clamp.
 * - ADD: bands of rows of both inputs through sushi_layer_compute().
 * Weights and epilogues stay in memory (struct sushi_stream_io).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/*
 * struct stream_plan - how a layer is cut into bands
 * @k, @s, @p: the window along rows (1, 1, 0 for ADD and GAP)
 * @units: rows the bands cover: out_h (GAP: in_h input rows)
 * @max_rows: most rows a band may have (a padded band stays a valid layer)
 * @pw: pixels of a held input row (in_w + 2 pad when padded explicitly)
 * @strip_ow: output columns per strip, 0 without strips
 * @rows: rows per band for the tile (the last band may have fewer)
 */
struct stream_plan {
	uint32_t k, s, p;
	uint32_t units;
	uint32_t max_rows;
	uint32_t pw;
	uint32_t strip_ow;
	uint32_t rows;
};

/* The activation buffers of a band, in bytes. */
struct band_sizes {
	uint64_t in, in2, out, strip_in, strip_out, acc;
};

struct band_bufs {
	int8_t *in, *in2, *out, *strip_in, *strip_out;
	int64_t *acc;
};

struct stream_ctx {
	const struct sushi_hw_layer *l;
	const struct sushi_stream_io *io;
	enum sushi_isa isa;
	struct stream_plan pl;
	struct band_bufs b;
};

static int padded_op(const struct sushi_hw_layer *l)
{
	return l->op == SUSHI_OP_CONV || l->op == SUSHI_OP_FC ||
	       l->op == SUSHI_OP_MAXPOOL;
}

static int window_op(const struct sushi_hw_layer *l)
{
	return padded_op(l) || l->op == SUSHI_OP_AVGPOOL;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* most output rows (or columns) whose window span fits SUSHI_HW_MAX_DIM */
static uint32_t dim_fit(uint32_t k, uint32_t s)
{
	return (SUSHI_HW_MAX_DIM - k) / s + 1;
}

static void plan_init(const struct sushi_hw_layer *l, struct stream_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->k = pl->s = 1;
	pl->pw = l->in_w;
	pl->units = l->op == SUSHI_OP_GAP ? l->in_h : l->out_h;
	pl->max_rows = pl->units;
	if (window_op(l)) {
		pl->k = l->kernel;
		pl->s = l->stride;
		pl->p = l->pad;
	}
	if (padded_op(l)) {
		pl->pw = l->in_w + 2 * l->pad;
		pl->max_rows = min_u32(pl->max_rows, dim_fit(pl->k, pl->s));
		if (pl->pw > SUSHI_HW_MAX_DIM)
			pl->strip_ow = dim_fit(pl->k, pl->s);
	}
}

/* input rows a band of @n rows holds (padded ops: padding rows included) */
static uint64_t held_in_rows(const struct sushi_hw_layer *l,
			     const struct stream_plan *pl, uint32_t n)
{
	uint64_t span = (uint64_t)(n - 1) * pl->s + pl->k;

	if (l->op == SUSHI_OP_AVGPOOL && span > l->in_h)
		return l->in_h;
	return span;
}

static void band_sizes(const struct sushi_hw_layer *l,
		       const struct stream_plan *pl, uint32_t n,
		       struct band_sizes *z)
{
	const uint64_t in_row = (uint64_t)pl->pw * l->in_c;
	const uint64_t out_row = (uint64_t)l->out_w * l->out_c;
	const uint64_t held = held_in_rows(l, pl, n);

	memset(z, 0, sizeof(*z));
	if (l->op == SUSHI_OP_GAP) {
		z->in = n * in_row;
		z->acc = (uint64_t)l->in_c * sizeof(int64_t);
		z->out = l->out_c;
		return;
	}
	z->in = held * in_row;
	z->out = n * out_row;
	if (l->op == SUSHI_OP_ADD)
		z->in2 = z->in;
	if (pl->strip_ow) {
		uint64_t sw = (uint64_t)(pl->strip_ow - 1) * pl->s + pl->k;

		z->strip_in = held * sw * l->in_c;
		z->strip_out = (uint64_t)n * pl->strip_ow * l->out_c;
	}
}

static uint64_t band_total(const struct sushi_hw_layer *l,
			   const struct stream_plan *pl, uint32_t n)
{
	struct band_sizes z;

	band_sizes(l, pl, n, &z);
	return z.in + z.in2 + z.out + z.strip_in + z.strip_out + z.acc;
}

/* the most rows whose band fits @tile (band bytes grow with rows), >= 1 */
static void plan_rows(const struct sushi_hw_layer *l, struct stream_plan *pl,
		      uint64_t tile)
{
	uint32_t lo = 1, hi = pl->max_rows;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (band_total(l, pl, mid) <= tile)
			lo = mid;
		else
			hi = mid - 1;
	}
	pl->rows = lo;
}

uint64_t sushi_stream_band_bytes(const struct sushi_hw_layer *l,
				 uint64_t tile_bytes)
{
	struct stream_plan pl;

	if (!l || sushi_layer_check(l, NULL))
		return 0;
	plan_init(l, &pl);
	plan_rows(l, &pl, tile_bytes);
	return band_total(l, &pl, pl.rows);
}

/* ------------------------------------------------------------ band bodies */

static int read_in(const struct stream_ctx *c, int which, uint64_t off,
		   uint64_t len, int8_t *dst)
{
	return c->io->read(c->io->opaque, which, off, len, dst);
}

/* sushi_layer_compute() on a band-sized copy of the layer, pad 0 */
static int sub_compute(const struct stream_ctx *c, const int8_t *in,
		       const int8_t *in2, uint32_t in_h, uint32_t in_w,
		       uint32_t out_h, uint32_t out_w, int8_t *out)
{
	struct sushi_hw_layer sub = *c->l;
	struct sushi_layer_io io = {
		.in = in, .in2 = in2, .w = c->io->w,
		.w_stride = c->io->w_stride, .epi = c->io->epi, .out = out,
	};

	sub.flags = 0;
	sub.in_addr = sub.in2_addr = sub.out_addr = 0;
	sub.w_addr = sub.epi_addr = 0;
	sub.in_h = in_h;
	sub.in_w = in_w;
	sub.out_h = out_h;
	sub.out_w = out_w;
	sub.pad = 0;
	return sushi_layer_compute(&sub, &io, c->isa);
}

/* a padded band of @bh rows wider than SUSHI_HW_MAX_DIM, strip by strip */
static int strips_compute(const struct stream_ctx *c, uint32_t bh, uint32_t n)
{
	const struct sushi_hw_layer *l = c->l;
	const struct stream_plan *pl = &c->pl;
	const uint64_t prow = (uint64_t)pl->pw * l->in_c;
	const uint64_t orow = (uint64_t)l->out_w * l->out_c;
	uint32_t m;

	for (uint32_t ox0 = 0; ox0 < l->out_w; ox0 += m) {
		uint32_t sw;
		int ret;

		m = min_u32(pl->strip_ow, l->out_w - ox0);
		sw = (m - 1) * pl->s + pl->k;
		for (uint32_t r = 0; r < bh; r++)
			memcpy(c->b.strip_in + (uint64_t)r * sw * l->in_c,
			       c->b.in + r * prow + (uint64_t)ox0 * pl->s * l->in_c,
			       (uint64_t)sw * l->in_c);
		ret = sub_compute(c, c->b.strip_in, NULL, bh, sw, n, m,
				  c->b.strip_out);
		if (ret)
			return ret;
		for (uint32_t y = 0; y < n; y++)
			memcpy(c->b.out + y * orow + (uint64_t)ox0 * l->out_c,
			       c->b.strip_out + (uint64_t)y * m * l->out_c,
			       (uint64_t)m * l->out_c);
	}
	return 0;
}

/* fill the padding of a padded band and read its input rows into it */
static int padded_fill(const struct stream_ctx *c, int64_t iy0, uint32_t bh)
{
	const struct sushi_hw_layer *l = c->l;
	const uint64_t prow = (uint64_t)c->pl.pw * l->in_c;
	const uint64_t irow = (uint64_t)l->in_w * l->in_c;
	const uint64_t side = (uint64_t)c->pl.p * l->in_c;
	const int fill = l->op == SUSHI_OP_MAXPOOL ? -128 : sushi_s32(l->in_zp);
	const int64_t lo = iy0 < 0 ? 0 : iy0;
	const int64_t hi = iy0 + bh < l->in_h ? iy0 + bh : l->in_h;

	for (uint32_t r = 0; r < bh; r++) {
		int8_t *row = c->b.in + r * prow;
		int64_t iy = iy0 + r;

		if (iy < 0 || iy >= l->in_h) {
			memset(row, fill, prow);
		} else if (side) {
			memset(row, fill, side);
			memset(row + side + irow, fill, side);
		}
	}
	if (hi <= lo)
		return 0;
	if (!side)	/* padded rows are input rows: one read */
		return read_in(c, 0, (uint64_t)lo * irow, (uint64_t)(hi - lo) * irow,
			       c->b.in + (uint64_t)(lo - iy0) * prow);
	for (int64_t iy = lo; iy < hi; iy++) {
		int ret = read_in(c, 0, (uint64_t)iy * irow, irow,
				  c->b.in + (uint64_t)(iy - iy0) * prow + side);

		if (ret)
			return ret;
	}
	return 0;
}

/* CONV, FC, MAXPOOL: output rows [oy0, oy0 + n) into b.out */
static int padded_band(const struct stream_ctx *c, uint32_t oy0, uint32_t n)
{
	const struct stream_plan *pl = &c->pl;
	const uint32_t bh = (n - 1) * pl->s + pl->k;
	int ret;

	ret = padded_fill(c, (int64_t)oy0 * pl->s - pl->p, bh);
	if (ret)
		return ret;
	if (pl->strip_ow)
		return strips_compute(c, bh, n);
	return sub_compute(c, c->b.in, NULL, bh, pl->pw, n, c->l->out_w,
			   c->b.out);
}

/* the reference average-pool loop on input rows [iy_lo, ...) in b.in */
static void avgpool_rows(const struct stream_ctx *c, uint32_t oy0, uint32_t n,
			 int64_t iy_lo)
{
	const struct sushi_hw_layer *l = c->l;
	const int32_t in_zp = sushi_s32(l->in_zp), out_zp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);
	const uint32_t k = l->kernel;

	for (uint32_t oy = oy0; oy < oy0 + n; oy++) {
		for (uint32_t ox = 0; ox < l->out_w; ox++) {
			int64_t y0 = (int64_t)oy * l->stride - l->pad;
			int64_t x0 = (int64_t)ox * l->stride - l->pad;
			int8_t *out = c->b.out + ((size_t)(oy - oy0) * l->out_w + ox) * l->out_c;

			for (uint32_t ch = 0; ch < l->out_c; ch++) {
				int64_t sum = 0, cnt = 0;

				for (int64_t iy = y0; iy < y0 + k; iy++) {
					if (iy < 0 || iy >= l->in_h)
						continue;
					for (int64_t ix = x0; ix < x0 + k; ix++) {
						if (ix < 0 || ix >= l->in_w)
							continue;
						sum += c->b.in[((size_t)(iy - iy_lo) * l->in_w + (size_t)ix) * l->in_c + ch] - in_zp;
						cnt++;
					}
				}
				out[ch] = sushi_clamp8(sushi_rdiv(sum, cnt) + out_zp, lo, hi);
			}
		}
	}
}

static int avgpool_band(const struct stream_ctx *c, uint32_t oy0, uint32_t n)
{
	const struct sushi_hw_layer *l = c->l;
	const uint64_t irow = (uint64_t)l->in_w * l->in_c;
	int64_t lo = (int64_t)oy0 * l->stride - l->pad;
	int64_t hi = (int64_t)(oy0 + n - 1) * l->stride - l->pad + l->kernel;
	int ret;

	if (lo < 0)
		lo = 0;
	if (hi > l->in_h)
		hi = l->in_h;
	ret = read_in(c, 0, (uint64_t)lo * irow, (uint64_t)(hi - lo) * irow,
		      c->b.in);
	if (ret)
		return ret;
	avgpool_rows(c, oy0, n, lo);
	return 0;
}

static int add_band(const struct stream_ctx *c, uint32_t y0, uint32_t n)
{
	const struct sushi_hw_layer *l = c->l;
	const uint64_t row = (uint64_t)l->in_w * l->in_c;
	int ret;

	ret = read_in(c, 0, y0 * row, n * row, c->b.in);
	if (!ret)
		ret = read_in(c, 1, y0 * row, n * row, c->b.in2);
	if (ret)
		return ret;
	return sub_compute(c, c->b.in, c->b.in2, n, l->in_w, n, l->in_w,
			   c->b.out);
}

/* GAP: add input rows [y0, y0 + n) to the per-channel sums */
static int gap_band(const struct stream_ctx *c, uint32_t y0, uint32_t n)
{
	const struct sushi_hw_layer *l = c->l;
	const uint64_t pixels = (uint64_t)n * l->in_w;
	const int32_t in_zp = sushi_s32(l->in_zp);
	int ret;

	ret = read_in(c, 0, (uint64_t)y0 * l->in_w * l->in_c,
		      pixels * l->in_c, c->b.in);
	if (ret)
		return ret;
	for (uint64_t i = 0; i < pixels; i++) {
		const int8_t *px = c->b.in + i * l->in_c;

		for (uint32_t ch = 0; ch < l->in_c; ch++)
			c->b.acc[ch] += px[ch] - in_zp;
	}
	return 0;
}

/* GAP: the reference's rounding of the sums, written as the 1x1 output */
static int gap_finish(const struct stream_ctx *c)
{
	const struct sushi_hw_layer *l = c->l;
	const int64_t cnt = (int64_t)l->in_h * l->in_w;
	const int32_t out_zp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);

	for (uint32_t ch = 0; ch < l->out_c; ch++)
		c->b.out[ch] = sushi_clamp8(sushi_rdiv(c->b.acc[ch], cnt) + out_zp,
					    lo, hi);
	return c->io->write(c->io->opaque, 0, l->out_c, c->b.out);
}

/* one band: read, compute, write its output rows (GAP: sum only) */
static int run_band(const struct stream_ctx *c, uint32_t u0, uint32_t n)
{
	const struct sushi_hw_layer *l = c->l;
	const uint64_t orow = (uint64_t)l->out_w * l->out_c;
	int ret;

	switch (l->op) {
	case SUSHI_OP_GAP:
		return gap_band(c, u0, n);
	case SUSHI_OP_ADD:
		ret = add_band(c, u0, n);
		break;
	case SUSHI_OP_AVGPOOL:
		ret = avgpool_band(c, u0, n);
		break;
	default:
		ret = padded_band(c, u0, n);
		break;
	}
	if (ret)
		return ret;
	return c->io->write(c->io->opaque, (uint64_t)u0 * orow, n * orow,
			    c->b.out);
}

/* ------------------------------------------------------------ entry point */

static void bufs_free(struct band_bufs *b)
{
	free(b->in);
	free(b->in2);
	free(b->out);
	free(b->strip_in);
	free(b->strip_out);
	free(b->acc);
}

static void *alloc_or_null(uint64_t bytes, int *fail)
{
	void *p;

	if (!bytes)
		return NULL;
	p = malloc(bytes);
	if (!p)
		*fail = 1;
	return p;
}

/* the band buffers, at most band_total(rows) bytes in all */
static int bufs_alloc(struct stream_ctx *c)
{
	struct band_sizes z;
	int fail = 0;

	band_sizes(c->l, &c->pl, c->pl.rows, &z);
	c->b.in = alloc_or_null(z.in, &fail);
	c->b.in2 = alloc_or_null(z.in2, &fail);
	c->b.out = alloc_or_null(z.out, &fail);
	c->b.strip_in = alloc_or_null(z.strip_in, &fail);
	c->b.strip_out = alloc_or_null(z.strip_out, &fail);
	c->b.acc = alloc_or_null(z.acc, &fail);
	if (!fail && c->b.acc)
		memset(c->b.acc, 0, z.acc);
	return fail ? -ENOMEM : 0;
}

static uint32_t ld_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* what sushi_layer_compute() refuses in the weights, before any read */
static int check_weights(const struct sushi_layer_geom *g,
			 const struct sushi_stream_io *io)
{
	if (!g->w_rows)
		return 0;
	if (!io->w || !io->epi || io->w_stride < g->w_row_bytes)
		return -EINVAL;
	for (uint64_t i = 0; i < g->w_rows; i++)
		if (ld_le32(io->epi + i * sizeof(struct sushi_hw_epilogue) + 8) >
		    SUSHI_HW_MAX_SHIFT)
			return -EINVAL;
	return 0;
}

int sushi_layer_compute_streamed(const struct sushi_hw_layer *l,
				 const struct sushi_stream_io *io,
				 uint64_t tile_bytes, enum sushi_isa isa)
{
	struct stream_ctx c = { .l = l, .io = io };
	struct sushi_layer_geom g;
	int ret;

	ret = sushi_compute_begin(l, io, &isa, &g);
	if (ret)
		return ret;
	if (!io->read || !io->write)
		return -EINVAL;
	ret = check_weights(&g, io);
	if (ret)
		return ret;

	c.isa = isa;
	plan_init(l, &c.pl);
	plan_rows(l, &c.pl, tile_bytes);
	ret = bufs_alloc(&c);
	for (uint32_t u = 0; !ret && u < c.pl.units; u += c.pl.rows)
		ret = run_band(&c, u, min_u32(c.pl.rows, c.pl.units - u));
	if (!ret && l->op == SUSHI_OP_GAP)
		ret = gap_finish(&c);
	bufs_free(&c.b);
	return ret;
}
