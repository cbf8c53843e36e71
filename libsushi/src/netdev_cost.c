// SPDX-License-Identifier: MIT
/*
 * netdev_cost.c - SushiSched's cost source measured on the device
 * (sushi_netdev_cost_ops()): each weight layer's descriptor launched alone
 * with the pinned slice in the Persistent Buffer, each SubNet's weight-free
 * layers launched together, each slice's PB load job; measurements cached
 * per distinct descriptor and slice.  Also the space built from them (with
 * each SubNet's epilogue bytes from its layers' geometry, as the
 * model-priced space has them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netdev_internal.h"

/* one measured layer: descriptor (activation addresses cleared) + slice */
struct layer_memo {
	struct sushi_hw_layer key;
	uint32_t wl;
	struct sushi_slice pinned;
	struct sushi_cost cost;
};

struct netdev_cost {
	uint32_t L;
	int32_t *where;			/* [subnet][wlayer] descriptor or -1 */
	uint32_t *prog1;		/* [subnet][wlayer] one-layer program */
	struct layer_memo *memo;
	size_t n_memo, cap_memo;
	struct sushi_cost *rest;	/* [subnet] */
	uint8_t *rest_done;		/* [subnet] */
};

void netdev_cost_free(struct sushi_netdev *nd)
{
	struct netdev_cost *c = nd->cost;

	if (!c)
		return;
	for (size_t i = 0; c->prog1 && i < (size_t)nd->info.n_subnets * c->L; i++)
		if (c->prog1[i])
			sushi_program_destroy(nd->dev, c->prog1[i]);
	free(c->where);
	free(c->prog1);
	free(c->memo);
	free(c->rest);
	free(c->rest_done);
	free(c);
	nd->cost = NULL;
}

static int weight_layer_of(const struct sushi_netdev *nd,
			   const struct sushi_hw_layer *l)
{
	if (l->op != SUSHI_OP_CONV && l->op != SUSHI_OP_FC)
		return -ENOENT;
	for (uint32_t i = 0; i < nd->info.n_weight_layers; i++) {
		struct sushi_weight_layer_info w;

		if (sushi_supernet_weight_layer(nd->sn, i, &w))
			break;
		if (w.offset == l->w_addr && w.row_stride == l->w_stride)
			return (int)i;
	}
	return -EINVAL;
}

