// SPDX-License-Identifier: MIT
/*
 * cmd_eval.c - `sushictl eval`: its options, and the replay of a query
 * trace through the policies on a modelled SushiAccel (no device needed):
 * the offline ones planned with the whole trace (best-static, the oracle
 * with its proof), the universal bound, the policies that pin the same
 * SubGraph found out; or the online policies on a fleet of devices
 * (sushi_eval_fleet(): router, admission, overload); printed by
 * eval_out.c, optionally with a timeline plot (gnuplot).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "cmd_eval.h"
#include "out.h"
#include "plot.h"
#include "sushi/supernet.h"

void eval_usage(FILE *f)
{
	fputs("usage: sushictl eval [options]\n"
	      "Replay a query trace through the scheduling policies on a modelled\n"
	      "SushiAccel and print served accuracy, SLO attainment, latency,\n"
	      "off-chip traffic and energy, PB hits and reloads.\n\n"
	      "  --supernet FILE      SuperNet file (default " SUSHI_DEFAULT_SUPERNET ")\n"
	      "  --policy LIST        comma-separated: sushi,no-pb,static-smallest,\n"
	      "                       static-intersect,static-largest,best-static,lru,\n"
	      "                       oracle, or all (default all)\n"
	      "  --select MODE        SubNet per query: accuracy (the most accurate within\n"
	      "                       the ceiling, default) or floor (the cheapest meeting\n"
	      "                       the floor and the ceiling)\n"
	      "  --objective OBJ      what best-static and the oracle optimise: saving (PB\n"
	      "                       bytes served - loaded, default) or offchip (off-chip\n"
	      "                       bytes, minimised)\n"
	      "  --oracle-states N    the oracle's states per window boundary before it\n"
	      "                       merges (bounds) instead of enumerating (default 256)\n"
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
	      "  --devices N          identical devices serving the trace, each with its own\n"
	      "                       PB and scheduler (default 1, at most 64)\n"
	      "  --router R           where a query goes: jsq (the device holding the fewest\n"
	      "                       queries, default) or sgs (the device whose resident\n"
	      "                       SubGraph serves it best)\n"
	      "  --overload MODE      a query no SubNet can serve within its ceiling: late\n"
	      "                       (the fastest SubNet, late; default) or shed (not run)\n"
	      "  --max-queue N        queries a device may hold; a query finding every device\n"
	      "                       full is shed at admission (default 0: no limit)\n"
	      "                       (oracle and best-static plan for one device without\n"
	      "                       shedding: otherwise all leaves them out)\n"
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
	o->sched.select = SUSHI_SELECT_ACCURACY;
	o->sched.objective = SUSHI_OBJECTIVE_SAVING;
	sushi_model_config_default(&o->cfg);
	o->fleet.size = sizeof(o->fleet);
	o->fleet.n_devices = 1;
	o->fleet.router = EVAL_DEFAULT_ROUTER;
	o->fleet.overload = SUSHI_OVERLOAD_LATE;
}

bool eval_fleet_mode(const struct eval_opts *o)
{
	return !eval_one_queue(o) || o->fleet.router != EVAL_DEFAULT_ROUTER;
}

bool eval_one_queue(const struct eval_opts *o)
{
	return o->fleet.n_devices == 1 && o->fleet.overload == SUSHI_OVERLOAD_LATE &&
	       !o->fleet.max_queue;
}

static const char *const valued[] = {
	"--supernet", "--policy", "--trace", "--trace-csv", "--queries",
	"--seed", "--phase", "--q", "--w", "--gap-us", "--lat-lo-us",
	"--lat-hi-us", "--acc-lo", "--acc-hi", "--pb-kib", "--act-sram-kib", "--clock-mhz",
	"--dram-bpc", "--pe-k", "--pe-c", "--plot", "--select", "--objective",
	"--oracle-states", "--devices", "--router", "--overload", "--max-queue",
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
	} else if (!strcmp(name, "--select")) {
		int m = sushi_select_from_name(val);

		if (m < 0)
			USAGE("--select: expected accuracy or floor, got '%s'", val);
		sp->select = (enum sushi_select)m;
	} else {
		return -ENOENT;
	}
	return 0;
}

int eval_fleet_opt(const char *name, const char *val,
		   struct sushi_fleet_params *f, char *err, size_t errlen)
{
	uint64_t u;
	int m;

	if (!strcmp(name, "--devices")) {
		if (num_u64(val, 1, SUSHI_FLEET_MAX_DEVICES, &u))
			USAGE("--devices: expected 1..%d, got '%s'",
			      SUSHI_FLEET_MAX_DEVICES, val);
		f->n_devices = (uint32_t)u;
	} else if (!strcmp(name, "--router")) {
		m = sushi_router_from_name(val);
		if (m < 0)
			USAGE("--router: expected jsq or sgs, got '%s'", val);
		f->router = (enum sushi_router)m;
	} else if (!strcmp(name, "--overload")) {
		m = sushi_overload_from_name(val);
		if (m < 0)
			USAGE("--overload: expected late or shed, got '%s'", val);
		f->overload = (enum sushi_overload)m;
	} else if (!strcmp(name, "--max-queue")) {
		if (num_u64(val, 0, 1000000, &u))
			USAGE("--max-queue: expected 0..1000000, got '%s'", val);
		f->max_queue = (uint32_t)u;
	} else {
		return -ENOENT;
	}
	return 0;
}

/*
 * The offline policies plan one device's queue: with several devices,
 * shedding or a queue limit, naming them is an error and "all" leaves
 * them out.
 */
