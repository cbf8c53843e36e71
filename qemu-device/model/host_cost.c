// SPDX-License-Identifier: MIT
/*
 * host_cost.c - the host work and host memory of a SushiAccel layer and
 * job under emulation (sushi_host_cost.h), the numbers the device's
 * per-job budgets bound.  Shared by the model library, the QEMU device and
 * the kernel driver (an object of sushi.ko of its own), in the common
 * subset of kernel C and C11.  The memory bound covers the device's own
 * buffers and every staging buffer the compute kernels allocate
 * (compute.c, compute_avx2.c, compute_avx512.c, simd_prep.h); a kernel
 * that stages more must raise it here.
 */
#include "sushi_host_cost.h"
#include "sushi_sat.h"

/* per layer: descriptor decode, buffer set-up, one page walk per tensor */
#define LAYER_FIXED_WORK	4096
/* bytes of one entry of the gather's piece list (dva, length, source) */
#define PIECE_BYTES		24
/* bytes of the epilogue a kernel keeps per output channel */
#define EPI_HOST_BYTES		16

static __u64 max_u64(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

/*
 * The depthwise kernels' scratch (simd_dw.h): a ring of k + 1 padded input
 * rows widened to the output channels rounded up to a block of 64, a tap
 * row of up to k groups of 64 lanes of 4 bytes per padded column, the
 * weights re-laid per block and the per-channel requantization tables.
 */
static __u64 dw_staging(const struct sushi_layer_desc *l, __u64 wp, __u64 taps)
{
	__u64 cep = (__u64)l->out_c + 64, k = l->kernel, s;

	s = sushi_sat_mul(sushi_sat_mul(k + 1, wp), cep);
	s = sushi_sat_add(s, sushi_sat_mul(sushi_sat_mul(k, wp), 64 * 4));
	s = sushi_sat_add(s, sushi_sat_mul(taps * 4, cep));
	return sushi_sat_add(s, cep * 64 + 4096);
}

/*
 * Staging of a CONV/FC layer: a padded copy of the input with channels
 * rounded up per group (dense) or widened to the output channels
 * (depthwise), up to three bytes per element (int8 and int16 copies); the
 * weights re-laid in padded blocks, up to two bytes per element; the
 * per-tap depthwise weights; the vector epilogue tables; the scalar
 * epilogue; for a depthwise layer also dw_staging().
 */
static __u64 conv_staging(const struct sushi_layer_desc *l,
			  const struct sushi_layer_geom *g)
{
	__u64 hp = (__u64)l->in_h + 2 * (__u64)l->pad;
	__u64 wp = (__u64)l->in_w + 2 * (__u64)l->pad;
	__u64 taps = (__u64)l->kernel * l->kernel;
	__u64 cg = l->in_c / l->groups;
	__u64 ch = max_u64((__u64)l->in_c + 4 * (__u64)l->groups,
			   (__u64)l->out_c + 16);
	__u64 in_copy = sushi_sat_mul(sushi_sat_mul(hp, wp), ch);
	__u64 w_copy = sushi_sat_mul(sushi_sat_mul((__u64)l->out_c +
				       16 * (__u64)l->groups, taps), cg + 4);
	__u64 s;

	s = sushi_sat_mul(3, in_copy);
	s = sushi_sat_add(s, sushi_sat_mul(2, w_copy));
	if (l->in_c == l->groups)
		s = sushi_sat_add(s, dw_staging(l, wp, taps));
	s = sushi_sat_add(s, sushi_sat_mul(taps, ((__u64)l->out_c + 16) * 4));
	s = sushi_sat_add(s, ((__u64)l->out_c + 64 * (__u64)l->groups) * 64);
	s = sushi_sat_add(s, g->w_rows * EPI_HOST_BYTES);
	return sushi_sat_add(s, 4096);
}

/* Staging of the other operations: per-channel accumulators. */
static __u64 other_staging(const struct sushi_layer_desc *l)
{
	return ((__u64)l->in_c + (__u64)l->out_c + 128) * 8 + 4096;
}

/* Compute work: MACs, pooling taps, element-wise operations, weighted. */
static __u64 layer_ops(const struct sushi_layer_desc *l,
		       const struct sushi_layer_geom *g)
{
	switch (l->op) {
	case SUSHI_OP_CONV:
	case SUSHI_OP_FC:
		/* one input channel per group: the depthwise kernels */
		if (l->in_c == l->groups && l->groups > 1)
			return sushi_sat_mul(g->macs, SUSHI_HW_WORK_PER_DW_MAC);
		return g->macs;
	case SUSHI_OP_AVGPOOL:
	case SUSHI_OP_MAXPOOL:
		return sushi_sat_mul(sushi_sat_mul(g->out_bytes,
				       (__u64)l->kernel * l->kernel),
			       SUSHI_HW_WORK_PER_TAP);
	case SUSHI_OP_GAP:
		return sushi_sat_mul(g->in_bytes, SUSHI_HW_WORK_PER_TAP);
	default:	/* ADD */
		return sushi_sat_mul(g->out_bytes, SUSHI_HW_WORK_PER_TAP);
	}
}

void sushi_layer_host_cost(const struct sushi_layer_desc *l,
			   const struct sushi_layer_geom *g, __u32 pb_entries,
			   struct sushi_host_cost *c)
{
	__u64 tensors, staging, pieces = 0, gather = 0;

	tensors = sushi_sat_add(sushi_sat_add(g->in_bytes, g->in2_bytes),
				g->out_bytes);
	tensors = sushi_sat_add(tensors,
				sushi_sat_add(g->w_bytes, g->epi_bytes));
	if (g->w_rows) {
		staging = conv_staging(l, g);
		/* one scan of the PB table and one read per weight row */
		gather = sushi_sat_mul(g->w_rows, (__u64)pb_entries + 1);
		gather = sushi_sat_mul(gather, SUSHI_HW_WORK_PER_PB_STEP);
		/* a row's pieces are disjoint: at most one per byte */
		pieces = sushi_sat_add(g->w_row_bytes,
				       2 * (__u64)pb_entries + 2);
		pieces = sushi_sat_mul(PIECE_BYTES * 2, pieces);
	} else {
		staging = other_staging(l);
	}
	c->mem = sushi_sat_add(sushi_sat_add(tensors, staging), pieces);
	c->work = sushi_sat_mul(sushi_sat_add(tensors, staging),
				SUSHI_HW_WORK_PER_BYTE);
	c->work = sushi_sat_add(c->work, gather);
	c->work = sushi_sat_add(c->work, layer_ops(l, g));
	c->work = sushi_sat_add(c->work, LAYER_FIXED_WORK);
}

void sushi_job_host_cost_init(__u32 n_layers, struct sushi_host_cost *c)
{
	/* little-endian and host-order descriptors, and their geometry */
	c->mem = (__u64)n_layers * (2 * sizeof(struct sushi_hw_layer) +
				    sizeof(struct sushi_layer_geom));
	c->work = c->mem * SUSHI_HW_WORK_PER_BYTE;
}

void sushi_job_host_cost_add(struct sushi_host_cost *job, __u64 desc_mem,
			     const struct sushi_host_cost *layer)
{
	job->work = sushi_sat_add(job->work, layer->work);
	job->mem = max_u64(job->mem, sushi_sat_add(desc_mem, layer->mem));
}

int sushi_host_cost_over(const struct sushi_host_cost *c, __u64 work_budget,
			 __u64 mem_budget)
{
	return c->work > work_budget || c->mem > mem_budget;
}
