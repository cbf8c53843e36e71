/* SPDX-License-Identifier: MIT */
/*
 * sushi_layer_check.h - validation of one SushiAccel layer descriptor and
 * the sizes derived from it.  Written in the common subset of kernel C and
 * C11 so that the QEMU device, the model library and the kernel driver run
 * the very same checks (one source of truth for "what is a valid layer").
 */
#ifndef SUSHI_LAYER_CHECK_H
#define SUSHI_LAYER_CHECK_H

#include <linux/types.h>

#include "sushi_accel_hw.h"

/**
 * struct sushi_layer_geom - sizes derived from a valid layer descriptor
 * @in_bytes: bytes of the input tensor
 * @in2_bytes: bytes of the second input (ADD), else 0
 * @out_bytes: bytes of the output tensor
 * @w_rows: weight rows (output channels) for CONV/FC, else 0
 * @w_row_bytes: bytes per weight row
 * @w_bytes: w_rows * w_row_bytes: the weight bytes the layer reads
 * @w_span: (w_rows - 1) * w_stride + w_row_bytes: extent from w_addr
 * @epi_bytes: bytes of the epilogue array (12 * out_c), else 0
 * @macs: multiply-accumulates
 * @reduction: (in_c / groups) * k * k for CONV/FC, else 0
 */
struct sushi_layer_geom {
	__u64 in_bytes;
	__u64 in2_bytes;
	__u64 out_bytes;
	__u64 w_rows;
	__u64 w_row_bytes;
	__u64 w_bytes;
	__u64 w_span;
	__u64 epi_bytes;
	__u64 macs;
	__u64 reduction;
};

/**
 * sushi_layer_desc_check() - validate a host-order layer descriptor
 * @l: the descriptor
 * @sram: bytes of the activation SRAM its SUSHI_LAYER_F_*_SRAM tensors
 *	must lie in (U64_MAX: any offset whose range does not wrap)
 * @geom: filled with the derived sizes when valid (may be NULL)
 *
 * Return: 0, -EINVAL (a field out of range or inconsistent, or an SRAM
 * tensor outside the SRAM) or -EOVERFLOW (a derived size or address range
 * does not fit in 64 bits).
 */
int sushi_layer_desc_check(const struct sushi_layer_desc *l, __u64 sram,
			   struct sushi_layer_geom *geom);

#ifndef __KERNEL__
/*
 * sushi_layer_check_sram() - the same for the model library's host-order
 * struct sushi_hw_layer (userspace, where __le32 is a plain __u32), and
 * sushi_layer_check() for a layer whose SRAM offsets need no bound (its
 * geometry only).
 */
int sushi_layer_check_sram(const struct sushi_hw_layer *l, __u64 sram,
			   struct sushi_layer_geom *geom);
int sushi_layer_check(const struct sushi_hw_layer *l,
		      struct sushi_layer_geom *geom);
#endif

#endif /* SUSHI_LAYER_CHECK_H */
