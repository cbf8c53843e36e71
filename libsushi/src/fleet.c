// SPDX-License-Identifier: MIT
/*
 * fleet.c - N devices serving one stream: the routers (join-shortest-
 * queue; SGS-aware, which previews each device's SushiSched with that
 * device's resident SubGraph and queueing delay), admission by a per-device
 * limit, shedding of queries no SubNet can serve in time, and the
 * virtual-clock model of the devices that the evaluator replays and the
 * runtime's replay mode runs (Documentation/serving.rst).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "abi_in.h"
#include "fleet.h"
#include "sched_internal.h"

static const char *const router_names[SUSHI_ROUTER_COUNT] = {
	[SUSHI_ROUTER_JSQ] = "jsq",
	[SUSHI_ROUTER_SGS] = "sgs",
};

static const char *const overload_names[SUSHI_OVERLOAD_COUNT] = {
	[SUSHI_OVERLOAD_LATE] = "late",
	[SUSHI_OVERLOAD_SHED] = "shed",
};

const char *sushi_router_name(enum sushi_router r)
{
	return (unsigned)r < SUSHI_ROUTER_COUNT ? router_names[r] : "unknown";
}

int sushi_router_from_name(const char *name)
{
	for (int i = 0; name && i < SUSHI_ROUTER_COUNT; i++)
		if (!strcmp(name, router_names[i]))
			return i;
	return -EINVAL;
}

const char *sushi_overload_name(enum sushi_overload o)
{
	return (unsigned)o < SUSHI_OVERLOAD_COUNT ? overload_names[o] : "unknown";
}

int sushi_overload_from_name(const char *name)
{
	for (int i = 0; name && i < SUSHI_OVERLOAD_COUNT; i++)
		if (!strcmp(name, overload_names[i]))
			return i;
	return -EINVAL;
}

int fleet_params_get(const struct sushi_fleet_params *in,
		     struct sushi_fleet_params *out)
{
	const size_t need = offsetof(struct sushi_fleet_params, n_devices) +
			    sizeof(in->n_devices);

	if (!in || !out || abi_copy_in(out, sizeof(*out), in, in->size, need))
		return -EINVAL;
	out->size = sizeof(*out);
	if (!out->n_devices || out->n_devices > SUSHI_FLEET_MAX_DEVICES ||
	    (unsigned)out->router >= SUSHI_ROUTER_COUNT ||
	    (unsigned)out->overload >= SUSHI_OVERLOAD_COUNT)
		return -EINVAL;
	return 0;
}

void fleet_fini(struct fleet *f)
{
	if (!f->dev)
		return;
	for (uint32_t k = 0; k < f->fp.n_devices; k++) {
		sushi_sched_free(f->dev[k].s);
		free(f->dev[k].fin);
	}
	free(f->dev);
	f->dev = NULL;
}

int fleet_init(struct fleet *f, const struct sushi_sched_space *sp,
	       const struct sushi_sched_params *p,
	       const struct sushi_fleet_params *fp)
{
	int ret;

	memset(f, 0, sizeof(*f));
	if (!sp || !p)
		return -EINVAL;
	ret = fleet_params_get(fp, &f->fp);
	if (ret)
		return ret;
	f->sp = sp;
	f->p = *p;
	f->dev = calloc(f->fp.n_devices, sizeof(*f->dev));
	if (!f->dev)
		return -ENOMEM;
	for (uint32_t k = 0; k < f->fp.n_devices; k++) {
		ret = sushi_sched_new(sp, p, &f->dev[k].s);
		if (ret) {
			fleet_fini(f);
			return ret;
		}
	}
	return 0;
}

/* the SLO part of the SGS score: the ceiling, and the floor if it counts */
static bool meets(const struct fleet *f, const struct sushi_query *q,
		  const struct sushi_decision *d)
{
	if (d->fallback)
		return false;
	return f->p.select != SUSHI_SELECT_FLOOR ||
	       f->sp->acc[d->subnet] >= q->acc_floor;
}

/*
 * SGS: device a's preview @da serves the query better than b's @db.  When
 * neither meets the SLO (the floor rule: a floor no device can meet), one
 * that still meets the ceiling beats a fallback: else a query would follow
 * the fewest bytes to a device where it can only be late (or shed).
 */
