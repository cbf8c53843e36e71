// SPDX-License-Identifier: MIT
/*
 * eval.c - the offline evaluator: modelled accelerators serving queries in
 * arrival order, PB jobs occupying them like launches (one device, or a
 * fleet routed by fleet.c); the metrics of DESIGN D12 with the off-chip
 * bytes split into weights, activations, epilogues and PB loads, summed
 * by an accumulator the serving runtime shares; the replay of an online
 * policy or of a plan of SubGraphs (the offline policies' plans come from
 * eval_oracle.c); the objective values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"

int eval_acc_init(struct eval_acc *a, size_t n_hint)
{
	memset(a, 0, sizeof(*a));
	a->cap = n_hint ? n_hint : 64;
	a->lat = malloc(a->cap * sizeof(*a->lat));
	return a->lat ? 0 : -ENOMEM;
}

void eval_acc_fini(struct eval_acc *a)
{
	free(a->lat);
	a->lat = NULL;
}

int eval_acc_add(struct eval_acc *a, const struct sushi_sched_space *sp,
		 const struct sushi_query *q, const struct fleet_place *pl,
		 struct sushi_eval_record *rec)
{
	const struct sushi_decision *d = &pl->d;
	struct sushi_eval_stats *st = &a->st;
	uint64_t latency = pl->finish - q->arrival_ns;
	bool served = pl->shed == FLEET_RUN;
	double acc = served ? sp->acc[d->subnet] : 0;
	bool lat_ok = served && latency <= q->lat_ceiling_ns;
	bool acc_ok = served && acc >= q->acc_floor;

	if (served && a->n_lat == a->cap) {
		uint64_t *n = realloc(a->lat, 2 * a->cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		a->lat = n;
		a->cap *= 2;
	}
	st->queries++;
	if (pl->finish + d->fill_ns > a->makespan)
		a->makespan = pl->finish + d->fill_ns;
	/* PB jobs run for a query the device sheds too */
	a->dram += d->load_dram;
	a->energy += d->load_energy_fj;
	a->offchip += d->load_offchip_fj;
	st->pb_reloads += d->n_loads;
	st->pb_bytes_loaded += d->load_dram;
	st->shed += !served;
	st->shed_admission += pl->shed == FLEET_SHED_ADMISSION;
	if (rec) {
		rec->arrival_ns = q->arrival_ns;
		rec->finish_ns = pl->finish;
		rec->subnet = served ? d->subnet : UINT32_MAX;
		rec->subgraph = d->subgraph;
		rec->n_loads = d->n_loads;
		rec->slo_ok = lat_ok && acc_ok;
		rec->device = pl->device;
		rec->shed = !served;
	}
	if (!served)
		return 0;
	a->acc_sum += acc;
	a->lat_sum += (double)latency;
	a->slo_ok += lat_ok && acc_ok;
	a->dram += d->cell.dram;
	a->energy += d->cell.energy_fj;
	a->offchip += d->cell.offchip_fj;
	a->pb += d->cell.pb;
	a->weights += d->cell.weights;
	a->w_dram += d->cell.weights - d->cell.pb;
	a->epi += d->cell.epi;
	st->fallbacks += d->fallback;
	st->acc_misses += !acc_ok;
	st->lat_misses += !lat_ok;
	a->lat[a->n_lat++] = latency;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void eval_acc_finish(struct eval_acc *a, struct sushi_eval_stats *out)
{
	struct sushi_eval_stats *st = &a->st;
	uint64_t service = (uint64_t)a->dram - st->pb_bytes_loaded;
	size_t n = st->queries, m = a->n_lat;

	if (n) {
		st->slo_attainment = (double)a->slo_ok / (double)n;
		st->offchip_bytes_per_query = (double)a->dram / (double)n;
		st->energy_fj_per_query = (double)a->energy / (double)n;
		st->offchip_fj_per_query = (double)a->offchip / (double)n;
	}
	if (m) {
		st->served_accuracy = a->acc_sum / (double)m;
		st->lat_mean_ns = a->lat_sum / (double)m;
		qsort(a->lat, m, sizeof(*a->lat), cmp_u64);
		st->lat_p50_ns = a->lat[(m - 1) / 2];
		st->lat_p99_ns = a->lat[(size_t)((double)(m - 1) * 0.99)];
	}
	st->pb_hit_fraction = a->weights ? (double)a->pb / (double)a->weights : 0;
	st->pb_bytes_served = a->pb;
	st->makespan_ns = a->makespan;
	st->offchip_bytes = (uint64_t)a->dram;
	st->offchip_weight_bytes = a->w_dram;
	st->offchip_epi_bytes = a->epi;
	st->offchip_act_bytes = service - a->w_dram - a->epi;
	*out = *st;
}

