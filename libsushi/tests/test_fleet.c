// SPDX-License-Identifier: MIT
/*
 * test_fleet.c - the fleet model (fleet.c) through sushi_eval_fleet():
 * one device is exactly sushi_eval_run(); every query's device, SubNet and
 * finish, and every metric, equal a reference fleet written here from the
 * documented rules (Documentation/serving.rst) with the public API only
 * (JSQ, SGS previewing each device's PB content, admission, both overload
 * modes, both select modes); hand-built cases for JSQ's order and SGS's
 * score; SGS against JSQ on a phased trace; shedding's metrics (accuracy
 * and latency over the served queries, SLO over all); admission; the
 * parameters' validation; the makespan of more devices.
 */
#include <errno.h>
#include <stdlib.h>

#include "mini.h"
#include "synth.h"
#include "tap.h"

static struct sushi_model_config cfg;
static struct synth sy;

static const enum sushi_policy online[] = {
	SUSHI_POLICY_SUSHI, SUSHI_POLICY_NO_PB, SUSHI_POLICY_STATIC_SMALLEST,
	SUSHI_POLICY_STATIC_INTERSECT, SUSHI_POLICY_STATIC_LARGEST,
	SUSHI_POLICY_LRU,
};
#define N_ONLINE (sizeof(online) / sizeof(online[0]))

static struct sushi_fleet_params fleet(uint32_t n, enum sushi_router r,
				       enum sushi_overload o, uint32_t max_queue)
{
	struct sushi_fleet_params fp = {
		.size = sizeof(fp), .n_devices = n, .router = r, .overload = o,
		.max_queue = max_queue,
	};

	return fp;
}

/* ------------------------------------------------ the reference fleet */

#define REF_MAX_DEV 8

struct ref_dev {
	struct sushi_sched *s;
	uint64_t t_free;	/* its last PB job or query ends */
	uint64_t *fin;		/* finish times of the queries it ran */
	size_t n_fin;
};

struct ref {
	const struct sushi_sched_space *sp;
	struct sushi_sched_params p;
	struct sushi_fleet_params fp;
	struct ref_dev dev[REF_MAX_DEV];
	struct sushi_slice *content;	/* scratch: a device's PB content */
};

/* one query in the reference: its record and its scheduler's decision */
struct ref_out {
	struct sushi_eval_record rec;
	struct sushi_decision d;
};

/* what a device's scheduler would serve, as the router sees it */
struct ref_view {
	uint32_t subnet;
	bool meets, in_ceiling;
	uint64_t dram, fin;
};

static int ref_init(struct ref *r, const struct sushi_sched_space *sp,
		    const struct sushi_sched_params *p,
		    const struct sushi_fleet_params *fp, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->sp = sp;
	r->p = *p;
	r->fp = *fp;
	r->content = calloc(sushi_sched_space_layers(sp), sizeof(*r->content));
	if (!r->content)
		return -1;
	for (uint32_t k = 0; k < fp->n_devices; k++) {
		r->dev[k].fin = calloc(n, sizeof(uint64_t));
		if (!r->dev[k].fin || sushi_sched_new(sp, p, &r->dev[k].s))
			return -1;
	}
	return 0;
}

static void ref_fini(struct ref *r)
{
	for (uint32_t k = 0; k < REF_MAX_DEV; k++) {
		sushi_sched_free(r->dev[k].s);
		free(r->dev[k].fin);
	}
	free(r->content);
}

static double acc_of(const struct sushi_sched_space *sp, uint32_t s)
{
	return sushi_sched_space_accuracy(sp, s);
}

/* the floor mode's "cheaper": fewer off-chip bytes, faster, more accurate */
static bool cheaper(const struct sushi_sched_space *sp,
		    const struct sushi_sched_cell *c, uint32_t a, uint32_t b)
{
	if (c[a].dram != c[b].dram)
		return c[a].dram < c[b].dram;
	if (c[a].ns != c[b].ns)
		return c[a].ns < c[b].ns;
	return acc_of(sp, a) > acc_of(sp, b);
}

/*
 * The per-query rule (sushisched.rst) on device k's PB content after
 * @wait, priced by sushi_sched_space_cost(): the most accurate SubNet
 * within the budget (ties: the lower index), in floor mode then the
 * cheapest meeting floor and budget; none: the fastest, a fallback.
 */
static struct ref_view ref_preview(struct ref *r, uint32_t k,
				   const struct sushi_query *q, uint64_t wait)
{
	static struct sushi_sched_cell c[SUSHI_SCHED_MAX_SUBNETS];
	const struct sushi_sched_space *sp = r->sp;
	uint32_t S = sushi_sched_space_subnets(sp), pick = UINT32_MAX, fast = 0;
	bool late = wait > q->lat_ceiling_ns;
	uint64_t budget = late ? 0 : q->lat_ceiling_ns - wait;
	struct ref_view v = { 0 };

	sushi_sched_pb_content(r->dev[k].s, r->content);
	for (uint32_t s = 0; s < S; s++) {
		sushi_sched_space_cost(sp, s, r->content, &c[s]);
		if (c[s].ns < c[fast].ns)
			fast = s;
		if (!late && c[s].ns <= budget &&
		    (pick == UINT32_MAX || acc_of(sp, s) > acc_of(sp, pick)))
			pick = s;
	}
	v.meets = v.in_ceiling = pick != UINT32_MAX;
	if (!v.meets) {
		pick = fast;
	} else if (r->p.select == SUSHI_SELECT_FLOOR &&
		   acc_of(sp, pick) >= q->acc_floor) {
		uint32_t best = pick;

		for (uint32_t s = 0; s < S; s++)
			if (acc_of(sp, s) >= q->acc_floor && c[s].ns <= budget &&
			    cheaper(sp, c, s, best))
				best = s;
		pick = best;
	}
	if (r->p.select == SUSHI_SELECT_FLOOR)
		v.meets = v.meets && acc_of(sp, pick) >= q->acc_floor;
	v.subnet = pick;
	v.dram = c[pick].dram;
	v.fin = wait + c[pick].ns;
	return v;
}

/*
 * SGS's order: meets the SLO, else at least the ceiling; more accurate
 * (accuracy mode); fewer off-chip bytes; sooner
 */
static bool sgs_before(const struct ref *r, const struct ref_view *a,
		       const struct ref_view *b)
{
	double aa = acc_of(r->sp, a->subnet), ab = acc_of(r->sp, b->subnet);

	if (a->meets != b->meets)
		return a->meets;
	if (a->in_ceiling != b->in_ceiling)
		return a->in_ceiling;
	if (r->p.select != SUSHI_SELECT_FLOOR && aa != ab)
		return aa > ab;
	if (a->dram != b->dram)
		return a->dram < b->dram;
	return a->fin < b->fin;
}

