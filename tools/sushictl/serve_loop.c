// SPDX-License-Identifier: MIT
/*
 * serve_loop.c - one policy serving a query stream on the device: per
 * query SushiSched's decision, the PB SubGraph switch on the device when
 * the decision changes it, the chosen SubNet launched on a labelled image;
 * a virtual clock of the device's measured cycles with queueing as
 * sushi_eval_run() models it (one accelerator, arrival order, PB jobs
 * occupying it before the query), so the metrics compare with `sushictl
 * eval`; the predicted class against the label; and every launch and PB
 * switch checked against the scheduler's prediction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "sushi/supernet.h"

struct acc {
	uint64_t t_free;
	double acc_sum, lat_sum;
	uint64_t slo_ok;
	unsigned __int128 dram, energy, offchip;
	uint64_t pb, weights;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the metrics as sushi_eval_run() derives them from its sums */
static void finish(const struct acc *a, uint64_t *lat, size_t n,
		   struct serve_stats *st)
{
	struct sushi_eval_stats *e = &st->ev;

	e->queries = n;
	e->served_accuracy = a->acc_sum / (double)n;
	e->slo_attainment = (double)a->slo_ok / (double)n;
	e->lat_mean_ns = a->lat_sum / (double)n;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	e->lat_p50_ns = lat[(n - 1) / 2];
	e->lat_p99_ns = lat[(size_t)((double)(n - 1) * 0.99)];
	e->offchip_bytes_per_query = (double)a->dram / (double)n;
	e->energy_fj_per_query = (double)a->energy / (double)n;
	e->offchip_fj_per_query = (double)a->offchip / (double)n;
	e->pb_hit_fraction = a->weights ? (double)a->pb / (double)a->weights : 0;
	e->pb_bytes_served = a->pb;
	e->makespan_ns = a->t_free;
	st->measured_accuracy = (double)st->correct / (double)n;
}

static uint32_t argmax(const int8_t *s, uint64_t n)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < n; i++)
		if (s[i] > s[best])
			best = i;
	return best;
}

static int cell_eq(const struct sushi_model_config *cfg,
		   const struct sushi_job_stats *js,
		   const struct sushi_sched_cell *c)
{
	return sushi_model_cycles_to_ns(cfg, js->cycles) == c->ns &&
	       js->dram_rd + js->dram_wr == c->dram && js->pb_rd == c->pb &&
	       js->energy_fj == c->energy_fj && js->offchip_fj == c->offchip_fj;
}

static int jobs_eq(const struct serve_pb_jobs *j, const struct sushi_decision *d)
{
	return j->ns == d->load_ns && j->dram == d->load_dram &&
	       j->energy_fj == d->load_energy_fj &&
	       j->offchip_fj == d->load_offchip_fj && j->n_loads == d->n_loads;
}

/* What the loop needs besides the accounting. */
struct loop {
	struct sushi_netdev *nd;
	const struct sushi_supernet *sn;
	const struct sushi_sched_space *sp;
	const struct serve_images *im;
	const struct sushi_model_config *cfg;
	struct serve_pb pb;
	uint32_t cur;		/* candidate SubGraph on the device */
	int8_t *in, *out;
	size_t in_len, out_len;
};

/* Serve query @i of @q: its latency in *@lat. */
static int serve_one(struct loop *lp, struct sushi_sched *s, size_t i,
		     const struct sushi_query *q, struct acc *a,
		     struct serve_stats *st, uint64_t *lat)
{
	uint64_t start = q->arrival_ns > a->t_free ? q->arrival_ns : a->t_free;
	struct serve_pb_jobs jobs = { 0 };
	struct sushi_subnet_info si;
	struct sushi_subnet_io io;
	struct sushi_job_stats js;
	struct sushi_decision d;
	uint64_t finish_ns, latency, service;
	bool lat_ok, acc_ok;
	double acc;
	int ret;

