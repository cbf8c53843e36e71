// SPDX-License-Identifier: MIT
/*
 * eval.c - the offline evaluator: one modelled accelerator serving queries
 * in arrival order, PB jobs occupying it like launches; the metrics of
 * DESIGN D12 with the off-chip bytes split into weights, activations,
 * epilogues and PB loads; the replay of an online policy or of a plan of
 * SubGraphs (the offline policies' plans come from eval_oracle.c); the
 * objective values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"

struct acc_state {
	uint64_t t_free;
	double acc_sum;
	double lat_sum;
	uint64_t slo_ok;
	unsigned __int128 dram, energy, offchip;
	uint64_t pb, weights, w_dram, epi;
	struct sushi_eval_stats *st;
};

static void account(struct acc_state *a, const struct sushi_sched_space *sp,
		    const struct sushi_query *q, const struct sushi_decision *d,
		    uint64_t *lat, struct sushi_eval_record *rec)
{
	uint64_t start = q->arrival_ns > a->t_free ? q->arrival_ns : a->t_free;
	uint64_t finish = start + d->load_ns + d->cell.ns;
	uint64_t latency = finish - q->arrival_ns;
	double acc = sp->acc[d->subnet];
	bool lat_ok = latency <= q->lat_ceiling_ns, acc_ok = acc >= q->acc_floor;

	a->t_free = finish + d->fill_ns;
	a->acc_sum += acc;
	a->lat_sum += (double)latency;
	a->slo_ok += lat_ok && acc_ok;
	a->dram += d->cell.dram + d->load_dram;
	a->energy += d->cell.energy_fj + d->load_energy_fj;
	a->offchip += d->cell.offchip_fj + d->load_offchip_fj;
	a->pb += d->cell.pb;
	a->weights += d->cell.weights;
	a->w_dram += d->cell.weights - d->cell.pb;
	a->epi += d->cell.epi;
	a->st->pb_reloads += d->n_loads;
	a->st->pb_bytes_loaded += d->load_dram;
	a->st->fallbacks += d->fallback;
	a->st->acc_misses += !acc_ok;
	a->st->lat_misses += !lat_ok;
	*lat = latency;
	if (rec) {
		rec->arrival_ns = q->arrival_ns;
		rec->finish_ns = finish;
		rec->subnet = d->subnet;
		rec->subgraph = d->subgraph;
		rec->n_loads = d->n_loads;
		rec->slo_ok = lat_ok && acc_ok;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void finish_stats(struct acc_state *a, uint64_t *lat, size_t n)
{
	struct sushi_eval_stats *st = a->st;
	uint64_t service = (uint64_t)a->dram - st->pb_bytes_loaded;

	st->queries = n;
	st->served_accuracy = a->acc_sum / (double)n;
	st->slo_attainment = (double)a->slo_ok / (double)n;
	st->lat_mean_ns = a->lat_sum / (double)n;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	st->lat_p50_ns = lat[(n - 1) / 2];
	st->lat_p99_ns = lat[(size_t)((double)(n - 1) * 0.99)];
	st->offchip_bytes_per_query = (double)a->dram / (double)n;
	st->energy_fj_per_query = (double)a->energy / (double)n;
	st->offchip_fj_per_query = (double)a->offchip / (double)n;
	st->pb_hit_fraction = a->weights ? (double)a->pb / (double)a->weights : 0;
	st->pb_bytes_served = a->pb;
	st->makespan_ns = a->t_free;
	st->offchip_bytes = (uint64_t)a->dram;
	st->offchip_weight_bytes = a->w_dram;
	st->offchip_epi_bytes = a->epi;
	st->offchip_act_bytes = service - a->w_dram - a->epi;
}

/*
 * Replay with the scheduler; a plan (offline policies) pins plan[k] for
 * window k of p->q queries, switched before the window's first query.
 */
