// SPDX-License-Identifier: MIT
/*
 * sched_space.c - the scheduling space: SubNets and their weight slices,
 * the candidate SubGraphs (built by sched_cand.c, fitted to the PB,
 * deduplicated, none dropped), and the cost tables every policy decides
 * on: per SubNet, layer and pinned slice; per SubNet and SubGraph; per
 * SubGraph switch.  Built once, read-only after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

int sushi_sched_space_new(uint32_t n_subnets, uint32_t n_layers,
			  struct sushi_sched_space **out)
{
	struct sushi_sched_space *sp;

	if (out)
		*out = NULL;
	if (!out || !n_subnets || n_subnets > SUSHI_SCHED_MAX_SUBNETS || !n_layers ||
	    n_layers > SUSHI_SCHED_MAX_LAYERS)
		return -EINVAL;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->S = n_subnets;
	sp->L = n_layers;
	sp->acc = calloc(n_subnets, sizeof(*sp->acc));
	sp->sn = calloc((size_t)n_subnets * n_layers, sizeof(*sp->sn));
	sp->defined = calloc(n_subnets, 1);
	sp->epi = calloc(n_subnets, sizeof(*sp->epi));
	if (!sp->acc || !sp->sn || !sp->defined || !sp->epi) {
		sushi_sched_space_free(sp);
		return -ENOMEM;
	}
	*out = sp;
	return 0;
}

void sushi_sched_space_free(struct sushi_sched_space *sp)
{
	if (!sp)
		return;
	free(sp->acc);
	free(sp->sn);
	free(sp->defined);
	free(sp->epi);
	free(sp->sg);
	free(sp->sg_bytes);
	free(sp->n_dist);
	free(sp->dist);
	free(sp->lc);
	free(sp->rest);
	free(sp->load);
	free(sp->cell);
	free(sp->sw);
	free(sp->order);
	free(sp->fastest);
	free(sp->sn_cand);
	free(sp->weights);
	free(sp);
}

int sushi_sched_space_subnet(struct sushi_sched_space *sp, uint32_t s,
			     double accuracy, const struct sushi_slice *slices)
{
	if (!sp || sp->finished || s >= sp->S || !slices ||
	    !(accuracy >= 0.0 && accuracy <= 1.0))
		return -EINVAL;
	for (uint32_t l = 0; l < sp->L; l++)
		if (!slices[l].rows != !slices[l].row_bytes)
			return -EINVAL;
	sp->acc[s] = accuracy;
	memcpy(&sp->sn[(size_t)s * sp->L], slices, sp->L * sizeof(*slices));
	sp->defined[s] = 1;
	return 0;
}

int sushi_sched_space_subnet_epilogue(struct sushi_sched_space *sp,
				      uint32_t s, uint64_t bytes)
{
	if (!sp || sp->finished || s >= sp->S)
		return -EINVAL;
	sp->epi[s] = bytes;
	return 0;
}

int sched_dist_index(const struct sushi_sched_space *sp, uint32_t l,
		     const struct sushi_slice *x)
{
	const struct sushi_slice *d = &sp->dist[(size_t)l * sp->dmax];

	for (uint32_t j = 0; j < sp->n_dist[l]; j++)
		if (slice_eq(&d[j], x))
			return (int)j;
	return -ENOENT;
}

static void dist_add(struct sushi_sched_space *sp, uint32_t l,
		     const struct sushi_slice *x)
{
	if (sched_dist_index(sp, l, x) >= 0 || sp->n_dist[l] >= sp->dmax)
		return;
	sp->dist[(size_t)l * sp->dmax + sp->n_dist[l]++] = *x;
}

static void cost_to_lc(const struct sushi_cost *c, struct sched_lc *o)
{
	o->cycles = c->cycles;
	o->dram = c->dram_rd + c->dram_wr;
	o->pb = c->pb_rd;
	o->energy = c->energy_fj;
	o->offchip = c->offchip_fj;
}

/* Per (SubNet, layer, distinct pinned slice) costs, and the loads. */
static int layer_tables(struct sushi_sched_space *sp,
			const struct sushi_sched_cost_ops *ops, void *ctx)
{
	struct sushi_cost c;
	int ret;

	for (uint32_t s = 0; s < sp->S; s++) {
		ret = ops->rest(ctx, s, &c);
		if (ret)
			return ret;
		cost_to_lc(&c, &sp->rest[s]);
		for (uint32_t l = 0; l < sp->L; l++) {
			const struct sushi_slice *mine = &sp->sn[(size_t)s * sp->L + l];

			if (!mine->rows)
				continue;
			for (uint32_t j = 0; j < sp->n_dist[l]; j++) {
				ret = ops->layer(ctx, s, l,
						 &sp->dist[(size_t)l * sp->dmax + j], &c);
				if (ret)
					return ret;
				cost_to_lc(&c, sched_lc_at(sp, s, l, j));
			}
		}
	}
	for (uint32_t l = 0; l < sp->L; l++) {
		for (uint32_t j = 0; j < sp->n_dist[l]; j++) {
			ret = ops->load(ctx, l, &sp->dist[(size_t)l * sp->dmax + j], &c);
			if (ret)
				return ret;
			cost_to_lc(&c, &sp->load[(size_t)l * sp->dmax + j]);
		}
	}
	return 0;
}

