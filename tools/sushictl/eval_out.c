// SPDX-License-Identifier: MIT
/*
 * eval_out.c - what `sushictl eval` prints: per policy D12's metrics, the
 * off-chip bytes split into weights, activations, epilogues and PB loads,
 * the objective against the oracle (named: what it optimises, over which
 * plans, exact or bounded) and against the universal bound; policies that
 * pin the same SubGraph throughout share one table row; for a fleet, the
 * devices, router, admission and overload mode, the queries shed and the
 * queries each device took.  A table or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_eval.h"
#include "out.h"

void eval_json_fleet(struct jw *w, const struct sushi_fleet_params *f)
{
	jw_obj(w, "fleet");
	jw_u64(w, "devices", f->n_devices);
	jw_str(w, "router", sushi_router_name(f->router));
	jw_str(w, "overload", sushi_overload_name(f->overload));
	jw_u64(w, "max_queue", f->max_queue);
	jw_end_obj(w);
}

const enum sushi_policy eval_order[SUSHI_POLICY_COUNT] = {
	SUSHI_POLICY_SUSHI, SUSHI_POLICY_NO_PB, SUSHI_POLICY_STATIC_SMALLEST,
	SUSHI_POLICY_STATIC_INTERSECT, SUSHI_POLICY_STATIC_LARGEST,
	SUSHI_POLICY_BEST_STATIC, SUSHI_POLICY_LRU, SUSHI_POLICY_ORACLE,
};

static bool ran(const struct eval_report *r, enum sushi_policy p)
{
	return r->o->policies & (1u << p);
}

static bool offchip_obj(const struct eval_report *r)
{
	return r->o->sched.objective == SUSHI_OBJECTIVE_OFFCHIP;
}

/* the objective as printed: the saving, or the off-chip bytes (positive) */
static double shown(const struct eval_report *r, int64_t v)
{
	return offchip_obj(r) ? -(double)v : (double)v;
}

/* a policy's value against the oracle's upper bound, in percent */
static double vs_oracle(const struct eval_report *r, int64_t v)
{
	double ref = shown(r, r->oracle.upper);

	return ref ? 100.0 * shown(r, v) / ref : 0.0;
}

static const char *quantity(const struct eval_report *r)
{
	return offchip_obj(r) ?
	       "the off-chip bytes (the SubNets' DRAM traffic plus the PB loads), minimised" :
	       "the off-chip byte saving (weight bytes read from the PB minus bytes "
	       "loaded into the PB), maximised";
}

/* "a = b = c" for the policies sharing p's row */
static void row_name(const struct eval_report *r, enum sushi_policy p,
		     char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s", sushi_policy_name(p));

	for (int i = 0; i < SUSHI_POLICY_COUNT && used < len; i++) {
		enum sushi_policy e = eval_order[i];

		if (ran(r, e) && r->rows[e].same_as == (int)p)
			used += (size_t)snprintf(buf + used, len - used, " = %s",
						 sushi_policy_name(e));
	}
}

/* the shown rows' largest shed and shed-at-admission counts */
static void shed_max(const struct eval_report *r, uint64_t *shed, uint64_t *adm)
{
	*shed = *adm = 0;
	for (int i = 0; i < SUSHI_POLICY_COUNT; i++) {
		enum sushi_policy p = eval_order[i];
		const struct sushi_eval_stats *s = &r->rows[p].st;

		if (!ran(r, p))
			continue;
		*shed = s->shed > *shed ? s->shed : *shed;
		*adm = s->shed_admission > *adm ? s->shed_admission : *adm;
	}
}

/*
 * The last columns: the objective against the oracle (when it ran), the
 * queries shed and those shed at admission (when any was); their headings
 * into @head from column @nc on.  Returns the column count.
 */
