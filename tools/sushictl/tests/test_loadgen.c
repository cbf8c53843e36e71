// SPDX-License-Identifier: MIT
/*
 * test_loadgen.c - `sushictl query` and `sushictl loadgen` on the host:
 * their option parsing (defaults, every option in both spellings, every
 * refusal), the Poisson arrival times (seeded, the count and mean gap of a
 * Poisson process, sorted, inside the duration), the nearest-rank
 * percentile, their exits without a daemon (2) and with bad image files
 * (3), and both commands end to end against sushid's server on the fake
 * runtime (tools/sushid/tests/fake_rt.h): every query answered once, the
 * status counts, SLO attainment, the prediction the fake gives.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "argv_split.h"
#include "cmd_capture.h"
#include "cmd_client.h"
#include "cmd_eval.h"
#include "fake_rt.h"
#include "tap.h"

static char sock_path[108];
static char out[1 << 16];

/* @cmd on a printf-formatted line, stdout into out[] */
#define runf(cmd, ...) cmd_runf(cmd, 1, out, sizeof(out), __VA_ARGS__)

static int qparse(const char *line, struct query_opts *o, bool *help, char *err)
{
	static char buf[1024];
	char *argv[32];

	return query_parse(split(line, buf, argv), argv, o, help, err, 256);
}

static int lparse(const char *line, struct loadgen_opts *o, bool *help, char *err)
{
	static char buf[1024];
	char *argv[32];

	return loadgen_parse(split(line, buf, argv), argv, o, help, err, 256);
}

static void test_parse(void)
{
	static const char *const qbad[] = {
		"query --image -1", "query --image 1.5", "query --image x", "query --floor 1.01",
		"query --floor -0.1", "query --floor nan", "query --ceiling-us 0",
		"query --ceiling-us 2.5", "query --timeout 0", "query --socket", "query --socket=",
		"query --rate 5", "query --bogus", "query stray", "query --images",
	};
	static const char *const lbad[] = {
		"loadgen --rate 0", "loadgen --rate -3", "loadgen --rate 2000000",
		"loadgen --duration 0", "loadgen --duration 100000", "loadgen --seed -1",
		"loadgen --seed 1.5", "loadgen --image 3", "loadgen --rate 1000000 --duration 11",
		"loadgen --ceiling-us x", "loadgen --floor 2", "loadgen --timeout",
	};
	struct query_opts q;
	struct loadgen_opts l;
	char err[256];
	bool help;

	is_int(qparse("query", &q, &help, err), 0, "query: no options");
	ok(!strcmp(q.c.socket, SUSHI_CLIENT_SOCKET) && q.image == 0 && q.c.floor == 0 &&
	   q.c.ceiling_ns == 1000000000u && q.c.timeout_s == 30 && !q.c.json,
	   "query: the defaults");
	is_int(qparse("query --socket /tmp/s --image=7 --images i.idx --labels=l.idx --floor 0.85 "
		      "--ceiling-us=2500 --timeout 1.5 --json", &q, &help, err), 0,
	       "query: every option");
	ok(!strcmp(q.c.socket, "/tmp/s") && q.image == 7 && !strcmp(q.c.images, "i.idx") &&
	   !strcmp(q.c.labels, "l.idx") && q.c.floor == 0.85 && q.c.ceiling_ns == 2500000 &&
	   q.c.timeout_s == 1.5 && q.c.json, "query: each taken");
	ok(!qparse("query --help", &q, &help, err) && help, "query --help");
	for (size_t i = 0; i < sizeof(qbad) / sizeof(qbad[0]); i++)
		ok(qparse(qbad[i], &q, &help, err) == EXIT_USAGE && err[0],
		   "'%s' refused: %s", qbad[i], err);
	is_int(lparse("loadgen", &l, &help, err), 0, "loadgen: no options");
	ok(l.rate == 100 && l.duration_s == 10 && l.seed == 1 && l.c.ceiling_ns == 50000000 &&
	   l.c.floor == 0, "loadgen: the defaults");
	is_int(lparse("loadgen --rate 12.5 --duration=3 --seed 99 --floor 0.8 "
		      "--ceiling-us 200000 --json", &l, &help, err), 0, "loadgen: every option");
	ok(l.rate == 12.5 && l.duration_s == 3 && l.seed == 99 && l.c.floor == 0.8 &&
	   l.c.ceiling_ns == 200000000 && l.c.json, "loadgen: each taken");
	for (size_t i = 0; i < sizeof(lbad) / sizeof(lbad[0]); i++)
		ok(lparse(lbad[i], &l, &help, err) == EXIT_USAGE && err[0],
		   "'%s' refused: %s", lbad[i], err);
}

static void test_arrivals(void)
{
	uint64_t *t = NULL, *u = NULL;
	long n = loadgen_arrivals(1000, 10, 7, &t), m;
	bool sorted = true, inside = true;
	double mean;

	/* a Poisson count of mean 10000: sd 100 */
	ok(n > 9500 && n < 10500, "1000/s for 10 s: %ld arrivals (10000 +- 5 sd)", n);
	for (long i = 0; i < n; i++) {
		sorted &= !i || t[i] >= t[i - 1];
		inside &= t[i] < 10000000000ull;
	}
	ok(sorted && inside, "sorted, all inside the duration");
	mean = n > 1 ? (double)(t[n - 1] - t[0]) / (double)(n - 1) : 0;
	ok(fabs(mean - 1e6) < 3e4, "mean gap %.0f ns (1 ms +- 3%%)", mean);
	m = loadgen_arrivals(1000, 10, 7, &u);
	ok(m == n && !memcmp(t, u, (size_t)n * sizeof(*t)), "the same seed, the same times");
	free(u);
	m = loadgen_arrivals(1000, 10, 8, &u);
	ok(m != n || memcmp(t, u, (size_t)n * sizeof(*t)), "another seed, other times");
	free(u);
	free(t);
	is_int(loadgen_arrivals(1e6, 11, 1, &t), -E2BIG, "more than 10 M arrivals: -E2BIG");
	ok(t == NULL, "and nothing to free");
}

