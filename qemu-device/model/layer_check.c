// SPDX-License-Identifier: MIT
/*
 * layer_check.c - what makes a SushiAccel layer descriptor valid, and the
 * sizes it implies.  Shared verbatim by the model library, the QEMU device
 * and the kernel driver (an object of sushi.ko of its own), so it is
 * written in the common subset of kernel C and C11 (no libc beyond errno
 * values, overflow-checked arithmetic) on the host-order struct
 * sushi_layer_desc.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/overflow.h>
#else
#include <errno.h>
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#endif

#include "sushi_layer_check.h"

static int s8_ok(__u32 v)
{
	__s32 s = (__s32)v;

	return s >= -128 && s <= 127;
}

static int dim_ok(__u32 v, __u32 max)
{
	return v >= 1 && v <= max;
}

/* out == (in + 2 * pad - k) / stride + 1, with in + 2 * pad >= k */
static int window_ok(__u32 in, __u32 out, __u32 k, __u32 stride, __u32 pad)
{
	__u64 padded = (__u64)in + 2ull * pad;

	if (padded < k)
		return 0;
	return out == (padded - k) / stride + 1;
}

/* [addr, addr + len) must not wrap the 64-bit address space */
static int range_ok(__u64 addr, __u64 len)
{
	__u64 end;

	return !check_add_overflow(addr, len, &end);
}

static int tensor_bytes(__u32 c, __u32 h, __u32 w, __u64 *bytes)
{
	__u64 hw;

	if (check_mul_overflow((__u64)h, (__u64)w, &hw) ||
	    check_mul_overflow(hw, (__u64)c, bytes))
		return -EOVERFLOW;
	return 0;
}

static int check_common(const struct sushi_layer_desc *l)
{
	if (l->flags & ~SUSHI_LAYER_F_MASK)
		return -EINVAL;
	if ((l->flags & SUSHI_LAYER_F_IN2_SRAM) && l->op != SUSHI_OP_ADD)
		return -EINVAL;
	if (!s8_ok(l->in_zp) || !s8_ok(l->in2_zp) || !s8_ok(l->out_zp) ||
	    !s8_ok(l->act_min) || !s8_ok(l->act_max) ||
	    (__s32)l->act_min > (__s32)l->act_max)
		return -EINVAL;
	if (!dim_ok(l->in_c, SUSHI_HW_MAX_CHANNELS) ||
	    !dim_ok(l->out_c, SUSHI_HW_MAX_CHANNELS) ||
	    !dim_ok(l->in_h, SUSHI_HW_MAX_DIM) ||
	    !dim_ok(l->in_w, SUSHI_HW_MAX_DIM) ||
	    !dim_ok(l->out_h, SUSHI_HW_MAX_DIM) ||
	    !dim_ok(l->out_w, SUSHI_HW_MAX_DIM))
		return -EINVAL;
	/* ADD-only fields */
	if (l->op != SUSHI_OP_ADD &&
	    (l->in2_zp || l->in2_addr || l->add_shift || l->add_mult_a ||
	     l->add_mult_b))
		return -EINVAL;
	/* weight fields belong to CONV and FC only */
	if (l->op != SUSHI_OP_CONV && l->op != SUSHI_OP_FC &&
	    (l->w_addr || l->w_stride || l->epi_addr))
		return -EINVAL;
	return 0;
}

static int check_conv(const struct sushi_layer_desc *l,
		      struct sushi_layer_geom *g)
{
	__u32 k = l->kernel;
	__u64 cg, ohw;