static uint32_t ref_route(struct ref *r, const struct sushi_query *q,
			  const uint32_t *held, const uint64_t *wait)
{
	struct ref_view best_v = { 0 }, v;
	uint32_t best = UINT32_MAX;

	for (uint32_t k = 0; k < r->fp.n_devices; k++) {
		if (r->fp.max_queue && held[k] >= r->fp.max_queue)
			continue;
		if (r->fp.router == SUSHI_ROUTER_JSQ) {
			if (best == UINT32_MAX || held[k] < held[best] ||
			    (held[k] == held[best] && wait[k] < wait[best]))
				best = k;
			continue;
		}
		v = ref_preview(r, k, q, wait[k]);
		if (best == UINT32_MAX || sgs_before(r, &v, &best_v)) {
			best = k;
			best_v = v;
		}
	}
	return best;
}

static void ref_place(struct ref *r, const struct sushi_query *q,
		      struct ref_out *o)
{
	uint32_t held[REF_MAX_DEV], k;
	uint64_t wait[REF_MAX_DEV], start, lat;
	struct ref_dev *dv;
	bool shed;

	memset(o, 0, sizeof(*o));
	for (k = 0; k < r->fp.n_devices; k++) {
		dv = &r->dev[k];
		held[k] = 0;
		for (size_t i = 0; i < dv->n_fin; i++)
			held[k] += dv->fin[i] > q->arrival_ns;
		wait[k] = dv->t_free > q->arrival_ns ? dv->t_free - q->arrival_ns : 0;
	}
	k = ref_route(r, q, held, wait);
	o->rec.arrival_ns = o->rec.finish_ns = q->arrival_ns;
	o->rec.device = k;
	o->rec.subnet = UINT32_MAX;
	if (k == UINT32_MAX) {
		o->rec.shed = 1;
		return;
	}
	dv = &r->dev[k];
	start = q->arrival_ns + wait[k];
	sushi_sched_decide(dv->s, q, wait[k], &o->d);
	shed = o->d.fallback && r->fp.overload == SUSHI_OVERLOAD_SHED;
	o->rec.finish_ns = start + o->d.load_ns + (shed ? 0 : o->d.cell.ns);
	dv->t_free = o->rec.finish_ns + o->d.fill_ns;
	o->rec.subgraph = o->d.subgraph;
	o->rec.n_loads = o->d.n_loads;
	o->rec.shed = shed;
	if (shed)
		return;
	dv->fin[dv->n_fin++] = o->rec.finish_ns;
	o->rec.subnet = o->d.subnet;
	lat = o->rec.finish_ns - q->arrival_ns;
	o->rec.slo_ok = lat <= q->lat_ceiling_ns &&
			acc_of(r->sp, o->d.subnet) >= q->acc_floor;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The metrics of D12 as sushi/eval.h defines them with shedding: accuracy
 * and latency over the served queries, SLO and per-query figures over all,
 * PB jobs counted for shed queries too.
 */
static void ref_stats(const struct sushi_sched_space *sp,
		      const struct sushi_query *qs, const struct ref_out *o,
		      size_t n, struct sushi_eval_stats *st)
{
	uint64_t *lat = calloc(n, sizeof(*lat)), slo = 0, pb = 0, w = 0;
	uint64_t energy = 0;
	double acc = 0, lsum = 0;
	size_t m = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; lat && i < n; i++) {
		const struct sushi_decision *d = &o[i].d;
		uint64_t end = o[i].rec.finish_ns + d->fill_ns;

		st->queries++;
		st->makespan_ns = end > st->makespan_ns ? end : st->makespan_ns;
		st->pb_reloads += d->n_loads;
		st->pb_bytes_loaded += d->load_dram;
		st->offchip_bytes += d->load_dram;
		energy += d->load_energy_fj;
		st->shed += o[i].rec.shed;
		st->shed_admission += o[i].rec.device == UINT32_MAX;
		if (o[i].rec.shed)
			continue;
		acc += acc_of(sp, d->subnet);
		lat[m] = o[i].rec.finish_ns - qs[i].arrival_ns;
		lsum += (double)lat[m++];
		slo += o[i].rec.slo_ok;
		st->offchip_bytes += d->cell.dram;
		energy += d->cell.energy_fj;
		pb += d->cell.pb;
		w += d->cell.weights;
		st->fallbacks += d->fallback;
		st->acc_misses += acc_of(sp, d->subnet) < qs[i].acc_floor;
		st->lat_misses += lat[m - 1] > qs[i].lat_ceiling_ns;
	}
	st->slo_attainment = (double)slo / (double)n;
	st->energy_fj_per_query = (double)energy / (double)n;
	st->pb_bytes_served = pb;
	st->pb_hit_fraction = w ? (double)pb / (double)w : 0;
	if (m) {
		st->served_accuracy = acc / (double)m;
		st->lat_mean_ns = lsum / (double)m;
		qsort(lat, m, sizeof(*lat), cmp_u64);
		st->lat_p50_ns = lat[(m - 1) / 2];
		st->lat_p99_ns = lat[(size_t)((double)(m - 1) * 0.99)];
	}
	free(lat);
}

/* the fields ref_stats() computes: which differ (a name), or NULL */
static const char *stats_differ(const struct sushi_eval_stats *a,
				const struct sushi_eval_stats *b)
{
#define F(x) if (a->x != b->x) return #x
	F(queries); F(shed); F(shed_admission); F(served_accuracy);
	F(slo_attainment); F(lat_mean_ns); F(lat_p50_ns); F(lat_p99_ns);
	F(offchip_bytes); F(energy_fj_per_query); F(pb_reloads);
	F(pb_bytes_loaded); F(pb_bytes_served); F(pb_hit_fraction);
	F(fallbacks); F(acc_misses); F(lat_misses); F(makespan_ns);
#undef F
	return NULL;
}

static bool rec_differ(const struct sushi_eval_record *a,
		       const struct sushi_eval_record *b)
{
	return a->arrival_ns != b->arrival_ns || a->finish_ns != b->finish_ns ||
	       a->subnet != b->subnet || a->subgraph != b->subgraph ||
	       a->n_loads != b->n_loads || a->slo_ok != b->slo_ok ||
	       a->shed != b->shed || a->device != b->device;
}

/* the first few differing records, as TAP diagnostics */
static void show_diff(const struct sushi_sched_params *p,
		      const struct sushi_fleet_params *fp, size_t i,
		      const struct sushi_eval_record *got,
		      const struct sushi_eval_record *want)
{
	static unsigned shown;

	if (shown++ >= 3)
		return;
	printf("#   %s, %s select, %u devices, %s, %s, max_queue %u, query %zu: "
	       "device %u (want %u), SubNet %u (%u), finish %llu (%llu), "
	       "shed %u (%u), loads %u (%u)\n", sushi_policy_name(p->policy),
	       sushi_select_name(p->select), fp->n_devices,
	       sushi_router_name(fp->router), sushi_overload_name(fp->overload),
	       fp->max_queue, i, got->device, want->device, got->subnet,
	       want->subnet, (unsigned long long)got->finish_ns,
	       (unsigned long long)want->finish_ns, got->shed, want->shed,
	       got->n_loads, want->n_loads);
}

