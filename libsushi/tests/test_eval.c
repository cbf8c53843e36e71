// SPDX-License-Identifier: MIT
/*
 * test_eval.c - the offline evaluator, the trace generators and the CSV
 * trace format: metrics that must hold for any replay (no PB never hits,
 * latencies ordered, deterministic replays, off-chip bytes split into
 * weights, activations, epilogues and PB loads that add up and match the
 * served SubNets), best-static at least as good as every static SubGraph,
 * the oracle at least as good as any fixed SubGraph on its own objective,
 * and every CSV error.
 */
#include <errno.h>
#include <stdlib.h>

#include "sushi/eval.h"
#include "synth.h"
#include "tap.h"

static struct sushi_model_config cfg;
static struct synth sy;

static int64_t saving(const struct sushi_eval_stats *st)
{
	return (int64_t)st->pb_bytes_served - (int64_t)st->pb_bytes_loaded;
}

static void generators(void)
{
	struct sushi_trace_params p = {
		.kind = SUSHI_TRACE_PHASED, .n = 2000, .seed = 5,
		.mean_gap_ns = 1000000, .acc_lo = 0.6, .acc_hi = 0.7,
		.lat_lo_ns = 100000, .lat_hi_ns = 2000000, .phase = 250,
	};
	struct sushi_query *a = calloc(p.n, sizeof(*a)), *b = calloc(p.n, sizeof(*b));
	int bad = 0;

	for (int k = 0; k < SUSHI_TRACE_COUNT; k++) {
		p.kind = (enum sushi_trace_kind)k;
		is_int(sushi_trace_generate(&p, a), 0, "%s trace", sushi_trace_name(p.kind));
		sushi_trace_generate(&p, b);
		ok(!memcmp(a, b, p.n * sizeof(*a)), "%s: same seed, same trace",
		   sushi_trace_name(p.kind));
		bad = 0;
		for (size_t i = 0; i < p.n; i++) {
			bad += a[i].acc_floor < p.acc_lo || a[i].acc_floor > p.acc_hi;
			bad += a[i].lat_ceiling_ns < p.lat_lo_ns ||
			       a[i].lat_ceiling_ns > p.lat_hi_ns;
			bad += i && a[i].arrival_ns < a[i - 1].arrival_ns;
		}
		is_int(bad, 0, "%s: demands in range, arrivals in order",
		       sushi_trace_name(p.kind));
	}
	p.seed = 6;
	sushi_trace_generate(&p, b);
	ok(memcmp(a, b, p.n * sizeof(*a)) != 0, "another seed, another trace");
	p.acc_hi = 0.5;
	is_int(sushi_trace_generate(&p, a), -EINVAL, "acc_lo > acc_hi refused");
	p.acc_hi = 0.7;
	p.kind = SUSHI_TRACE_PHASED;
	p.phase = 0;
	is_int(sushi_trace_generate(&p, a), -EINVAL, "phased with phase 0 refused");
	p.phase = 10;
	p.mean_gap_ns = SUSHI_TRACE_MAX_NS / 4;	/* n x gap far past the bound */
	is_int(sushi_trace_generate(&p, a), -EOVERFLOW,
	       "arrivals past SUSHI_TRACE_MAX_NS refused (-EOVERFLOW), not wrapped");
	is_int(sushi_trace_from_name("random-walk"), SUSHI_TRACE_RANDOM_WALK,
	       "trace kind by name");
	free(a);
	free(b);
}

