// SPDX-License-Identifier: MIT
/*
 * compute.c - sushi_layer_compute(): checks a layer and its buffers, decodes
 * the epilogue records, and dispatches to the chosen kernel family.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static uint32_t ld_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static const struct sushi_kernel_set *kernel_set(enum sushi_isa isa)
{
	switch (isa) {
	case SUSHI_ISA_AVX2:
		return &sushi_kernels_avx2;
	case SUSHI_ISA_AVX512:
		return &sushi_kernels_avx512;
	default:
		return &sushi_kernels_ref;
	}
}

/*
 * What every entry point checks first: a layer, an ISA this host runs
 * (AUTO resolved in *isa), a valid descriptor (its geometry in *g).
 */
int sushi_compute_begin(const struct sushi_hw_layer *l, const void *io,
			enum sushi_isa *isa, struct sushi_layer_geom *g)
{
	if (!l || !io)
		return -EINVAL;
	if (*isa == SUSHI_ISA_AUTO)
		*isa = sushi_isa_best();
	if (*isa > SUSHI_ISA_AVX512 || !sushi_isa_supported(*isa))
		return -ENOTSUP;
	return sushi_layer_check(l, g);
}

int sushi_layer_compute(const struct sushi_hw_layer *l,
			const struct sushi_layer_io *io, enum sushi_isa isa)
{
	struct sushi_layer_geom g;
	struct sushi_epi *epi = NULL;
	sushi_op_fn fn;
	int ret;

	ret = sushi_compute_begin(l, io, &isa, &g);
	if (ret)
		return ret;
	if (!io->in || !io->out || (g.in2_bytes && !io->in2))
		return -EINVAL;

	if (g.w_rows) {
		if (!io->w || !io->epi || io->w_stride < g.w_row_bytes)
			return -EINVAL;
		epi = malloc(g.w_rows * sizeof(*epi));
		if (!epi)
			return -ENOMEM;
		for (uint64_t i = 0; i < g.w_rows; i++) {
			const uint8_t *r = io->epi + i * sizeof(struct sushi_hw_epilogue);

			epi[i].bias = (int32_t)ld_le32(r);
			epi[i].mult = (int32_t)ld_le32(r + 4);
			epi[i].shift = ld_le32(r + 8);
			if (epi[i].shift > SUSHI_HW_MAX_SHIFT) {
				free(epi);
				return -EINVAL;
			}
		}
	}

	fn = kernel_set(isa)->op[l->op];
	if (!fn)
		fn = sushi_kernels_ref.op[l->op];
	ret = fn(l, &g, io, epi);
	free(epi);
	return ret;
}
