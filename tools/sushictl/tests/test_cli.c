// SPDX-License-Identifier: MIT
/*
 * test_cli.c - sushictl's device-free parts: `eval` argument parsing (every
 * option, every refusal), the JSON writer (output re-parsed by cJSON, with
 * escaping), the table layout (aligned columns), and `eval` itself on the
 * shipped SuperNet: every policy in its JSON, identical SubGraphs named and
 * merged into one table row, the oracle's proof and the bounds consistent;
 * a fleet of devices (--devices, --router, --overload, --max-queue): one
 * device with the defaults prints what it always did, the fleet's JSON and
 * table, offline policies refused.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv_split.h"
#include "cmd_capture.h"
#include "cmd_eval.h"
#include "out.h"
#include "sushi/supernet.h"
#include "tap.h"

static int parse(const char *line, struct eval_opts *o, char *err)
{
	static char buf[1024];
	char *argv[64];
	int argc = 0;
	bool help;

	strcpy(buf, line);
	for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return eval_parse(argc, argv, o, &help, err, 256);
}

static void args(void)
{
	struct eval_opts o;
	char err[256];
	static const char *const bad[] = {
		"eval --queries 0", "eval --queries -5", "eval --queries 12x",
		"eval --q 0", "eval --w 5000", "eval --trace sideways",
		"eval --policy sushi,nope", "eval --policy ", "eval --acc-lo 1.5",
		"eval --acc-lo 0.9 --acc-hi 0.5", "eval --lat-lo-us 9 --lat-hi-us 3",
		"eval --pb-kib -1", "eval --clock-mhz 0", "eval --dram-bpc 0",
		"eval --pe-k 5000", "eval --frobnicate 3", "eval stray",
		"eval --supernet", "eval --gap-us nan", "eval --select best",
		"eval --objective fast", "eval --oracle-states 0",
		"eval --devices 0", "eval --devices 65", "eval --devices two",
		"eval --router rr", "eval --overload drop", "eval --max-queue -1",
		"eval --max-queue 1x", "eval --devices 2 --policy oracle",
		"eval --devices 2 --policy all", "eval --overload shed --policy best-static",
		"eval --max-queue 1 --policy sushi,oracle",
	};

	is_int(parse("eval", &o, err), 0, "no options: defaults");
	ok(o.trace.kind == SUSHI_TRACE_PHASED && o.trace.n == 10000 && o.sched.q == 32 &&
	   o.sched.w == 64 && o.policies == (1u << SUSHI_POLICY_COUNT) - 1 &&
	   isnan(o.trace.acc_lo) && !o.json, "defaults: phased, 10000, Q 32, W 64, all policies");
	is_int(parse("eval --policy sushi,lru --trace=random-walk -n 77 --seed 9 --q 4 --w 8 "
		     "--pb-kib 512 --clock-mhz 200 --dram-bpc 8 --pe-k 32 --pe-c 3 --no-overlap "
		     "--json --acc-lo 0.5 --acc-hi 0.9 --lat-lo-us 10 --lat-hi-us 20.5 "
		     "--gap-us 7 --phase 3 --plot x.png --supernet f.st", &o, err), 0,
	       "every option parses");
	ok(o.policies == ((1u << SUSHI_POLICY_SUSHI) | (1u << SUSHI_POLICY_LRU)) &&
	   o.trace.kind == SUSHI_TRACE_RANDOM_WALK && o.trace.n == 77 &&
	   o.trace.seed == 9 && o.sched.q == 4 && o.sched.w == 8 &&
	   o.cfg.pb_bytes == 512 << 10 && o.cfg.clock_hz == 200000000 &&
	   o.cfg.dram_bytes_per_cycle == 8 && o.cfg.pe_k == 32 && o.cfg.pe_c == 3 &&
	   !o.cfg.overlap && o.json && o.trace.acc_lo == 0.5 && o.trace.acc_hi == 0.9 &&
	   o.trace.lat_lo_ns == 10000 && o.trace.lat_hi_ns == 20500 &&
	   o.trace.mean_gap_ns == 7000 && o.trace.phase == 3 &&
	   !strcmp(o.plot, "x.png") && !strcmp(o.supernet, "f.st"),
	   "every option lands in its field");
	is_int(parse("eval --select floor --objective offchip --oracle-states 64 "
		     "--policy static-largest,best-static", &o, err), 0,
	       "--select, --objective, --oracle-states, the new policies parse");
	ok(o.sched.select == SUSHI_SELECT_FLOOR &&
	   o.sched.objective == SUSHI_OBJECTIVE_OFFCHIP && o.oracle_states == 64 &&
	   o.policies == ((1u << SUSHI_POLICY_STATIC_LARGEST) |
			  (1u << SUSHI_POLICY_BEST_STATIC)),
	   "... and land in their fields");
	is_int(parse("eval", &o, err), 0, "defaults again");
	ok(o.sched.select == SUSHI_SELECT_ACCURACY &&
	   o.sched.objective == SUSHI_OBJECTIVE_SAVING && !o.oracle_states,
	   "default: accuracy select, saving objective, libsushi's state budget");
	ok(o.fleet.n_devices == 1 && o.fleet.router == EVAL_DEFAULT_ROUTER &&
	   o.fleet.overload == SUSHI_OVERLOAD_LATE && !o.fleet.max_queue &&
	   o.fleet.size == sizeof(o.fleet) && !eval_fleet_mode(&o) && eval_one_queue(&o),
	   "default: one device, %s, late, no queue limit: not a fleet",
	   sushi_router_name(EVAL_DEFAULT_ROUTER));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		is_int(parse(bad[i], &o, err), EXIT_USAGE, "'%s' refused: %s", bad[i], err);
	}
	{
		bool help;
		char *argv[] = { "eval", "--help", NULL };

		ok(eval_parse(2, argv, &o, &help, err, sizeof(err)) == EXIT_OK && help,
		   "--help asks for help");
	}
}

static void fleet_args(void)
{
	const uint32_t online = (1u << SUSHI_POLICY_COUNT) - 1 - EVAL_OFFLINE_POLICIES;
	struct eval_opts o;
	char err[256];

	is_int(parse("eval --devices 4 --router sgs --overload shed --max-queue 3 "
		     "--policy sushi,lru", &o, err), 0, "the fleet options parse");
	ok(o.fleet.n_devices == 4 && o.fleet.router == SUSHI_ROUTER_SGS &&
	   o.fleet.overload == SUSHI_OVERLOAD_SHED && o.fleet.max_queue == 3 &&
	   eval_fleet_mode(&o) && !eval_one_queue(&o),
	   "... and land in their fields: a fleet");
	is_int(parse("eval --devices=2", &o, err), 0, "--devices 2 without --policy");
	is_int(o.policies, online, "... runs every online policy (the offline ones "
	       "plan for one device, all leaves them out)");
	is_int(parse("eval --devices 1 --router jsq --overload late --max-queue 0", &o, err),
	       0, "the defaults given explicitly");
	ok(!eval_fleet_mode(&o) && o.policies == (1u << SUSHI_POLICY_COUNT) - 1,
	   "... are not a fleet: every policy, the classic replay");
	is_int(parse("eval --router sgs --policy all", &o, err), 0,
	       "one device with the other router and all policies");
	ok(eval_fleet_mode(&o) && eval_one_queue(&o) &&
	   o.policies == (1u << SUSHI_POLICY_COUNT) - 1,
	   "... a fleet of one queue: the offline policies still run");
	err[0] = 0;
	parse("eval --devices 3 --policy sushi,best-static", &o, err);
	ok(strstr(err, "offline policies plan for one device") != NULL,
	   "naming an offline policy with 3 devices says why: %s", err);
}

static void json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;
	cJSON *j;

	jw_begin(&w, f);
	jw_str(&w, "name", "a \"quoted\"\\path\n\x01");
	jw_u64(&w, "big", UINT64_MAX);
	jw_i64(&w, "neg", -5);
	jw_num(&w, "pi", 3.25);
	jw_num(&w, "inf", INFINITY);
	jw_bool(&w, "yes", true);
	jw_arr(&w, "list");
	jw_obj(&w, NULL);
	jw_u64(&w, "x", 1);
	jw_end_obj(&w);
	jw_obj(&w, NULL);
	jw_end_obj(&w);
	jw_end_arr(&w);
	jw_arr(&w, "empty");
	jw_end_arr(&w);
	jw_finish(&w);
	fclose(f);
	j = cJSON_Parse(buf);
	ok(j != NULL, "the writer's output is valid JSON");
	ok(j && !strcmp(cJSON_GetObjectItem(j, "name")->valuestring, "a \"quoted\"\\path\n\x01"),
	   "strings round-trip with escapes");
	ok(j && cJSON_IsNull(cJSON_GetObjectItem(j, "inf")), "non-finite numbers become null");
	ok(j && cJSON_GetArraySize(cJSON_GetObjectItem(j, "list")) == 2 &&
	   cJSON_GetArraySize(cJSON_GetObjectItem(j, "empty")) == 0, "nested arrays and objects");
	ok(j && cJSON_GetObjectItem(j, "pi")->valuedouble == 3.25 &&
	   cJSON_IsTrue(cJSON_GetObjectItem(j, "yes")), "numbers and booleans");
	cJSON_Delete(j);
	free(buf);
}

static void table(void)
{
	static const char *const head[] = { "name", "value" };
	static const bool right[] = { false, true };
	static const char *const r1[] = { "a", "1" }, *const r2[] = { "longer", "12345" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct table t;

	table_init(&t, 2, head, right);
	table_add(&t, r1);
	table_add(&t, r2);
	table_print(&t, f);
	table_free(&t);
	fclose(f);
	ok(!strcmp(buf, "name    value\na           1\nlonger  12345\n"),
	   "columns aligned, numbers right-aligned:\n%s", buf);
	free(buf);
}

/* run `sushictl eval` with @line, its stdout into @buf */
static int run_eval(const char *line, char *buf, size_t len)
{
	static char copy[1024];
	char *argv[32];
	int argc = split(line, copy, argv);

	return cmd_capture(cmd_eval, argc, argv, 1, buf, len);
}