static void csv(void)
{
	static const char good[] = "# my trace\narrival_us,acc_floor,lat_ceiling_us\n"
				   "0,0.5,100\r\n10.5,0.7,250\n\n10.5,0,1e3\n";
	static const struct { const char *text, *why; } bad[] = {
		{ "arrival,acc,lat\n1,0.5,1\n", "wrong header" },
		{ "arrival_us,acc_floor,lat_ceiling_us\nx,0.5,1\n", "arrival not a number" },
		{ "arrival_us,acc_floor,lat_ceiling_us\n1,,1\n", "missing floor" },
		{ "arrival_us,acc_floor,lat_ceiling_us\n1,0.5,1,7\n", "extra field" },
		{ "arrival_us,acc_floor,lat_ceiling_us\n1,1.5,1\n", "floor above 1" },
		{ "arrival_us,acc_floor,lat_ceiling_us\n1,0.5,0\n", "zero ceiling" },
		{ "arrival_us,acc_floor,lat_ceiling_us\n-1,0.5,1\n", "negative arrival" },
		{ "arrival_us,acc_floor,lat_ceiling_us\n5,0.5,1\n4,0.5,1\n", "decreasing arrival" },
		{ "arrival_us,acc_floor,lat_ceiling_us\n", "no queries" },
	};
	struct sushi_query *q = NULL;
	char err[128];
	size_t n = 0;

	is_int(sushi_trace_parse_csv(good, sizeof(good) - 1, &q, &n, err, sizeof(err)),
	       0, "a valid CSV trace parses");
	is_u64(n, 3, "three queries");
	ok(q && q[1].arrival_ns == 10500 && q[2].lat_ceiling_ns == 1000000 &&
	   q[1].acc_floor == 0.7, "microseconds become nanoseconds");
	free(q);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		is_int(sushi_trace_parse_csv(bad[i].text, strlen(bad[i].text), &q, &n,
					     err, sizeof(err)),
		       -EINVAL, "CSV %s refused (%s)", bad[i].why, err);
	}
}