static int cost_state(struct sushi_netdev *nd, struct netdev_cost **out)
{
	const uint32_t S = nd->info.n_subnets, L = nd->info.n_weight_layers;
	struct netdev_cost *c = nd->cost;

	if (c) {
		*out = c;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	nd->cost = c;
	c->L = L;
	c->where = malloc((size_t)S * (L ? L : 1) * sizeof(*c->where));
	c->prog1 = calloc((size_t)S * (L ? L : 1), sizeof(*c->prog1));
	c->rest = calloc(S, sizeof(*c->rest));
	c->rest_done = calloc(S, 1);
	if (!c->where || !c->prog1 || !c->rest || !c->rest_done)
		return -ENOMEM;
	for (uint32_t s = 0; s < S; s++) {
		for (uint32_t l = 0; l < L; l++)
			c->where[(size_t)s * L + l] = -1;
		for (uint32_t i = 0; i < nd->n_layers[s]; i++) {
			int w = weight_layer_of(nd, &nd->layers[s][i]);

			if (w >= 0)
				c->where[(size_t)s * L + (uint32_t)w] = (int32_t)i;
		}
	}
	*out = c;
	return 0;
}

static int memo_add(struct netdev_cost *c, const struct layer_memo *m)
{
	if (c->n_memo == c->cap_memo) {
		size_t cap = c->cap_memo ? 2 * c->cap_memo : 64;
		struct layer_memo *p = realloc(c->memo, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->memo = p;
		c->cap_memo = cap;
	}
	c->memo[c->n_memo++] = *m;
	return 0;
}

/* Pin only @slice of weight layer @layer: 0 or -errno. */
static int pin_one(struct sushi_netdev *nd, uint32_t layer,
		   const struct sushi_slice *slice, uint32_t *set,
		   struct sushi_job_stats *load)
{
	struct sushi_slice *sg = calloc(nd->info.n_weight_layers, sizeof(*sg));
	int ret;

	if (!sg)
		return -ENOMEM;
	sg[layer] = *slice;
	ret = sushi_netdev_pin(nd, sg, set, load);
	free(sg);
	return ret;
}

static int dev_layer(void *ctx, uint32_t subnet, uint32_t layer,
		     const struct sushi_slice *pinned, struct sushi_cost *out)
{
	struct sushi_netdev *nd = ctx;
	const struct sushi_hw_layer *d;
	struct sushi_job_stats st;
	struct netdev_cost *c;
	struct layer_memo m;
	uint32_t *prog, set = 0;
	int32_t at;
	int ret;

	if (!nd || !pinned || !out || subnet >= nd->info.n_subnets ||
	    layer >= nd->info.n_weight_layers)
		return -EINVAL;
	ret = cost_state(nd, &c);
	if (ret)
		return ret;
	at = c->where[(size_t)subnet * c->L + layer];
	if (at < 0)
		return -EINVAL;
	d = &nd->layers[subnet][at];
	memset(&m, 0, sizeof(m));
	m.key = *d;
	m.key.in_addr = m.key.in2_addr = m.key.out_addr = 0;
	m.wl = layer;
	m.pinned = *pinned;
	for (size_t i = 0; i < c->n_memo; i++) {
		if (!memcmp(&c->memo[i].key, &m.key, sizeof(m.key)) &&
		    c->memo[i].pinned.rows == pinned->rows &&
		    c->memo[i].pinned.row_bytes == pinned->row_bytes) {
			*out = c->memo[i].cost;
			return 0;
		}
	}
	prog = &c->prog1[(size_t)subnet * c->L + layer];
	if (!*prog) {
		ret = netdev_program(nd, 0, d, 1, prog);
		if (ret)
			return ret;
	}
	if (pinned->rows) {
		ret = pin_one(nd, layer, pinned, &set, NULL);
		if (ret)
			return ret;
	}
	ret = netdev_launch(nd, *prog, set, &st);
	if (set) {
		int r2 = sushi_netdev_unpin(nd, set);

		ret = ret ? ret : r2;
	}
	if (ret)
		return ret;
	netdev_stats_cost(&st, &m.cost);
	*out = m.cost;
	return memo_add(c, &m);
}

static int dev_rest(void *ctx, uint32_t subnet, struct sushi_cost *out)
{
	struct sushi_netdev *nd = ctx;
	struct sushi_hw_layer *l;
	struct sushi_job_stats st;
	struct netdev_cost *c;
	uint32_t n = 0, prog;
	int ret;

	if (!nd || !out || subnet >= nd->info.n_subnets)
		return -EINVAL;
	ret = cost_state(nd, &c);
	if (ret)
		return ret;
	if (c->rest_done[subnet]) {
		*out = c->rest[subnet];
		return 0;
	}
	l = calloc(nd->n_layers[subnet], sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (uint32_t i = 0; i < nd->n_layers[subnet]; i++)
		if (weight_layer_of(nd, &nd->layers[subnet][i]) == -ENOENT)
			l[n++] = nd->layers[subnet][i];
	memset(&st, 0, sizeof(st));
	ret = n ? netdev_program(nd, 0, l, n, &prog) : 0;
	free(l);
	if (ret)
		return ret;
	if (n) {
		ret = netdev_launch(nd, prog, 0, &st);
		sushi_program_destroy(nd->dev, prog);
		if (ret)
			return ret;
	}
	netdev_stats_cost(&st, &c->rest[subnet]);
	c->rest_done[subnet] = 1;
	*out = c->rest[subnet];
	return 0;
}

static int dev_load(void *ctx, uint32_t layer, const struct sushi_slice *s,
		    struct sushi_cost *out)
{
	struct sushi_netdev *nd = ctx;
	struct sushi_model_config cfg;
	struct sushi_job_stats st;
	uint32_t set;
	int ret;

	if (!nd || !s || !out || layer >= nd->info.n_weight_layers)
		return -EINVAL;
	if (!s->rows) {
		/* the driver's invalidations report no statistics */
		sushi_caps_model_config(&nd->caps, &cfg);
		sushi_model_simple_job_cost(&cfg, out);
		return 0;
	}
	ret = pin_one(nd, layer, s, &set, &st);
	if (ret)
		return ret;
	ret = sushi_netdev_unpin(nd, set);
	if (ret)
		return ret;
	netdev_stats_cost(&st, out);
	return 0;
}

static const struct sushi_sched_cost_ops netdev_cost_ops = {
	.layer = dev_layer, .rest = dev_rest, .load = dev_load,
};

const struct sushi_sched_cost_ops *sushi_netdev_cost_ops(void)
{
	return &netdev_cost_ops;
}

int sushi_netdev_sched_space(struct sushi_netdev *nd, uint64_t pb_bytes,
			     struct sushi_sched_space **out)
{
	struct sushi_sched_space *sp;
	struct sushi_slice *sl;
	int ret = 0;

	if (!nd || !out || pb_bytes > nd->caps.pb_bytes)
		return -EINVAL;
	*out = NULL;
	ret = sushi_sched_space_new(nd->info.n_subnets,
				    nd->info.n_weight_layers, &sp);
	sl = calloc(nd->info.n_weight_layers, sizeof(*sl));
	if (!ret && !sl)
		ret = -ENOMEM;
	for (uint32_t s = 0; !ret && s < nd->info.n_subnets; s++) {
		struct sushi_subnet_info si;
		uint64_t epi = 0;

		ret = sushi_supernet_subnet(nd->sn, s, &si);
		if (!ret)
			ret = sushi_supernet_slices(nd->sn, s, sl);
		for (uint32_t i = 0; !ret && i < nd->n_layers[s]; i++) {
			struct sushi_layer_geom g;

			ret = sushi_layer_check(&nd->layers[s][i], &g);
			epi += g.epi_bytes;
		}
		if (!ret)
			ret = sushi_sched_space_subnet(sp, s, si.accuracy, sl);
		if (!ret)
			ret = sushi_sched_space_subnet_epilogue(sp, s, epi);
	}
	if (!ret)
		ret = sushi_sched_space_finish(sp, &netdev_cost_ops, nd,
					       nd->caps.clock_hz, pb_bytes);
	free(sl);
	if (ret) {
		sushi_sched_space_free(sp);
		return ret;
	}
	*out = sp;
	return 0;
}
