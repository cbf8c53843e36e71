// SPDX-License-Identifier: MIT
/*
 * cmd_eval.c - `sushictl eval`: replays a query trace through the policies
 * on a modelled SushiAccel (no device needed) and prints DESIGN D12's
 * metrics as a table or JSON, optionally with a timeline plot (gnuplot).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_eval.h"
#include "out.h"
#include "plot.h"
#include "sushi/supernet.h"

#ifndef SUSHI_DEFAULT_SUPERNET
#define SUSHI_DEFAULT_SUPERNET "tools/supernet/data/fmnist-supernet.safetensors"
#endif

void eval_usage(FILE *f)
{
	fputs("usage: sushictl eval [options]\n"
	      "Replay a query trace through the scheduling policies on a modelled\n"
	      "SushiAccel and print served accuracy, SLO attainment, latency,\n"
	      "off-chip traffic and energy, PB hits and reloads.\n\n"
	      "  --supernet FILE      SuperNet file (default " SUSHI_DEFAULT_SUPERNET ")\n"
	      "  --policy LIST        comma-separated: sushi,no-pb,static-smallest,\n"
	      "                       static-intersect,lru,oracle, or all (default all)\n"
	      "  --trace KIND         uniform, phased, random-walk, bursty (default phased)\n"
	      "  --trace-csv FILE     replay a CSV trace instead (arrival_us,acc_floor,lat_ceiling_us)\n"
	      "  -n, --queries N      queries of a synthetic trace (default 10000)\n"
	      "  --seed N             trace seed (default 1)\n"
	      "  --phase N            queries per phase of a phased trace (default 500)\n"
	      "  --gap-us X           mean inter-arrival time (default: from the catalog)\n"
	      "  --lat-lo-us X, --lat-hi-us X   latency ceiling range (default: from the catalog)\n"
	      "  --acc-lo X, --acc-hi X         accuracy floor range in [0, 1] (default: the catalog's)\n"
	      "  --q N                SubGraph decision period in queries (default 32)\n"
	      "  --w N                window of recent queries (default 64)\n"
	      "  --pb-kib N           Persistent Buffer size in KiB (default: the device default)\n"
	      "  --act-sram-kib N     activation SRAM in KiB, 0: every tensor through DRAM\n"
	      "                       (default: the device default, 1408)\n"
	      "  --clock-mhz X        clock (default 100)\n"
	      "  --dram-bpc N         DRAM bytes per cycle (default 16)\n"
	      "  --pe-k N, --pe-c N   DPE array geometry (default 16, 9)\n"
	      "  --no-overlap         DRAM transfers do not overlap compute\n"
	      "  --json               JSON output\n"
	      "  --plot FILE          SushiSched's latency and accuracy over time, with the\n"
	      "                       PB reloads marked (.png or .svg, needs gnuplot)\n"
	      "  -h, --help           this text\n", f);
}

static int num_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return -EINVAL;
	*v = x;
	return 0;
}

static int num_d(const char *s, double lo, double hi, double *v)
{
	char *end;
	double x;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	x = strtod(s, &end);
	if (errno || *end || !(x >= lo && x <= hi))
		return -EINVAL;
	*v = x;
	return 0;
}

int eval_parse_policies(const char *s, uint32_t *mask)
{
	char buf[256], *tok, *save = NULL;

	if (!strcmp(s, "all")) {
		*mask = (1u << SUSHI_POLICY_COUNT) - 1;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int p = sushi_policy_from_name(tok);

		if (p < 0)
			return -EINVAL;
		*mask |= 1u << p;
	}
	return *mask ? 0 : -EINVAL;
}

static void defaults(struct eval_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->supernet = SUSHI_DEFAULT_SUPERNET;
	o->policies = (1u << SUSHI_POLICY_COUNT) - 1;
	o->trace.kind = SUSHI_TRACE_PHASED;
	o->trace.n = 10000;
	o->trace.seed = 1;
	o->trace.phase = 500;
	o->trace.acc_lo = o->trace.acc_hi = NAN;
	o->sched.q = 32;
	o->sched.w = 64;
	sushi_model_config_default(&o->cfg);
}

static const char *const valued[] = {
	"--supernet", "--policy", "--trace", "--trace-csv", "--queries",
	"--seed", "--phase", "--q", "--w", "--gap-us", "--lat-lo-us",
	"--lat-hi-us", "--acc-lo", "--acc-hi", "--pb-kib", "--act-sram-kib", "--clock-mhz",
	"--dram-bpc", "--pe-k", "--pe-c", "--plot",
};

static bool known(const char *name)
{
	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
		if (!strcmp(name, valued[i]))
			return true;
	return false;
}

#define USAGE(...) \
	do { snprintf(err, errlen, __VA_ARGS__); return EXIT_USAGE; } while (0)

int eval_trace_opt(const char *name, const char *val,
		   struct sushi_trace_params *t, struct sushi_sched_params *sp,
		   char *err, size_t errlen)
{
	uint64_t u;

	if (!strcmp(name, "--trace")) {
		int k = sushi_trace_from_name(val);

		if (k < 0)
			USAGE("--trace: unknown trace kind '%s'", val);
		t->kind = (enum sushi_trace_kind)k;
	} else if (!strcmp(name, "--queries") || !strcmp(name, "-n")) {
		if (num_u64(val, 1, 100000000, &u))
			USAGE("--queries: expected 1..100000000, got '%s'", val);
		t->n = (size_t)u;
	} else if (!strcmp(name, "--seed")) {
		if (num_u64(val, 0, UINT64_MAX, &u))
			USAGE("--seed: expected a non-negative integer, got '%s'", val);
		t->seed = u;
	} else if (!strcmp(name, "--phase")) {
		if (num_u64(val, 1, 100000000, &u))
			USAGE("--phase: expected a positive integer, got '%s'", val);
		t->phase = (size_t)u;
	} else if (!strcmp(name, "--q")) {
		if (num_u64(val, 1, 1000000, &u))
			USAGE("--q: expected 1..1000000, got '%s'", val);
		sp->q = (uint32_t)u;
	} else if (!strcmp(name, "--w")) {
		if (num_u64(val, 1, 4096, &u))
			USAGE("--w: expected 1..4096, got '%s'", val);
		sp->w = (uint32_t)u;
	} else {
		return -ENOENT;
	}
	return 0;
}

int eval_parse(int argc, char **argv, struct eval_opts *o, bool *help,
	       char *err, size_t errlen)
{
	int ret;

	defaults(o);
	*help = false;
	err[0] = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i], *val = NULL, *eq;
		char name[32];
		uint64_t u;
		double d;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
			return EXIT_OK;
		}
		if (!strcmp(a, "--json")) {
			o->json = true;
			continue;
		}
		if (!strcmp(a, "--no-overlap")) {
			o->cfg.overlap = false;
			continue;
		}
		if (!strcmp(a, "-n"))
			a = "--queries";
		if (strncmp(a, "--", 2))
			USAGE("unexpected argument '%s'", argv[i]);
		eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : 31, a);
		if (!known(name))
			USAGE("unknown option '%s' (try --help)", name);
		if (eq) {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - a), a);
			val = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", a);
			if (i + 1 >= argc)
				USAGE("option '%s' needs a value", a);
			val = argv[++i];
		}
		if (!strcmp(name, "--supernet")) {
			o->supernet = val;
		} else if (!strcmp(name, "--policy")) {
			if (eval_parse_policies(val, &o->policies))
				USAGE("--policy: '%s' is not a list of policies (try --help)", val);
		} else if (!strcmp(name, "--trace-csv")) {
			o->trace_csv = val;
		} else if ((ret = eval_trace_opt(name, val, &o->trace, &o->sched,
					      err, errlen)) != -ENOENT) {
			if (ret)
				return ret;
		} else if (!strcmp(name, "--gap-us")) {
			if (num_d(val, 0.001, 1e9, &d))
				USAGE("--gap-us: expected a positive time, got '%s'", val);
			o->trace.mean_gap_ns = (uint64_t)(d * 1000);
		} else if (!strcmp(name, "--lat-lo-us") || !strcmp(name, "--lat-hi-us")) {
			if (num_d(val, 0.001, 1e9, &d))
				USAGE("%s: expected a positive time, got '%s'", name, val);
			*(name[6] == 'l' ? &o->trace.lat_lo_ns : &o->trace.lat_hi_ns) =
				(uint64_t)(d * 1000);
		} else if (!strcmp(name, "--acc-lo") || !strcmp(name, "--acc-hi")) {
			if (num_d(val, 0, 1, &d))
				USAGE("%s: expected an accuracy in [0, 1], got '%s'", name, val);
			*(name[6] == 'l' ? &o->trace.acc_lo : &o->trace.acc_hi) = d;
		} else if (!strcmp(name, "--pb-kib")) {
			if (num_u64(val, 0, 1u << 20, &u))
				USAGE("--pb-kib: expected 0..1048576, got '%s'", val);
			o->cfg.pb_bytes = u << 10;
		} else if (!strcmp(name, "--act-sram-kib")) {
			if (num_u64(val, 0, SUSHI_CFG_MAX_ACT_SRAM >> 10, &u))
				USAGE("--act-sram-kib: expected 0..%llu, got '%s'",
				      SUSHI_CFG_MAX_ACT_SRAM >> 10, val);
			o->cfg.act_sram_bytes = u << 10;
		} else if (!strcmp(name, "--clock-mhz")) {
			if (num_d(val, 0.001, 100000, &d))
				USAGE("--clock-mhz: expected 0.001..100000, got '%s'", val);
			o->cfg.clock_hz = (uint64_t)(d * 1e6);
		} else if (!strcmp(name, "--dram-bpc")) {
			if (num_u64(val, 1, SUSHI_CFG_MAX_DRAM_BPC, &u))
				USAGE("--dram-bpc: expected 1..%u, got '%s'", SUSHI_CFG_MAX_DRAM_BPC, val);
			o->cfg.dram_bytes_per_cycle = (uint32_t)u;
		} else if (!strcmp(name, "--pe-k") || !strcmp(name, "--pe-c")) {
			if (num_u64(val, 1, SUSHI_CFG_MAX_PE, &u))
				USAGE("%s: expected 1..%u, got '%s'", name, SUSHI_CFG_MAX_PE, val);
			*(name[5] == 'k' ? &o->cfg.pe_k : &o->cfg.pe_c) = (uint32_t)u;
		} else if (!strcmp(name, "--plot")) {
			o->plot = val;
		} else {
			USAGE("unknown option '%s' (try --help)", name);
		}
	}
	if (!isnan(o->trace.acc_lo) && !isnan(o->trace.acc_hi) &&
	    o->trace.acc_lo > o->trace.acc_hi)
		USAGE("--acc-lo must not exceed --acc-hi");
	if (o->trace.lat_lo_ns && o->trace.lat_hi_ns &&
	    o->trace.lat_lo_ns > o->trace.lat_hi_ns)
		USAGE("--lat-lo-us must not exceed --lat-hi-us");
	return EXIT_OK;
}

/* unset trace ranges come from the catalog: its accuracies and latencies */
void eval_fill_trace(struct sushi_trace_params *t,
		     const struct sushi_sched_space *sp)
{
	uint32_t S = sushi_sched_space_subnets(sp);
	uint64_t fast = UINT64_MAX, slow = 0;
	double lo = 1, hi = 0;

	for (uint32_t s = 0; s < S; s++) {
		const struct sushi_sched_cell *c = sushi_sched_space_cell(sp, s, 0);
		double a = sushi_sched_space_accuracy(sp, s);

		fast = c->ns < fast ? c->ns : fast;
		slow = c->ns > slow ? c->ns : slow;
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
	}
	if (isnan(t->acc_lo))
		t->acc_lo = lo;
	if (isnan(t->acc_hi))
		t->acc_hi = hi;
	if (t->acc_lo > t->acc_hi)
		t->acc_lo = t->acc_hi;
	if (!t->lat_lo_ns)
		t->lat_lo_ns = fast;
	if (!t->lat_hi_ns)
		t->lat_hi_ns = slow + slow / 5;
	if (t->lat_lo_ns > t->lat_hi_ns)
		t->lat_lo_ns = t->lat_hi_ns;
	if (!t->mean_gap_ns)	/* about 80% load at the middle SubNet */
		t->mean_gap_ns = (fast + slow) / 2 * 5 / 4;
}

