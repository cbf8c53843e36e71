// SPDX-License-Identifier: MIT
/*
 * netdev.c - a SuperNet loaded on a SushiAccel device (sushi/netdev.h):
 * the data BO and arena BO, SubNet layer lists turned into programs (data
 * section at device address 0, arena at SUSHI_NETDEV_ACT_BASE), runs,
 * SubGraph pin sets, and the model library's cost of the same launches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netdev_internal.h"

void sushi_netdev_map(const struct sushi_caps *caps,
		      struct sushi_supernet_map *map)
{
	if (map) {
		map->data_base = 0;
		map->act_base = SUSHI_NETDEV_ACT_BASE;
		map->act_sram_bytes = caps ? caps->act_sram_bytes : 0;
	}
}

void sushi_netdev_destroy(struct sushi_netdev *nd)
{
	if (!nd)
		return;
	netdev_cost_free(nd);
	for (uint32_t k = 0; k < SUSHI_NETDEV_MAX_SLOTS; k++) {
		struct netdev_slot *sl = &nd->slot[k];

		if (sl->busy)	/* let the run finish before its BO goes */
			sushi_job_wait(nd->dev, sl->job, SUSHI_NETDEV_TIMEOUT_NS,
				       NULL);
		for (uint32_t i = 0; sl->prog && i < nd->info.n_subnets; i++)
			if (sl->prog[i])
				sushi_program_destroy(nd->dev, sl->prog[i]);
		free(sl->prog);
		sushi_bo_free(sl->arena);
	}
	for (uint32_t i = 0; nd->layers && i < nd->info.n_subnets; i++)
		free(nd->layers[i]);
	free(nd->layers);
	free(nd->io);
	free(nd->n_layers);
	sushi_bo_free(nd->data);
	if (nd->unpinned)
		sushi_syncobj_destroy(nd->dev, nd->unpinned);
	free(nd);
}