/* what one comparison with the reference found */
struct tally {
	unsigned runs, failed, rec_bad, stats_bad;
	uint64_t queries, shed_deadline, shed_admission, sgs_not_jsq;
	const char *first;	/* the first differing metric */
};

/*
 * Replay @qs through the library and the reference: 0 if every record and
 * metric agrees.  *@out (n) gets the reference's outcomes when non-NULL.
 */
static int compare(const struct sushi_sched_space *sp,
		   const struct sushi_sched_params *p,
		   const struct sushi_fleet_params *fp,
		   const struct sushi_query *qs, size_t n, struct tally *t)
{
	struct sushi_eval_record *rec = calloc(n, sizeof(*rec));
	struct ref_out *o = calloc(n, sizeof(*o));
	struct sushi_eval_stats got, want;
	const char *why;
	struct ref r;
	int bad = 0;

	t->runs++;
	if (!rec || !o || ref_init(&r, sp, p, fp, n) ||
	    sushi_eval_fleet(sp, p, fp, qs, n, &got, rec)) {
		t->failed++;
		ref_fini(&r);
		free(rec);
		free(o);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		ref_place(&r, &qs[i], &o[i]);
		if (rec_differ(&rec[i], &o[i].rec)) {
			if (!bad)
				show_diff(p, fp, i, &rec[i], &o[i].rec);
			bad = 1;
		}
		t->shed_deadline += o[i].rec.shed && o[i].rec.device != UINT32_MAX;
		t->shed_admission += o[i].rec.device == UINT32_MAX;
	}
	t->queries += n;
	t->rec_bad += bad;
	ref_stats(sp, qs, o, n, &want);
	why = stats_differ(&got, &want);
	if (why) {
		t->stats_bad++;
		if (!t->first)
			t->first = why;
	}
	ref_fini(&r);
	free(rec);
	free(o);
	return bad || why;
}

/* ---------------------------------------------------------- traces */

/* fastest and slowest SubNet with nothing pinned; the accuracy range */
static void space_range(const struct sushi_sched_space *sp, uint64_t *fast,
			uint64_t *slow, double *lo, double *hi)
{
	*fast = UINT64_MAX;
	*slow = 0;
	*lo = 1;
	*hi = 0;
	for (uint32_t s = 0; s < sushi_sched_space_subnets(sp); s++) {
		uint64_t ns = sushi_sched_space_cell(sp, s, 0)->ns;
		double a = acc_of(sp, s);

		*fast = ns < *fast ? ns : *fast;
		*slow = ns > *slow ? ns : *slow;
		*lo = a < *lo ? a : *lo;
		*hi = a > *hi ? a : *hi;
	}
}

/*
 * A synthetic trace of @kind over the space's own ranges (ceilings from the
 * fastest SubNet to 1.5 x the slowest), mean gap gap_pct % of the middle
 * SubNet's service divided among @devices.
 */
static void make_trace(const struct sushi_sched_space *sp,
		       enum sushi_trace_kind kind, size_t n, uint64_t seed,
		       uint32_t devices, unsigned gap_pct, struct sushi_query *qs)
{
	struct sushi_trace_params tp = {
		.kind = kind, .n = n, .seed = seed, .phase = n / 8 ? n / 8 : 1,
	};
	uint64_t fast, slow;

	space_range(sp, &fast, &slow, &tp.acc_lo, &tp.acc_hi);
	tp.lat_lo_ns = fast;
	tp.lat_hi_ns = slow * 3 / 2;
	tp.mean_gap_ns = (fast + slow) / 2 * gap_pct / 100 / devices + 1;
	sushi_trace_generate(&tp, qs);
}

/* ------------------------------------------------------------ tests */

/*
 * One device with the LATE overload and no queue limit, either router:
 * exactly sushi_eval_run()'s metrics and records, for every online policy,
 * both select modes and every trace kind, and both equal the reference
 * (for one device: the classic replay, a query starting at max(arrival,
 * accelerator free)).
 */
static void one_device(const struct sushi_sched_space *sp)
{
	const size_t n = tap_quick ? 150 : 600;
	struct sushi_query *qs = calloc(n, sizeof(*qs));
	struct sushi_eval_record *ra = calloc(n, sizeof(*ra));
	struct sushi_eval_record *rb = calloc(n, sizeof(*rb));
	unsigned runs = 0, stats_bad = 0, rec_bad = 0, failed = 0;
	struct tally t = { 0 };

	for (int kind = 0; kind < SUSHI_TRACE_COUNT; kind++) {
		make_trace(sp, (enum sushi_trace_kind)kind, n, 7 + (uint64_t)kind, 1,
			   90, qs);
		for (size_t i = 0; i < N_ONLINE; i++) {
			for (int k = 0; k < 2 * SUSHI_ROUTER_COUNT; k++) {
				struct sushi_sched_params p = {
					.policy = online[i], .q = 8, .w = 16,
					.select = (enum sushi_select)(k / 2),
				};
				struct sushi_fleet_params fp =
					fleet(1, (enum sushi_router)(k % 2),
					      SUSHI_OVERLOAD_LATE, 0);
				struct sushi_eval_stats a, b;

				memset(ra, 0, n * sizeof(*ra));
				memset(rb, 0, n * sizeof(*rb));
				runs++;
				if (sushi_eval_run(sp, &p, qs, n, &a, ra) ||
				    sushi_eval_fleet(sp, &p, &fp, qs, n, &b, rb)) {
					failed++;
					continue;
				}
				stats_bad += memcmp(&a, &b, sizeof(a)) != 0;
				for (size_t j = 0; j < n; j++)
					if (rec_differ(&ra[j], &rb[j])) {
						rec_bad++;
						break;
					}
				compare(sp, &p, &fp, qs, n, &t);
			}
		}
	}
	is_int(failed, 0, "one device: %u replays through sushi_eval_run() and "
	       "sushi_eval_fleet() (4 trace kinds, %zu online policies, both "
	       "routers, both select modes)", runs, N_ONLINE);
	is_int(stats_bad, 0, "one device, LATE, no limit: every metric is "
	       "sushi_eval_run()'s, bit for bit");
	is_int(rec_bad, 0, "... and every record (device 0, nothing shed)");
	ok(t.rec_bad == 0 && t.stats_bad == 0 && !t.failed,
	   "... and both are the classic one-accelerator replay (reference: "
	   "%u of %u runs differ in records, %u in metrics%s%s)", t.rec_bad,
	   t.runs, t.stats_bad, t.first ? ", first: " : "", t.first ? t.first : "");
	free(qs);
	free(ra);
	free(rb);
}

/*
 * Many fleets against the reference: 1-4 devices, both routers, both
 * overload modes, queue limits 0-2, every online policy, both select modes,
 * every trace kind, loads from moderate to saturating.
 */
