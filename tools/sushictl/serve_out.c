// SPDX-License-Identifier: MIT
/*
 * serve_out.c - what `sushictl serve` prints: per policy, accuracy measured
 * on the images and the catalog's, SLO attainment, latency, off-chip bytes
 * and energy, PB hits and reloads, and the launches and PB switches whose
 * device cost differed from the prediction; a table, or JSON whose metric
 * names are `sushictl eval --json`'s.
 */
#include <stdio.h>

#include "cmd_eval.h"
#include "out.h"
#include "serve.h"

static int64_t saving(const struct sushi_eval_stats *e)
{
	return (int64_t)e->pb_bytes_served - (int64_t)e->pb_bytes_loaded;
}

/* queries served per second of host wall-clock time */
static double qps(const struct sushi_trace_params *tp,
		  const struct serve_stats *st)
{
	return st->wall_ns ? (double)tp->n * 1e9 / (double)st->wall_ns : 0;
}

/* per device: what the runtime counted */
static void print_devices(struct jw *w, const struct serve_stats *st)
{
	jw_arr(w, "devices");
	for (uint32_t k = 0; k < st->n_devices; k++) {
		const struct sushi_rt_device_stats *d = &st->dev[k];

		jw_obj(w, NULL);
		jw_u64(w, "served", d->served);
		jw_u64(w, "late", d->late);
		jw_u64(w, "shed", d->shed);
		jw_u64(w, "failed", d->failed);
		jw_u64(w, "pb_loads", d->pb_loads);
		jw_num(w, "pb_hit_fraction", d->weight_bytes ?
		       (double)d->pb_hit_bytes / (double)d->weight_bytes : 0);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void print_json(const struct serve_opts *o, const char *path,
		       const struct sushi_model_config *cfg,
		       const struct sushi_trace_params *tp,
		       const struct serve_stats *st)
{
	struct jw w;

	jw_begin(&w, stdout);
	jw_str(&w, "device", path);
	jw_str(&w, "supernet", o->supernet);
	jw_str(&w, "images", o->images);
	jw_str(&w, "labels", o->labels);
	jw_obj(&w, "accelerator");
	jw_u64(&w, "pe_k", cfg->pe_k);
	jw_u64(&w, "pe_c", cfg->pe_c);
	jw_u64(&w, "clock_hz", cfg->clock_hz);
	jw_u64(&w, "dram_bytes_per_cycle", cfg->dram_bytes_per_cycle);
	jw_u64(&w, "pb_bytes", cfg->pb_bytes);
	jw_u64(&w, "act_sram_bytes", cfg->act_sram_bytes);
	jw_bool(&w, "overlap", cfg->overlap);
	jw_end_obj(&w);
	jw_obj(&w, "trace");
	jw_str(&w, "kind", sushi_trace_name(tp->kind));
	jw_u64(&w, "queries", tp->n);
	jw_u64(&w, "seed", tp->seed);
	jw_end_obj(&w);
	jw_u64(&w, "q", o->sched.q);
	jw_u64(&w, "w", o->sched.w);
	jw_str(&w, "select", sushi_select_name(o->sched.select));
	eval_json_fleet(&w, &o->fleet);
	jw_arr(&w, "results");
	for (int p = 0; p < SUSHI_POLICY_COUNT; p++) {
		const struct sushi_eval_stats *e = &st[p].ev;

		if (!(o->policies & (1u << p)))
			continue;
		jw_obj(&w, NULL);
		jw_str(&w, "policy", sushi_policy_name((enum sushi_policy)p));
		jw_u64(&w, "queries", e->queries);
		jw_u64(&w, "correct", st[p].correct);
		jw_num(&w, "measured_accuracy", st[p].measured_accuracy);
		jw_num(&w, "served_accuracy", e->served_accuracy);
		jw_num(&w, "slo_attainment", e->slo_attainment);
		jw_num(&w, "latency_mean_us", e->lat_mean_ns / 1e3);
		jw_num(&w, "latency_p50_us", (double)e->lat_p50_ns / 1e3);
		jw_num(&w, "latency_p99_us", (double)e->lat_p99_ns / 1e3);
		jw_num(&w, "offchip_bytes_per_query", e->offchip_bytes_per_query);
		jw_num(&w, "offchip_energy_uj_per_query", e->offchip_fj_per_query / 1e9);
		jw_num(&w, "energy_uj_per_query", e->energy_fj_per_query / 1e9);
		jw_num(&w, "pb_hit_fraction", e->pb_hit_fraction);
		jw_u64(&w, "pb_reloads", e->pb_reloads);
		jw_i64(&w, "offchip_byte_saving", saving(e));
		jw_u64(&w, "fallbacks", e->fallbacks);
		jw_u64(&w, "accuracy_misses", e->acc_misses);
		jw_u64(&w, "latency_misses", e->lat_misses);
		jw_u64(&w, "makespan_ns", e->makespan_ns);
		jw_u64(&w, "service_mismatches", st[p].service_mismatches);
		jw_u64(&w, "load_mismatches", st[p].load_mismatches);
		jw_u64(&w, "enospc_waits", st[p].enospc_waits);
		jw_num(&w, "wall_seconds", st[p].wall_ns / 1e9);
		jw_num(&w, "queries_per_wall_second", qps(tp, &st[p]));
		jw_u64(&w, "shed", e->shed);
		jw_u64(&w, "shed_admission", e->shed_admission);
		print_devices(&w, &st[p]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_finish(&w);
}

static void print_table(const struct serve_opts *o, const char *path,
			const struct sushi_trace_params *tp,
			const struct serve_stats *st)
{
	static const char *const head[] = {
		"policy", "measured acc", "catalog acc", "SLO", "mean us",
		"p50 us", "p99 us", "off-chip KB/q", "energy uJ/q",
		"off-chip uJ/q", "PB hit", "reloads", "mismatches", "wall q/s",
	};
	static const bool right[] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				      1 };
	enum { NC = 14 };
	struct table t;

	printf("served on %s: %zu queries (%s trace, seed %llu, Q %u, W %u), "
	       "images %s\n", path, tp->n, sushi_trace_name(tp->kind),
	       (unsigned long long)tp->seed, o->sched.q, o->sched.w, o->images);
	if (o->fleet.n_devices > 1 || o->fleet.overload || o->fleet.max_queue)
		printf("fleet: %u devices, router %s, overload %s, max queue %u\n",
		       o->fleet.n_devices, sushi_router_name(o->fleet.router),
		       sushi_overload_name(o->fleet.overload), o->fleet.max_queue);
	table_init(&t, NC, head, right);
	for (int p = 0; p < SUSHI_POLICY_COUNT; p++) {
		const struct sushi_eval_stats *e = &st[p].ev;
		char c[NC][32];
		const char *row[NC];

		if (!(o->policies & (1u << p)))
			continue;
		snprintf(c[0], 32, "%s", sushi_policy_name((enum sushi_policy)p));
		snprintf(c[1], 32, "%.2f%%", 100 * st[p].measured_accuracy);
		snprintf(c[2], 32, "%.2f%%", 100 * e->served_accuracy);
		snprintf(c[3], 32, "%.1f%%", 100 * e->slo_attainment);
		snprintf(c[4], 32, "%.1f", e->lat_mean_ns / 1e3);
		snprintf(c[5], 32, "%.1f", (double)e->lat_p50_ns / 1e3);
		snprintf(c[6], 32, "%.1f", (double)e->lat_p99_ns / 1e3);
		snprintf(c[7], 32, "%.1f", e->offchip_bytes_per_query / 1e3);
		snprintf(c[8], 32, "%.2f", e->energy_fj_per_query / 1e9);
		snprintf(c[9], 32, "%.2f", e->offchip_fj_per_query / 1e9);
		snprintf(c[10], 32, "%.1f%%", 100 * e->pb_hit_fraction);
		snprintf(c[11], 32, "%llu", (unsigned long long)e->pb_reloads);
		snprintf(c[12], 32, "%llu", (unsigned long long)
			 (st[p].service_mismatches + st[p].load_mismatches));
		snprintf(c[13], 32, "%.0f", qps(tp, &st[p]));
		for (int i = 0; i < NC; i++)
			row[i] = c[i];
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
	for (int p = 0; p < SUSHI_POLICY_COUNT; p++)
		if ((o->policies & (1u << p)) && st[p].ev.shed)
			printf("%s: %llu queries shed (%llu at admission), not in "
			       "the accuracy and latency columns\n",
			       sushi_policy_name((enum sushi_policy)p),
			       (unsigned long long)st[p].ev.shed,
			       (unsigned long long)st[p].ev.shed_admission);
}

void serve_print(const struct serve_opts *o, const char *path,
		 const struct sushi_model_config *cfg,
		 const struct sushi_trace_params *tp,
		 const struct serve_stats *st)
{
	if (o->dev.json)
		print_json(o, path, cfg, tp, st);
	else
		print_table(o, path, tp, st);
}