static unsigned int extra_columns(const struct eval_report *r, const char **head,
				  unsigned int nc)
{
	uint64_t shed, adm;

	if (ran(r, SUSHI_POLICY_ORACLE))
		head[nc++] = offchip_obj(r) ?
			(r->oracle.exact ? "off-chip % of oracle" : "off-chip % of bound") :
			(r->oracle.exact ? "saving % of oracle" : "saving % of bound");
	shed_max(r, &shed, &adm);
	if (shed)
		head[nc++] = "shed";
	if (adm)
		head[nc++] = "at admission";
	return nc;
}

static void main_table(const struct eval_report *r, FILE *f)
{
	const char *head[13] = {
		"policy", "served acc", "SLO", "mean us", "p50 us", "p99 us",
		"off-chip KB/q", "off-chip uJ/q", "PB hit", "reloads",
	};
	static const bool right[] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	unsigned int nc = extra_columns(r, head, 10);
	uint64_t shed, adm;
	struct table t;

	shed_max(r, &shed, &adm);
	table_init(&t, nc, head, right);
	for (int i = 0; i < SUSHI_POLICY_COUNT; i++) {
		enum sushi_policy p = eval_order[i];
		const struct sushi_eval_stats *s = &r->rows[p].st;
		unsigned int k = 10;
		char c[13][96];
		const char *row[13];

		if (!ran(r, p) || r->rows[p].same_as >= 0)
			continue;
		row_name(r, p, c[0], sizeof(c[0]));
		snprintf(c[1], 96, "%.2f%%", 100 * s->served_accuracy);
		snprintf(c[2], 96, "%.1f%%", 100 * s->slo_attainment);
		snprintf(c[3], 96, "%.1f", s->lat_mean_ns / 1e3);
		snprintf(c[4], 96, "%.1f", (double)s->lat_p50_ns / 1e3);
		snprintf(c[5], 96, "%.1f", (double)s->lat_p99_ns / 1e3);
		snprintf(c[6], 96, "%.1f", s->offchip_bytes_per_query / 1e3);
		snprintf(c[7], 96, "%.2f", s->offchip_fj_per_query / 1e9);
		snprintf(c[8], 96, "%.1f%%", 100 * s->pb_hit_fraction);
		snprintf(c[9], 96, "%llu", (unsigned long long)s->pb_reloads);
		if (ran(r, SUSHI_POLICY_ORACLE))
			snprintf(c[k++], 96, "%.1f%%", vs_oracle(r, r->rows[p].value));
		if (shed)
			snprintf(c[k++], 96, "%llu", (unsigned long long)s->shed);
		if (adm)
			snprintf(c[k++], 96, "%llu", (unsigned long long)s->shed_admission);
		for (k = 0; k < nc; k++)
			row[k] = c[k];
		table_add(&t, row);
	}
	table_print(&t, f);
	table_free(&t);
}

static void split_table(const struct eval_report *r, FILE *f)
{
	static const char *const head[] = {
		"off-chip KB/query", "weights", "activations", "epilogues",
		"PB loads", "total",
	};
	static const bool right[] = { 0, 1, 1, 1, 1, 1 };
	struct table t;

	table_init(&t, 6, head, right);
	for (int i = 0; i < SUSHI_POLICY_COUNT; i++) {
		enum sushi_policy p = eval_order[i];
		const struct sushi_eval_stats *s = &r->rows[p].st;
		double n = (double)r->n * 1e3;
		char c[6][96];
		const char *row[6];

		if (!ran(r, p) || r->rows[p].same_as >= 0)
			continue;
		row_name(r, p, c[0], sizeof(c[0]));
		snprintf(c[1], 96, "%.1f", (double)s->offchip_weight_bytes / n);
		snprintf(c[2], 96, "%.1f", (double)s->offchip_act_bytes / n);
		snprintf(c[3], 96, "%.1f", (double)s->offchip_epi_bytes / n);
		snprintf(c[4], 96, "%.1f", (double)s->pb_bytes_loaded / n);
		snprintf(c[5], 96, "%.1f", (double)s->offchip_bytes / n);
		for (unsigned int k = 0; k < 6; k++)
			row[k] = c[k];
		table_add(&t, row);
	}
	table_print(&t, f);
	table_free(&t);
}

