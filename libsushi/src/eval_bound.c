// SPDX-License-Identifier: MIT
/*
 * eval_bound.c - the exact simulation of one window of a plan (shared by
 * the oracle, best-static and plan values), the least wait any schedule
 * allows, and the universal upper bound: what no PB policy at all can beat
 * on a trace (Documentation/sushisched.rst, "Bounds").
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "eval_internal.h"

void eval_window(const struct sushi_sched_space *sp,
		 const struct sushi_sched_params *p, uint32_t h,
		 const struct sushi_query *qs, size_t len, uint64_t tau,
		 uint64_t *t_out, int64_t *v_out)
{
	uint64_t t = tau;
	int64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		const struct sushi_query *q = &qs[i];
		uint64_t begin = i ? (q->arrival_ns > t ? q->arrival_ns : t) : tau;
		uint64_t spent = begin - q->arrival_ns;
		bool late = spent > q->lat_ceiling_ns, fb;
		uint32_t sn = sched_pick(sp, h, late ? 0 : q->lat_ceiling_ns - spent,
					 late, p->select, q->acc_floor, &fb);
		const struct sushi_sched_cell *c = sched_cell(sp, sn, h);

		t = begin + c->ns;
		v += eval_cell_value(p->objective, c);
	}
	*t_out = t;
	*v_out = v;
}

int64_t eval_plan_value(const struct sushi_sched_space *sp,
			const struct sushi_sched_params *p, const uint32_t *plan,
			const struct sushi_query *qs, size_t n)
{
	uint32_t g = 0;
	uint64_t t = 0;
	int64_t v = 0;

	for (size_t k = 0; k * p->q < n; k++) {
		const struct sushi_query *w = &qs[k * p->q];
		size_t len = n - k * p->q < p->q ? n - k * p->q : p->q;
		const struct sched_switch *sw = sched_sw(sp, g, plan[k]);
		uint64_t start = w->arrival_ns > t ? w->arrival_ns : t;
		int64_t wv;

		eval_window(sp, p, plan[k], w, len, start + sw->ns, &t, &wv);
		v += wv + eval_switch_value(sw);
		g = plan[k];
	}
	return v;
}

/* per layer, the extreme of a cost field over the slices the space knows */
static uint64_t layer_extreme(const struct sushi_sched_space *sp, uint32_t s,
			      uint32_t l, size_t field, bool want_max)
{
	uint64_t best = 0;

	for (uint32_t j = 0; j < sp->n_dist[l]; j++) {
		const uint64_t *f = (const uint64_t *)((const char *)
						       sched_lc_at(sp, s, l, j) + field);

		if (!j || (want_max ? *f > best : *f < best))
			best = *f;
	}
	return best;
}

static uint64_t extreme(const struct sushi_sched_space *sp, uint32_t s,
			size_t field, bool want_max)
{
	uint64_t sum = *(const uint64_t *)((const char *)&sp->rest[s] + field);

	for (uint32_t l = 0; l < sp->L; l++)
		if (sp->sn[(size_t)s * sp->L + l].rows)
			sum += layer_extreme(sp, s, l, field, want_max);
	return sum;
}

uint64_t eval_ns_min(const struct sushi_sched_space *sp, uint32_t s)
{
	return sched_ns(sp, extreme(sp, s, offsetof(struct sched_lc, cycles), false));
}

uint64_t eval_ns_max(const struct sushi_sched_space *sp, uint32_t s)
{
	return sched_ns(sp, extreme(sp, s, offsetof(struct sched_lc, cycles), true));
}

uint64_t *eval_wait_lb(const struct sushi_sched_space *sp,
		       const struct sushi_query *qs, size_t n)
{
	uint64_t *w = malloc(n * sizeof(*w)), fastest = UINT64_MAX, t = 0;

	if (!w)
		return NULL;
	for (uint32_t s = 0; s < sp->S; s++) {
		uint64_t ns = eval_ns_min(sp, s);

		fastest = ns < fastest ? ns : fastest;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t start = qs[i].arrival_ns > t ? qs[i].arrival_ns : t;

		w[i] = start - qs[i].arrival_ns;
		t = start + fastest;
	}
	return w;
}