static bool sgs_better(const struct fleet *f, const struct sushi_query *q,
		       const struct sushi_decision *da, uint64_t fa,
		       const struct sushi_decision *db, uint64_t fb)
{
	bool ma = meets(f, q, da), mb = meets(f, q, db);
	double aa = f->sp->acc[da->subnet], ab = f->sp->acc[db->subnet];

	if (ma != mb)
		return ma;
	if (da->fallback != db->fallback)
		return !da->fallback;
	if (f->p.select != SUSHI_SELECT_FLOOR && aa != ab)
		return aa > ab;
	if (da->cell.dram != db->cell.dram)
		return da->cell.dram < db->cell.dram;
	return fa < fb;		/* equal: the lower index stays */
}

/* JSQ: device a's view is the shorter queue */
static bool jsq_better(const struct fleet_view *a, const struct fleet_view *b)
{
	if (a->held != b->held)
		return a->held < b->held;
	return a->free_at < b->free_at;
}

uint32_t fleet_route(struct fleet *f, const struct sushi_query *q,
		     const struct fleet_view *v)
{
	struct sushi_decision best_d = { 0 }, d;
	uint64_t best_fin = 0;
	uint32_t best = UINT32_MAX;

	for (uint32_t k = 0; k < f->fp.n_devices; k++) {
		uint64_t fin;

		if (f->fp.max_queue && v[k].held >= f->fp.max_queue)
			continue;
		if (f->fp.router == SUSHI_ROUTER_JSQ) {
			if (best == UINT32_MAX || jsq_better(&v[k], &v[best]))
				best = k;
			continue;
		}
		if (sched_preview(f->dev[k].s, q, v[k].wait_ns, &d))
			continue;
		fin = v[k].wait_ns + d.cell.ns;
		if (best == UINT32_MAX ||
		    sgs_better(f, q, &d, fin, &best_d, best_fin)) {
			best = k;
			best_d = d;
			best_fin = fin;
		}
	}
	return best;
}

int fleet_decide(struct fleet *f, uint32_t k, const struct sushi_query *q,
		 uint64_t queue_ns, struct sushi_decision *d,
		 enum fleet_shed *shed)
{
	int ret = sushi_sched_decide(f->dev[k].s, q, queue_ns, d);

	*shed = !ret && d->fallback && f->fp.overload == SUSHI_OVERLOAD_SHED ?
		FLEET_SHED_DEADLINE : FLEET_RUN;
	return ret;
}

static int fin_push(struct fleet_dev *dv, uint64_t t)
{
	if (dv->fin_head + dv->fin_n == dv->fin_cap) {
		if (dv->fin_head) {	/* slide the live part down */
			memmove(dv->fin, dv->fin + dv->fin_head,
				dv->fin_n * sizeof(*dv->fin));
			dv->fin_head = 0;
		} else {
			size_t cap = dv->fin_cap ? 2 * dv->fin_cap : 16;
			uint64_t *n = realloc(dv->fin, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			dv->fin = n;
			dv->fin_cap = cap;
		}
	}
	dv->fin[dv->fin_head + dv->fin_n++] = t;
	return 0;
}

int fleet_place(struct fleet *f, const struct sushi_query *q,
		struct fleet_place *out)
{
	struct fleet_view v[SUSHI_FLEET_MAX_DEVICES];
	struct fleet_dev *dv;
	uint32_t k;
	int ret;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < f->fp.n_devices; k++) {
		uint64_t busy;

		dv = &f->dev[k];
		while (dv->fin_n && dv->fin[dv->fin_head] <= q->arrival_ns) {
			dv->fin_head++;
			dv->fin_n--;
		}
		busy = dv->t_free > q->arrival_ns ? dv->t_free : q->arrival_ns;
		v[k].held = (uint32_t)(dv->fin_n < UINT32_MAX ? dv->fin_n :
							    UINT32_MAX);
		v[k].free_at = busy;	/* idle devices tie: the lowest wins */
		v[k].wait_ns = busy - q->arrival_ns;
	}
	k = fleet_route(f, q, v);
	out->device = k;
	if (k == UINT32_MAX) {
		out->shed = FLEET_SHED_ADMISSION;
		out->start = out->finish = q->arrival_ns;
		return 0;
	}
	dv = &f->dev[k];
	out->start = q->arrival_ns + v[k].wait_ns;
	ret = fleet_decide(f, k, q, v[k].wait_ns, &out->d, &out->shed);
	if (ret)
		return ret;
	/* a shed query's PB jobs run, the query does not */
	out->finish = out->start + out->d.load_ns;
	if (!out->shed)
		out->finish += out->d.cell.ns;
	dv->t_free = out->finish + out->d.fill_ns;
	return out->shed ? 0 : fin_push(dv, out->finish);
}
