// SPDX-License-Identifier: MIT
/*
 * test_cli.c - sushictl's device-free parts: `eval` argument parsing (every
 * option, every refusal), the JSON writer (output re-parsed by cJSON, with
 * escaping), and the table layout (aligned columns).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_eval.h"
#include "out.h"
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
		"eval --supernet", "eval --gap-us nan",
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

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	args();
	json();
	table();
	return tap_done();
}
