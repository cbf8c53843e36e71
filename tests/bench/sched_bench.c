// SPDX-License-Identifier: MIT
/*
 * sched_bench.c - single-thread speed of SushiSched: the median time of one
 * decision (SubNet choice plus the amortized SubGraph choice) with 64
 * SubNets and every candidate SubGraph they give (none dropped), and the
 * evaluator's queries per second, for every policy, on a phased trace of
 * 1M queries (the offline ones on fewer: best-static replays every
 * candidate, the oracle searches states).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sushi/eval.h"
#include "synth.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	enum { N = 1000000, BATCH = 1000 };
	struct sushi_model_config cfg;
	struct sushi_sched_space *sp;
	struct sushi_query *qs = malloc(N * sizeof(*qs));
	double *samples = malloc(N / BATCH * sizeof(*samples));
	struct synth sy;
	struct sushi_trace_params tp = {
		.kind = SUSHI_TRACE_PHASED, .n = N, .seed = 1, .phase = 500,
		.acc_lo = 0.6, .acc_hi = 0.75, .lat_lo_ns = 100000,
		.lat_hi_ns = 3000000, .mean_gap_ns = 1000000,
	};
	double t0;

	sushi_model_config_default(&cfg);
	cfg.pb_bytes = 256 << 10;
	if (!qs || !samples || synth_build_n(&sy, 4, 16) ||
	    sushi_sched_space_from_model(&cfg, sy.wl, SY_WL, sy.nets, sy.n, &sp))
		return 1;
	sushi_trace_generate(&tp, qs);
	printf("space: %u SubNets, %u candidate SubGraphs, %u weight layers\n",
	       sushi_sched_space_subnets(sp), sushi_sched_space_subgraphs(sp),
	       sushi_sched_space_layers(sp));

	for (int pol = 0; pol < SUSHI_POLICY_COUNT; pol++) {
		struct sushi_sched_params p = { .policy = (enum sushi_policy)pol, .q = 16, .w = 64 };
		struct sushi_decision d;
		unsigned long long sink = 0;
		struct sushi_sched *s;

		if (sushi_policy_offline(p.policy))
			continue;
		if (sushi_sched_new(sp, &p, &s))
			return 1;

		for (size_t b = 0; b < N / BATCH; b++) {
			t0 = now();
			for (size_t i = b * BATCH; i < (b + 1) * BATCH; i++) {
				sushi_sched_decide(s, &qs[i], i % 7 * 10000, &d);
				sink += d.subnet;
			}
			samples[b] = (now() - t0) / BATCH;
		}
		qsort(samples, N / BATCH, sizeof(*samples), cmp_d);
		printf("decide %-17s median %7.1f ns  (p99 of %d-decision batches %7.1f ns)%s\n",
		       sushi_policy_name(p.policy), samples[N / BATCH / 2] * 1e9,
		       BATCH, samples[N / BATCH * 99 / 100] * 1e9, sink ? "" : " ");
		sushi_sched_free(s);
	}
	for (int pol = 0; pol < SUSHI_POLICY_COUNT; pol++) {
		struct sushi_sched_params p = { .policy = (enum sushi_policy)pol, .q = 16, .w = 64 };
		struct sushi_eval_stats st;
		size_t n = pol == SUSHI_POLICY_ORACLE ? N / 100 :
			   pol == SUSHI_POLICY_LRU || pol == SUSHI_POLICY_BEST_STATIC ? N / 10 : N;
		double dt;

		t0 = now();
		sushi_eval_run(sp, &p, qs, n, &st, NULL);
		dt = now() - t0;
		printf("eval   %-17s %8.3f M queries/s (%zu queries, %.3f s)\n",
		       sushi_policy_name(p.policy), n / dt / 1e6, n, dt);
	}
	sushi_sched_space_free(sp);
	synth_free(&sy);
	free(qs);
	free(samples);
	return 0;
}