static const cJSON *item(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void eval_output(void)
{
	static char buf[1 << 16];
	const cJSON *r, *orc;
	cJSON *j;
	int n = 0, above = 0, split_bad = 0;
	double upper;
	const char *same = NULL;

	is_int(run_eval("eval -n 600 --pb-kib 64 --json", buf, sizeof(buf)), 0,
	       "eval --json on the shipped SuperNet (64 KiB PB) exits 0");
	j = cJSON_Parse(buf);
	ok(j != NULL, "its output is JSON");
	if (!j)
		return;
	orc = item(j, "oracle");
	ok(cJSON_IsTrue(item(orc, "exact")) &&
	   item(orc, "value")->valuedouble == item(orc, "upper_bound")->valuedouble,
	   "the oracle is proven optimal here (value = upper bound)");
	upper = item(orc, "upper_bound")->valuedouble;
	ok(item(item(j, "candidates"), "dropped")->valuedouble == 0 &&
	   item(item(j, "candidates"), "built")->valuedouble ==
	   2 * cJSON_GetArraySize(item(j, "subnets")) + 2,
	   "2S + 2 candidates built for S SubNets, none dropped");
	cJSON_ArrayForEach(r, item(j, "results")) {
		const char *p = item(r, "policy")->valuestring;
		double v = item(r, "objective_value")->valuedouble;
		double q = item(r, "offchip_weight_bytes_per_query")->valuedouble +
			   item(r, "offchip_activation_bytes_per_query")->valuedouble +
			   item(r, "offchip_epilogue_bytes_per_query")->valuedouble +
			   item(r, "offchip_pb_load_bytes_per_query")->valuedouble;

		n++;
		if (strcmp(p, "lru"))
			above += v > upper;
		above += v > item(j, "universal_bound")->valuedouble;
		split_bad += fabs(q - item(r, "offchip_bytes_per_query")->valuedouble) > 1e-6 * q;
		if (!strcmp(p, "static-intersect") && item(r, "same_subgraph_as"))
			same = item(r, "same_subgraph_as")->valuestring;
	}
	is_int(n, SUSHI_POLICY_COUNT, "a result per policy");
	is_int(above, 0, "no plan-space policy above the oracle, none above the "
	       "universal bound");
	is_int(split_bad, 0, "weights + activations + epilogues + PB loads = off-chip bytes");
	ok(same && !strcmp(same, "static-smallest"),
	   "static-intersect is named the same SubGraph as static-smallest");
	cJSON_Delete(j);
	is_int(run_eval("eval -n 600 --pb-kib 64 --policy static-smallest,static-intersect,"
			"no-pb,oracle", buf, sizeof(buf)), 0, "eval (table) exits 0");
	ok(strstr(buf, "static-smallest = static-intersect") &&
	   strstr(buf, "proven optimal") && strstr(buf, "saving % of oracle") &&
	   strstr(buf, "epilogues"),
	   "the table merges them into one row, names the oracle's quantity and proof, "
	   "splits the off-chip bytes");
}

/*
 * eval's per-SubNet costs: one entry per catalog SubNet, in catalog order,
 * with the file's ids, accuracies and weight bytes (nothing pinned: every
 * weight byte comes from DRAM); and the latency it reports is the one the
 * replay charges: a single query with a generous ceiling is served by the
 * most accurate SubNet, and no-pb's latency for it equals that SubNet's.
 */
static void eval_subnets(void)
{
	static char buf[1 << 16];
	char path[] = "/tmp/sushictl-test-XXXXXX", line[256], err[256];
	struct sushi_supernet *sn = NULL;
	struct sushi_supernet_info info;
	struct sushi_subnet_info si;
	const cJSON *a, *e, *best = NULL;
	int fd, bad = 0, i = 0;
	cJSON *j;

	if (sushi_supernet_open(SUSHI_DEFAULT_SUPERNET, &sn, err, sizeof(err)) ||
	    sushi_supernet_info(sn, &info)) {
		ok(0, "open the shipped SuperNet: %s", err);
		return;
	}
	is_int(run_eval("eval --gap-us 1e9 -n 20000 --policy no-pb", buf, sizeof(buf)),
	       EXIT_USAGE, "a trace whose arrivals overflow is a usage error (exit 1), "
	       "not a bad input file");
	is_int(run_eval("eval -n 100 --policy no-pb --json", buf, sizeof(buf)), 0,
	       "eval --json exits 0");
	j = cJSON_Parse(buf);
	a = item(j, "subnets");
	is_int(cJSON_GetArraySize(a), (int)info.n_subnets, "a subnets entry per catalog SubNet");
	cJSON_ArrayForEach(e, a) {
		if (sushi_supernet_subnet(sn, (uint32_t)i++, &si) ||
		    strcmp(item(e, "id")->valuestring, si.id) ||
		    item(e, "accuracy")->valuedouble != si.accuracy ||
		    item(e, "weight_bytes")->valuedouble != (double)si.weight_bytes ||
		    item(e, "offchip_bytes")->valuedouble <= (double)si.weight_bytes ||
		    item(e, "latency_ns")->valuedouble <= 0)
			bad++;
		if (!best || item(e, "accuracy")->valuedouble >
			     item(best, "accuracy")->valuedouble)
			best = e;
	}
	is_int(bad, 0, "ids, accuracies and weight bytes are the catalog's, every "
	       "weight byte off chip, latencies positive");
	fd = mkstemp(path);
	if (fd < 0 || dprintf(fd, "arrival_us,acc_floor,lat_ceiling_us\n0,0.1,1000000\n") < 0 || !best) {
		ok(0, "write a one-query trace");
	} else {
		cJSON *k;

		snprintf(line, sizeof(line), "eval --policy no-pb --json --trace-csv %s", path);
		is_int(run_eval(line, buf, sizeof(buf)), 0, "eval of a one-query trace exits 0");
		k = cJSON_Parse(buf);
		e = cJSON_GetArrayItem(item(k, "results"), 0);
		ok(e && fabs(item(e, "latency_p50_us")->valuedouble * 1e3 -
			     item(best, "latency_ns")->valuedouble) < 0.5,
		   "the one query costs the most accurate SubNet's latency_ns (%s)",
		   item(best, "id")->valuestring);
		cJSON_Delete(k);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	cJSON_Delete(j);
	sushi_supernet_close(sn);
}

/*
 * --json --plot: gnuplot's chatter (a fake gnuplot that prints to stdout)
 * never reaches stdout, which stays one JSON document; the output path
 * reaches gnuplot as an argument, byte for byte, quotes and $() included;
 * without gnuplot the JSON is still whole and the exit status is 4.
 */
static void eval_plot(void)
{
	static char buf[1 << 16];
	char dir[] = "/tmp/sushictl-plot-test-XXXXXX", fake[256], got[256] = "";
	char out[256], args[256], *path = getenv("PATH");
	char *saved = path ? strdup(path) : NULL;
	FILE *f;
	cJSON *j;

	if (!mkdtemp(dir)) {
		ok(0, "temporary directory");
		free(saved);
		return;
	}
	snprintf(fake, sizeof(fake), "%s/gnuplot", dir);
	snprintf(args, sizeof(args), "%s/args", dir);
	snprintf(out, sizeof(out), "%s/it's $(x) \"odd\".png", dir);
	f = fopen(fake, "w");
	if (f) {
		fprintf(f, "#!/bin/sh\necho 'gnuplot noise on stdout'\n"
			"printf '%%s' \"$3\" > '%s'\nexit 0\n", args);
		fclose(f);
	}
	chmod(fake, 0755);
	setenv("PATH", dir, 1);
	{
		/* run_eval splits on spaces: pass the odd path through argv directly */
		char *argv[] = { "eval", "-n", "200", "--policy", "sushi", "--json",
				 "--plot", out, NULL };

		is_int(cmd_capture(cmd_eval, 8, argv, 1, buf, sizeof(buf)), 0,
		       "eval --json --plot with a (fake) gnuplot exits 0");
	}
	j = cJSON_Parse(buf);
	ok(j && !strstr(buf, "noise"), "stdout is the JSON alone, no gnuplot output in it");
	cJSON_Delete(j);
	f = fopen(args, "r");
	if (f) {
		got[fread(got, 1, sizeof(got) - 1, f)] = 0;
		fclose(f);
	}
	ok(!strcmp(got, out), "gnuplot got the output path verbatim: %s", got);
	setenv("PATH", "/nonexistent-sushictl-path", 1);
	is_int(run_eval("eval -n 200 --policy sushi --json --plot /tmp/x.png", buf, sizeof(buf)),
	       EXIT_INTERNAL, "without gnuplot: exit 4");
	j = cJSON_Parse(buf);
	ok(j != NULL, "and the JSON on stdout is whole");
	cJSON_Delete(j);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	unlink(fake);
	unlink(args);
	rmdir(dir);
}

/* the policies' results of a JSON report, by name */
static const cJSON *result(const cJSON *j, const char *policy)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, item(j, "results"))
		if (!strcmp(item(r, "policy")->valuestring, policy))
			return r;
	return NULL;
}