static void against_reference(const struct sushi_sched_space *sp,
			      unsigned runs, size_t n, struct tally *t)
{
	struct sushi_query *qs = calloc(n, sizeof(*qs));
	struct sushi_eval_record *a = calloc(n, sizeof(*a));
	struct sushi_eval_record *b = calloc(n, sizeof(*b));

	for (unsigned i = 0; qs && a && b && i < runs; i++) {
		struct sushi_sched_params p = {
			.policy = online[i % N_ONLINE], .q = 4 + 4 * (i % 3),
			.w = 8 + 8 * (i % 2),
			.select = (enum sushi_select)((i / N_ONLINE) % 2),
		};
		uint32_t dev = 1 + (i / 3) % 4;
		struct sushi_fleet_params fp =
			fleet(dev, (enum sushi_router)((i / 2) % 2),
			      i % 3 == 0 ? SUSHI_OVERLOAD_SHED : SUSHI_OVERLOAD_LATE,
			      i % 5 == 1 ? 1 : i % 5 == 3 ? 2 : 0);
		struct sushi_fleet_params fj = fp;
		struct sushi_eval_stats st;

		make_trace(sp, (enum sushi_trace_kind)(i % SUSHI_TRACE_COUNT), n,
			   100 + i, dev, 40 + 20 * (i % 4), qs);
		compare(sp, &p, &fp, qs, n, t);
		if (fp.router != SUSHI_ROUTER_SGS || dev == 1)
			continue;
		/* where SGS and JSQ disagree both routers were exercised */
		fj.router = SUSHI_ROUTER_JSQ;
		if (!sushi_eval_fleet(sp, &p, &fp, qs, n, &st, a) &&
		    !sushi_eval_fleet(sp, &p, &fj, qs, n, &st, b))
			for (size_t j = 0; j < n; j++)
				t->sgs_not_jsq += a[j].device != b[j].device;
	}
	free(qs);
	free(a);
	free(b);
}

static void report(const char *what, const struct tally *t)
{
	is_int(t->failed, 0, "%s: %u fleets replayed", what, t->runs);
	is_int(t->rec_bad, 0, "%s: every query's device, SubNet, SubGraph, loads, "
	       "finish and SLO are the reference's (%llu queries)", what,
	       (unsigned long long)t->queries);
	ok(t->stats_bad == 0, "%s: every metric is the reference's (%u runs "
	   "differ%s%s)", what, t->stats_bad, t->first ? ", first: " : "",
	   t->first ? t->first : "");
	ok(t->shed_deadline > 0 && t->shed_admission > 0 && t->sgs_not_jsq > 0,
	   "%s: the cases were exercised: %llu shed at the deadline, %llu at "
	   "admission, %llu queries routed otherwise by SGS than by JSQ", what,
	   (unsigned long long)t->shed_deadline,
	   (unsigned long long)t->shed_admission,
	   (unsigned long long)t->sgs_not_jsq);
}

static void reference_fleets(const struct sushi_sched_space *sp)
{
	struct tally t = { 0 }, tm = { 0 };
	uint64_t seed = 11;

	against_reference(sp, tap_quick ? 48 : 192, tap_quick ? 80 : 240, &t);
	report("model-priced SuperNet", &t);
	/* hand-priced random spaces (mini.h): few SubNets, heavy queueing */
	for (unsigned i = 0; i < (tap_quick ? 6u : 24u); i++) {
		struct sushi_sched_space *ms;
		struct mini m;

		mini_random(&m, 2 + i % 3, 2 + i % 2, &seed);
		if (mini_space(&m, &ms)) {
			tm.failed++;
			continue;
		}
		against_reference(ms, 24, 40, &tm);
		sushi_sched_space_free(ms);
	}
	report("hand-priced spaces", &tm);
}

/*
 * Hand-priced two-SubNet spaces (mini.h's formulas, 1 GHz: a cycle is a
 * nanosecond; test_rules.c works the numbers out):
 *   A: layer 0, 4 rows x 16 B, 40 activation bytes, @comp_a compute
 *      cycles, 12 epilogue bytes, accuracy 0.8;
 *   B: layer 1, 2 rows x 8 B, 8 activation bytes, 5 compute cycles, 24
 *      epilogue bytes, accuracy 0.7;
 *   a 64-byte PB: A's slice or B's, never both.
 * With comp_a 10: A 46 ns unpinned (116 off-chip bytes), 30 ns pinned (52
 * bytes); B 26 ns unpinned (48 bytes), 25 ns pinned (32 bytes).  With
 * comp_a 200: A 220 ns either way.
 */
enum { A = 0, B = 1 };

static struct sushi_sched_space *hand_space(uint64_t comp_a)
{
	struct sushi_sched_space *sp = NULL;
	struct mini m;

	mini_pair(&m, comp_a);
	return mini_space(&m, &sp) ? NULL : sp;
}

/*
 * replay @qs on a fleet (select mode @sel): the records' devices into @dev,
 * SubNets into @sn, finishes into @fin
 */
static int devices_of(const struct sushi_sched_space *sp, enum sushi_policy pol,
		      enum sushi_select sel, const struct sushi_fleet_params *fp,
		      const struct sushi_query *qs, size_t n, uint32_t *dev,
		      uint32_t *sn, uint64_t *fin)
{
	struct sushi_sched_params p = { .policy = pol, .q = 4, .w = 4, .select = sel };
	struct sushi_eval_record rec[16];
	struct sushi_eval_stats st;
	int ret = n <= 16 ? sushi_eval_fleet(sp, &p, fp, qs, n, &st, rec) : -EINVAL;

	for (size_t i = 0; !ret && i < n; i++) {
		dev[i] = rec[i].device;
		if (sn)
			sn[i] = rec[i].subnet;
		if (fin)
			fin[i] = rec[i].finish_ns;
	}
	return ret;
}

static bool same(const uint32_t *a, const uint32_t *b, size_t n)
{
	return !memcmp(a, b, n * sizeof(*a));
}

/*
 * JSQ by hand (no PB, A 220 ns, B 26 ns, two devices): q0 (ceiling 1000)
 * goes to device 0, A until 220; q1 (ceiling 30) to the empty device 1, B
 * until 26; q2 (ceiling 60) finds one query on each: the tie goes to the
 * device free first (1), B until 52; q3 at 1 ns finds 1 on device 0 and 2
 * on device 1: device 0, though it frees up later (220 against 52).
 */
