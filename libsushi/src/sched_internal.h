/* SPDX-License-Identifier: MIT */
/*
 * sched_internal.h - the scheduling space's tables, shared by the space
 * builder, the policies and the evaluator.  Private to libsushi.
 */
#ifndef SUSHI_SCHED_INTERNAL_H
#define SUSHI_SCHED_INTERNAL_H

#include "sushi_model.h"
#include "sushi/sched.h"

#define SUSHI_SCHED_MAX_LAYERS 4096

/* a cost kept in cycles, so sums convert to nanoseconds exactly once */
struct sched_lc {
	uint64_t cycles;
	uint64_t dram;
	uint64_t pb;
	uint64_t energy;
	uint64_t offchip;
};

/* the PB jobs that change the pinned content from one SubGraph to another */
struct sched_switch {
	uint64_t ns;
	uint64_t dram;
	uint64_t energy;
	uint64_t offchip;
	uint64_t bytes;		/* bytes loaded into the PB */
	uint32_t n_loads;
};

struct sushi_sched_space {
	uint32_t S, L, G;
	uint32_t gmax;			/* row stride of cell/sw: raw candidates */
	uint32_t n_raw;			/* raw candidates (before dedup) */
	bool finished;
	double *acc;			/* [S] */
	struct sushi_slice *sn;		/* [S][L] slices of each SubNet */
	uint8_t *defined;		/* [S] */
	uint64_t *epi;			/* [S] epilogue bytes per query */
	uint64_t *weights;		/* [S] weight bytes of each SubNet */
	uint32_t *order;		/* SubNets, most accurate first */
	uint32_t dmax;			/* distinct slices per layer, max */
	uint32_t *n_dist;		/* [L] */
	struct sushi_slice *dist;	/* [L][dmax]; index 0 is {0, 0} */
	struct sched_lc *lc;		/* [S][L][dmax] layer cost, slice pinned */
	struct sched_lc *rest;		/* [S] layers without weights */
	struct sched_lc *load;		/* [L][dmax] PB job for a slice */
	struct sushi_slice *sg;		/* [gmax][L] candidates */
	uint64_t *sg_bytes;		/* [gmax] */
	struct sushi_sched_cell *cell;	/* [S][gmax] */
	struct sched_switch *sw;	/* [gmax][gmax] */
	uint32_t *fastest;		/* [gmax] fastest SubNet */
	uint32_t *sn_cand;		/* [S] candidate made of SubNet s */
	uint32_t intersect_g;		/* candidate: intersection of all */
	uint32_t smallest;		/* SubNet with the fewest weight bytes */
	uint32_t largest;		/* SubNet with the most weight bytes */
	struct sushi_model_config clock;	/* only clock_hz matters */
	uint64_t pb_bytes;
};

static inline uint64_t slice_bytes(const struct sushi_slice *x)
{
	return (uint64_t)x->rows * x->row_bytes;
}

static inline bool slice_eq(const struct sushi_slice *a,
			    const struct sushi_slice *b)
{
	return a->rows == b->rows && a->row_bytes == b->row_bytes;
}

static inline struct sched_lc *sched_lc_at(const struct sushi_sched_space *sp,
					   uint32_t s, uint32_t l, uint32_t j)
{
	return &sp->lc[((size_t)s * sp->L + l) * sp->dmax + j];
}

static inline const struct sushi_sched_cell *
sched_cell(const struct sushi_sched_space *sp, uint32_t s, uint32_t g)
{
	return &sp->cell[(size_t)s * sp->gmax + g];
}

static inline const struct sched_switch *
sched_sw(const struct sushi_sched_space *sp, uint32_t from, uint32_t to)
{
	return &sp->sw[(size_t)from * sp->gmax + to];
}

int sched_dist_index(const struct sushi_sched_space *sp, uint32_t l,
		     const struct sushi_slice *x);
void sched_lc_add(struct sched_lc *a, const struct sched_lc *b);
void sched_fill_cell(const struct sushi_sched_space *sp, uint32_t s,
		     const struct sched_lc *sum, struct sushi_sched_cell *c);
uint64_t sched_ns(const struct sushi_sched_space *sp, uint64_t cycles);
/*
 * What every SubNet costs with the current PB content, for the rule: a
 * table column (c[s * stride], a candidate pinned), or computed on first
 * use by fill() into scratch (LRU's arbitrary content), so the rule prices
 * only the SubNets it looks at.
 */
struct sched_cells {
	const struct sushi_sched_cell *c;
	size_t stride;
	void (*fill)(void *ctx, uint32_t s, struct sushi_sched_cell *out);
	void *ctx;
	struct sushi_sched_cell *scratch;	/* [S] */
	uint8_t *have;				/* [S] */
};

static inline const struct sushi_sched_cell *
sched_cells_get(const struct sched_cells *cs, uint32_t s)
{
	if (!cs->fill)
		return &cs->c[s * cs->stride];
	if (!cs->have[s]) {
		cs->fill(cs->ctx, s, &cs->scratch[s]);
		cs->have[s] = 1;
	}
	return &cs->scratch[s];
}

/*
 * The per-query rule (sched_rule.c): the SubNet the select mode serves
 * within @budget ns with the costs @cs (late: the query is already past
 * its ceiling).
 */
uint32_t sched_rule(const struct sushi_sched_space *sp,
		    const struct sched_cells *cs, uint64_t budget, bool late,
		    enum sushi_select sel, double floor, bool *fallback);
/* the rule with candidate g pinned */
static inline uint32_t sched_pick(const struct sushi_sched_space *sp,
				  uint32_t g, uint64_t budget, bool late,
				  enum sushi_select sel, double floor,
				  bool *fallback)
{
	const struct sched_cells cs = { .c = &sp->cell[g], .stride = sp->gmax };

	return sched_rule(sp, &cs, budget, late, sel, floor, fallback);
}
/*
 * sched_preview() - the SubNet @s would serve @q with after @queue_ns of
 * waiting and the PB content it holds now: no SubGraph switch, nothing
 * recorded (the SGS-aware router's look at a device, fleet.c)
 */
int sched_preview(struct sushi_sched *s, const struct sushi_query *q,
		  uint64_t queue_ns, struct sushi_decision *d);
/* candidate building (sched_cand.c): raw candidates, fitting to the PB */
uint32_t sched_raw_candidates(struct sushi_sched_space *sp,
			      struct sushi_slice *raw, uint32_t *owner);
int sched_fit(struct sushi_sched_space *sp, struct sushi_slice *g,
	      uint32_t owner, uint64_t cap);
void sched_sort_by_accuracy(struct sushi_sched_space *sp);
void sched_layer_switch(const struct sushi_sched_space *sp, uint32_t l,
			const struct sushi_slice *a, const struct sushi_slice *b,
			struct sched_switch *o);
void sched_switch_cost(const struct sushi_sched_space *sp,
		       const struct sushi_slice *a, const struct sushi_slice *b,
		       struct sched_switch *o);

#endif /* SUSHI_SCHED_INTERNAL_H */
