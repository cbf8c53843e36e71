// SPDX-License-Identifier: MIT
/*
 * rt_pb.c - the Persistent Buffer content the serving runtime keeps on a
 * device: one netdev pin set per SuperNet weight layer, so that switching
 * SubGraphs runs exactly the PB jobs the scheduling space prices (an
 * invalidation per layer whose slice goes, a load per layer whose slice
 * comes; layers both SubGraphs share stay loaded).  Unpinning is
 * asynchronous in the driver (the PB bytes are free when the invalidation
 * retires; the file's next loads are ordered after it), so a pin that finds
 * the bytes not yet free waits for the unpin's fence and is retried once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt_pb.h"

int rt_pb_init(struct rt_pb *pb, struct sushi_netdev *nd, uint32_t L,
		  const struct sushi_model_config *cfg)
{
	if (!pb || !nd || !L || !cfg)
		return -EINVAL;
	memset(pb, 0, sizeof(*pb));
	pb->nd = nd;
	pb->cfg = *cfg;
	pb->L = L;
	pb->content = calloc(L, sizeof(*pb->content));
	pb->set = calloc(L, sizeof(*pb->set));
	if (!pb->content || !pb->set) {
		rt_pb_release(pb);
		return -ENOMEM;
	}
	return 0;
}

static int same(const struct sushi_slice *a, const struct sushi_slice *b)
{
	return a->rows == b->rows && a->row_bytes == b->row_bytes;
}

/*
 * Pin @s of layer @l alone; if the PB bytes an unpin just released are not
 * free yet, wait for that unpin's fence once and pin again.
 */
static int pin_layer(struct rt_pb *pb, uint32_t l,
		     const struct sushi_slice *s, struct sushi_job_stats *st)
{
	struct sushi_slice *sg = calloc(pb->L, sizeof(*sg));
	int ret;

	if (!sg)
		return -ENOMEM;
	sg[l] = *s;
	ret = sushi_netdev_pin(pb->nd, sg, &pb->set[l], st);
	if (ret == -ENOSPC) {
		pb->enospc_waits++;
		ret = sushi_netdev_wait_unpinned(pb->nd,
						 SUSHI_NETDEV_TIMEOUT_NS);
		if (!ret)
			ret = sushi_netdev_pin(pb->nd, sg, &pb->set[l], st);
	}
	free(sg);
	if (!ret)
		pb->content[l] = *s;
	return ret;
}

int rt_pb_switch(struct rt_pb *pb, const struct sushi_slice *to,
		    struct sushi_rt_pb_jobs *jobs)
{
	const struct sushi_slice none = { 0, 0 };
	struct sushi_cost inval;
	int ret;

	if (!pb || !pb->content || !to || !jobs)
		return -EINVAL;
	sushi_model_simple_job_cost(&pb->cfg, &inval);
	for (uint32_t l = 0; l < pb->L; l++) {
		if (same(&pb->content[l], &to[l]) || !pb->content[l].rows)
			continue;
		ret = sushi_netdev_unpin(pb->nd, pb->set[l]);
		if (ret)
			return ret;
		pb->set[l] = 0;
		pb->content[l] = none;
		jobs->ns += sushi_model_cycles_to_ns(&pb->cfg, inval.cycles);
		jobs->dram += inval.dram_rd + inval.dram_wr;
		jobs->energy_fj += inval.energy_fj;
		jobs->offchip_fj += inval.offchip_fj;
	}
	for (uint32_t l = 0; l < pb->L; l++) {
		struct sushi_job_stats st;

		if (same(&pb->content[l], &to[l]) || !to[l].rows)
			continue;
		ret = pin_layer(pb, l, &to[l], &st);
		if (ret)
			return ret;
		jobs->ns += sushi_model_cycles_to_ns(&pb->cfg, st.cycles);
		jobs->dram += st.dram_rd + st.dram_wr;
		jobs->energy_fj += st.energy_fj;
		jobs->offchip_fj += st.offchip_fj;
		jobs->n_loads++;
	}
	return 0;
}

void rt_pb_forget(struct rt_pb *pb)
{
	for (uint32_t l = 0; pb->set && l < pb->L; l++) {
		if (pb->set[l])
			sushi_netdev_unpin(pb->nd, pb->set[l]);
		pb->set[l] = 0;
		pb->content[l] = (struct sushi_slice){ 0, 0 };
	}
}

uint32_t rt_pb_any_set(const struct rt_pb *pb)
{
	for (uint32_t l = 0; pb && pb->set && l < pb->L; l++)
		if (pb->set[l])
			return pb->set[l];
	return 0;
}

void rt_pb_release(struct rt_pb *pb)
{
	if (!pb)
		return;
	rt_pb_forget(pb);
	free(pb->content);
	free(pb->set);
	pb->content = NULL;
	pb->set = NULL;
}