static int replay(const struct sushi_sched_space *sp,
		  const struct sushi_sched_params *p, const uint32_t *plan,
		  const struct sushi_query *qs, size_t n,
		  struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	struct sushi_sched_params pp = *p;
	struct acc_state a = { .st = st };
	uint64_t *lat = malloc(n * sizeof(*lat));
	struct sushi_sched *s;
	int ret = 0;

	if (plan) {		/* never switch by itself */
		pp.policy = SUSHI_POLICY_SUSHI;
		pp.q = UINT32_MAX;
	}
	ret = sushi_sched_new(sp, &pp, &s);
	if (!ret && !lat)
		ret = -ENOMEM;
	if (ret)
		goto out;
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < n; i++) {
		const struct sushi_query *q = &qs[i];
		uint64_t start = q->arrival_ns > a.t_free ? q->arrival_ns : a.t_free;
		struct sushi_decision sw = { 0 }, d;

		if (plan && i % p->q == 0) {
			ret = sushi_sched_force_subgraph(s, plan[i / p->q], &sw);
			if (ret)
				goto out;
		}
		ret = sushi_sched_decide(s, q, start - q->arrival_ns + sw.load_ns, &d);
		if (ret)
			goto out;
		d.load_ns += sw.load_ns;
		d.load_dram += sw.load_dram;
		d.load_energy_fj += sw.load_energy_fj;
		d.load_offchip_fj += sw.load_offchip_fj;
		d.n_loads += sw.n_loads;
		account(&a, sp, q, &d, &lat[i], rec ? &rec[i] : NULL);
	}
	finish_stats(&a, lat, n);
out:
	sushi_sched_free(s);
	free(lat);
	return ret;
}

int eval_replay_plan(const struct sushi_sched_space *sp,
		     const struct sushi_sched_params *p, const uint32_t *plan,
		     const struct sushi_query *qs, size_t n,
		     struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	return replay(sp, p, plan, qs, n, st, rec);
}

int64_t sushi_eval_objective(const struct sushi_eval_stats *st,
			     enum sushi_objective o)
{
	if (!st)
		return 0;
	if (o == SUSHI_OBJECTIVE_OFFCHIP)
		return -(int64_t)st->offchip_bytes;
	return (int64_t)st->pb_bytes_served - (int64_t)st->pb_bytes_loaded;
}

static int check_args(const struct sushi_sched_space *sp,
		      const struct sushi_sched_params *p,
		      const struct sushi_query *qs, size_t n)
{
	if (!sp || !sp->finished || !p || !qs || !n || !p->q || !p->w ||
	    (unsigned)p->policy >= SUSHI_POLICY_COUNT ||
	    (unsigned)p->select >= SUSHI_SELECT_COUNT ||
	    (unsigned)p->objective >= SUSHI_OBJECTIVE_COUNT)
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (qs[i].arrival_ns < qs[i - 1].arrival_ns)
			return -EINVAL;
	return 0;
}

int sushi_eval_plan(const struct sushi_sched_space *sp,
		    const struct sushi_sched_params *p, const uint32_t *plan,
		    size_t n_plan, const struct sushi_query *qs, size_t n,
		    struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	struct sushi_sched_params pp;
	int ret;

	if (!p || !plan || !st)
		return -EINVAL;
	pp = *p;
	pp.policy = SUSHI_POLICY_SUSHI;
	ret = check_args(sp, &pp, qs, n);
	if (ret)
		return ret;
	if (n_plan != (n - 1) / p->q + 1)
		return -EINVAL;
	for (size_t k = 0; k < n_plan; k++)
		if (plan[k] >= sp->G)
			return -EINVAL;
	return replay(sp, &pp, plan, qs, n, st, rec);
}

int sushi_eval_run(const struct sushi_sched_space *sp,
		   const struct sushi_sched_params *p,
		   const struct sushi_query *qs, size_t n,
		   struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	struct sushi_oracle_info info;
	uint32_t *plan;
	size_t nw;
	int ret = check_args(sp, p, qs, n);

	if (ret || !st)
		return ret ? ret : -EINVAL;
	if (!sushi_policy_offline(p->policy))
		return replay(sp, p, NULL, qs, n, st, rec);
	nw = (n - 1) / p->q + 1;
	plan = calloc(nw, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	if (p->policy == SUSHI_POLICY_BEST_STATIC) {
		int64_t v;

		ret = sushi_eval_best_static(sp, p, qs, n, &plan[0], &v);
		for (size_t k = 1; k < nw; k++)
			plan[k] = plan[0];
	} else {
		ret = sushi_eval_oracle(sp, p, qs, n, 0, plan, &info);
	}
	if (!ret)
		ret = replay(sp, p, plan, qs, n, st, rec);
	free(plan);
	return ret;
}