	if (l->op == SUSHI_OP_FC) {
		if (l->in_h != 1 || l->in_w != 1 || l->out_h != 1 ||
		    l->out_w != 1 || k != 1 || l->stride != 1 || l->pad ||
		    l->groups != 1)
			return -EINVAL;
	} else {
		if (k != 1 && k != 3 && k != 5 && k != 7)
			return -EINVAL;
		if (l->stride != 1 && l->stride != 2)
			return -EINVAL;
		if (l->pad >= k || !l->groups || l->in_c % l->groups ||
		    l->out_c % l->groups)
			return -EINVAL;
		if (!window_ok(l->in_h, l->out_h, k, l->stride, l->pad) ||
		    !window_ok(l->in_w, l->out_w, k, l->stride, l->pad))
			return -EINVAL;
	}
	cg = l->in_c / l->groups;
	g->reduction = cg * k * k;
	if (g->reduction > SUSHI_HW_MAX_REDUCTION)
		return -EINVAL;
	g->w_rows = l->out_c;
	g->w_row_bytes = g->reduction;
	g->w_bytes = g->w_rows * g->w_row_bytes;
	if (l->w_stride < g->w_row_bytes)
		return -EINVAL;
	if (check_mul_overflow(g->w_rows - 1, l->w_stride, &g->w_span) ||
	    check_add_overflow(g->w_span, g->w_row_bytes, &g->w_span))
		return -EOVERFLOW;
	g->epi_bytes = (__u64)l->out_c * sizeof(struct sushi_hw_epilogue);
	ohw = (__u64)l->out_h * l->out_w;
	if (check_mul_overflow(ohw * l->out_c, g->reduction, &g->macs))
		return -EOVERFLOW;
	if (g->macs > SUSHI_HW_MAX_LAYER_MACS)
		return -EINVAL;
	return 0;
}

static int check_pool(const struct sushi_layer_desc *l)
{
	__u32 k = l->kernel;

	if (l->in_c != l->out_c || l->groups != 1)
		return -EINVAL;
	if (l->op == SUSHI_OP_GAP) {
		if (k || l->stride != 1 || l->pad || l->out_h != 1 ||
		    l->out_w != 1)
			return -EINVAL;
		return 0;
	}
	if (k < 1 || k > SUSHI_HW_MAX_POOL_KERNEL ||
	    l->stride < 1 || l->stride > SUSHI_HW_MAX_STRIDE || l->pad >= k)
		return -EINVAL;
	if (!window_ok(l->in_h, l->out_h, k, l->stride, l->pad) ||
	    !window_ok(l->in_w, l->out_w, k, l->stride, l->pad))
		return -EINVAL;
	return 0;
}

static int check_add(const struct sushi_layer_desc *l)
{
	if (l->in_c != l->out_c || l->in_h != l->out_h ||
	    l->in_w != l->out_w || l->kernel || l->stride != 1 || l->pad ||
	    l->groups != 1 || l->add_shift > SUSHI_HW_MAX_SHIFT)
		return -EINVAL;
	return 0;
}

/* an activation SRAM tensor lies inside the @sram bytes */
static int sram_ok(__u64 off, __u64 len, __u64 sram)
{
	return off <= sram && len <= sram - off;
}

int sushi_layer_desc_check(const struct sushi_layer_desc *l, __u64 sram,
			   struct sushi_layer_geom *geom)
{
	struct sushi_layer_geom g = { 0 };
	int ret;

	if (l->op < SUSHI_OP_CONV || l->op >= SUSHI_OP_COUNT)
		return -EINVAL;
	ret = check_common(l);
	if (ret)
		return ret;
	switch (l->op) {
	case SUSHI_OP_CONV:
	case SUSHI_OP_FC:
		ret = check_conv(l, &g);
		break;
	case SUSHI_OP_ADD:
		ret = check_add(l);
		break;
	default:
		ret = check_pool(l);
		break;
	}
	if (ret)
		return ret;

	ret = tensor_bytes(l->in_c, l->in_h, l->in_w, &g.in_bytes);
	if (!ret)
		ret = tensor_bytes(l->out_c, l->out_h, l->out_w, &g.out_bytes);
	if (ret)
		return ret;
	if (l->op == SUSHI_OP_ADD)
		g.in2_bytes = g.in_bytes;

	if (!range_ok(l->in_addr, g.in_bytes) ||
	    !range_ok(l->in2_addr, g.in2_bytes) ||
	    !range_ok(l->out_addr, g.out_bytes) ||
	    !range_ok(l->w_addr, g.w_span) ||
	    !range_ok(l->epi_addr, g.epi_bytes))
		return -EOVERFLOW;
	if (((l->flags & SUSHI_LAYER_F_IN_SRAM) &&
	     !sram_ok(l->in_addr, g.in_bytes, sram)) ||
	    ((l->flags & SUSHI_LAYER_F_IN2_SRAM) &&
	     !sram_ok(l->in2_addr, g.in2_bytes, sram)) ||
	    ((l->flags & SUSHI_LAYER_F_OUT_SRAM) &&
	     !sram_ok(l->out_addr, g.out_bytes, sram)))
		return -EINVAL;

	if (geom)
		*geom = g;
	return 0;
}