static void jsq_hand(void)
{
	struct sushi_sched_space *sp = hand_space(200);
	const struct sushi_query q[4] = {
		{ 0, 0, 1000 }, { 0, 0, 30 }, { 0, 0, 60 }, { 1, 0, 1000 },
	};
	struct sushi_query idle[4], burst[6];
	const uint32_t want[4] = { 0, 1, 1, 0 }, rr[6] = { 0, 1, 2, 0, 1, 2 };
	const uint32_t zero[4] = { 0 };
	const uint64_t want_fin[4] = { 220, 26, 52, 440 };
	struct sushi_fleet_params fp = fleet(2, SUSHI_ROUTER_JSQ, SUSHI_OVERLOAD_LATE, 0);
	uint32_t dev[6] = { 0 }, sn[6] = { 0 };
	uint64_t fin[6] = { 0 };
	int ret;

	if (!ok(sp != NULL, "the hand-priced space (A 220 ns, B 26 ns)"))
		return;
	ret = devices_of(sp, SUSHI_POLICY_NO_PB, SUSHI_SELECT_ACCURACY, &fp, q, 4, dev, sn, fin);
	ok(!ret && same(dev, want, 4) && !memcmp(fin, want_fin, sizeof(want_fin)) &&
	   sn[1] == B && sn[2] == B && sn[3] == A,
	   "JSQ: the fewest queries held wins (q3 -> device 0 holding 1, not "
	   "device 1 holding 2 but free sooner); ties: the device free first "
	   "(q2 -> 1); devices %u %u %u %u, finishes %llu %llu %llu %llu",
	   dev[0], dev[1], dev[2], dev[3], (unsigned long long)fin[0],
	   (unsigned long long)fin[1], (unsigned long long)fin[2],
	   (unsigned long long)fin[3]);
	/* every device idle when a query arrives: all tie, the lowest index */
	for (int i = 0; i < 4; i++)
		idle[i] = (struct sushi_query){ 1000 * (uint64_t)i, 0, 1000 };
	fp.n_devices = 3;
	ret = devices_of(sp, SUSHI_POLICY_NO_PB, SUSHI_SELECT_ACCURACY, &fp, idle, 4, dev,
			 NULL, NULL);
	ok(!ret && same(dev, zero, 4),
	   "JSQ, 3 devices, queries 1 us apart (every device idle): all go to "
	   "device 0 (%u %u %u %u)", dev[0], dev[1], dev[2], dev[3]);
	for (int i = 0; i < 6; i++)
		burst[i] = (struct sushi_query){ 0, 0, 100000 };
	ret = devices_of(sp, SUSHI_POLICY_NO_PB, SUSHI_SELECT_ACCURACY, &fp, burst, 6, dev,
			 NULL, NULL);
	ok(!ret && same(dev, rr, 6),
	   "JSQ, 3 devices, 6 simultaneous queries: round robin (%u %u %u %u %u %u)",
	   dev[0], dev[1], dev[2], dev[3], dev[4], dev[5]);
	sushi_sched_space_free(sp);
}

/*
 * SGS by hand (LRU, A 46/30 ns, B 26/25 ns unpinned/pinned, two devices):
 * q0 (ceiling 1000) -> device 0 (both empty: a tie), A, then A's slice is
 * filled (until 72); q1 (ceiling 28) -> device 1: device 0 is busy past
 * the ceiling (a fallback), device 1 serves B in time, then holds B's
 * slice; q2 (at 1 us, ceiling 28, both idle) -> device 1: B either way,
 * but pinned there (32 off-chip bytes, not 48); q3 (ceiling 40) -> device
 * 0: A pinned fits there (30 ns), only B on device 1 (A unpinned is 46);
 * q4 (ceiling 1000) -> device 0: A either way, fewer bytes there.  JSQ
 * sends q2-q4 to idle device 0.
 */
static void sgs_hand(void)
{
	struct sushi_sched_space *sp = hand_space(10);
	const struct sushi_query q[5] = {
		{ 0, 0, 1000 }, { 0, 0, 28 }, { 1000, 0, 28 }, { 2000, 0, 40 },
		{ 3000, 0, 1000 },
	};
	const struct sushi_query nopb[3] = { { 0, 0, 1000 }, { 0, 0, 1000 }, { 10, 0, 1000 } };
	const uint32_t want[5] = { 0, 1, 1, 0, 0 }, want_sn[5] = { A, B, B, A, A };
	const uint32_t want_jsq[5] = { 0, 1, 0, 0, 0 }, want_fin[3] = { 0, 1, 0 };
	const struct sushi_query fq[2] = { { 0, 0, 1000 }, { 0, 0.9, 50 } };
	struct sushi_fleet_params fp = fleet(2, SUSHI_ROUTER_SGS, SUSHI_OVERLOAD_LATE, 0);
	uint32_t dev[5] = { 0 }, sn[5] = { 0 };
	int ret;

	if (!ok(sp != NULL, "the hand-priced space (A 46/30 ns, B 26/25 ns)"))
		return;
	ret = devices_of(sp, SUSHI_POLICY_LRU, SUSHI_SELECT_ACCURACY, &fp, q, 5, dev, sn, NULL);
	ok(!ret && same(dev, want, 5) && same(sn, want_sn, 5),
	   "SGS: a device that meets the ceiling, then the more accurate SubNet, "
	   "then fewer off-chip bytes (devices %u %u %u %u %u, SubNets %u %u %u "
	   "%u %u)", dev[0], dev[1], dev[2], dev[3], dev[4], sn[0], sn[1],
	   sn[2], sn[3], sn[4]);
	fp.router = SUSHI_ROUTER_JSQ;
	ret = devices_of(sp, SUSHI_POLICY_LRU, SUSHI_SELECT_ACCURACY, &fp, q, 5, dev, NULL, NULL);
	ok(!ret && same(dev, want_jsq, 5),
	   "JSQ on the same trace sends q2-q4 to idle device 0 (%u %u %u %u %u)",
	   dev[0], dev[1], dev[2], dev[3], dev[4]);
	/*
	 * the floor rule, no PB: q0 (floor 0) -> device 0, B (the cheapest
	 * meeting the floor) until 26; q1 (floor 0.9, which nothing meets;
	 * ceiling 50): device 0 can only serve B late (a fallback, 48 bytes),
	 * device 1 serves A (46 ns, 116 bytes) within the ceiling -> device 1,
	 * not the fewer bytes of a late query (JSQ: device 1 too, fewer held)
	 */
	fp.router = SUSHI_ROUTER_SGS;
	ret = devices_of(sp, SUSHI_POLICY_NO_PB, SUSHI_SELECT_FLOOR, &fp, fq, 2, dev, sn, NULL);
	ok(!ret && dev[0] == 0 && dev[1] == 1 && sn[1] == A,
	   "SGS, floor rule, a floor no device meets: the device that meets the "
	   "ceiling, not the late one with fewer bytes (devices %u %u, SubNet %u)",
	   dev[0], dev[1], sn[1]);
	/* nothing pinned: A on both; the sooner finish, then the lower index */
	ret = devices_of(sp, SUSHI_POLICY_NO_PB, SUSHI_SELECT_ACCURACY, &fp, nopb, 3, dev,
			 NULL, NULL);
	ok(!ret && same(dev, want_fin, 3),
	   "SGS with nothing pinned: the device that finishes first (q1 -> 1), "
	   "equal finishes to the lower index (q2 -> 0): %u %u %u",
	   dev[0], dev[1], dev[2]);
	sushi_sched_space_free(sp);
}