/*
 * Per SubNet, the best it can do on the objective under any content: the
 * most PB bytes (its slices, at most the PB), or the fewest DRAM bytes.
 */
static int64_t best_value(const struct sushi_sched_space *sp, uint32_t s,
			  enum sushi_objective o)
{
	uint64_t pb = extreme(sp, s, offsetof(struct sched_lc, pb), true);
	uint64_t dram = extreme(sp, s, offsetof(struct sched_lc, dram), false);
	bool linear = true;

	if (pb > sp->pb_bytes)
		pb = sp->pb_bytes;
	if (o == SUSHI_OBJECTIVE_SAVING)
		return (int64_t)pb;
	/*
	 * with DRAM + PB bytes the same for every pinned slice of a layer
	 * (the model: pinned weight bytes come off the DRAM reads), the DRAM
	 * bytes are at least the unpinned ones minus what the PB can hold
	 */
	for (uint32_t l = 0; l < sp->L && linear; l++) {
		const struct sched_lc *z;

		if (!sp->sn[(size_t)s * sp->L + l].rows)
			continue;
		z = sched_lc_at(sp, s, l, 0);
		for (uint32_t j = 1; j < sp->n_dist[l]; j++) {
			const struct sched_lc *c = sched_lc_at(sp, s, l, j);

			linear &= c->dram + c->pb == z->dram + z->pb;
		}
	}
	if (linear) {
		uint64_t unpinned = sp->rest[s].dram;

		for (uint32_t l = 0; l < sp->L; l++)
			if (sp->sn[(size_t)s * sp->L + l].rows)
				unpinned += sched_lc_at(sp, s, l, 0)->dram;
		if (unpinned - pb > dram)
			dram = unpinned - pb;
	}
	return -(int64_t)dram;
}

int sushi_eval_universal_bound(const struct sushi_sched_space *sp,
			       const struct sushi_sched_params *p,
			       const struct sushi_query *qs, size_t n,
			       int64_t *bound)
{
	uint64_t *wlb, *ns_min = NULL, fall = UINT64_MAX;
	int64_t *val = NULL, sum = 0;
	int ret = -ENOMEM;

	if (!sp || !sp->finished || !p || !qs || !n || !bound ||
	    (unsigned)p->objective >= SUSHI_OBJECTIVE_COUNT)
		return -EINVAL;
	wlb = eval_wait_lb(sp, qs, n);
	ns_min = calloc(sp->S, sizeof(*ns_min));
	val = calloc(sp->S, sizeof(*val));
	if (!wlb || !ns_min || !val)
		goto out;
	for (uint32_t s = 0; s < sp->S; s++) {
		uint64_t mx = eval_ns_max(sp, s);

		ns_min[s] = eval_ns_min(sp, s);
		val[s] = best_value(sp, s, p->objective);
		fall = mx < fall ? mx : fall;
	}
	/*
	 * query i can be served s only if s meets the ceiling after the least
	 * wait (any select mode serves within the budget), or as a fallback:
	 * then s is the fastest under some content, so its shortest service
	 * is at most every SubNet's longest
	 */
	for (size_t i = 0; i < n; i++) {
		bool any = false;
		int64_t best = 0;

		for (uint32_t s = 0; s < sp->S; s++) {
			bool in_time = wlb[i] <= qs[i].lat_ceiling_ns &&
				       ns_min[s] <= qs[i].lat_ceiling_ns - wlb[i];

			if ((in_time || ns_min[s] <= fall) && (!any || val[s] > best)) {
				best = val[s];
				any = true;
			}
		}
		sum += best;
	}
	*bound = sum;
	ret = 0;
out:
	free(wlb);
	free(ns_min);
	free(val);
	return ret;
}