static int load_layers(struct sushi_netdev *nd)
{
	struct sushi_supernet_map map;
	uint32_t n = nd->info.n_subnets;

	sushi_netdev_map(&nd->caps, &map);
	nd->layers = calloc(n, sizeof(*nd->layers));
	nd->io = calloc(n, sizeof(*nd->io));
	nd->n_layers = calloc(n, sizeof(*nd->n_layers));
	if (!nd->layers || !nd->io || !nd->n_layers)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct sushi_subnet_info si;
		int ret = sushi_supernet_subnet(nd->sn, i, &si);

		if (ret)
			return ret;
		nd->n_layers[i] = si.n_layers;
		nd->layers[i] = calloc(si.n_layers, sizeof(**nd->layers));
		if (!nd->layers[i])
			return -ENOMEM;
		ret = sushi_supernet_layers(nd->sn, i, &map, nd->layers[i],
					    &nd->io[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int sushi_netdev_create(struct sushi_device *dev,
			const struct sushi_supernet *sn,
			struct sushi_netdev **out)
{
	struct sushi_netdev *nd;
	void *p;
	int ret;

	if (!dev || !sn || !out)
		return -EINVAL;
	*out = NULL;
	nd = calloc(1, sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	nd->dev = dev;
	nd->sn = sn;
	ret = sushi_supernet_info(sn, &nd->info);
	if (!ret)
		ret = sushi_device_caps(dev, &nd->caps);
	if (!ret && (!nd->info.n_subnets || !nd->info.data_bytes))
		ret = -EINVAL;
	if (!ret)
		ret = load_layers(nd);
	for (uint32_t i = 0; !ret && i < nd->info.n_subnets; i++)
		if (nd->io[i].arena_bytes > nd->arena_bytes)
			nd->arena_bytes = nd->io[i].arena_bytes;
	if (!ret)
		ret = sushi_bo_create(dev, nd->info.data_bytes,
				      SUSHI_BO_DEVICE_READ_ONLY, &nd->data);
	if (!ret)
		ret = sushi_bo_map(nd->data, &p);
	if (!ret) {
		memcpy(p, sushi_supernet_data(sn), nd->info.data_bytes);
		ret = sushi_bo_unmap(nd->data);
	}
	if (!ret)
		ret = sushi_syncobj_create(dev, &nd->unpinned);
	if (!ret)
		ret = sushi_netdev_slots(nd, 1);
	if (ret) {
		sushi_netdev_destroy(nd);
		return ret;
	}
	*out = nd;
	return 0;
}

int sushi_netdev_slots(struct sushi_netdev *nd, uint32_t n)
{
	if (!nd || !n || n > SUSHI_NETDEV_MAX_SLOTS)
		return -EINVAL;
	for (; nd->n_slots < n; nd->n_slots++) {
		struct netdev_slot *sl = &nd->slot[nd->n_slots];
		void *p;
		int ret;

		sl->prog = calloc(nd->info.n_subnets, sizeof(*sl->prog));
		if (!sl->prog)
			return -ENOMEM;
		ret = sushi_bo_create(nd->dev, nd->arena_bytes, 0, &sl->arena);
		if (!ret)
			ret = sushi_bo_map(sl->arena, &p);
		if (ret) {
			sushi_bo_free(sl->arena);
			sl->arena = NULL;
			free(sl->prog);
			sl->prog = NULL;
			return ret;
		}
		sl->act = p;
		memset(sl->act, 0, nd->arena_bytes);
	}
	return 0;
}

int sushi_netdev_io(const struct sushi_netdev *nd, uint32_t subnet,
		    struct sushi_subnet_io *io)
{
	if (!nd || !io)
		return -EINVAL;
	if (subnet >= nd->info.n_subnets)
		return -ENOENT;
	*io = nd->io[subnet];
	return 0;
}

/* A device address of the netdev's map as a BO place (@arena: the slot's). */
static struct sushi_bo_ref place(const struct sushi_netdev *nd,
				 struct sushi_bo *arena, bool sram, uint64_t a)
{
	struct sushi_bo_ref r;

	if (sram) {
		r.bo = NULL;
		r.offset = a;
	} else if (a >= SUSHI_NETDEV_ACT_BASE) {
		r.bo = arena;
		r.offset = a - SUSHI_NETDEV_ACT_BASE;
	} else {
		r.bo = nd->data;
		r.offset = a;
	}
	return r;
}

static void to_layer(const struct sushi_netdev *nd, struct sushi_bo *arena,
		     const struct sushi_hw_layer *h, struct sushi_layer *u)
{
	memset(u, 0, sizeof(*u));
	u->op = h->op;
	u->in_c = h->in_c;
	u->in_h = h->in_h;
	u->in_w = h->in_w;
	u->out_c = h->out_c;
	u->out_h = h->out_h;
	u->out_w = h->out_w;
	u->kernel = h->kernel;
	u->stride = h->stride;
	u->padding = h->pad;
	u->groups = h->groups;
	u->in_zp = (int32_t)h->in_zp;
	u->in2_zp = (int32_t)h->in2_zp;
	u->out_zp = (int32_t)h->out_zp;
	u->act_min = (int32_t)h->act_min;
	u->act_max = (int32_t)h->act_max;
	u->add_shift = h->add_shift;
	u->add_mult_a = (int32_t)h->add_mult_a;
	u->add_mult_b = (int32_t)h->add_mult_b;
	/* the placement flags are the device's, an SRAM tensor its offset */
	u->flags = h->flags;
	u->in = place(nd, arena, h->flags & SUSHI_LAYER_F_IN_SRAM, h->in_addr);
	u->out = place(nd, arena, h->flags & SUSHI_LAYER_F_OUT_SRAM,
		       h->out_addr);
	/* only the tensors the op reads get a place: unused addresses are 0 */
	if (h->op == SUSHI_OP_ADD)
		u->in2 = place(nd, arena, h->flags & SUSHI_LAYER_F_IN2_SRAM,
			       h->in2_addr);
	if (h->op == SUSHI_OP_CONV || h->op == SUSHI_OP_FC) {
		u->w_stride = h->w_stride;
		u->w = place(nd, arena, false, h->w_addr);
		u->epi = place(nd, arena, false, h->epi_addr);
	}
}

int netdev_program(struct sushi_netdev *nd, uint32_t slot,
		   const struct sushi_hw_layer *l, uint32_t n, uint32_t *prog)
{
	struct sushi_layer *u = calloc(n ? n : 1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		to_layer(nd, nd->slot[slot].arena, &l[i], &u[i]);
	ret = sushi_program_create(nd->dev, u, n, prog);
	free(u);
	return ret;
}

int netdev_launch(struct sushi_netdev *nd, uint32_t prog, uint32_t pin_set,
		  struct sushi_job_stats *st)
{
	struct sushi_launch_opts o = { .pin_set = pin_set };
	uint64_t job;
	int ret = sushi_launch(nd->dev, prog, &o, &job);

	if (ret)
		return ret;
	return sushi_job_wait(nd->dev, job, SUSHI_NETDEV_TIMEOUT_NS, st);
}

void netdev_stats_cost(const struct sushi_job_stats *st, struct sushi_cost *c)
{
	memset(c, 0, sizeof(*c));
	c->cycles = st->cycles;
	c->macs = st->macs;
	c->dram_rd = st->dram_rd;
	c->dram_wr = st->dram_wr;
	c->pb_rd = st->pb_rd;
	c->energy_fj = st->energy_fj;
	c->offchip_fj = st->offchip_fj;
}

int sushi_netdev_submit(struct sushi_netdev *nd, uint32_t slot,
			uint32_t subnet, uint32_t pin_set, const void *input,
			size_t in_len)
{
	struct sushi_launch_opts o = { .pin_set = pin_set };
	const struct sushi_subnet_io *io;
	struct netdev_slot *sl;
	int ret;

	if (!nd || !input || slot >= nd->n_slots)
		return -EINVAL;
	if (subnet >= nd->info.n_subnets)
		return -ENOENT;
	sl = &nd->slot[slot];
	if (sl->busy) {		/* an earlier run never finished: is it done? */
		if (sushi_job_wait(nd->dev, sl->job, 0, NULL) == -ETIME)
			return -EBUSY;
		sl->busy = false;
	}
	io = &nd->io[subnet];
	if (in_len != io->in_bytes)
		return -EINVAL;
	if (!sl->prog[subnet]) {
		ret = netdev_program(nd, slot, nd->layers[subnet],
				     nd->n_layers[subnet], &sl->prog[subnet]);
		if (ret)
			return ret;
	}
	memcpy(sl->act + io->in_off, input, in_len);
	ret = sushi_launch(nd->dev, sl->prog[subnet], &o, &sl->job);
	if (ret)
		return ret;
	sl->busy = true;
	sl->subnet = subnet;
	return 0;
}

int sushi_netdev_finish(struct sushi_netdev *nd, uint32_t slot, void *output,
			size_t out_len, struct sushi_job_stats *stats)
{
	struct sushi_job_stats st = { 0 };
	const struct sushi_subnet_io *io;
	struct netdev_slot *sl;
	int ret;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!nd || !output || slot >= nd->n_slots || !nd->slot[slot].busy)
		return -EINVAL;
	sl = &nd->slot[slot];
	io = &nd->io[sl->subnet];
	if (out_len < io->out_bytes)
		return -EINVAL;
	ret = sushi_job_wait(nd->dev, sl->job, SUSHI_NETDEV_TIMEOUT_NS, &st);
	if (ret == -ETIME)
		return ret;	/* still in flight: the slot stays busy */
	sl->busy = false;
	if (stats)
		*stats = st;
	if (!ret)
		ret = sushi_bo_wait(sl->arena, SUSHI_BO_WAIT_WRITERS,
				    SUSHI_NETDEV_TIMEOUT_NS);
	if (!ret)
		memcpy(output, sl->act + io->out_off, io->out_bytes);
	return ret;
}

int sushi_netdev_run(struct sushi_netdev *nd, uint32_t subnet,
		     uint32_t pin_set, const void *input, size_t in_len,
		     void *output, size_t out_len,
		     struct sushi_job_stats *stats)
{
	int ret;

	if (stats)		/* all zero unless a job ran */
		memset(stats, 0, sizeof(*stats));
	if (!nd || !input || !output)
		return -EINVAL;
	if (subnet >= nd->info.n_subnets)
		return -ENOENT;
	if (in_len != nd->io[subnet].in_bytes ||
	    out_len < nd->io[subnet].out_bytes)
		return -EINVAL;
	ret = sushi_netdev_submit(nd, 0, subnet, pin_set, input, in_len);
	if (ret)
		return ret;
	return sushi_netdev_finish(nd, 0, output, out_len, stats);
}

int sushi_netdev_pin(struct sushi_netdev *nd, const struct sushi_slice *sg,
		     uint32_t *pin_set, struct sushi_job_stats *load)
{
	uint32_t L = nd ? nd->info.n_weight_layers : 0, n = 0, set;
	struct sushi_supernet_map map;
	struct sushi_pb_range *r = NULL;
	struct sushi_pin_range *p = NULL;
	struct sushi_job_stats st;
	uint64_t bytes = 0, job;
	int ret;

	if (!nd || !sg || !pin_set)
		return -EINVAL;
	sushi_netdev_map(&nd->caps, &map);
	r = calloc(L ? L : 1, sizeof(*r));
	p = calloc(L ? L : 1, sizeof(*p));
	ret = (!r || !p) ? -ENOMEM :
	      sushi_supernet_subgraph_ranges(nd->sn, sg, &map, r, &n, &bytes);
	if (!ret && !n)
		ret = -EINVAL;
	if (!ret && bytes > nd->caps.pb_bytes)
		ret = -ENOSPC;
	for (uint32_t i = 0; !ret && i < n; i++)
		p[i] = (struct sushi_pin_range){
			.bo = nd->data, .offset = r[i].dva - map.data_base,
			.row_stride = r[i].row_stride,
			.row_bytes = r[i].row_bytes, .rows = r[i].rows,
		};
	if (!ret)
		ret = sushi_pin_set_create(nd->dev, p, n, &set, &job);
	free(r);
	free(p);
	if (ret)
		return ret;
	ret = sushi_job_wait(nd->dev, job, SUSHI_NETDEV_TIMEOUT_NS, &st);
	if (ret) {
		sushi_pin_set_destroy(nd->dev, set);
		return ret;
	}
	if (load)
		*load = st;
	*pin_set = set;
	return 0;
}

int sushi_netdev_unpin(struct sushi_netdev *nd, uint32_t pin_set)
{
	int ret;

	if (!nd)
		return -EINVAL;
	ret = sushi_pin_set_destroy_signal(nd->dev, pin_set, nd->unpinned);
	if (!ret)
		nd->unpin_pending = true;
	return ret;
}

int sushi_netdev_wait_unpinned(struct sushi_netdev *nd, int64_t timeout_ns)
{
	int ret;

	if (!nd)
		return -EINVAL;
	if (!nd->unpin_pending)
		return 0;
	ret = sushi_syncobj_wait(nd->dev, nd->unpinned, timeout_ns);
	if (!ret)
		nd->unpin_pending = false;
	return ret;
}

int sushi_netdev_model_cost(const struct sushi_netdev *nd, uint32_t subnet,
			    const struct sushi_slice *sg,
			    struct sushi_cost *out)
{
	uint32_t L = nd ? nd->info.n_weight_layers : 0, n = 0;
	struct sushi_model_config cfg;
	struct sushi_supernet_map map;
	struct sushi_pb_range *r;
	struct sushi_pb *pb;
	uint64_t bytes;
	int ret;

	if (!nd || !out)
		return -EINVAL;
	if (subnet >= nd->info.n_subnets)
		return -ENOENT;
	sushi_caps_model_config(&nd->caps, &cfg);
	sushi_netdev_map(&nd->caps, &map);
	r = calloc(L ? L : 1, sizeof(*r));
	pb = sushi_pb_new(cfg.pb_bytes ? cfg.pb_bytes : 1, cfg.pb_entries,
			  false);
	ret = (!r || !pb) ? -ENOMEM : 0;
	if (!ret && sg)
		ret = sushi_supernet_subgraph_ranges(nd->sn, sg, &map, r, &n,
						     &bytes);
	for (uint32_t i = 0; !ret && i < n; i++)
		ret = sushi_pb_insert(pb, &r[i], NULL);
	if (!ret)
		ret = sushi_model_layers_cost(&cfg, pb, nd->layers[subnet],
					      nd->n_layers[subnet], out, NULL,
					      NULL);
	sushi_pb_free(pb);
	free(r);
	return ret;
}