/*
 * SGS against JSQ on phased demand (each phase wants other SubNets, so
 * devices come to hold different SubGraphs), SushiSched on 2 and 4
 * devices, several seeds.  With the floor rule SGS's score is the off-chip
 * bytes once floor and ceiling are met, and it moves fewer bytes than JSQ
 * on every seed (on average 6% fewer at 2 devices, 11% at 4) and hits the
 * PB more on average.
 * With the accuracy rule its score is accuracy first and the bytes only
 * break ties: both routers end within a fraction of a percent of each
 * other, either way round (printed, and checked to stay within 1%).  Not
 * theorems: SGS routes one query at a time; it is what the router is for,
 * checked on these traces.
 */
static void sgs_vs_jsq(const struct sushi_sched_space *sp)
{
	const size_t n = tap_quick ? 800 : 3000;
	const unsigned seeds = tap_quick ? 4 : 10;
	struct sushi_query *qs = calloc(n, sizeof(*qs));

	for (int sel = SUSHI_SELECT_COUNT - 1; qs && sel >= 0; sel--) {
		for (uint32_t dev = 2; dev <= 4; dev += 2) {
			struct sushi_sched_params p = {
				.policy = SUSHI_POLICY_SUSHI, .q = 16, .w = 32,
				.select = (enum sushi_select)sel,
			};
			struct sushi_fleet_params fj = fleet(dev, SUSHI_ROUTER_JSQ,
							     SUSHI_OVERLOAD_LATE, 0);
			struct sushi_fleet_params fs = fj;
			double ratio = 0, hit = 0, worst = 0;
			unsigned more = 0;

			fs.router = SUSHI_ROUTER_SGS;
			for (unsigned seed = 1; seed <= seeds; seed++) {
				struct sushi_eval_stats j, s;
				double r;

				make_trace(sp, SUSHI_TRACE_PHASED, n, seed, dev, 125, qs);
				sushi_eval_fleet(sp, &p, &fj, qs, n, &j, NULL);
				sushi_eval_fleet(sp, &p, &fs, qs, n, &s, NULL);
				r = s.offchip_bytes_per_query / j.offchip_bytes_per_query;
				more += r > 1;
				worst = r > worst ? r : worst;
				ratio += r / seeds;
				hit += (s.pb_hit_fraction - j.pb_hit_fraction) / seeds;
			}
			if (sel == SUSHI_SELECT_FLOOR)
				ok(!more && ratio < 0.97 && hit > 0,
				   "phased, floor rule, %u devices, %u seeds: SGS moves "
				   "fewer off-chip bytes than JSQ on every seed (on average "
				   "%.1f%% of JSQ's), PB hit %+.2f points", dev, seeds,
				   100 * ratio, 100 * hit);
			else
				ok(worst < 1.01,
				   "phased, accuracy rule, %u devices: SGS within 1%% of "
				   "JSQ's off-chip bytes (on average %.2f%%, at most "
				   "%.2f%%, more on %u of %u seeds; PB hit %+.2f points)",
				   dev, 100 * ratio, 100 * worst, more, seeds, 100 * hit);
		}
	}
	free(qs);
}

/* served queries' mean accuracy and latency, SLO count, from the records */
static void from_records(const struct sushi_sched_space *sp,
			 const struct sushi_eval_record *rec, size_t n,
			 double *acc, double *lat, uint64_t *served,
			 uint64_t *slo, unsigned *bad)
{
	double a = 0, l = 0;

	*served = *slo = 0;
	for (size_t i = 0; i < n; i++) {
		*slo += rec[i].slo_ok;
		if (rec[i].shed) {
			*bad += rec[i].subnet != UINT32_MAX || rec[i].slo_ok;
			continue;
		}
		(*served)++;
		a += acc_of(sp, rec[i].subnet);
		l += (double)(rec[i].finish_ns - rec[i].arrival_ns);
	}
	*acc = *served ? a / (double)*served : 0;
	*lat = *served ? l / (double)*served : 0;
}

/*
 * Shedding: ceilings below every SubNet's service shed every query (LATE
 * serves them all late, as fallbacks); on an overloaded trace the shed
 * queries take no part in accuracy and latency, the SLO counts them as
 * misses, served + shed = queries, and LATE sheds nothing.
 */
static void shedding(const struct sushi_sched_space *sp)
{
	const size_t n = tap_quick ? 200 : 800;
	struct sushi_query *qs = calloc(n, sizeof(*qs));
	struct sushi_eval_record *rec = calloc(n, sizeof(*rec));
	uint64_t fast, slow;
	double lo, hi;

	if (!qs || !rec)
		return;
	space_range(sp, &fast, &slow, &lo, &hi);
	make_trace(sp, SUSHI_TRACE_UNIFORM, n, 21, 2, 100, qs);
	for (size_t i = 0; i < n; i++)
		qs[i].lat_ceiling_ns = 1;
	for (int k = 0; k < 2; k++) {
		struct sushi_sched_params p = {
			.policy = k ? SUSHI_POLICY_SUSHI : SUSHI_POLICY_NO_PB, .q = 8, .w = 16,
		};
		struct sushi_fleet_params fp = fleet(2, SUSHI_ROUTER_JSQ, SUSHI_OVERLOAD_SHED, 0);
		struct sushi_eval_stats st;
		unsigned bad = 0;

		is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, rec), 0,
		       "%s, ceilings of 1 ns, SHED: replays", sushi_policy_name(p.policy));
		for (size_t i = 0; i < n; i++)
			bad += !rec[i].shed || rec[i].subnet != UINT32_MAX ||
			       rec[i].device > 1 || rec[i].slo_ok;
		ok(!bad && st.shed == n && !st.shed_admission && !st.served_accuracy &&
		   !st.slo_attainment && !st.lat_mean_ns && !st.lat_p99_ns &&
		   !st.fallbacks && st.offchip_bytes == st.pb_bytes_loaded &&
		   !st.pb_bytes_served,
		   "%s: every query shed at its device (%llu of %zu), none at "
		   "admission; no accuracy, latency or SLO; off-chip bytes are the "
		   "PB loads only (%llu)", sushi_policy_name(p.policy),
		   (unsigned long long)st.shed, n,
		   (unsigned long long)st.offchip_bytes);
		fp.overload = SUSHI_OVERLOAD_LATE;
		sushi_eval_fleet(sp, &p, &fp, qs, n, &st, rec);
		ok(!st.shed && st.fallbacks == n && !st.slo_attainment &&
		   st.served_accuracy >= lo - 1e-12 && st.lat_misses == n,
		   "%s, LATE: none shed, all %llu served late as fallbacks",
		   sushi_policy_name(p.policy), (unsigned long long)st.fallbacks);
	}
	/* overloaded: 2 devices at about 5x their capacity, bursty */
	make_trace(sp, SUSHI_TRACE_BURSTY, n, 22, 2, 20, qs);
	for (int r = 0; r < SUSHI_ROUTER_COUNT; r++) {
		struct sushi_sched_params p = { .policy = SUSHI_POLICY_SUSHI, .q = 8, .w = 16 };
		struct sushi_fleet_params fp = fleet(2, (enum sushi_router)r,
						     SUSHI_OVERLOAD_SHED, 0);
		struct sushi_eval_stats st, late;
		uint64_t served, slo;
		double acc, lat;
		unsigned bad = 0;

		sushi_eval_fleet(sp, &p, &fp, qs, n, &st, rec);
		from_records(sp, rec, n, &acc, &lat, &served, &slo, &bad);
		ok(st.shed > 0 && served > 0 && served + st.shed == n && !bad,
		   "%s, overloaded, SHED: %llu served + %llu shed = %zu queries; shed "
		   "ones have no SubNet and miss", sushi_router_name(fp.router),
		   (unsigned long long)served, (unsigned long long)st.shed, n);
		ok(st.served_accuracy == acc && st.served_accuracy >= lo - 1e-12 &&
		   st.lat_mean_ns == lat,
		   "%s: accuracy (%.4f) and mean latency (%.0f ns) are the served "
		   "queries' alone", sushi_router_name(fp.router), st.served_accuracy,
		   st.lat_mean_ns);
		ok(st.slo_attainment == (double)slo / (double)n && !st.fallbacks,
		   "%s: SLO attainment over all queries (%.3f), no fallback served",
		   sushi_router_name(fp.router), st.slo_attainment);
		fp.overload = SUSHI_OVERLOAD_LATE;
		sushi_eval_fleet(sp, &p, &fp, qs, n, &late, NULL);
		ok(!late.shed && late.fallbacks > 0 && late.queries == n,
		   "%s, LATE on the same trace: none shed, %llu fallbacks",
		   sushi_router_name(fp.router), (unsigned long long)late.fallbacks);
	}
	free(qs);
	free(rec);
}

