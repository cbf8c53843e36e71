// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_layer.c - layer descriptors in the driver: the user's layer turned
 * into the host-order descriptor the device's own checks validate
 * (sushi_layer_desc_check(), qemu-device/model/layer_check.c, an object of
 * this module of its own), and encoded into the little-endian descriptor
 * the device reads.
 */

#include <linux/limits.h>
#include <asm/byteorder.h>

#include "sushi_layer.h"
#include "sushi_layer_check.h"

bool sushi_layer_uses(u32 op, enum sushi_ref ref)
{
	switch (ref) {
	case SUSHI_REF_IN:
	case SUSHI_REF_OUT:
		return true;
	case SUSHI_REF_IN2:
		return op == SUSHI_OP_ADD;
	case SUSHI_REF_W:
	case SUSHI_REF_EPI:
		return op == SUSHI_OP_CONV || op == SUSHI_OP_FC;
	default:
		return false;
	}
}

/* Does reference @ref of @u name the activation SRAM instead of a BO? */
bool sushi_layer_in_sram(const struct drm_sushi_layer *u, enum sushi_ref ref)
{
	switch (ref) {
	case SUSHI_REF_IN:
		return u->flags & DRM_SUSHI_LAYER_IN_SRAM;
	case SUSHI_REF_IN2:
		return u->flags & DRM_SUSHI_LAYER_IN2_SRAM;
	case SUSHI_REF_OUT:
		return u->flags & DRM_SUSHI_LAYER_OUT_SRAM;
	default:
		return false;
	}
}

static void sushi_layer_desc(const struct drm_sushi_layer *u,
			     const u64 addr[SUSHI_REF_COUNT],
			     struct sushi_layer_desc *l)
{
	l->op = u->op;
	l->flags = u->flags;
	l->in_c = u->in_c;
	l->in_h = u->in_h;
	l->in_w = u->in_w;
	l->out_c = u->out_c;
	l->out_h = u->out_h;
	l->out_w = u->out_w;
	l->kernel = u->kernel;
	l->stride = u->stride;
	l->pad = u->padding;
	l->groups = u->groups;
	l->in_zp = (u32)u->in_zp;
	l->in2_zp = (u32)u->in2_zp;
	l->out_zp = (u32)u->out_zp;
	l->act_min = (u32)u->act_min;
	l->act_max = (u32)u->act_max;
	l->add_shift = u->add_shift;
	l->add_mult_a = (u32)u->add_mult_a;
	l->add_mult_b = (u32)u->add_mult_b;
	l->in_addr = addr[SUSHI_REF_IN];
	l->in2_addr = addr[SUSHI_REF_IN2];
	l->out_addr = addr[SUSHI_REF_OUT];
	l->w_addr = addr[SUSHI_REF_W];
	l->w_stride = u->w_stride;
	l->epi_addr = addr[SUSHI_REF_EPI];
}

/*
 * Validate @u with the BO (or SRAM) offsets standing in for the addresses,
 * so that the checks also prove offset + length fits in 64 bits; the
 * caller checks every range against its BO or the SRAM (-ERANGE).  On
 * success @len holds the bytes the layer reads or writes from each offset
 * (0 for an unused buffer) and @hc what it costs the host emulating the
 * device (qemu-device/model/host_cost.c, for a device of @pb_entries PB
 * entries).  Returns 0, -EINVAL or -EOVERFLOW.
 */
int sushi_layer_validate(const struct drm_sushi_layer *u, u32 pb_entries,
			 u64 len[SUSHI_REF_COUNT], struct sushi_host_cost *hc)
{
	u64 off[SUSHI_REF_COUNT] = {
		u->in.offset, u->in2.offset, u->out.offset, u->w.offset,
		u->epi.offset,
	};
	struct sushi_layer_geom g;
	struct sushi_layer_desc l;
	int ret;

	sushi_layer_desc(u, off, &l);
	ret = sushi_layer_desc_check(&l, U64_MAX, &g);
	if (ret)
		return ret;
	len[SUSHI_REF_IN] = g.in_bytes;
	len[SUSHI_REF_IN2] = g.in2_bytes;
	len[SUSHI_REF_OUT] = g.out_bytes;
	len[SUSHI_REF_W] = g.w_span;
	len[SUSHI_REF_EPI] = g.epi_bytes;
	sushi_layer_host_cost(&l, &g, pb_entries, hc);
	return 0;
}

/* The device's little-endian descriptor of @u with addresses @dva. */
void sushi_layer_encode(const struct drm_sushi_layer *u,
			const u64 dva[SUSHI_REF_COUNT],
			struct sushi_hw_layer *le)
{
	struct sushi_layer_desc h;

	sushi_layer_desc(u, dva, &h);
	le->op = cpu_to_le32(h.op);
	le->flags = cpu_to_le32(h.flags);
	le->in_c = cpu_to_le32(h.in_c);
	le->in_h = cpu_to_le32(h.in_h);
	le->in_w = cpu_to_le32(h.in_w);
	le->out_c = cpu_to_le32(h.out_c);
	le->out_h = cpu_to_le32(h.out_h);
	le->out_w = cpu_to_le32(h.out_w);
	le->kernel = cpu_to_le32(h.kernel);
	le->stride = cpu_to_le32(h.stride);
	le->pad = cpu_to_le32(h.pad);
	le->groups = cpu_to_le32(h.groups);
	le->in_zp = cpu_to_le32(h.in_zp);
	le->in2_zp = cpu_to_le32(h.in2_zp);
	le->out_zp = cpu_to_le32(h.out_zp);
	le->act_min = cpu_to_le32(h.act_min);
	le->act_max = cpu_to_le32(h.act_max);
	le->add_shift = cpu_to_le32(h.add_shift);
	le->add_mult_a = cpu_to_le32(h.add_mult_a);
	le->add_mult_b = cpu_to_le32(h.add_mult_b);
	le->in_addr = cpu_to_le64(h.in_addr);
	le->in2_addr = cpu_to_le64(h.in2_addr);
	le->out_addr = cpu_to_le64(h.out_addr);
	le->w_addr = cpu_to_le64(h.w_addr);
	le->w_stride = cpu_to_le64(h.w_stride);
	le->epi_addr = cpu_to_le64(h.epi_addr);
}
