// SPDX-License-Identifier: MIT
/*
 * test_host_cost.c - the host work and memory of layers and jobs
 * (host_cost.c), the numbers the device's per-job budgets bound: each
 * operation's weight, the staging the compute kernels allocate, memory as
 * the largest layer (not the sum), saturation, and the budget comparison
 * at its boundary.
 */
#include <stdlib.h>

#include "layers.h"
#include "tap.h"

static struct sushi_host_cost cost_of(const struct sushi_hw_layer *l,
				      uint32_t pb_entries)
{
	struct sushi_host_cost c = { 0 };
	struct sushi_layer_geom g;

	if (sushi_layer_check(l, &g))
		abort();
	sushi_hw_layer_host_cost(l, &g, pb_entries, &c);
	return c;
}

static uint64_t tensors(const struct sushi_hw_layer *l)
{
	struct sushi_layer_geom g;

	if (sushi_layer_check(l, &g))
		abort();
	return g.in_bytes + g.in2_bytes + g.out_bytes + g.w_bytes +
	       g.epi_bytes;
}

static void test_ops(void)
{
	struct sushi_hw_layer dense = t_conv(64, 56, 56, 64, 3, 1, 1, 1);
	struct sushi_hw_layer dw = t_conv(64, 56, 56, 64, 3, 1, 1, 64);
	struct sushi_hw_layer pool = t_pool(SUSHI_OP_MAXPOOL, 64, 56, 56, 3,
					    2, 1);
	struct sushi_hw_layer add = t_add(64, 56, 56);
	struct sushi_host_cost c = cost_of(&dense, 64);
	uint64_t macs = 64ull * 56 * 56 * 64 * 9;

	ok(c.work >= macs + SUSHI_HW_WORK_PER_BYTE * tensors(&dense),
	   "dense conv: its MACs and every byte it moves (%llu)",
	   (unsigned long long)c.work);
	ok(c.mem >= tensors(&dense) + 3ull * 58 * 58 * 68,
	   "dense conv memory: tensors and a padded widened input copy");
	c = cost_of(&dw, 64);
	ok(c.work >= 56ull * 56 * 64 * 9 * SUSHI_HW_WORK_PER_DW_MAC,
	   "depthwise MACs weigh SUSHI_HW_WORK_PER_DW_MAC");
	ok(c.mem >= tensors(&dw) + 58ull * 58 * 80,
	   "depthwise memory: the input widened to the output channels");
	c = cost_of(&pool, 0);
	ok(c.work >= 64ull * 28 * 28 * 9 * SUSHI_HW_WORK_PER_TAP,
	   "pooling taps weigh SUSHI_HW_WORK_PER_TAP");
	c = cost_of(&add, 0);
	ok(c.work >= 64ull * 56 * 56 * SUSHI_HW_WORK_PER_TAP +
		     SUSHI_HW_WORK_PER_BYTE * tensors(&add),
	   "element-wise ops and bytes of an ADD");
}

static void test_pb_entries(void)
{
	struct sushi_hw_layer fc = t_fc(1024, 1000);
	struct sushi_host_cost a = cost_of(&fc, 0), b = cost_of(&fc, 256);

	is_u64(b.work - a.work, 1000ull * 256 * SUSHI_HW_WORK_PER_PB_STEP,
	       "a weight gather scans the PB table once per weight row");
	is_u64(b.mem - a.mem, 48ull * 512,
	       "and may hold a piece list per row");
}

static void test_job(void)
{
	struct sushi_hw_layer big = t_conv(64, 56, 56, 64, 3, 1, 1, 1);
	struct sushi_hw_layer small = t_fc(64, 10);
	struct sushi_host_cost job, lb = cost_of(&big, 8),
				    ls = cost_of(&small, 8);
	uint64_t desc;

	sushi_job_host_cost_init(2, &job);
	desc = job.mem;
	is_u64(desc, 2 * (2 * sizeof(struct sushi_hw_layer) +
			  sizeof(struct sushi_layer_geom)),
	       "a job holds its descriptors");
	sushi_job_host_cost_add(&job, desc, &lb);
	sushi_job_host_cost_add(&job, desc, &ls);
	is_u64(job.work, desc * SUSHI_HW_WORK_PER_BYTE + lb.work + ls.work,
	       "job work adds up");
	is_u64(job.mem, desc + lb.mem, "job memory is its largest layer's");
	is_int(sushi_host_cost_over(&job, job.work, job.mem), 0,
	       "a job of exactly the budgets is within them");
	is_int(sushi_host_cost_over(&job, job.work - 1, job.mem), 1,
	       "one work unit less is over");
	is_int(sushi_host_cost_over(&job, job.work, job.mem - 1), 1,
	       "one byte less is over");
}

static void test_saturation(void)
{
	struct sushi_hw_layer pool = t_pool(SUSHI_OP_MAXPOOL, 1, 8, 8, 8,
					    1, 0);
	struct sushi_host_cost c, job = { UINT64_MAX - 1, 0 };

	/* the largest pooling the layer check allows */
	pool.in_h = pool.in_w = SUSHI_HW_MAX_DIM;
	pool.out_h = pool.out_w = SUSHI_HW_MAX_DIM - 7;
	pool.in_c = pool.out_c = SUSHI_HW_MAX_CHANNELS;
	c = cost_of(&pool, 0);
	ok(c.work > SUSHI_HW_MAX_WORK_BUDGET, "a huge pooling is over any budget");
	sushi_job_host_cost_add(&job, 0, &c);
	is_u64(job.work, UINT64_MAX, "job work saturates instead of wrapping");
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_ops();
	test_pb_entries();
	test_job();
	test_saturation();
	return tap_done();
}