static int find_candidate(const struct sushi_sched_space *sp,
			  const struct sushi_slice *g)
{
	for (uint32_t k = 0; k < sp->G; k++)
		if (!memcmp(&sp->sg[(size_t)k * sp->L], g, sp->L * sizeof(*g)))
			return (int)k;
	return -ENOENT;
}

static void cell_of(const struct sushi_sched_space *sp, uint32_t s,
		    const struct sushi_slice *content, struct sched_lc *sum)
{
	*sum = sp->rest[s];
	for (uint32_t l = 0; l < sp->L; l++) {
		const struct sushi_slice *mine = &sp->sn[(size_t)s * sp->L + l];
		struct sushi_slice none = { 0, 0 };
		int j;

		if (!mine->rows)
			continue;
		j = sched_dist_index(sp, l, &content[l]);
		if (j < 0)	/* unknown slice: count it as not pinned */
			j = sched_dist_index(sp, l, &none);
		sched_lc_add(sum, sched_lc_at(sp, s, l, (uint32_t)j));
	}
}

void sched_lc_add(struct sched_lc *a, const struct sched_lc *b)
{
	a->cycles += b->cycles;
	a->dram += b->dram;
	a->pb += b->pb;
	a->energy += b->energy;
	a->offchip += b->offchip;
}

void sched_fill_cell(const struct sushi_sched_space *sp, uint32_t s,
		     const struct sched_lc *sum, struct sushi_sched_cell *c)
{
	c->ns = sched_ns(sp, sum->cycles);
	c->dram = sum->dram;
	c->pb = sum->pb;
	c->weights = sp->weights[s];
	c->energy_fj = sum->energy;
	c->offchip_fj = sum->offchip;
	c->epi = sp->epi[s];
}

uint64_t sched_ns(const struct sushi_sched_space *sp, uint64_t cycles)
{
	return sushi_model_cycles_to_ns(&sp->clock, cycles);
}

/* Add the PB jobs that turn layer l's pinned slice a into b to o. */
void sched_layer_switch(const struct sushi_sched_space *sp, uint32_t l,
			const struct sushi_slice *a, const struct sushi_slice *b,
			struct sched_switch *o)
{
	const struct sushi_slice none = { 0, 0 };
	const struct sched_lc *c;
	int j;

	if (slice_eq(a, b))
		return;
	if (a->rows) {		/* invalidate the old entry */
		c = &sp->load[(size_t)l * sp->dmax +
			      (uint32_t)sched_dist_index(sp, l, &none)];
		o->ns += sched_ns(sp, c->cycles);
		o->energy += c->energy;
		o->offchip += c->offchip;
		o->dram += c->dram;
	}
	j = b->rows ? sched_dist_index(sp, l, b) : -ENOENT;
	if (j < 0)
		return;
	c = &sp->load[(size_t)l * sp->dmax + (uint32_t)j];
	o->ns += sched_ns(sp, c->cycles);
	o->energy += c->energy;
	o->offchip += c->offchip;
	o->dram += c->dram;
	o->bytes += slice_bytes(b);
	o->n_loads++;
}

/* Cost of the PB jobs that turn content a into content b (L slices each). */
void sched_switch_cost(const struct sushi_sched_space *sp,
		       const struct sushi_slice *a, const struct sushi_slice *b,
		       struct sched_switch *o)
{
	memset(o, 0, sizeof(*o));
	for (uint32_t l = 0; l < sp->L; l++)
		sched_layer_switch(sp, l, &a[l], &b[l], o);
}

