// SPDX-License-Identifier: MIT
/*
 * layer_le.c - layer descriptors in the model library: byte-order
 * conversion between guest memory (little-endian) and the host order the
 * model works in, and sushi_layer_check() / sushi_layer_check_sram() on
 * the model's host-order struct sushi_hw_layer (layer_check.c's
 * sushi_layer_desc_check() on a field-by-field copy).
 */
#include <endian.h>

#include "sushi_model.h"

#define FROM32(f)	dst->f = le32toh(src->f);
#define FROM64(f)	dst->f = le64toh(src->f);
#define TO32(f)		dst->f = htole32(src->f);
#define TO64(f)		dst->f = htole64(src->f);
#define COPY(f)		dst->f = src->f;

void sushi_layer_from_le(struct sushi_hw_layer *dst,
			 const struct sushi_hw_layer *src)
{
	SUSHI_HW_LAYER_FIELDS(FROM32, FROM64)
}

void sushi_layer_to_le(struct sushi_hw_layer *dst,
		       const struct sushi_hw_layer *src)
{
	SUSHI_HW_LAYER_FIELDS(TO32, TO64)
}

int sushi_layer_check_sram(const struct sushi_hw_layer *src, __u64 sram,
			   struct sushi_layer_geom *geom)
{
	struct sushi_layer_desc d, *dst = &d;

	SUSHI_HW_LAYER_FIELDS(COPY, COPY)
	return sushi_layer_desc_check(&d, sram, geom);
}

int sushi_layer_check(const struct sushi_hw_layer *l,
		      struct sushi_layer_geom *geom)
{
	return sushi_layer_check_sram(l, UINT64_MAX, geom);
}

void sushi_hw_layer_host_cost(const struct sushi_hw_layer *src,
			      const struct sushi_layer_geom *geom,
			      __u32 pb_entries, struct sushi_host_cost *c)
{
	struct sushi_layer_desc d, *dst = &d;

	SUSHI_HW_LAYER_FIELDS(COPY, COPY)
	sushi_layer_host_cost(&d, geom, pb_entries, c);
}