static void test_percentile(void)
{
	static const uint64_t v[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 };

	is_u64(loadgen_percentile(v, 10, 0.5), 50, "p50 of 10..100 is 50 (nearest rank)");
	is_u64(loadgen_percentile(v, 10, 0.9), 90, "p90 is 90");
	is_u64(loadgen_percentile(v, 10, 0.99), 100, "p99 is 100");
	is_u64(loadgen_percentile(v, 1, 0.5), 10, "one value: itself");
	is_u64(loadgen_percentile(v, 0, 0.5), 0, "none: 0");
}

static void test_no_daemon(void)
{
	is_int(runf(cmd_query, "query --socket /nonexistent/s.sock"), EXIT_DEVICE,
	       "query without a daemon: exit 2");
	is_int(runf(cmd_loadgen, "loadgen --socket /nonexistent/s.sock --duration 0.1"),
	       EXIT_DEVICE, "loadgen without a daemon: exit 2");
}

static double jnum(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(o) ? o->valuedouble : NAN;
}

static void test_end_to_end(void)
{
	struct srv s;
	cJSON *j;
	int rc;
	double sent;

	fake_srv_start(&s, sock_path, 8, 64, 28, 28);
	is_int(runf(cmd_query, "query --socket %s --image 3 --json", sock_path), EXIT_OK,
	       "query against the daemon: exit 0");
	j = cJSON_Parse(out);
	{
		/* the fake predicts (uint8_t)input[0] % 10: image 3's first pixel - 128 */
		struct serve_images im;
		char err[256];
		int8_t in[784];

		if (!serve_images_load(SUSHI_DEFAULT_IMAGES, SUSHI_DEFAULT_LABELS, 28, 28, &im,
				       err, sizeof(err))) {
			serve_images_input(&im, 3, in);
			ok(jnum(j, "prediction") == (uint8_t)in[0] % 10 &&
			   jnum(j, "label") == im.labels[3] && jnum(j, "image") == 3,
			   "its prediction is the fake's for image 3, with the image's label");
			serve_images_free(&im);
		} else {
			ok(0, "the image sample loads: %s", err);
		}
	}
	cJSON_Delete(j);
	is_int(runf(cmd_query, "query --socket %s --floor 0.25", sock_path), EXIT_DEVICE,
	       "a query the device fails: exit 2");
	ok(strstr(out, "failed") != NULL, "and says failed");
	is_int(runf(cmd_query, "query --socket %s --image 1000", sock_path), EXIT_USAGE,
	       "an image index past the file: exit 1");
	is_int(runf(cmd_query, "query --socket %s --images /nonexistent.idx", sock_path),
	       EXIT_INPUT, "a missing image file: exit 3");

	rc = runf(cmd_loadgen, "loadgen --socket %s --rate 400 --duration 0.5 --seed 3 "
		  "--ceiling-us 1000000 --json", sock_path);
	j = cJSON_Parse(out);
	sent = jnum(j, "sent");
	is_int(rc, EXIT_OK, "loadgen 400/s for 0.5 s: exit 0");
	ok(sent > 120 && sent == jnum(j, "scheduled") && sent == jnum(j, "answered") &&
	   jnum(j, "lost") == 0 && jnum(j, "extra_answers") == 0,
	   "every one of %.0f queries sent and answered once", sent);
	ok(jnum(j, "status.served") == sent && jnum(j, "slo_attainment") == 1,
	   "all served, SLO attainment 1");
	ok(jnum(j, "latency_ns.p50") > 0 && jnum(j, "latency_ns.p50") <= jnum(j, "latency_ns.p99") &&
	   jnum(j, "latency_ns.p99") <= jnum(j, "latency_ns.max") &&
	   jnum(j, "throughput_qps") > 200 && jnum(j, "devices") == N_DEV,
	   "percentiles ordered, throughput %.0f/s, %d devices", jnum(j, "throughput_qps"), N_DEV);
	cJSON_Delete(j);

	rc = runf(cmd_loadgen, "loadgen --socket %s --rate 400 --duration 0.2 --floor 0.75 "
		  "--json", sock_path);
	j = cJSON_Parse(out);
	ok(rc == EXIT_OK && jnum(j, "status.late") == jnum(j, "sent") &&
	   jnum(j, "slo_attainment") == 0, "all late (the fake's floor 0.75): SLO attainment 0");
	cJSON_Delete(j);

	rc = runf(cmd_loadgen, "loadgen --socket %s --rate 200 --duration 0.2", sock_path);
	ok(rc == EXIT_OK && strstr(out, "p99 ms") && strstr(out, "SLO %") &&
	   strstr(out, "served/s") && strstr(out, "rejected"),
	   "the table has the counts, percentiles, SLO and throughput");
	is_int(srv_stop(&s), 0, "the daemon stops");
	is_int(runf(cmd_loadgen, "loadgen --socket %s --duration 0.1", sock_path), EXIT_DEVICE,
	       "loadgen once it is gone: exit 2");
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/sushictl-loadgen-XXXXXX";

	tap_init(argc, argv);
	if (!mkdtemp(dir))
		return 2;
	snprintf(sock_path, sizeof(sock_path), "%s/s", dir);
	test_parse();
	test_arrivals();
	test_percentile();
	test_no_daemon();
	test_end_to_end();
	rmdir(dir);
	return tap_done();
}