static int alloc_tables(struct sushi_sched_space *sp, uint32_t max_raw)
{
	const uint32_t S = sp->S, L = sp->L, G = max_raw;

	sp->gmax = G;
	sp->dmax = S + max_raw + 1;
	sp->n_dist = calloc(L, sizeof(*sp->n_dist));
	sp->dist = calloc((size_t)L * sp->dmax, sizeof(*sp->dist));
	sp->lc = calloc((size_t)S * L * sp->dmax, sizeof(*sp->lc));
	sp->rest = calloc(S, sizeof(*sp->rest));
	sp->load = calloc((size_t)L * sp->dmax, sizeof(*sp->load));
	sp->sg = calloc((size_t)G * L, sizeof(*sp->sg));
	sp->sg_bytes = calloc(G, sizeof(*sp->sg_bytes));
	sp->cell = calloc((size_t)S * G, sizeof(*sp->cell));
	sp->sw = calloc((size_t)G * G, sizeof(*sp->sw));
	sp->fastest = calloc(G, sizeof(*sp->fastest));
	sp->sn_cand = calloc(S, sizeof(*sp->sn_cand));
	sp->weights = calloc(S, sizeof(*sp->weights));
	if (!sp->n_dist || !sp->dist || !sp->lc || !sp->rest || !sp->load ||
	    !sp->sg || !sp->sg_bytes || !sp->cell || !sp->sw || !sp->fastest ||
	    !sp->sn_cand || !sp->weights)
		return -ENOMEM;
	return 0;
}

int sushi_sched_space_finish(struct sushi_sched_space *sp,
			     const struct sushi_sched_cost_ops *ops, void *ctx,
			     uint64_t clock_hz, uint64_t pb_bytes)
{
	const uint32_t S = sp ? sp->S : 0, L = sp ? sp->L : 0;
	const struct sushi_slice none = { 0, 0 };
	struct sushi_slice *raw = NULL;
	uint32_t *owner = NULL, n_raw, max_raw;
	int ret;

	if (!sp || sp->finished || !ops || !ops->layer || !ops->rest ||
	    !ops->load)
		return -EINVAL;
	for (uint32_t s = 0; s < S; s++)
		if (!sp->defined[s])
			return -EINVAL;
	sushi_model_config_default(&sp->clock);
	sp->clock.clock_hz = clock_hz;
	if (sushi_model_config_check(&sp->clock))
		return -EINVAL;
	sp->pb_bytes = pb_bytes;

	max_raw = 2 * S + 2;
	sp->order = calloc(S, sizeof(*sp->order));
	raw = calloc((size_t)max_raw * L, sizeof(*raw));
	owner = calloc(max_raw, sizeof(*owner));
	ret = (!sp->order || !raw || !owner) ? -ENOMEM :
	      alloc_tables(sp, max_raw);
	if (ret)
		goto out;

	sched_sort_by_accuracy(sp);
	for (uint32_t s = 0; s < S; s++)
		for (uint32_t l = 0; l < L; l++)
			sp->weights[s] += slice_bytes(&sp->sn[(size_t)s * L + l]);

	n_raw = sched_raw_candidates(sp, raw, owner);
	sp->n_raw = n_raw;
	for (uint32_t l = 0; l < L; l++) {
		dist_add(sp, l, &none);
		for (uint32_t s = 0; s < S; s++)
			dist_add(sp, l, &sp->sn[(size_t)s * L + l]);
		for (uint32_t k = 0; k < n_raw; k++)
			dist_add(sp, l, &raw[(size_t)k * L + l]);
	}
	ret = layer_tables(sp, ops, ctx);
	if (ret)
		goto out;

	/*
	 * fit, deduplicate, remember which candidate each SubNet became; the
	 * tables hold all n_raw, so every raw candidate finds its place
	 */
	for (uint32_t k = 0; k < n_raw; k++) {
		struct sushi_slice *g = &raw[(size_t)k * L];
		int found;

		ret = sched_fit(sp, g, owner[k], pb_bytes);
		if (ret)
			goto out;
		found = find_candidate(sp, g);
		if (found < 0) {
			memcpy(&sp->sg[(size_t)sp->G * L], g, L * sizeof(*g));
			found = (int)sp->G++;
		}
		if (k == 1)
			sp->intersect_g = (uint32_t)found;
		if (k >= 2 && k < 2 + S)
			sp->sn_cand[owner[k]] = (uint32_t)found;
	}
	for (uint32_t g = 0; g < sp->G; g++) {
		uint64_t best = UINT64_MAX;

		for (uint32_t l = 0; l < L; l++)
			sp->sg_bytes[g] += slice_bytes(&sp->sg[(size_t)g * L + l]);
		for (uint32_t s = 0; s < S; s++) {
			struct sched_lc sum;
			struct sushi_sched_cell *c = &sp->cell[(size_t)s * sp->gmax + g];

			cell_of(sp, s, &sp->sg[(size_t)g * L], &sum);
			sched_fill_cell(sp, s, &sum, c);
			if (c->ns < best) {
				best = c->ns;
				sp->fastest[g] = s;
			}
		}
		for (uint32_t h = 0; h < sp->G; h++)
			sched_switch_cost(sp, &sp->sg[(size_t)g * L],
					  &sp->sg[(size_t)h * L],
					  &sp->sw[(size_t)g * sp->gmax + h]);
	}
	/*
	 * the smallest SubNet: fewest weight bytes (ties: lower index); the
	 * largest: most weight bytes (ties: the more accurate, then lower index)
	 */
	sp->smallest = sp->largest = 0;
	for (uint32_t s = 1; s < S; s++) {
		if (sp->weights[s] < sp->weights[sp->smallest])
			sp->smallest = s;
		if (sp->weights[s] > sp->weights[sp->largest] ||
		    (sp->weights[s] == sp->weights[sp->largest] &&
		     sp->acc[s] > sp->acc[sp->largest]))
			sp->largest = s;
	}
	sp->finished = true;
out:
	free(raw);
	free(owner);
	return ret;
}

