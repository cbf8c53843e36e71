// SPDX-License-Identifier: MIT
/*
 * supernet_check.c - the SuperNet file rules that relate one field to
 * another (Documentation/supernet/format.rst, "Invariants"): how a grouped
 * layer slices its weights, the epilogue's shift range and 64-bit product
 * bound, zero points chained from producer to consumer, and the catalog's
 * order.  supernet_load.c parses the fields and calls these; each failure
 * names the field.
 */
#include <errno.h>
#include <string.h>

#include "supernet_check.h"

/* the product bound: (acc + bias) * mult stays strictly below 2^62 */
#define SN_PRODUCT_LIMIT ((uint64_t)1 << 62)
/* the largest |x - zp| times the largest |w| of a file (no -128 weights) */
#define SN_TAP_MAX ((uint64_t)255 * 127)

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t mag32(uint32_t v)
{
	int32_t s = (int32_t)v;

	return s < 0 ? (uint64_t)0 - (uint64_t)(int64_t)s : (uint64_t)s;
}

int sn_check_weight_groups(uint32_t rows_max, uint32_t in_c_max,
			   uint32_t groups, const char *path, struct jerr *e)
{
	if (in_c_max % groups || rows_max % groups)
		return jerr_set(e, path, "groups",
				"%u does not divide in_c_max %u and rows_max %u",
				groups, in_c_max, rows_max);
	return 0;
}

int sn_check_layer_groups(const struct sn_wlayer *w,
			  const struct sushi_hw_layer *d, const char *path,
			  struct jerr *e)
{
	const uint64_t g = d->groups, cg = w->in_c_max / w->groups,
		       kg = w->rows_max / w->groups;

	if (w->groups == 1) {
		if (g != 1)
			return jerr_set(e, path, "groups",
					"%llu, but the weights \"%s\" are dense (groups 1)",
					(unsigned long long)g, w->tensor);
		return 0;
	}
	/* a grouped SuperNet layer is sliced by whole groups */
	if (d->in_c != g * cg || d->out_c != g * kg)
		return jerr_set(e, path, "groups",
				"%llu groups over %u inputs and %u outputs are not whole groups of \"%s\" (%llu inputs, %llu outputs each)",
				(unsigned long long)g, d->in_c, d->out_c, w->tensor,
				(unsigned long long)cg, (unsigned long long)kg);
	return 0;
}

int sn_check_epilogue(const uint8_t *epi, uint32_t out_c, uint64_t row_bytes,
		      const char *path, struct jerr *e)
{
	const uint64_t acc_max = row_bytes * SN_TAP_MAX;

	for (uint32_t r = 0; r < out_c; r++) {
		const uint8_t *p = epi + (uint64_t)r * 12;
		uint64_t bias = mag32(ld32(p)), mult = mag32(ld32(p + 4));

		if (ld32(p + 8) > SUSHI_HW_MAX_SHIFT)
			return jerr_set(e, path, "epilogue",
					"row %u: shift outside 0..62", r);
		/* (acc_max + |bias|) * |mult| < 2^62, without overflow */
		if (mult && acc_max + bias > (SN_PRODUCT_LIMIT - 1) / mult)
			return jerr_set(e, path, "epilogue",
					"row %u: (%llu + |bias| %llu) * |mult| %llu reaches 2^62",
					r, (unsigned long long)acc_max,
					(unsigned long long)bias,
					(unsigned long long)mult);
	}
	return 0;
}

int sn_check_zero_points(const struct sushi_supernet *sn,
			 const struct sn_layer *prev, const struct sn_layer *o,
			 int n_in, const char *path, struct jerr *e)
{
	const struct sushi_hw_layer *d = &o->d;
	static const char *const keys[2] = { "in_zp", "in2_zp" };
	const int32_t have[2] = { (int32_t)d->in_zp, (int32_t)d->in2_zp };

	for (int i = 0; i < n_in; i++) {
		int32_t want = o->in[i] < 0 ? sn->in_zp :
			       (int32_t)prev[o->in[i]].d.out_zp;

		if (have[i] != want)
			return jerr_set(e, path, keys[i],
					"%d, but its producer (%s %d) writes zero point %d",
					have[i], o->in[i] < 0 ? "network input" : "layer",
					o->in[i], want);
	}
	if ((d->op == SUSHI_OP_AVGPOOL || d->op == SUSHI_OP_MAXPOOL ||
	     d->op == SUSHI_OP_GAP) && d->out_zp != d->in_zp)
		return jerr_set(e, path, "out_zp",
				"%d, but pooling keeps its input's zero point %d",
				(int32_t)d->out_zp, (int32_t)d->in_zp);
	return 0;
}

int sn_check_catalog_order(const struct sushi_supernet *sn, uint32_t i,
			   const char *path, struct jerr *e)
{
	const struct sn_subnet *o = &sn->subnets[i];

	for (uint32_t j = 0; j < i; j++)
		if (!strcmp(sn->subnets[j].id, o->id))
			return jerr_set(e, path, "id",
					"\"%s\" is also catalog[%u]'s id", o->id, j);
	if (i && o->macs <= sn->subnets[i - 1].macs)
		return jerr_set(e, path, "macs",
				"%llu: the catalog must be sorted by MACs strictly ascending (catalog[%u] has %llu)",
				(unsigned long long)o->macs, i - 1,
				(unsigned long long)sn->subnets[i - 1].macs);
	return 0;
}