static int load_trace(struct eval_opts *o, struct sushi_query **qs, size_t *n)
{
	char err[160];
	FILE *f;
	char *text;
	long len;
	int ret;

	if (!o->trace_csv) {
		*qs = calloc(o->trace.n, sizeof(**qs));
		if (!*qs)
			return EXIT_INTERNAL;
		*n = o->trace.n;
		return sushi_trace_generate(&o->trace, *qs) ? EXIT_USAGE : EXIT_OK;
	}
	f = fopen(o->trace_csv, "rb");
	if (!f) {
		fprintf(stderr, "sushictl eval: cannot open %s: %s\n", o->trace_csv,
			strerror(errno));
		return EXIT_INPUT;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc(len > 0 ? (size_t)len : 1);
	if (!text || len < 0 || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		fprintf(stderr, "sushictl eval: cannot read %s\n", o->trace_csv);
		return EXIT_INPUT;
	}
	fclose(f);
	ret = sushi_trace_parse_csv(text, (size_t)len, qs, n, err, sizeof(err));
	free(text);
	if (ret) {
		fprintf(stderr, "sushictl eval: %s: %s\n", o->trace_csv, err);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

static int64_t saving(const struct sushi_eval_stats *st)
{
	return (int64_t)st->pb_bytes_served - (int64_t)st->pb_bytes_loaded;
}

static void print_json(const struct eval_opts *o, const char *supernet,
		       const struct sushi_eval_stats *st, uint32_t mask,
		       size_t n_queries)
{
	struct jw w;

	jw_begin(&w, stdout);
	jw_str(&w, "supernet", supernet);
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
	jw_u64(&w, "queries", n_queries);
	jw_u64(&w, "seed", o->trace.seed);
	jw_end_obj(&w);
	jw_u64(&w, "q", o->sched.q);
	jw_u64(&w, "w", o->sched.w);
	jw_arr(&w, "results");
	for (int p = 0; p < SUSHI_POLICY_COUNT; p++) {
		const struct sushi_eval_stats *s = &st[p];

		if (!(mask & (1u << p)))
			continue;
		jw_obj(&w, NULL);
		jw_str(&w, "policy", sushi_policy_name((enum sushi_policy)p));
		jw_num(&w, "served_accuracy", s->served_accuracy);
		jw_num(&w, "slo_attainment", s->slo_attainment);
		jw_num(&w, "latency_mean_us", s->lat_mean_ns / 1e3);
		jw_num(&w, "latency_p50_us", (double)s->lat_p50_ns / 1e3);
		jw_num(&w, "latency_p99_us", (double)s->lat_p99_ns / 1e3);
		jw_num(&w, "offchip_bytes_per_query", s->offchip_bytes_per_query);
		jw_num(&w, "offchip_energy_uj_per_query", s->offchip_fj_per_query / 1e9);
		jw_num(&w, "energy_uj_per_query", s->energy_fj_per_query / 1e9);
		jw_num(&w, "pb_hit_fraction", s->pb_hit_fraction);
		jw_u64(&w, "pb_reloads", s->pb_reloads);
		jw_i64(&w, "offchip_byte_saving", saving(s));
		jw_u64(&w, "fallbacks", s->fallbacks);
		jw_u64(&w, "accuracy_misses", s->acc_misses);
		jw_u64(&w, "latency_misses", s->lat_misses);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_finish(&w);
}

static void print_table(const struct sushi_eval_stats *st, uint32_t mask)
{
	static const char *const head[] = {
		"policy", "served acc", "SLO", "mean us", "p50 us", "p99 us",
		"off-chip KB/q", "off-chip uJ/q", "PB hit", "reloads", "saving vs oracle",
	};
	static const bool right[] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	struct table t;
	int64_t best = (mask & (1u << SUSHI_POLICY_ORACLE)) ?
		       saving(&st[SUSHI_POLICY_ORACLE]) : 0;

	table_init(&t, 11, head, right);
	for (int p = 0; p < SUSHI_POLICY_COUNT; p++) {
		const struct sushi_eval_stats *s = &st[p];
		char c[11][32];
		const char *row[11];

		if (!(mask & (1u << p)))
			continue;
		snprintf(c[0], 32, "%s", sushi_policy_name((enum sushi_policy)p));
		snprintf(c[1], 32, "%.2f%%", 100 * s->served_accuracy);
		snprintf(c[2], 32, "%.1f%%", 100 * s->slo_attainment);
		snprintf(c[3], 32, "%.1f", s->lat_mean_ns / 1e3);
		snprintf(c[4], 32, "%.1f", (double)s->lat_p50_ns / 1e3);
		snprintf(c[5], 32, "%.1f", (double)s->lat_p99_ns / 1e3);
		snprintf(c[6], 32, "%.1f", s->offchip_bytes_per_query / 1e3);
		snprintf(c[7], 32, "%.2f", s->offchip_fj_per_query / 1e9);
		snprintf(c[8], 32, "%.1f%%", 100 * s->pb_hit_fraction);
		snprintf(c[9], 32, "%llu", (unsigned long long)s->pb_reloads);
		if (best > 0)
			snprintf(c[10], 32, "%.1f%%", 100.0 * (double)saving(s) / (double)best);
		else
			snprintf(c[10], 32, "-");
		for (int i = 0; i < 11; i++)
			row[i] = c[i];
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

int cmd_eval(int argc, char **argv)
{
	struct sushi_supernet_map map = { 0x1000, 0x20000000, 0 };
	struct sushi_eval_stats st[SUSHI_POLICY_COUNT] = { 0 };
	struct sushi_eval_record *rec = NULL;
	struct sushi_sched_space *sp = NULL;
	struct sushi_supernet *sn = NULL;
	struct sushi_query *qs = NULL;
	struct eval_opts o;
	char err[256];
	size_t n = 0;
	bool help;
	int ret = eval_parse(argc, argv, &o, &help, err, sizeof(err));

	if (ret || help) {
		if (ret)
			fprintf(stderr, "sushictl eval: %s\n", err);
		eval_usage(ret ? stderr : stdout);
		return ret;
	}
	if (sushi_model_config_check(&o.cfg)) {
		fprintf(stderr, "sushictl eval: impossible accelerator configuration\n");
		return EXIT_USAGE;
	}
	ret = sushi_supernet_open(o.supernet, &sn, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sushictl eval: %s\n", err);
		return EXIT_INPUT;
	}
	ret = sushi_supernet_sched_space(sn, &o.cfg, &map, &sp);
	if (ret) {
		fprintf(stderr, "sushictl eval: cannot price the catalog: %s\n",
			strerror(-ret));
		ret = EXIT_INTERNAL;
		goto out;
	}
	eval_fill_trace(&o.trace, sp);
	ret = load_trace(&o, &qs, &n);
	if (ret)
		goto out;
	if (o.plot) {
		rec = calloc(n, sizeof(*rec));
		if (!rec) {
			ret = EXIT_INTERNAL;
			goto out;
		}
	}
	for (int p = 0; p < SUSHI_POLICY_COUNT; p++) {
		struct sushi_sched_params sp_params = o.sched;

		if (!(o.policies & (1u << p)))
			continue;
		sp_params.policy = (enum sushi_policy)p;
		ret = sushi_eval_run(sp, &sp_params, qs, n, &st[p],
				     p == SUSHI_POLICY_SUSHI ? rec : NULL);
		if (ret) {
			fprintf(stderr, "sushictl eval: %s: %s\n",
				sushi_policy_name(sp_params.policy), strerror(-ret));
			ret = ret == -EINVAL ? EXIT_INPUT : EXIT_INTERNAL;
			goto out;
		}
	}
	if (o.json)
		print_json(&o, o.supernet, st, o.policies, n);
	else
		print_table(st, o.policies);
	if (o.plot && (o.policies & (1u << SUSHI_POLICY_SUSHI)))
		ret = plot_timeline(o.plot, sp, qs, rec, n) ? EXIT_INTERNAL : EXIT_OK;
out:
	free(rec);
	free(qs);
	sushi_sched_space_free(sp);
	sushi_supernet_close(sn);
	return ret;
}