uint32_t sushi_sched_space_subnets(const struct sushi_sched_space *sp)
{
	return sp ? sp->S : 0;
}

uint32_t sushi_sched_space_layers(const struct sushi_sched_space *sp)
{
	return sp ? sp->L : 0;
}

uint32_t sushi_sched_space_subgraphs(const struct sushi_sched_space *sp)
{
	return sp && sp->finished ? sp->G : 0;
}

uint32_t sushi_sched_space_raw_candidates(const struct sushi_sched_space *sp)
{
	return sp && sp->finished ? sp->n_raw : 0;
}

uint32_t sushi_sched_space_subnet_subgraph(const struct sushi_sched_space *sp,
					   uint32_t s)
{
	return sp && sp->finished && s < sp->S ? sp->sn_cand[s] : UINT32_MAX;
}

int sushi_sched_space_policy_subgraph(const struct sushi_sched_space *sp,
				      enum sushi_policy p, uint32_t *g)
{
	if (!sp || !sp->finished || !g)
		return -EINVAL;
	switch (p) {
	case SUSHI_POLICY_NO_PB:
		*g = 0;
		return 0;
	case SUSHI_POLICY_STATIC_SMALLEST:
		*g = sp->sn_cand[sp->smallest];
		return 0;
	case SUSHI_POLICY_STATIC_INTERSECT:
		*g = sp->intersect_g;
		return 0;
	case SUSHI_POLICY_STATIC_LARGEST:
		*g = sp->sn_cand[sp->largest];
		return 0;
	default:
		return -EINVAL;
	}
}

double sushi_sched_space_accuracy(const struct sushi_sched_space *sp,
				  uint32_t s)
{
	return sp && s < sp->S ? sp->acc[s] : 0.0;
}

const struct sushi_slice *
sushi_sched_space_subgraph(const struct sushi_sched_space *sp, uint32_t g)
{
	if (!sp || !sp->finished || g >= sp->G)
		return NULL;
	return &sp->sg[(size_t)g * sp->L];
}

uint64_t sushi_sched_space_subgraph_bytes(const struct sushi_sched_space *sp,
					  uint32_t g)
{
	if (!sp || !sp->finished || g >= sp->G)
		return 0;
	return sp->sg_bytes[g];
}

const struct sushi_sched_cell *
sushi_sched_space_cell(const struct sushi_sched_space *sp, uint32_t s,
		       uint32_t g)
{
	if (!sp || !sp->finished || s >= sp->S || g >= sp->G)
		return NULL;
	return sched_cell(sp, s, g);
}

int sushi_sched_space_cost(const struct sushi_sched_space *sp, uint32_t s,
			   const struct sushi_slice *content,
			   struct sushi_sched_cell *out)
{
	struct sched_lc sum;

	if (!sp || !sp->finished || s >= sp->S || !content || !out)
		return -EINVAL;
	for (uint32_t l = 0; l < sp->L; l++)
		if (sched_dist_index(sp, l, &content[l]) < 0)
			return -ENOENT;
	cell_of(sp, s, content, &sum);
	sched_fill_cell(sp, s, &sum, out);
	return 0;
}