static void replays(const struct sushi_sched_space *sp)
{
	const size_t n = tap_quick ? 400 : 3000;
	struct sushi_query *qs = calloc(n, sizeof(*qs));
	struct sushi_eval_record *rec = calloc(n, sizeof(*rec));
	struct sushi_eval_stats st[SUSHI_POLICY_COUNT], again;
	uint64_t fast = sushi_sched_space_cell(sp, 0, 0)->ns, slow = 0;
	struct sushi_trace_params tp = {
		.kind = SUSHI_TRACE_PHASED, .n = n, .seed = 1, .phase = 200,
		.acc_lo = 0.6, .acc_hi = 0.75,
	};

	for (uint32_t s = 0; s < sushi_sched_space_subnets(sp); s++) {
		const struct sushi_sched_cell *c = sushi_sched_space_cell(sp, s, 0);

		fast = c->ns < fast ? c->ns : fast;
		slow = c->ns > slow ? c->ns : slow;
	}
	tp.lat_lo_ns = fast;
	tp.lat_hi_ns = slow * 3 / 2;
	tp.mean_gap_ns = slow;
	sushi_trace_generate(&tp, qs);
	for (int p = 0; p < SUSHI_POLICY_COUNT; p++) {
		struct sushi_sched_params pp = { .policy = (enum sushi_policy)p, .q = 32, .w = 64 };

		is_int(sushi_eval_run(sp, &pp, qs, n, &st[p], rec), 0, "replay %s",
		       sushi_policy_name(pp.policy));
		ok(st[p].queries == n && st[p].lat_p50_ns <= st[p].lat_p99_ns &&
		   st[p].slo_attainment >= 0 && st[p].slo_attainment <= 1,
		   "%s: sane metrics (acc %.4f, SLO %.3f, p99 %llu ns, hit %.3f)",
		   sushi_policy_name(pp.policy), st[p].served_accuracy,
		   st[p].slo_attainment, (unsigned long long)st[p].lat_p99_ns,
		   st[p].pb_hit_fraction);
	}
	{
		unsigned bad = 0;

		for (int p = 0; p < SUSHI_POLICY_COUNT; p++)
			bad += st[p].offchip_weight_bytes + st[p].offchip_act_bytes +
			       st[p].offchip_epi_bytes + st[p].pb_bytes_loaded !=
			       st[p].offchip_bytes ||
			       st[p].offchip_bytes_per_query !=
			       (double)st[p].offchip_bytes / (double)n;
		is_int(bad, 0, "every policy: weights + activations + epilogues + PB "
		       "loads = off-chip bytes");
	}
	{
		/* no PB: the served SubNets' own figures, from the records */
		struct sushi_sched_params pp = { .policy = SUSHI_POLICY_NO_PB, .q = 32, .w = 64 };
		uint64_t w = 0, epi = 0, dram = 0;

		sushi_eval_run(sp, &pp, qs, n, &again, rec);
		for (size_t i = 0; i < n; i++) {
			const struct sushi_sched_cell *c =
				sushi_sched_space_cell(sp, rec[i].subnet, 0);

			w += c->weights;
			epi += c->epi;
			dram += c->dram;
		}
		ok(again.offchip_weight_bytes == w && again.offchip_epi_bytes == epi &&
		   again.offchip_bytes == dram && epi > 0,
		   "no PB: weight, epilogue and off-chip bytes are the served SubNets' "
		   "(%llu, %llu, %llu)", (unsigned long long)w, (unsigned long long)epi,
		   (unsigned long long)dram);
	}
	{
		int64_t best = sushi_eval_objective(&st[SUSHI_POLICY_BEST_STATIC],
						    SUSHI_OBJECTIVE_SAVING);

		ok(best >= saving(&st[SUSHI_POLICY_STATIC_SMALLEST]) &&
		   best >= saving(&st[SUSHI_POLICY_STATIC_INTERSECT]) &&
		   best >= saving(&st[SUSHI_POLICY_STATIC_LARGEST]) &&
		   best >= saving(&st[SUSHI_POLICY_NO_PB]) &&
		   st[SUSHI_POLICY_BEST_STATIC].pb_reloads <= SY_WL,
		   "best-static saves at least as much as every static SubGraph, "
		   "loading once (%lld bytes)", (long long)best);
	}
	ok(st[SUSHI_POLICY_NO_PB].pb_hit_fraction == 0 &&
	   st[SUSHI_POLICY_NO_PB].pb_reloads == 0, "no PB: no hits, no loads");
	ok(st[SUSHI_POLICY_STATIC_SMALLEST].pb_reloads > 0 &&
	   st[SUSHI_POLICY_STATIC_SMALLEST].pb_reloads <= SY_WL,
	   "a static SubGraph is loaded once (%llu loads)",
	   (unsigned long long)st[SUSHI_POLICY_STATIC_SMALLEST].pb_reloads);
	ok(st[SUSHI_POLICY_SUSHI].pb_hit_fraction > 0, "SushiSched hits the PB");
	ok(st[SUSHI_POLICY_SUSHI].offchip_bytes_per_query <
	   st[SUSHI_POLICY_NO_PB].offchip_bytes_per_query,
	   "SushiSched moves fewer off-chip bytes than no PB (%.0f < %.0f)",
	   st[SUSHI_POLICY_SUSHI].offchip_bytes_per_query,
	   st[SUSHI_POLICY_NO_PB].offchip_bytes_per_query);
	ok(saving(&st[SUSHI_POLICY_ORACLE]) >= saving(&st[SUSHI_POLICY_STATIC_SMALLEST]) &&
	   saving(&st[SUSHI_POLICY_ORACLE]) >= saving(&st[SUSHI_POLICY_STATIC_INTERSECT]) &&
	   saving(&st[SUSHI_POLICY_ORACLE]) >= saving(&st[SUSHI_POLICY_NO_PB]),
	   "the oracle saves at least as much as any fixed SubGraph (%lld bytes)",
	   (long long)saving(&st[SUSHI_POLICY_ORACLE]));
	printf("# SushiSched saving %lld = %.1f%% of the oracle's\n",
	       (long long)saving(&st[SUSHI_POLICY_SUSHI]),
	       100.0 * (double)saving(&st[SUSHI_POLICY_SUSHI]) /
	       (double)saving(&st[SUSHI_POLICY_ORACLE]));
	{
		struct sushi_sched_params pp = { .policy = SUSHI_POLICY_SUSHI, .q = 32, .w = 64 };

		sushi_eval_run(sp, &pp, qs, n, &again, NULL);
		ok(!memcmp(&again, &st[SUSHI_POLICY_SUSHI], sizeof(again)),
		   "replays are deterministic");
		qs[5].arrival_ns = 0;
		is_int(sushi_eval_run(sp, &pp, qs, n, &again, NULL), -EINVAL,
		       "out-of-order arrivals refused");
		pp.q = 0;
		is_int(sushi_eval_run(sp, &pp, qs, n, &again, NULL), -EINVAL, "Q = 0 refused");
	}
	free(qs);
	free(rec);
}

int main(int argc, char **argv)
{
	struct sushi_sched_space *sp = NULL;

	tap_init(argc, argv);
	sushi_model_config_default(&cfg);
	cfg.pb_bytes = 256 << 10;
	generators();
	csv();
	if (synth_build(&sy) ||
	    sushi_sched_space_from_model(&cfg, sy.wl, SY_WL, sy.nets, sy.n, &sp))
		return 1;
	replays(sp);
	sushi_sched_space_free(sp);
	synth_free(&sy);
	return tap_done();
}
