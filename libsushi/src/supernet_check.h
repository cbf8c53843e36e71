/* SPDX-License-Identifier: MIT */
/*
 * supernet_check.h - the SuperNet loader's cross-field rules
 * (supernet_check.c).  Each returns 0 or -EINVAL with the first error
 * recorded in @e, its message starting with "<path>.<field>".
 */
#ifndef SUSHI_SUPERNET_CHECK_H
#define SUSHI_SUPERNET_CHECK_H

#include "jfield.h"
#include "supernet_internal.h"

/* an architecture.weights entry: groups divides in_c_max and rows_max */
int sn_check_weight_groups(uint32_t rows_max, uint32_t in_c_max,
			   uint32_t groups, const char *path, struct jerr *e);

/*
 * A CONV/FC layer @d slicing the weights @w: dense weights (groups 1)
 * give dense layers (groups 1); grouped weights are sliced by whole
 * groups: in_c = groups * in_c_max / G and out_c = groups * rows_max / G
 * for the weights' G groups.
 */
int sn_check_layer_groups(const struct sn_wlayer *w,
			  const struct sushi_hw_layer *d, const char *path,
			  struct jerr *e);

/*
 * The @out_c records (bias, mult, shift) at @epi of a layer with
 * @row_bytes-byte rows: shift in 0..62 and
 * (row_bytes * 255 * 127 + |bias|) * |mult| < 2^62.
 */
int sn_check_epilogue(const uint8_t *epi, uint32_t out_c, uint64_t row_bytes,
		      const char *path, struct jerr *e);

/*
 * Layer @o (inputs in o->in, @n_in of them): in_zp and in2_zp equal their
 * producers' out_zp (the network input's zero point for -1); pooling
 * keeps its input's zero point.
 */
int sn_check_zero_points(const struct sushi_supernet *sn,
			 const struct sn_layer *prev, const struct sn_layer *o,
			 int n_in, const char *path, struct jerr *e);

/* catalog entry @i: its id unused by 0..i-1, more MACs than entry i-1 */
int sn_check_catalog_order(const struct sushi_supernet *sn, uint32_t i,
			   const char *path, struct jerr *e);

#endif /* SUSHI_SUPERNET_CHECK_H */
