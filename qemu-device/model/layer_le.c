// SPDX-License-Identifier: MIT
/*
 * layer_le.c - byte-order conversion of layer descriptors between guest
 * memory (little-endian) and the host order the model works in.
 */
#include <endian.h>

#include "sushi_model.h"

#define CONV32(f) (dst->f = CVT32(src->f))
#define CONV64(f) (dst->f = CVT64(src->f))
#define CONV_ALL()                                                          \
	do {                                                                \
		CONV32(op); CONV32(flags); CONV32(in_c); CONV32(in_h);      \
		CONV32(in_w); CONV32(out_c); CONV32(out_h); CONV32(out_w);  \
		CONV32(kernel); CONV32(stride); CONV32(pad); CONV32(groups); \
		CONV32(in_zp); CONV32(in2_zp); CONV32(out_zp);              \
		CONV32(act_min); CONV32(act_max); CONV32(add_shift);        \
		CONV32(add_mult_a); CONV32(add_mult_b);                     \
		CONV64(in_addr); CONV64(in2_addr); CONV64(out_addr);        \
		CONV64(w_addr); CONV64(w_stride); CONV64(epi_addr);         \
	} while (0)

void sushi_layer_from_le(struct sushi_hw_layer *dst,
			 const struct sushi_hw_layer *src)
{
#define CVT32 le32toh
#define CVT64 le64toh
	CONV_ALL();
#undef CVT32
#undef CVT64
}

void sushi_layer_to_le(struct sushi_hw_layer *dst,
		       const struct sushi_hw_layer *src)
{
#define CVT32 htole32
#define CVT64 htole64
	CONV_ALL();
#undef CVT32
#undef CVT64
}