static int fleet_policies(struct eval_opts *o, char *err, size_t errlen)
{
	if (eval_one_queue(o) || !(o->policies & EVAL_OFFLINE_POLICIES))
		return EXIT_OK;
	if (o->policy_given)
		USAGE("--policy: offline policies plan for one device: oracle and "
		      "best-static need --devices 1, --overload late and --max-queue 0");
	o->policies &= ~EVAL_OFFLINE_POLICIES;
	return EXIT_OK;
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
			o->policy_given = true;
		} else if (!strcmp(name, "--trace-csv")) {
			o->trace_csv = val;
		} else if ((ret = eval_trace_opt(name, val, &o->trace, &o->sched,
					      err, errlen)) != -ENOENT ||
			   (ret = eval_fleet_opt(name, val, &o->fleet, err, errlen)) != -ENOENT) {
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
		} else if (!strcmp(name, "--objective")) {
			int m = sushi_objective_from_name(val);

			if (m < 0)
				USAGE("--objective: expected saving or offchip, got '%s'", val);
			o->sched.objective = (enum sushi_objective)m;
		} else if (!strcmp(name, "--oracle-states")) {
			if (num_u64(val, 1, 1u << 24, &u))
				USAGE("--oracle-states: expected 1..16777216, got '%s'", val);
			o->oracle_states = u;
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
	return fleet_policies(o, err, errlen);
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

int eval_trace_generate(const char *cmd, const struct sushi_trace_params *t,
			struct sushi_query *qs)
{
	int ret = sushi_trace_generate(t, qs);

	if (ret == -EOVERFLOW)
		fprintf(stderr, "sushictl %s: the trace's arrival times pass %.0f s "
			"(mean gap x queries): lower --gap-us or --queries\n", cmd,
			SUSHI_TRACE_MAX_NS / 1e9);
	else if (ret)
		fprintf(stderr, "sushictl %s: cannot generate the trace: %s\n", cmd,
			strerror(-ret));
	return ret ? EXIT_USAGE : EXIT_OK;
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
		return eval_trace_generate("eval", &o->trace, *qs);
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

/* the plan of a policy pinning candidate g throughout */
static int replay_static(const struct sushi_sched_space *sp,
			 const struct sushi_sched_params *p, uint32_t g,
			 const struct sushi_query *qs, size_t n,
			 struct sushi_eval_stats *st, struct sushi_eval_record *rec)
{
	size_t nw = (n - 1) / p->q + 1;
	uint32_t *plan = malloc(nw * sizeof(*plan));
	int ret;

	if (!plan)
		return -ENOMEM;
	for (size_t k = 0; k < nw; k++)
		plan[k] = g;
	ret = sushi_eval_plan(sp, p, plan, nw, qs, n, st, rec);
	free(plan);
	return ret;
}

/* An online policy on the fleet; the queries each device took. */
static int run_fleet(struct eval_report *r, const struct sushi_sched_params *sp,
		     const struct sushi_query *qs, struct eval_row *row,
		     struct sushi_eval_record *rec)
{
	int ret = sushi_eval_fleet(r->sp, sp, &r->o->fleet, qs, r->n, &row->st, rec);

	for (size_t i = 0; !ret && i < r->n; i++)
		if (rec[i].device < SUSHI_FLEET_MAX_DEVICES)
			row->dev_queries[rec[i].device]++;
	return ret;
}

/* An offline policy: planned with the whole trace, then replayed. */
static int run_offline(struct eval_report *r, const struct sushi_sched_params *sp,
		       const struct sushi_query *qs, struct eval_row *row,
		       struct sushi_eval_record *rec)
{
	size_t nw = (r->n - 1) / sp->q + 1;
	uint32_t *plan;
	int64_t v;
	int ret;

	row->dev_queries[0] = r->n;	/* one device */
	if (sp->policy == SUSHI_POLICY_BEST_STATIC) {
		ret = sushi_eval_best_static(r->sp, sp, qs, r->n, &row->subgraph, &v);
		return ret ? ret : replay_static(r->sp, sp, row->subgraph, qs, r->n,
						 &row->st, rec);
	}
	plan = malloc(nw * sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	ret = sushi_eval_oracle(r->sp, sp, qs, r->n, r->o->oracle_states, plan,
				&r->oracle);
	if (!ret)
		ret = sushi_eval_plan(r->sp, sp, plan, nw, qs, r->n, &row->st, rec);
	free(plan);
	return ret;
}

/* Policy p of the report: planned (offline ones) and replayed. */
static int run_policy(struct eval_report *r, enum sushi_policy p,
		      const struct sushi_query *qs, struct sushi_eval_record *rec)
{
	const struct eval_opts *o = r->o;
	struct sushi_sched_params sp = o->sched;
	struct eval_row *row = &r->rows[p];
	int ret;

	sp.policy = p;
	row->subgraph = UINT32_MAX;
	row->same_as = -1;
	if (sushi_policy_offline(p)) {
		ret = run_offline(r, &sp, qs, row, rec);
	} else {
		if (sushi_sched_space_policy_subgraph(r->sp, p, &row->subgraph))
			row->subgraph = UINT32_MAX;
		if (!eval_fleet_mode(o))
			ret = sushi_eval_run(r->sp, &sp, qs, r->n, &row->st, rec);
		else
			ret = run_fleet(r, &sp, qs, row, rec);
	}
	row->value = sushi_eval_objective(&row->st, sp.objective);
	return ret;
}

/* The PB sizes that fit nothing and everything of the SuperNet. */
static int weight_sizes(struct eval_report *r, const struct sushi_supernet *sn)
{
	struct sushi_supernet_info info;
	struct sushi_slice *sl, *all;
	int ret = sushi_supernet_info(sn, &info);

	if (ret)
		return ret;
	sl = calloc(info.n_weight_layers, sizeof(*sl));
	all = calloc(info.n_weight_layers, sizeof(*all));
	ret = sl && all ? 0 : -ENOMEM;
	r->smallest_slice = UINT64_MAX;
	for (uint32_t s = 0; !ret && s < info.n_subnets; s++) {
		uint64_t w = 0;

		ret = sushi_supernet_slices(sn, s, sl);
		for (uint32_t l = 0; !ret && l < info.n_weight_layers; l++) {
			uint64_t b = (uint64_t)sl[l].rows * sl[l].row_bytes;

			w += b;
			if (b && b < r->smallest_slice)
				r->smallest_slice = b;
			/* nested slices: their union is the largest of each */
			if (sl[l].rows > all[l].rows)
				all[l].rows = sl[l].rows;
			if (sl[l].row_bytes > all[l].row_bytes)
				all[l].row_bytes = sl[l].row_bytes;
		}
		if (w > r->largest_subnet)
			r->largest_subnet = w;
	}
	for (uint32_t l = 0; !ret && l < info.n_weight_layers; l++)
		r->supernet_bytes += (uint64_t)all[l].rows * all[l].row_bytes;
	free(sl);
	free(all);
	return ret;
}

/* The catalog's ids, for the per-SubNet costs of the JSON output. */
static int subnet_ids(struct eval_report *r, const struct sushi_supernet *sn)
{
	uint32_t S = sushi_sched_space_subnets(r->sp);
	struct sushi_subnet_info si;
	int ret;

	r->ids = calloc(S ? S : 1, sizeof(*r->ids));
	if (!r->ids)
		return -ENOMEM;
	for (uint32_t s = 0; s < S; s++) {
		ret = sushi_supernet_subnet(sn, s, &si);
		if (ret)
			return ret;
		r->ids[s] = si.id;
	}
	return 0;
}

/* Policies pinning the same candidate throughout replay the same. */
static void find_same(struct eval_report *r)
{
	for (int i = 0; i < SUSHI_POLICY_COUNT; i++) {
		enum sushi_policy p = eval_order[i];

		if (!(r->o->policies & (1u << p)) || r->rows[p].subgraph == UINT32_MAX)
			continue;
		for (int j = 0; j < i; j++) {
			enum sushi_policy e = eval_order[j];

			if ((r->o->policies & (1u << e)) && r->rows[e].same_as < 0 &&
			    r->rows[e].subgraph == r->rows[p].subgraph) {
				r->rows[p].same_as = (int)e;
				break;
			}
		}
	}
}

/*
 * Every policy asked for, then the universal bound (one queue only).  In
 * a fleet every replay writes @rec (the per-device counts come from it),
 * so SushiSched, whose records the plot shows, runs last.
 */
static int run_all(struct eval_report *r, const struct sushi_query *qs,
		   struct sushi_eval_record *rec)
{
	const struct eval_opts *o = r->o;
	int ret = 0;

	for (int i = 1; !ret && i <= SUSHI_POLICY_COUNT; i++) {
		enum sushi_policy p = (enum sushi_policy)(i % SUSHI_POLICY_COUNT);

		if (!(o->policies & (1u << p)))
			continue;
		ret = run_policy(r, p, qs, p == SUSHI_POLICY_SUSHI ||
					    eval_fleet_mode(o) ? rec : NULL);
		if (ret) {
			fprintf(stderr, "sushictl eval: %s: %s\n", sushi_policy_name(p),
				strerror(-ret));
			return ret == -EINVAL ? EXIT_INPUT : EXIT_INTERNAL;
		}
	}
	if (eval_one_queue(o) &&
	    sushi_eval_universal_bound(r->sp, &o->sched, qs, r->n, &r->universal))
		return EXIT_INTERNAL;
	return EXIT_OK;
}

/* the timeline of the served queries (a fleet may shed some) */
static int plot_served(const struct eval_opts *o, const struct sushi_sched_space *sp,
		       const struct sushi_query *qs,
		       const struct sushi_eval_record *rec, size_t n)
{
	struct sushi_query *q2;
	struct sushi_eval_record *r2;
	size_t m = 0;
	int ret;

	if (eval_one_queue(o))
		return plot_timeline(o->plot, sp, qs, rec, n);
	q2 = malloc(n * sizeof(*q2));
	r2 = malloc(n * sizeof(*r2));
	ret = q2 && r2 ? 0 : -ENOMEM;
	for (size_t i = 0; !ret && i < n; i++) {
		if (rec[i].shed)
			continue;
		q2[m] = qs[i];
		r2[m++] = rec[i];
	}
	if (!ret)
		ret = plot_timeline(o->plot, sp, q2, r2, m);
	free(q2);
	free(r2);
	return ret;
}

int cmd_eval(int argc, char **argv)
{
	struct sushi_supernet_map map = { 0x1000, 0x20000000, 0 };
	struct eval_report *r = NULL;
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
	r = calloc(1, sizeof(*r));
	if (o.plot || eval_fleet_mode(&o))
		rec = calloc(n, sizeof(*rec));
	if (!r || ((o.plot || eval_fleet_mode(&o)) && !rec)) {
		ret = EXIT_INTERNAL;
		goto out;
	}
	r->o = &o;
	r->sp = sp;
	r->n = n;
	if (weight_sizes(r, sn) || subnet_ids(r, sn)) {
		ret = EXIT_INTERNAL;
		goto out;
	}
	ret = run_all(r, qs, rec);
	if (ret)
		goto out;
	find_same(r);
	if (o.json)
		eval_print_json(r, stdout);
	else
		eval_print_table(r, stdout);
	if (o.plot && (o.policies & (1u << SUSHI_POLICY_SUSHI)))
		ret = plot_served(&o, sp, qs, rec, n) ? EXIT_INTERNAL : EXIT_OK;
out:
	if (r)
		free(r->ids);
	free(r);
	free(rec);
	free(qs);
	sushi_sched_space_free(sp);
	sushi_supernet_close(sn);
	return ret;
}
