/* SPDX-License-Identifier: MIT */
/*
 * sushi_host_cost.h - the host work and host memory a SushiAccel job costs
 * the machine that emulates the device, checked against the device's
 * per-job budgets.  Common subset of kernel C and C11, like
 * sushi_layer_check.h: the QEMU device enforces the budgets, the kernel
 * driver computes the same numbers to refuse a program early, libsushi
 * and the tests report them.
 */
#ifndef SUSHI_HOST_COST_H
#define SUSHI_HOST_COST_H

#include <linux/types.h>

#include "sushi_layer_check.h"

/**
 * struct sushi_host_cost - what a layer or a job costs the host
 * @work: work units (see SUSHI_HW_WORK_PER_PIECE in sushi_accel_hw.h),
 *	saturating at U64_MAX
 * @mem: host bytes held at once (for a job: its largest layer plus the
 *	descriptors)
 */
struct sushi_host_cost {
	__u64 work;
	__u64 mem;
};

/**
 * sushi_layer_host_cost() - host cost of one valid layer
 * @l: the descriptor (sushi_layer_desc_check() accepted it)
 * @g: its geometry from that check
 * @pb_entries: PB table entries of the device (a weight gather scans them
 *	once per weight row)
 * @c: filled in
 *
 * The work counts everything that does not depend on the PB's contents;
 * the pieces a PB weight gather copies do, and the device counts them as
 * it goes (SUSHI_HW_WORK_PER_PIECE each) against the same budget.
 */
void sushi_layer_host_cost(const struct sushi_layer_desc *l,
			   const struct sushi_layer_geom *g, __u32 pb_entries,
			   struct sushi_host_cost *c);

/**
 * sushi_job_host_cost_init() - the cost of a LAUNCH of @n_layers before
 * any layer: its descriptors (little-endian copy, host-order copy and
 * geometry) held for the whole job
 * @n_layers: descriptors in the LAUNCH
 * @c: filled in
 */
void sushi_job_host_cost_init(__u32 n_layers, struct sushi_host_cost *c);

/**
 * sushi_job_host_cost_add() - account one more layer of a job
 * @job: the job so far (work adds up, memory is the largest layer's on top
 *	of the descriptors)
 * @desc_mem: the descriptors' bytes (from sushi_job_host_cost_init())
 * @layer: the layer's cost
 */
void sushi_job_host_cost_add(struct sushi_host_cost *job, __u64 desc_mem,
			     const struct sushi_host_cost *layer);

/**
 * sushi_host_cost_over() - does @c pass a budget?
 * @c: a job's cost so far
 * @work_budget: host work units allowed per job
 * @mem_budget: host bytes allowed per job
 *
 * Return: 1 when over either budget, else 0.
 */
int sushi_host_cost_over(const struct sushi_host_cost *c, __u64 work_budget,
			 __u64 mem_budget);

#ifndef __KERNEL__
/* sushi_layer_host_cost() of the model's host-order struct sushi_hw_layer */
void sushi_hw_layer_host_cost(const struct sushi_hw_layer *l,
			      const struct sushi_layer_geom *g,
			      __u32 pb_entries, struct sushi_host_cost *c);
#endif

#endif /* SUSHI_HOST_COST_H */
