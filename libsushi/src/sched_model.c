// SPDX-License-Identifier: MIT
/*
 * sched_model.c - builds a scheduling space whose cost tables come from the
 * SushiAccel model library: each SubNet's LAUNCH priced layer by layer with
 * a Persistent Buffer holding the pinned slice at the weight layer's device
 * address, and PB jobs priced as the device prices them; and each SubNet's
 * epilogue bytes (from the layers' geometry), which split its off-chip
 * bytes into weights, activations and epilogues.
 */
#include <errno.h>
#include <stdlib.h>

#include "sushi/sched.h"
#include "sushi_model.h"

struct model_ctx {
	const struct sushi_model_config *cfg;
	const struct sushi_sched_wlayer *wl;
	uint32_t n_wl;
	const struct sushi_sched_net *nets;
	int32_t *where;		/* [net][wlayer] descriptor index or -1 */
	struct sushi_pb *pb;	/* accounting only */
};

static int weight_layer_of(const struct model_ctx *c,
			   const struct sushi_hw_layer *l)
{
	if (l->op != SUSHI_OP_CONV && l->op != SUSHI_OP_FC)
		return -ENOENT;
	for (uint32_t i = 0; i < c->n_wl; i++)
		if (c->wl[i].w_addr == l->w_addr &&
		    c->wl[i].w_stride == l->w_stride)
			return (int)i;
	return -EINVAL;
}

static int cost_layer(void *ctx, uint32_t subnet, uint32_t layer,
		      const struct sushi_slice *pinned, struct sushi_cost *out)
{
	struct model_ctx *c = ctx;
	int32_t at = c->where[(size_t)subnet * c->n_wl + layer];

	if (at < 0)
		return -EINVAL;
	sushi_pb_reset(c->pb);
	if (pinned->rows) {
		struct sushi_pb_range r = {
			.dva = c->wl[layer].w_addr,
			.row_stride = c->wl[layer].w_stride,
			.row_bytes = pinned->row_bytes,
			.rows = pinned->rows,
		};
		int ret = sushi_pb_insert(c->pb, &r, NULL);

		if (ret)
			return ret;
	}
	return sushi_model_layer_cost(c->cfg, c->pb, &c->nets[subnet].layers[at],
				      out);
}

static int cost_rest(void *ctx, uint32_t subnet, struct sushi_cost *out)
{
	struct model_ctx *c = ctx;
	const struct sushi_sched_net *n = &c->nets[subnet];
	struct sushi_cost sum = { 0 }, one;

	for (size_t i = 0; i < n->n_layers; i++) {
		int ret;

		if (weight_layer_of(c, &n->layers[i]) >= 0)
			continue;
		ret = sushi_model_layer_cost(c->cfg, NULL, &n->layers[i], &one);
		if (ret)
			return ret;
		sushi_cost_add(&sum, &one);
	}
	*out = sum;
	return 0;
}

static int cost_load(void *ctx, uint32_t layer, const struct sushi_slice *s,
		     struct sushi_cost *out)
{
	struct model_ctx *c = ctx;

	(void)layer;
	if (s->rows)
		sushi_model_pb_load_cost(c->cfg, (uint64_t)s->rows * s->row_bytes,
					 out);
	else
		sushi_model_simple_job_cost(c->cfg, out);
	return 0;
}

int sushi_sched_space_from_model(const struct sushi_model_config *cfg,
				 const struct sushi_sched_wlayer *wl,
				 uint32_t n_wl,
				 const struct sushi_sched_net *nets,
				 uint32_t n_nets,
				 struct sushi_sched_space **out)
{
	static const struct sushi_sched_cost_ops ops = {
		.layer = cost_layer, .rest = cost_rest, .load = cost_load,
	};
	struct model_ctx c = { cfg, wl, n_wl, nets, NULL, NULL };
	struct sushi_sched_space *sp = NULL;
	struct sushi_slice *sl = NULL;
	int ret = -ENOMEM;

	if (!cfg || !wl || !nets || !out || sushi_model_config_check(cfg))
		return -EINVAL;
	c.where = malloc((size_t)n_nets * n_wl * sizeof(*c.where));
	sl = calloc(n_wl, sizeof(*sl));
	/* pricing only: any slice may be pinned, whatever the PB size */
	c.pb = sushi_pb_new(1ull << SUSHI_MMU_VA_BITS, 1, false);
	ret = sushi_sched_space_new(n_nets, n_wl, &sp);
	if (!ret && (!c.where || !sl || !c.pb))
		ret = -ENOMEM;
	if (ret)
		goto out;
	for (uint32_t s = 0; s < n_nets; s++) {
		uint64_t epi = 0;

		for (uint32_t i = 0; i < n_wl; i++) {
			c.where[(size_t)s * n_wl + i] = -1;
			sl[i].rows = sl[i].row_bytes = 0;
		}
		for (size_t i = 0; i < nets[s].n_layers; i++) {
			const struct sushi_hw_layer *l = &nets[s].layers[i];
			struct sushi_layer_geom g;
			int w = weight_layer_of(&c, l);

			ret = sushi_layer_check(l, &g);
			if (!ret && w == -EINVAL)
				ret = -EINVAL;
			if (ret)
				goto out;
			epi += g.epi_bytes;
			if (w < 0)
				continue;
			c.where[(size_t)s * n_wl + (uint32_t)w] = (int32_t)i;
			sl[w].rows = (uint32_t)g.w_rows;
			sl[w].row_bytes = (uint32_t)g.w_row_bytes;
		}
		ret = sushi_sched_space_subnet(sp, s, nets[s].accuracy, sl);
		if (!ret)
			ret = sushi_sched_space_subnet_epilogue(sp, s, epi);
		if (ret)
			goto out;
	}
	ret = sushi_sched_space_finish(sp, &ops, &c, cfg->clock_hz, cfg->pb_bytes);
out:
	if (ret) {
		sushi_sched_space_free(sp);
		sp = NULL;
	}
	*out = sp;
	free(c.where);
	free(sl);
	sushi_pb_free(c.pb);
	return ret;
}
