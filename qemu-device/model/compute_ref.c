// SPDX-License-Identifier: MIT
/*
 * compute_ref.c - the reference int8 kernels: plain loops that state the
 * hardware arithmetic directly.  Every fast kernel must match these bytes.
 */
#include "model_internal.h"

int sushi_ref_conv(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const uint32_t k = l->kernel, s = l->stride, p = l->pad;
	const uint32_t cg = l->in_c / l->groups, kg = l->out_c / l->groups;
	const int32_t in_zp = sushi_s32(l->in_zp), out_zp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);

	(void)g;
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		for (uint32_t ox = 0; ox < l->out_w; ox++) {
			int8_t *out = io->out + ((size_t)oy * l->out_w + ox) * l->out_c;

			for (uint32_t oc = 0; oc < l->out_c; oc++) {
				const int8_t *w = io->w + (size_t)oc * io->w_stride;
				const uint32_t c0 = (oc / kg) * cg;
				int64_t acc = 0;

				for (uint32_t c = 0; c < cg; c++) {
					for (uint32_t ky = 0; ky < k; ky++) {
						int64_t iy = (int64_t)oy * s - p + ky;

						if (iy < 0 || iy >= l->in_h)
							continue;
						for (uint32_t kx = 0; kx < k; kx++) {
							int64_t ix = (int64_t)ox * s - p + kx;
							int32_t x;

							if (ix < 0 || ix >= l->in_w)
								continue;
							x = io->in[((size_t)iy * l->in_w + (size_t)ix) * l->in_c + c0 + c];
							acc += (int64_t)(x - in_zp) * w[(c * k + ky) * k + kx];
						}
					}
				}
				out[oc] = sushi_requant(acc, &epi[oc], out_zp, lo, hi);
			}
		}
	}
	return 0;
}

int sushi_ref_add(const struct sushi_hw_layer *l,
		  const struct sushi_layer_geom *g,
		  const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const int32_t za = sushi_s32(l->in_zp), zb = sushi_s32(l->in2_zp);
	const int64_t ma = sushi_s32(l->add_mult_a), mb = sushi_s32(l->add_mult_b);
	const int32_t out_zp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);

	(void)epi;
	for (uint64_t i = 0; i < g->out_bytes; i++) {
		int64_t v = (io->in[i] - za) * ma + (io->in2[i] - zb) * mb;

		io->out[i] = sushi_clamp8(sushi_rshift(v, l->add_shift) + out_zp,
					  lo, hi);
	}
	return 0;
}

/* AVGPOOL, MAXPOOL and GAP: windows over the positions inside the input. */
int sushi_ref_pool(const struct sushi_hw_layer *l,
		   const struct sushi_layer_geom *g,
		   const struct sushi_layer_io *io, const struct sushi_epi *epi)
{
	const int gap = l->op == SUSHI_OP_GAP, max = l->op == SUSHI_OP_MAXPOOL;
	const uint32_t kh = gap ? l->in_h : l->kernel;
	const uint32_t kw = gap ? l->in_w : l->kernel;
	const int32_t in_zp = sushi_s32(l->in_zp), out_zp = sushi_s32(l->out_zp);
	const int32_t lo = sushi_s32(l->act_min), hi = sushi_s32(l->act_max);

	(void)g;
	(void)epi;
	for (uint32_t oy = 0; oy < l->out_h; oy++) {
		for (uint32_t ox = 0; ox < l->out_w; ox++) {
			int64_t y0 = (int64_t)oy * l->stride - l->pad;
			int64_t x0 = (int64_t)ox * l->stride - l->pad;
			int8_t *out = io->out + ((size_t)oy * l->out_w + ox) * l->out_c;

			for (uint32_t c = 0; c < l->out_c; c++) {
				int64_t sum = 0, n = 0;
				int32_t best = -128;

				for (int64_t iy = y0; iy < y0 + kh; iy++) {
					if (iy < 0 || iy >= l->in_h)
						continue;
					for (int64_t ix = x0; ix < x0 + kw; ix++) {
						int32_t x;

						if (ix < 0 || ix >= l->in_w)
							continue;
						x = io->in[((size_t)iy * l->in_w + (size_t)ix) * l->in_c + c];
						sum += x - in_zp;
						n++;
						if (x > best)
							best = x;
					}
				}
				if (max)
					out[c] = sushi_clamp8((int64_t)best - in_zp + out_zp, lo, hi);
				else
					out[c] = sushi_clamp8(sushi_rdiv(sum, n) + out_zp, lo, hi);
			}
		}
	}
	return 0;
}

const struct sushi_kernel_set sushi_kernels_ref = {
	.name = "ref",
	.op = {
		[SUSHI_OP_CONV] = sushi_ref_conv,
		[SUSHI_OP_FC] = sushi_ref_conv,
		[SUSHI_OP_ADD] = sushi_ref_add,
		[SUSHI_OP_AVGPOOL] = sushi_ref_pool,
		[SUSHI_OP_MAXPOOL] = sushi_ref_pool,
		[SUSHI_OP_GAP] = sushi_ref_pool,
	},
};