/*
 * Admission: bursts of 5 simultaneous queries far apart, 2 devices that
 * may hold max_queue queries each: 2 x max_queue admitted per burst (in
 * arrival order, round the devices), the rest shed at admission with no
 * device.
 */
static void admission(const struct sushi_sched_space *sp)
{
	enum { BURSTS = 10, PER = 5 };
	struct sushi_query qs[BURSTS * PER];
	struct sushi_eval_record rec[BURSTS * PER];
	uint64_t fast, slow;
	double lo, hi;

	space_range(sp, &fast, &slow, &lo, &hi);
	for (int i = 0; i < BURSTS * PER; i++)
		qs[i] = (struct sushi_query){ (uint64_t)(i / PER) * 100 * slow, lo,
					      1000 * slow };
	for (int k = 0; k < 2 * SUSHI_ROUTER_COUNT * SUSHI_OVERLOAD_COUNT; k++) {
		uint32_t mq = 1 + k / 4;
		struct sushi_sched_params p = { .policy = SUSHI_POLICY_SUSHI, .q = 8, .w = 16 };
		struct sushi_fleet_params fp =
			fleet(2, (enum sushi_router)(k % 2), (enum sushi_overload)(k / 2 % 2), mq);
		struct sushi_eval_stats st;
		unsigned bad = 0;

		if (sushi_eval_fleet(sp, &p, &fp, qs, BURSTS * PER, &st, rec)) {
			ok(0, "admission replay");
			continue;
		}
		for (int i = 0; i < BURSTS * PER; i++) {
			uint32_t j = (uint32_t)(i % PER), on[2] = { 0 };

			if (j < 2 * mq)
				bad += rec[i].shed || rec[i].device > 1;
			else
				bad += !rec[i].shed || rec[i].device != UINT32_MAX ||
				       rec[i].subnet != UINT32_MAX;
			if (j || fp.router != SUSHI_ROUTER_JSQ)
				continue;
			/* JSQ: round the devices, mq each */
			for (uint32_t x = 0; x < 2 * mq; x++) {
				bad += rec[i + x].device != x % 2;
				on[rec[i + x].device % 2]++;
			}
			bad += on[0] != mq || on[1] != mq;
		}
		ok(!bad && st.shed == BURSTS * (PER - 2 * mq) &&
		   st.shed_admission == st.shed && st.queries == BURSTS * PER,
		   "%s, %s, max_queue %u: %u admitted per burst of %d (devices 0, 1, "
		   "..), %llu shed at admission with device UINT32_MAX",
		   sushi_router_name(fp.router), sushi_overload_name(fp.overload), mq,
		   2 * mq, PER, (unsigned long long)st.shed_admission);
	}
}