	ret = sushi_sched_decide(s, q, start - q->arrival_ns, &d);
	if (ret)
		return ret;
	if (d.subgraph != lp->cur) {
		ret = serve_pb_switch(&lp->pb,
				      sushi_sched_space_subgraph(lp->sp, d.subgraph),
				      &jobs);
		if (ret)
			return ret;
		lp->cur = d.subgraph;
	}
	st->load_mismatches += !jobs_eq(&jobs, &d);
	ret = sushi_netdev_io(lp->nd, d.subnet, &io);
	if (!ret)
		ret = sushi_supernet_subnet(lp->sn, d.subnet, &si);
	if (ret)
		return ret;
	if (io.in_bytes != lp->in_len || io.out_bytes > lp->out_len)
		return -EINVAL;
	serve_images_input(lp->im, (uint32_t)(i % lp->im->n), lp->in);
	ret = sushi_netdev_run(lp->nd, d.subnet, serve_pb_any_set(&lp->pb),
			       lp->in, io.in_bytes, lp->out, lp->out_len, &js);
	if (ret)
		return ret;
	st->service_mismatches += !cell_eq(lp->cfg, &js, &d.cell);
	st->correct += argmax(lp->out, io.out_bytes) ==
		       lp->im->labels[i % lp->im->n];

	/* the evaluator's accounting, on the device's figures */
	service = sushi_model_cycles_to_ns(lp->cfg, js.cycles);
	finish_ns = start + jobs.ns + service;
	latency = finish_ns - q->arrival_ns;
	acc = sushi_sched_space_accuracy(lp->sp, d.subnet);
	lat_ok = latency <= q->lat_ceiling_ns;
	acc_ok = acc >= q->acc_floor;
	a->t_free = finish_ns;
	a->acc_sum += acc;
	a->lat_sum += (double)latency;
	a->slo_ok += lat_ok && acc_ok;
	a->dram += js.dram_rd + js.dram_wr + jobs.dram;
	a->energy += js.energy_fj + jobs.energy_fj;
	a->offchip += js.offchip_fj + jobs.offchip_fj;
	a->pb += js.pb_rd;
	a->weights += si.weight_bytes;
	st->ev.pb_reloads += jobs.n_loads;
	st->ev.pb_bytes_loaded += jobs.dram;
	st->ev.fallbacks += d.fallback;
	st->ev.acc_misses += !acc_ok;
	st->ev.lat_misses += !lat_ok;
	*lat = latency;
	return 0;
}

int serve_policy(struct sushi_netdev *nd, const struct sushi_supernet *sn,
		 const struct sushi_sched_space *sp,
		 const struct sushi_sched_params *p,
		 const struct sushi_query *qs, size_t n,
		 const struct serve_images *im,
		 const struct sushi_model_config *cfg, struct serve_stats *st,
		 size_t *fail_query)
{
	struct loop lp = { .nd = nd, .sp = sp, .im = im, .cfg = cfg };
	struct sushi_supernet_info info;
	struct sushi_sched *s = NULL;
	uint64_t *lat = NULL;
	struct acc a = { 0 };
	int ret;

	if (!nd || !sn || !sp || !p || !qs || !n || !im || !im->n || !cfg || !st ||
	    p->policy == SUSHI_POLICY_LRU || p->policy >= SUSHI_POLICY_ORACLE)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	*fail_query = 0;
	lp.sn = sn;
	ret = sushi_supernet_info(lp.sn, &info);
	if (ret)
		return ret;
	if (info.in_h != im->h || info.in_w != im->w || info.in_c != 1)
		return -EINVAL;
	lp.in_len = (size_t)im->h * im->w;
	lp.out_len = info.n_classes;
	ret = serve_pb_init(&lp.pb, nd, info.n_weight_layers, cfg);
	if (ret)
		return ret;
	lp.in = malloc(lp.in_len);
	lp.out = malloc(lp.out_len ? lp.out_len : 1);
	lat = malloc(n * sizeof(*lat));
	ret = sushi_sched_new(sp, p, &s);
	if (!ret && (!lp.in || !lp.out || !lat))
		ret = -ENOMEM;
	for (size_t i = 0; !ret && i < n; i++) {
		ret = serve_one(&lp, s, i, &qs[i], &a, st, &lat[i]);
		if (ret)
			*fail_query = i;
	}
	if (!ret)
		finish(&a, lat, n, st);
	st->enospc_waits = lp.pb.enospc_waits;
	serve_pb_release(&lp.pb);
	sushi_sched_free(s);
	free(lat);
	free(lp.in);
	free(lp.out);
	return ret;
}
