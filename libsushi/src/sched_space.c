// SPDX-License-Identifier: MIT
/*
 * sched_space.c - the scheduling space: SubNets and their weight slices,
 * the candidate SubGraphs (built, fitted to the PB, deduplicated), and the
 * cost tables every policy decides on: per SubNet, layer and pinned slice;
 * per SubNet and SubGraph; per SubGraph switch.  Built once, read-only after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

struct sushi_sched_space *sushi_sched_space_new(uint32_t n_subnets,
						uint32_t n_layers)
{
	struct sushi_sched_space *sp;

	if (!n_subnets || n_subnets > SUSHI_SCHED_MAX_SUBNETS || !n_layers ||
	    n_layers > SUSHI_SCHED_MAX_LAYERS)
		return NULL;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->S = n_subnets;
	sp->L = n_layers;
	sp->acc = calloc(n_subnets, sizeof(*sp->acc));
	sp->sn = calloc((size_t)n_subnets * n_layers, sizeof(*sp->sn));
	sp->defined = calloc(n_subnets, 1);
	if (!sp->acc || !sp->sn || !sp->defined) {
		sushi_sched_space_free(sp);
		return NULL;
	}
	return sp;
}

void sushi_sched_space_free(struct sushi_sched_space *sp)
{
	if (!sp)
		return;
	free(sp->acc);
	free(sp->sn);
	free(sp->defined);
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

static uint64_t slice_bytes(const struct sushi_slice *x)
{
	return (uint64_t)x->rows * x->row_bytes;
}

static bool slice_eq(const struct sushi_slice *a, const struct sushi_slice *b)
{
	return a->rows == b->rows && a->row_bytes == b->row_bytes;
}

static struct sushi_slice slice_min(const struct sushi_slice *a,
				    const struct sushi_slice *b)
{
	struct sushi_slice r = {
		a->rows < b->rows ? a->rows : b->rows,
		a->row_bytes < b->row_bytes ? a->row_bytes : b->row_bytes,
	};

	if (!r.rows || !r.row_bytes)
		r.rows = r.row_bytes = 0;
	return r;
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

struct fit_item {
	uint32_t layer;
	uint64_t bytes;
	uint64_t saved;		/* cycles the owner SubNet saves */
};

static int cmp_fit(const void *a, const void *b)
{
	const struct fit_item *x = a, *y = b;
	/* saved/bytes descending, compared by cross-multiplication */
	unsigned __int128 l = (unsigned __int128)x->saved * y->bytes;
	unsigned __int128 r = (unsigned __int128)y->saved * x->bytes;

	if (l != r)
		return l > r ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? -1 : 1;
	return x->layer < y->layer ? -1 : x->layer > y->layer;
}

/* Keep the layers of g that save @owner the most cycles per byte. */
static void fit(struct sushi_sched_space *sp, struct sushi_slice *g,
		uint32_t owner, uint64_t cap, struct fit_item *items)
{
	uint64_t total = 0, used = 0;
	uint32_t n = 0;

	for (uint32_t l = 0; l < sp->L; l++)
		total += slice_bytes(&g[l]);
	if (total <= cap)
		return;
	for (uint32_t l = 0; l < sp->L; l++) {
		const struct sushi_slice none = { 0, 0 };
		int j = sched_dist_index(sp, l, &g[l]);
		int j0 = sched_dist_index(sp, l, &none);
		uint64_t before, after;

		if (!g[l].rows)
			continue;
		items[n].layer = l;
		items[n].bytes = slice_bytes(&g[l]);
		items[n].saved = 0;
		if (sp->sn[(size_t)owner * sp->L + l].rows && j >= 0 && j0 >= 0) {
			before = sched_lc_at(sp, owner, l, (uint32_t)j0)->cycles;
			after = sched_lc_at(sp, owner, l, (uint32_t)j)->cycles;
			items[n].saved = before > after ? before - after : 0;
		}
		n++;
	}
	qsort(items, n, sizeof(*items), cmp_fit);
	for (uint32_t i = 0; i < n; i++) {
		if (used + items[i].bytes <= cap)
			used += items[i].bytes;
		else
			g[items[i].layer].rows = g[items[i].layer].row_bytes = 0;
	}
}

/* SubNets by accuracy, most accurate first (ties: lower index first). */
static void sort_by_accuracy(struct sushi_sched_space *sp)
{
	for (uint32_t i = 0; i < sp->S; i++)
		sp->order[i] = i;
	for (uint32_t i = 1; i < sp->S; i++) {
		uint32_t v = sp->order[i], j = i;

		while (j > 0 && sp->acc[sp->order[j - 1]] < sp->acc[v]) {
			sp->order[j] = sp->order[j - 1];
			j--;
		}
		sp->order[j] = v;
	}
}

/* Raw candidates: empty, intersection of all, each SubNet, adjacent pairs. */
static uint32_t raw_candidates(struct sushi_sched_space *sp,
			       struct sushi_slice *raw, uint32_t *owner)
{
	const uint32_t L = sp->L, max = 2 * sp->S + 2;
	uint32_t n = 0;