/* the parameters: what is refused, and a shorter struct's defaults */
static void params(const struct sushi_sched_space *sp)
{
	const size_t n = 200;
	struct sushi_query *qs = calloc(n, sizeof(*qs));
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_SUSHI, .q = 8, .w = 16 };
	struct {
		struct sushi_fleet_params fp;
		uint32_t more[4];
	} big;
	struct sushi_fleet_params fp = fleet(2, SUSHI_ROUTER_JSQ, SUSHI_OVERLOAD_LATE, 0);
	struct sushi_eval_stats st, a, b;

	if (!qs)
		return;
	make_trace(sp, SUSHI_TRACE_BURSTY, n, 31, 2, 20, qs);
	is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), 0, "valid parameters");
	is_int(sushi_eval_fleet(sp, &p, NULL, qs, n, &st, NULL), -EINVAL, "no parameters: -EINVAL");
	for (uint32_t size = 0; size < 8; size++) {
		fp.size = size;
		if (size == 0 || size >= 4)
			is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), -EINVAL,
			       "size %u (n_devices not wholly included): -EINVAL", size);
	}
	fp = fleet(0, SUSHI_ROUTER_JSQ, SUSHI_OVERLOAD_LATE, 0);
	is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), -EINVAL, "0 devices: -EINVAL");
	fp.n_devices = SUSHI_FLEET_MAX_DEVICES + 1;
	is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), -EINVAL,
	       "%d devices: -EINVAL", SUSHI_FLEET_MAX_DEVICES + 1);
	fp.n_devices = SUSHI_FLEET_MAX_DEVICES;
	is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), 0,
	       "%d devices (the most) replay", SUSHI_FLEET_MAX_DEVICES);
	fp = fleet(2, SUSHI_ROUTER_COUNT, SUSHI_OVERLOAD_LATE, 0);
	is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), -EINVAL, "unknown router: -EINVAL");
	fp = fleet(2, SUSHI_ROUTER_SGS, SUSHI_OVERLOAD_COUNT, 0);
	is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), -EINVAL,
	       "unknown overload mode: -EINVAL");
	memset(&big, 0, sizeof(big));
	big.fp = fleet(2, SUSHI_ROUTER_SGS, SUSHI_OVERLOAD_SHED, 3);
	big.fp.size = sizeof(big);
	is_int(sushi_eval_fleet(sp, &p, &big.fp, qs, n, &st, NULL), 0,
	       "a larger struct (a newer caller) with zeros past ours: accepted");
	big.more[2] = 1;
	is_int(sushi_eval_fleet(sp, &p, &big.fp, qs, n, &st, NULL), -EINVAL,
	       "... with a non-zero byte past ours: -EINVAL");
	fp = fleet(2, SUSHI_ROUTER_JSQ, SUSHI_OVERLOAD_LATE, 0);
	for (int pol = SUSHI_POLICY_ORACLE; pol <= SUSHI_POLICY_BEST_STATIC;
	     pol += SUSHI_POLICY_BEST_STATIC - SUSHI_POLICY_ORACLE) {
		struct sushi_sched_params po = p;

		po.policy = (enum sushi_policy)pol;
		is_int(sushi_eval_fleet(sp, &po, &fp, qs, n, &st, NULL), -EOPNOTSUPP,
		       "%s (offline, plans for one device): -EOPNOTSUPP",
		       sushi_policy_name(po.policy));
	}
	/* a caller built when the struct ended at n_devices: the rest reads 0 */
	fp = fleet(2, SUSHI_ROUTER_SGS, SUSHI_OVERLOAD_SHED, 1);
	sushi_eval_fleet(sp, &p, &fp, qs, n, &a, NULL);
	fp.size = offsetof(struct sushi_fleet_params, n_devices) + sizeof(fp.n_devices);
	is_int(sushi_eval_fleet(sp, &p, &fp, qs, n, &st, NULL), 0,
	       "a struct of %u bytes (up to n_devices) is accepted", fp.size);
	fp = fleet(2, SUSHI_ROUTER_JSQ, SUSHI_OVERLOAD_LATE, 0);
	sushi_eval_fleet(sp, &p, &fp, qs, n, &b, NULL);
	ok(!memcmp(&st, &b, sizeof(st)) && memcmp(&st, &a, sizeof(st)) && a.shed,
	   "... and runs with the defaults (JSQ, LATE, no limit), not with the "
	   "SGS, SHED, limit 1 past its size (which shed %llu)",
	   (unsigned long long)a.shed);
	ok(!strcmp(sushi_router_name(SUSHI_ROUTER_SGS), "sgs") &&
	   sushi_router_from_name("jsq") == SUSHI_ROUTER_JSQ &&
	   sushi_router_from_name("rr") == -EINVAL &&
	   !strcmp(sushi_router_name(SUSHI_ROUTER_COUNT), "unknown") &&
	   !strcmp(sushi_overload_name(SUSHI_OVERLOAD_SHED), "shed") &&
	   sushi_overload_from_name("late") == SUSHI_OVERLOAD_LATE &&
	   sushi_overload_from_name(NULL) == -EINVAL,
	   "router and overload names");
	free(qs);
}

/*
 * More devices finish sooner when the work is the same: queries whose
 * ceilings never bind are each served by the most accurate SubNet on any
 * device.  Simultaneous queries with no PB: the makespan is the work
 * divided among the devices, exactly.  A saturating phased trace (arrivals
 * 50 times as fast as the service): every online policy's makespan does
 * not grow with the devices (each device loads its own PB: a little more
 * work in all).  With ceilings that bind this need not hold: shorter
 * queues let the rule serve larger SubNets.
 */
static void makespan(const struct sushi_sched_space *sp)
{
	enum { N = 64 };
	struct sushi_query qs[N];
	struct sushi_sched_params p = { .policy = SUSHI_POLICY_NO_PB, .q = 8, .w = 16 };
	uint64_t svc = 0, m[3] = { 0 };
	double best = -1;
	const size_t n = tap_quick ? 300 : 1000;
	struct sushi_query *tr = calloc(n, sizeof(*tr));
	unsigned bad = 0;

	for (uint32_t s = 0; s < sushi_sched_space_subnets(sp); s++)
		if (acc_of(sp, s) > best) {
			best = acc_of(sp, s);
			svc = sushi_sched_space_cell(sp, s, 0)->ns;
		}
	for (int i = 0; i < N; i++)
		qs[i] = (struct sushi_query){ 0, 0, UINT64_MAX / 4 };
	for (int k = 0; k < 3; k++) {
		struct sushi_fleet_params fp =
			fleet(1u << k, (enum sushi_router)(k % 2), SUSHI_OVERLOAD_LATE, 0);
		struct sushi_eval_stats st;

		if (!sushi_eval_fleet(sp, &p, &fp, qs, N, &st, NULL))
			m[k] = st.makespan_ns;
	}
	ok(m[0] == N * svc && m[1] == N / 2 * svc && m[2] == N / 4 * svc,
	   "%d simultaneous queries of %llu ns: makespan %llu on 1 device, %llu "
	   "on 2, %llu on 4", N, (unsigned long long)svc, (unsigned long long)m[0],
	   (unsigned long long)m[1], (unsigned long long)m[2]);
	if (!tr)
		return;
	make_trace(sp, SUSHI_TRACE_PHASED, n, 41, 1, 2, tr);
	for (size_t i = 0; i < n; i++)
		tr[i].lat_ceiling_ns = UINT64_MAX / 4;
	for (size_t i = 0; i < N_ONLINE; i++) {
		for (int r = 0; r < SUSHI_ROUTER_COUNT; r++) {
			p.policy = online[i];
			for (int k = 0; k < 3; k++) {
				struct sushi_fleet_params fp = fleet(1u << k, (enum sushi_router)r,
								     SUSHI_OVERLOAD_LATE, 0);
				struct sushi_eval_stats st;

				sushi_eval_fleet(sp, &p, &fp, tr, n, &st, NULL);
				m[k] = st.makespan_ns;
			}
			bad += m[1] > m[0] || m[2] > m[1] || !m[2];
			if (!i && !r)
				printf("# sushi, jsq, saturating: makespan %llu, %llu, %llu ns "
				       "on 1, 2, 4 devices\n", (unsigned long long)m[0],
				       (unsigned long long)m[1], (unsigned long long)m[2]);
		}
	}
	is_int(bad, 0, "saturating phased trace, every online policy, both routers: "
	       "the makespan on 2 devices is at most on 1, on 4 at most on 2");
	free(tr);
}

int main(int argc, char **argv)
{
	struct sushi_sched_space *sp = NULL;

	tap_init(argc, argv);
	sushi_model_config_default(&cfg);
	cfg.pb_bytes = 256 << 10;
	jsq_hand();
	sgs_hand();
	if (synth_build(&sy) ||
	    sushi_sched_space_from_model(&cfg, sy.wl, SY_WL, sy.nets, sy.n, &sp))
		return 1;
	one_device(sp);
	reference_fleets(sp);
	sgs_vs_jsq(sp);
	shedding(sp);
	admission(sp);
	params(sp);
	makespan(sp);
	sushi_sched_space_free(sp);
	synth_free(&sy);
	return tap_done();
}