/* "no limit" or the number, for the fleet's queue limit */
static const char *queue_limit(const struct sushi_fleet_params *fp, char *buf,
			       size_t len)
{
	if (!fp->max_queue)
		return "no limit";
	snprintf(buf, len, "%u queries per device", fp->max_queue);
	return buf;
}

/* the fleet above the table: devices, router, admission, overload */
static void fleet_header(const struct eval_report *r, FILE *f)
{
	const struct sushi_fleet_params *fp = &r->o->fleet;
	char buf[48];

	fprintf(f, "fleet: %u device%s; router %s; admission: %s; overload: %s%s\n\n",
		fp->n_devices, fp->n_devices == 1 ? "" :
		"s, each with its own PB and scheduler", sushi_router_name(fp->router),
		queue_limit(fp, buf, sizeof(buf)), sushi_overload_name(fp->overload),
		fp->overload == SUSHI_OVERLOAD_SHED ? " (accuracy and latency of the "
		"served queries; SLO over all)" : "");
}

/* the fleet's notes: queries per device, what was not computed */
static void fleet_notes(const struct eval_report *r, FILE *f)
{
	for (int i = 0; r->o->fleet.n_devices > 1 && i < SUSHI_POLICY_COUNT; i++) {
		enum sushi_policy p = eval_order[i];

		if (!ran(r, p) || r->rows[p].same_as >= 0)
			continue;
		fprintf(f, "queries per device, %s:", sushi_policy_name(p));
		for (uint32_t k = 0; k < r->o->fleet.n_devices; k++)
			fprintf(f, " %llu", (unsigned long long)r->rows[p].dev_queries[k]);
		fputc('\n', f);
	}
	if (!eval_one_queue(r->o))
		fprintf(f, "not computed for this fleet: oracle and best-static (they "
			"plan for one device), the universal bound (it bounds one "
			"device's queue)\n");
}

void eval_print_table(const struct eval_report *r, FILE *f)
{
	const struct sushi_sched_params *p = &r->o->sched;
	uint32_t G = sushi_sched_space_subgraphs(r->sp);

	if (eval_fleet_mode(r->o))
		fleet_header(r, f);
	main_table(r, f);
	fputc('\n', f);
	split_table(r, f);
	fprintf(f, "\nselect: %s; candidates: %u SubGraphs, distinct among %u built "
		"(2 per SubNet + 2), none dropped\n", sushi_select_name(p->select), G,
		sushi_sched_space_raw_candidates(r->sp));
	for (int i = 0; i < SUSHI_POLICY_COUNT; i++) {
		enum sushi_policy e = eval_order[i];

		if (ran(r, e) && r->rows[e].same_as >= 0)
			fprintf(f, "same SubGraph: %s pins candidate %u throughout, as %s: "
				"one row\n", sushi_policy_name(e), r->rows[e].subgraph,
				sushi_policy_name((enum sushi_policy)r->rows[e].same_as));
	}
	if (ran(r, SUSHI_POLICY_ORACLE)) {
		const struct sushi_oracle_info *o = &r->oracle;

		fprintf(f, "oracle: %s of %s over the plans of one candidate SubGraph "
			"per window of Q = %u queries (switched before the window's first "
			"query, its PB jobs in that query's wait), SubNets by the %s rule, "
			"with queueing: ", o->exact ? "the exact optimum" : "bounds on the optimum",
			quantity(r), p->q, sushi_select_name(p->select));
		if (o->exact)
			fprintf(f, "%.0f bytes (proven optimal; %llu states, %llu merged)\n",
				shown(r, o->value), (unsigned long long)o->states,
				(unsigned long long)o->merged);
		else
			fprintf(f, "its plan %.0f bytes, the optimum at most %.0f%s "
				"(%llu states merged into intervals)\n", shown(r, o->value),
				shown(r, o->upper), offchip_obj(r) ? " fewer" : "",
				(unsigned long long)o->merged);
	}
	if (eval_fleet_mode(r->o))
		fleet_notes(r, f);
	if (!eval_one_queue(r->o))
		return;
	fprintf(f, "universal bound (any PB policy, LRU included): %s %.0f bytes",
		offchip_obj(r) ? "at least" : "at most", shown(r, r->universal));
	if (ran(r, SUSHI_POLICY_LRU))
		fprintf(f, "; LRU is outside the oracle's plans (per-layer fills after "
			"each query)");
	fputc('\n', f);
}