	memset(raw, 0, (size_t)max * L * sizeof(*raw));
	owner[n++] = sp->order[0];			/* empty */
	for (uint32_t l = 0; l < L; l++) {		/* intersection of all */
		raw[(size_t)n * L + l] = sp->sn[l];
		for (uint32_t s = 1; s < sp->S; s++)
			raw[(size_t)n * L + l] =
				slice_min(&raw[(size_t)n * L + l],
					  &sp->sn[(size_t)s * L + l]);
	}
	owner[n++] = sp->order[0];
	for (uint32_t i = 0; i < sp->S; i++) {		/* each SubNet */
		uint32_t s = sp->order[i];

		memcpy(&raw[(size_t)n * L], &sp->sn[(size_t)s * L], L * sizeof(*raw));
		owner[n++] = s;
	}
	for (uint32_t i = 0; i + 1 < sp->S; i++) {	/* adjacent pairs */
		uint32_t a = sp->order[i], b = sp->order[i + 1];

		for (uint32_t l = 0; l < L; l++)
			raw[(size_t)n * L + l] = slice_min(&sp->sn[(size_t)a * L + l],
							   &sp->sn[(size_t)b * L + l]);
		owner[n++] = a;
	}
	return n;
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
	const uint32_t S = sp->S, L = sp->L;

	sp->dmax = S + max_raw + 1;
	sp->n_dist = calloc(L, sizeof(*sp->n_dist));
	sp->dist = calloc((size_t)L * sp->dmax, sizeof(*sp->dist));
	sp->lc = calloc((size_t)S * L * sp->dmax, sizeof(*sp->lc));
	sp->rest = calloc(S, sizeof(*sp->rest));
	sp->load = calloc((size_t)L * sp->dmax, sizeof(*sp->load));
	sp->sg = calloc((size_t)SUSHI_SCHED_MAX_SUBGRAPHS * L, sizeof(*sp->sg));
	sp->sg_bytes = calloc(SUSHI_SCHED_MAX_SUBGRAPHS, sizeof(*sp->sg_bytes));
	sp->cell = calloc((size_t)S * SUSHI_SCHED_MAX_SUBGRAPHS, sizeof(*sp->cell));
	sp->sw = calloc((size_t)SUSHI_SCHED_MAX_SUBGRAPHS *
			SUSHI_SCHED_MAX_SUBGRAPHS, sizeof(*sp->sw));
	sp->fastest = calloc(SUSHI_SCHED_MAX_SUBGRAPHS, sizeof(*sp->fastest));
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
	struct fit_item *items = NULL;
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
	items = calloc(L, sizeof(*items));
	ret = (!sp->order || !raw || !owner || !items) ? -ENOMEM :
	      alloc_tables(sp, max_raw);
	if (ret)
		goto out;

	sort_by_accuracy(sp);
	for (uint32_t s = 0; s < S; s++)
		for (uint32_t l = 0; l < L; l++)
			sp->weights[s] += slice_bytes(&sp->sn[(size_t)s * L + l]);

	n_raw = raw_candidates(sp, raw, owner);
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

	/* fit, deduplicate, remember which candidate each SubNet became */
	for (uint32_t k = 0; k < n_raw; k++) {
		struct sushi_slice *g = &raw[(size_t)k * L];
		int found;

		fit(sp, g, owner[k], pb_bytes, items);
		found = find_candidate(sp, g);
		if (found < 0 && sp->G < SUSHI_SCHED_MAX_SUBGRAPHS) {
			memcpy(&sp->sg[(size_t)sp->G * L], g, L * sizeof(*g));
			found = (int)sp->G++;
		}
		if (k == 1)
			sp->intersect_g = found < 0 ? 0 : (uint32_t)found;
		if (k >= 2 && k < 2 + S)
			sp->sn_cand[owner[k]] = found < 0 ? 0 : (uint32_t)found;
	}
	for (uint32_t g = 0; g < sp->G; g++) {
		uint64_t best = UINT64_MAX;

		for (uint32_t l = 0; l < L; l++)
			sp->sg_bytes[g] += slice_bytes(&sp->sg[(size_t)g * L + l]);
		for (uint32_t s = 0; s < S; s++) {
			struct sched_lc sum;
			struct sushi_sched_cell *c = &sp->cell[(size_t)s * SUSHI_SCHED_MAX_SUBGRAPHS + g];

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
					  &sp->sw[(size_t)g * SUSHI_SCHED_MAX_SUBGRAPHS + h]);
	}
	/* the smallest SubNet: fewest weight bytes */
	sp->smallest = 0;
	for (uint32_t s = 1; s < S; s++)
		if (sp->weights[s] < sp->weights[sp->smallest])
			sp->smallest = s;
	sp->finished = true;
out:
	free(raw);
	free(owner);
	free(items);
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
