// SPDX-License-Identifier: MIT
/*
 * eval.c - the offline evaluator: one modelled accelerator serving queries
 * in arrival order, PB jobs occupying it like launches; the metrics of
 * DESIGN D12; and the oracle, a dynamic program over windows of Q queries
 * and the candidate SubGraphs that knows the whole trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"
#include "sushi/eval.h"

struct acc_state {
	uint64_t t_free;
	double acc_sum;
	double lat_sum;
	uint64_t slo_ok;
	unsigned __int128 dram, energy, offchip;
	uint64_t pb, weights;
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
}

/* Replay with the scheduler; forced[] (oracle) pins a SubGraph per window. */
static int replay(const struct sushi_sched_space *sp,
		  const struct sushi_sched_params *p, const uint32_t *forced,
		  const struct sushi_query *qs, size_t n,
		  struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	struct sushi_sched_params pp = *p;
	struct acc_state a = { .st = st };
	uint64_t *lat = malloc(n * sizeof(*lat));
	struct sushi_sched *s;
	int ret = 0;

	if (forced) {		/* never switch by itself */
		pp.policy = SUSHI_POLICY_SUSHI;
		pp.q = UINT32_MAX;
	}
	s = sushi_sched_new(sp, &pp);
	if (!lat || !s) {
		ret = -ENOMEM;
		goto out;
	}
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < n; i++) {
		const struct sushi_query *q = &qs[i];
		uint64_t start = q->arrival_ns > a.t_free ? q->arrival_ns : a.t_free;
		struct sushi_decision sw = { 0 }, d;

		if (forced && i % p->q == 0)
			sushi_sched_force_subgraph(s, forced[i / p->q], &sw);
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

/* One window of queries with candidate g pinned, from a free time. */
static void sim_window(const struct sushi_sched_space *sp, uint32_t g,
		       const struct sushi_query *qs, size_t n, uint64_t t_free,
		       uint64_t load_ns, uint64_t *t_out, uint64_t *pb_out)
{
	uint64_t pb = 0;

	for (size_t i = 0; i < n; i++) {
		const struct sushi_query *q = &qs[i];
		uint64_t start = q->arrival_ns > t_free ? q->arrival_ns : t_free;
		uint64_t spent = start - q->arrival_ns + (i ? 0 : load_ns);
		bool late = spent > q->lat_ceiling_ns, fb;
		uint32_t sn = sched_pick(sp, g, late ? 0 : q->lat_ceiling_ns - spent,
					 late, &fb);
		const struct sushi_sched_cell *c = sched_cell(sp, sn, g);

		t_free = start + (i ? 0 : load_ns) + c->ns;
		pb += c->pb;
	}
	*t_out = t_free;
	*pb_out = pb;
}

struct dp_state {
	int64_t j;		/* PB bytes served - bytes loaded, so far */
	uint64_t t;		/* accelerator free time */
};

static int oracle_plan(const struct sushi_sched_space *sp, uint32_t q,
		       const struct sushi_query *qs, size_t n, uint32_t *plan)
{
	const uint32_t G = sp->G;
	size_t nw = (n + q - 1) / q;
	struct dp_state *cur = calloc(G, sizeof(*cur));
	struct dp_state *nxt = calloc(G, sizeof(*nxt));
	uint8_t *back = calloc(nw * G, 1);
	int ret = 0;

	if (!cur || !nxt || !back) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < nw; k++) {
		const struct sushi_query *w = &qs[k * q];
		size_t len = k + 1 < nw ? q : n - k * q;

		for (uint32_t g = 0; g < G; g++) {
			uint32_t best_p = 0;
			int64_t best_v = INT64_MIN;
			uint64_t best_t = UINT64_MAX, t, pb;

			for (uint32_t pv = 0; pv < (k ? G : 1); pv++) {
				int64_t v = (k ? cur[pv].j : 0) -
					    (int64_t)sched_sw(sp, pv, g)->dram;
				uint64_t tp = k ? cur[pv].t : 0;

				if (v > best_v || (v == best_v && tp < best_t)) {
					best_v = v;
					best_t = tp;
					best_p = pv;
				}
			}
			sim_window(sp, g, w, len, best_t,
				   sched_sw(sp, best_p, g)->ns, &t, &pb);
			nxt[g].j = best_v + (int64_t)pb;
			nxt[g].t = t;
			back[k * G + g] = (uint8_t)best_p;
		}
		memcpy(cur, nxt, G * sizeof(*cur));
	}
	{
		uint32_t g = 0;

		for (uint32_t h = 1; h < G; h++)
			if (cur[h].j > cur[g].j)
				g = h;
		for (size_t k = nw; k-- > 0;) {
			plan[k] = g;
			g = back[k * G + g];
		}
	}
out:
	free(cur);
	free(nxt);
	free(back);
	return ret;
}

int sushi_eval_run(const struct sushi_sched_space *sp,
		   const struct sushi_sched_params *p,
		   const struct sushi_query *qs, size_t n,
		   struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	uint32_t *plan;
	int ret;

	if (!sp || !sp->finished || !p || !qs || !n || !st || !p->q ||
	    p->policy >= SUSHI_POLICY_COUNT)
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (qs[i].arrival_ns < qs[i - 1].arrival_ns)
			return -EINVAL;
	if (p->policy != SUSHI_POLICY_ORACLE)
		return replay(sp, p, NULL, qs, n, st, rec);
	plan = calloc((n + p->q - 1) / p->q, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	ret = oracle_plan(sp, p->q, qs, n, plan);
	if (!ret)
		ret = replay(sp, p, plan, qs, n, st, rec);
	free(plan);
	return ret;
}