/* a policy's fleet figures: queries shed, the queries each device took */
static void json_fleet_row(const struct eval_report *r, struct jw *w,
			   const struct eval_row *row)
{
	jw_u64(w, "shed", row->st.shed);
	jw_u64(w, "shed_admission", row->st.shed_admission);
	jw_arr(w, "device_queries");
	for (uint32_t k = 0; k < r->o->fleet.n_devices; k++)
		jw_u64(w, NULL, row->dev_queries[k]);
	jw_end_arr(w);
}

static void json_row(const struct eval_report *r, struct jw *w, enum sushi_policy p)
{
	const struct eval_row *row = &r->rows[p];
	const struct sushi_eval_stats *s = &row->st;
	double n = (double)r->n;

	jw_obj(w, NULL);
	jw_str(w, "policy", sushi_policy_name(p));
	jw_num(w, "served_accuracy", s->served_accuracy);
	jw_num(w, "slo_attainment", s->slo_attainment);
	jw_num(w, "latency_mean_us", s->lat_mean_ns / 1e3);
	jw_num(w, "latency_p50_us", (double)s->lat_p50_ns / 1e3);
	jw_num(w, "latency_p99_us", (double)s->lat_p99_ns / 1e3);
	jw_num(w, "offchip_bytes_per_query", s->offchip_bytes_per_query);
	jw_num(w, "offchip_energy_uj_per_query", s->offchip_fj_per_query / 1e9);
	jw_num(w, "energy_uj_per_query", s->energy_fj_per_query / 1e9);
	jw_num(w, "pb_hit_fraction", s->pb_hit_fraction);
	jw_u64(w, "pb_reloads", s->pb_reloads);
	jw_i64(w, "offchip_byte_saving",
	       (int64_t)s->pb_bytes_served - (int64_t)s->pb_bytes_loaded);
	jw_u64(w, "fallbacks", s->fallbacks);
	jw_u64(w, "accuracy_misses", s->acc_misses);
	jw_u64(w, "latency_misses", s->lat_misses);
	jw_u64(w, "offchip_bytes", s->offchip_bytes);
	jw_num(w, "offchip_weight_bytes_per_query", (double)s->offchip_weight_bytes / n);
	jw_num(w, "offchip_activation_bytes_per_query", (double)s->offchip_act_bytes / n);
	jw_num(w, "offchip_epilogue_bytes_per_query", (double)s->offchip_epi_bytes / n);
	jw_num(w, "offchip_pb_load_bytes_per_query", (double)s->pb_bytes_loaded / n);
	jw_i64(w, "objective_value", row->value);
	if (ran(r, SUSHI_POLICY_ORACLE))
		jw_num(w, "percent_of_oracle_bound", vs_oracle(r, row->value));
	if (row->subgraph != UINT32_MAX)
		jw_u64(w, "subgraph", row->subgraph);
	if (row->same_as >= 0)
		jw_str(w, "same_subgraph_as", sushi_policy_name((enum sushi_policy)row->same_as));
	if (eval_fleet_mode(r->o))
		json_fleet_row(r, w, row);
	jw_end_obj(w);
}