/* every key of @a's results has the same value in @b's */
static int same_results(const cJSON *a, const cJSON *b)
{
	const cJSON *r, *k;
	int bad = 0;

	cJSON_ArrayForEach(r, item(a, "results")) {
		const cJSON *o = result(b, item(r, "policy")->valuestring);

		cJSON_ArrayForEach(k, r)
			bad += !o || !cJSON_Compare(k, item(o, k->string), true);
	}
	return bad;
}

/*
 * eval on a fleet: the defaults given explicitly print the same bytes as
 * none; one device through the fleet (--router sgs) the same numbers;
 * two overloaded devices shed, account for every query per device, name
 * the fleet, leave out what plans for one device; an offline policy named
 * for a fleet is a usage error that says why.
 */
static void eval_fleet(void)
{
	static char a[1 << 16], b[1 << 16];
	const cJSON *r;
	cJSON *ja, *jb;
	int bad = 0, shed = 0, n = 0;

	run_eval("eval -n 600 --pb-kib 64", a, sizeof(a));
	run_eval("eval -n 600 --pb-kib 64 --devices 1 --router jsq --overload late "
		 "--max-queue 0", b, sizeof(b));
	ok(*a && !strcmp(a, b), "the fleet's defaults given explicitly: the same "
	   "output, byte for byte");
	ok(!strncmp(a, "policy ", 7) && !strstr(a, "fleet") && !strstr(a, "shed") &&
	   strstr(a, "universal bound (any"),
	   "... as before fleets: the table first, nothing about a fleet or "
	   "shedding, the universal bound");
	run_eval("eval -n 600 --pb-kib 64 --json", a, sizeof(a));
	is_int(run_eval("eval -n 600 --pb-kib 64 --json --router sgs", b, sizeof(b)), 0,
	       "one device with the SGS router exits 0");
	ja = cJSON_Parse(a);
	jb = cJSON_Parse(b);
	ok(ja && jb && !item(ja, "fleet") && item(jb, "fleet") && result(ja, "sushi") &&
	   !item(result(ja, "sushi"), "shed") && item(result(jb, "sushi"), "shed") &&
	   !same_results(ja, jb) && item(jb, "universal_bound"),
	   "one device through the fleet: every policy's numbers as without it; "
	   "the JSON names the fleet");
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	is_int(run_eval("eval -n 1500 --devices 2 --overload shed --max-queue 2 "
			"--gap-us 20 --json", a, sizeof(a)), 0,
	       "two overloaded devices, SHED, 2 queries each (JSON) exit 0");
	ja = cJSON_Parse(a);
	r = item(ja, "fleet");
	ok(r && item(r, "devices")->valuedouble == 2 &&
	   !strcmp(item(r, "router")->valuestring, "jsq") &&
	   !strcmp(item(r, "overload")->valuestring, "shed") &&
	   item(r, "max_queue")->valuedouble == 2 && !item(ja, "universal_bound") &&
	   !item(ja, "oracle") && !result(ja, "oracle") && !result(ja, "best-static"),
	   "the JSON names the fleet; no oracle, best-static or universal bound");
	cJSON_ArrayForEach(r, item(ja, "results")) {
		const cJSON *d = item(r, "device_queries"), *e;
		double sum = item(r, "shed_admission")->valuedouble;

		cJSON_ArrayForEach(e, d)
			sum += e->valuedouble;
		n++;
		bad += cJSON_GetArraySize(d) != 2 || sum != 1500 ||
		       item(r, "shed")->valuedouble < item(r, "shed_admission")->valuedouble;
		shed += item(r, "shed_admission")->valuedouble > 0 &&
			item(r, "shed")->valuedouble > item(r, "shed_admission")->valuedouble;
	}
	ok(n == SUSHI_POLICY_COUNT - 2 && !bad && shed,
	   "every online policy: queries per device + shed at admission = queries; "
	   "shed at the deadline and at admission (%d of %d policies)", shed, n);
	cJSON_Delete(ja);
	is_int(run_eval("eval -n 1500 --devices 2 --overload shed --max-queue 2 "
			"--gap-us 20 --policy sushi,no-pb", a, sizeof(a)), 0, "the table exits 0");
	ok(strstr(a, "fleet: 2 devices") && strstr(a, "router jsq") &&
	   strstr(a, " shed ") && strstr(a, "at admission") &&
	   strstr(a, "queries per device, sushi:") &&
	   strstr(a, "not computed for this fleet") && !strstr(a, "universal bound (any"),
	   "the table names the fleet, has shed columns, queries per device");
	{
		const char *line = "eval --devices 2 --policy oracle";
		char copy[64], *argv[32];
		int argc = split(line, copy, argv);

		is_int(cmd_capture(cmd_eval, argc, argv, 2, b, sizeof(b)), EXIT_USAGE,
		       "eval --devices 2 --policy oracle: usage error (exit 1)");
		ok(strstr(b, "offline policies plan for one device") != NULL,
		   "... saying why");
	}
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	args();
	fleet_args();
	json();
	eval_subnets();
	eval_plot();
	table();
	eval_output();
	eval_fleet();
	return tap_done();
}