/* an online policy through the fleet (one device: the classic replay) */
static int replay_fleet(const struct sushi_sched_space *sp,
			const struct sushi_sched_params *p,
			const struct sushi_fleet_params *fp,
			const struct sushi_query *qs, size_t n,
			struct sushi_eval_stats *st,
			struct sushi_eval_record *rec)
{
	struct fleet_place pl;
	struct eval_acc a;
	struct fleet f;
	int ret = fleet_init(&f, sp, p, fp);

	if (ret)
		return ret;
	ret = eval_acc_init(&a, n);
	for (size_t i = 0; !ret && i < n; i++) {
		ret = fleet_place(&f, &qs[i], &pl);
		if (!ret)
			ret = eval_acc_add(&a, sp, &qs[i], &pl,
					   rec ? &rec[i] : NULL);
	}
	if (!ret)
		eval_acc_finish(&a, st);
	eval_acc_fini(&a);
	fleet_fini(&f);
	return ret;
}

static const struct sushi_fleet_params one_device = {
	.size = sizeof(struct sushi_fleet_params), .n_devices = 1,
};

/*
 * Replay a plan (offline policies): plan[k] pinned for window k of p->q
 * queries, switched before the window's first query; one device.
 */
static int replay(const struct sushi_sched_space *sp,
		  const struct sushi_sched_params *p, const uint32_t *plan,
		  const struct sushi_query *qs, size_t n,
		  struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	struct sushi_sched_params pp = *p;
	struct sushi_sched *s = NULL;
	uint64_t t_free = 0;
	struct eval_acc a;
	int ret;

	if (!plan)
		return replay_fleet(sp, p, &one_device, qs, n, st, rec);
	pp.policy = SUSHI_POLICY_SUSHI;	/* never switch by itself */
	pp.q = UINT32_MAX;
	ret = sushi_sched_new(sp, &pp, &s);
	if (ret)
		return ret;
	ret = eval_acc_init(&a, n);
	for (size_t i = 0; !ret && i < n; i++) {
		const struct sushi_query *q = &qs[i];
		struct sushi_decision sw = { 0 };
		struct fleet_place pl = { .shed = FLEET_RUN };
		uint64_t wait;

		pl.start = q->arrival_ns > t_free ? q->arrival_ns : t_free;
		if (i % p->q == 0)
			ret = sushi_sched_force_subgraph(s, plan[i / p->q], &sw);
		wait = pl.start - q->arrival_ns + sw.load_ns;
		if (!ret)
			ret = sushi_sched_decide(s, q, wait, &pl.d);
		if (ret)
			break;
		pl.d.load_ns += sw.load_ns;
		pl.d.load_dram += sw.load_dram;
		pl.d.load_energy_fj += sw.load_energy_fj;
		pl.d.load_offchip_fj += sw.load_offchip_fj;
		pl.d.n_loads += sw.n_loads;
		pl.finish = pl.start + pl.d.load_ns + pl.d.cell.ns;
		t_free = pl.finish + pl.d.fill_ns;
		ret = eval_acc_add(&a, sp, q, &pl, rec ? &rec[i] : NULL);
	}
	if (!ret)
		eval_acc_finish(&a, st);
	eval_acc_fini(&a);
	sushi_sched_free(s);
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

int sushi_eval_fleet(const struct sushi_sched_space *sp,
		     const struct sushi_sched_params *p,
		     const struct sushi_fleet_params *fp,
		     const struct sushi_query *qs, size_t n,
		     struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	struct sushi_fleet_params f;
	int ret = check_args(sp, p, qs, n);

	if (ret || !st)
		return ret ? ret : -EINVAL;
	ret = fleet_params_get(fp, &f);
	if (ret)
		return ret;
	if (sushi_policy_offline(p->policy))
		return -EOPNOTSUPP;
	return replay_fleet(sp, p, &f, qs, n, st, rec);
}