/* the catalog on this accelerator: each SubNet alone, nothing pinned */
static void json_subnets(const struct eval_report *r, struct jw *w)
{
	uint32_t S = sushi_sched_space_subnets(r->sp);

	jw_arr(w, "subnets");
	for (uint32_t s = 0; s < S; s++) {
		const struct sushi_sched_cell *c = sushi_sched_space_cell(r->sp, s, 0);

		jw_obj(w, NULL);
		jw_str(w, "id", r->ids[s]);
		jw_num(w, "accuracy", sushi_sched_space_accuracy(r->sp, s));
		jw_u64(w, "latency_ns", c->ns);
		jw_u64(w, "offchip_bytes", c->dram);
		jw_u64(w, "weight_bytes", c->weights);
		jw_num(w, "energy_uj", (double)c->energy_fj / 1e9);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

void eval_print_json(const struct eval_report *r, FILE *f)
{
	const struct eval_opts *o = r->o;
	struct jw w;

	jw_begin(&w, f);
	jw_str(&w, "supernet", o->supernet);
	jw_obj(&w, "accelerator");
	jw_u64(&w, "pe_k", o->cfg.pe_k);
	jw_u64(&w, "pe_c", o->cfg.pe_c);
	jw_u64(&w, "clock_hz", o->cfg.clock_hz);
	jw_u64(&w, "dram_bytes_per_cycle", o->cfg.dram_bytes_per_cycle);
	jw_u64(&w, "pb_bytes", o->cfg.pb_bytes);
	jw_u64(&w, "act_sram_bytes", o->cfg.act_sram_bytes);
	jw_bool(&w, "overlap", o->cfg.overlap);
	jw_end_obj(&w);
	jw_obj(&w, "trace");
	jw_str(&w, "kind", o->trace_csv ? "csv" : sushi_trace_name(o->trace.kind));
	if (o->trace_csv)
		jw_str(&w, "file", o->trace_csv);
	jw_u64(&w, "queries", r->n);
	jw_u64(&w, "seed", o->trace.seed);
	jw_end_obj(&w);
	jw_obj(&w, "weights");
	jw_u64(&w, "supernet_bytes", r->supernet_bytes);
	jw_u64(&w, "smallest_slice_bytes", r->smallest_slice);
	jw_u64(&w, "largest_subnet_bytes", r->largest_subnet);
	jw_end_obj(&w);
	jw_u64(&w, "q", o->sched.q);
	jw_u64(&w, "w", o->sched.w);
	jw_str(&w, "select", sushi_select_name(o->sched.select));
	jw_str(&w, "objective", sushi_objective_name(o->sched.objective));
	jw_obj(&w, "candidates");
	jw_u64(&w, "subgraphs", sushi_sched_space_subgraphs(r->sp));
	jw_u64(&w, "built", sushi_sched_space_raw_candidates(r->sp));
	jw_u64(&w, "dropped", 0);
	jw_end_obj(&w);
	if (o->policies & (1u << SUSHI_POLICY_ORACLE)) {
		jw_obj(&w, "oracle");
		jw_str(&w, "quantity", quantity(r));
		jw_str(&w, "plan_space", "one candidate SubGraph per window of q queries, "
		       "switched before the window's first query, from an empty PB; SubNets "
		       "by the select rule; one accelerator with queueing");
		jw_i64(&w, "value", r->oracle.value);
		jw_i64(&w, "upper_bound", r->oracle.upper);
		jw_bool(&w, "exact", r->oracle.exact);
		jw_u64(&w, "states", r->oracle.states);
		jw_u64(&w, "pruned", r->oracle.pruned);
		jw_u64(&w, "merged", r->oracle.merged);
		jw_u64(&w, "max_width", r->oracle.max_width);
		jw_u64(&w, "state_budget", o->oracle_states ? o->oracle_states :
		       SUSHI_ORACLE_DEFAULT_STATES);
		jw_end_obj(&w);
	}
	if (eval_fleet_mode(o)) {
		eval_json_fleet(&w, &o->fleet);
	}
	if (eval_one_queue(o))
		jw_i64(&w, "universal_bound", r->universal);
	json_subnets(r, &w);
	jw_arr(&w, "results");
	for (int i = 0; i < SUSHI_POLICY_COUNT; i++)
		if (ran(r, eval_order[i]))
			json_row(r, &w, eval_order[i]);
	jw_end_arr(&w);
	jw_finish(&w);
}
