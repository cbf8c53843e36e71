// SPDX-License-Identifier: MIT
/*
 * sushictl_serve_test.c - in-guest TAP test of `sushictl serve`: it serves
 * a trace on the device (and, in a guest with several, on all of them with
 * each router and with shedding) with SushiSched and the baselines, and its
 * metrics
 * (latency, SLO, off-chip bytes and energy, PB hits, reloads) equal those
 * `sushictl eval` models for the same trace exactly; no launch or PB switch
 * costs other than the scheduler predicted; the accuracy it measured on the
 * images equals a direct count (the evaluator's per-query SubNets run on the
 * same images by the model library's compute, labels compared here); the
 * PB is left empty; and its error exits.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "guest_tap.h"
#include "guest_util.h"
#include "sushi/device.h"
#include "sushi/eval.h"
#include "sushi/netdev.h"
#include "sushi/supernet.h"
#include "sushi_model.h"

#define SUPERNET	"/data/fmnist-supernet.safetensors"
#define IMAGES		"/data/fmnist-test-1000-images.idx"
#define LABELS		"/data/fmnist-test-1000-labels.idx"
#define SUSHICTL	"/bin/sushictl"
#define FILES		" --supernet " SUPERNET " --images " IMAGES " --labels " LABELS
#define MAX_OUT		4096

struct ctx {
	struct sushi_device *dev;
	struct sushi_supernet *sn;
	struct sushi_supernet_info info;
	struct sushi_supernet_map map;
	struct sushi_model_config cfg;
	struct sushi_sched_space *sp;
	uint8_t *images, *labels;
	uint32_t n_images;
	int16_t *cls;		/* [SubNet][image] class computed, -1: not yet */
	enum sushi_select select;	/* --select of the next compare() */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* @path whole, checked against @magic and @hdr header bytes: NULL or it */
static uint8_t *read_idx(const char *path, uint32_t magic, size_t hdr,
			 size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > (long)hdr &&
	    !fseek(f, 0, SEEK_SET) && (b = malloc((size_t)n)) &&
	    fread(b, 1, (size_t)n, f) == (size_t)n && be32(b) == magic) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static int load_data(struct ctx *c)
{
	size_t il = 0, ll = 0;
	uint8_t *ib = read_idx(IMAGES, 0x803, 16, &il);
	uint8_t *lb = read_idx(LABELS, 0x801, 8, &ll);
	int ok = ib && lb && be32(ib + 4) == be32(lb + 4) &&
		 il == 16 + (size_t)be32(ib + 4) * c->info.in_h * c->info.in_w &&
		 ll == 8 + (size_t)be32(lb + 4);

	if (ok) {
		c->n_images = be32(ib + 4);
		c->images = ib;
		c->labels = lb;
		c->cls = malloc((size_t)c->info.n_subnets * c->n_images *
				sizeof(*c->cls));
		if (!c->cls)
			return -1;
		for (size_t i = 0; i < (size_t)c->info.n_subnets * c->n_images; i++)
			c->cls[i] = -1;
		return 0;
	}
	free(ib);
	free(lb);
	return -1;
}

/* The model library's compute of SubNet @s on image @img: its argmax. */
static int compute_class(const struct ctx *c, uint32_t s, uint32_t img,
			 uint32_t *cls)
{
	const size_t px = (size_t)c->info.in_h * c->info.in_w;
	const uint8_t *p = c->images + 16 + (size_t)img * px;
	int8_t in[4096], out[256];
	int ret;

	if (px > sizeof(in) || c->info.n_classes > sizeof(out))
		return -E2BIG;
	for (size_t k = 0; k < px; k++)	/* pixel - 128 */
		in[k] = (int8_t)((int)p[k] - 128);
	ret = ref_subnet(c->sn, &c->map, s, in, out);
	if (ret)
		return ret;
	*cls = 0;
	for (uint32_t i = 1; i < c->info.n_classes; i++)
		if (out[i] > out[*cls])
			*cls = i;
	return 0;
}

/* compute_class(), each (SubNet, image) computed once */
static int host_class(struct ctx *c, uint32_t s, uint32_t img, uint32_t *cls)
{
	int16_t *k = &c->cls[(size_t)s * c->n_images + img];
	int ret = 0;

	if (s >= c->info.n_subnets)
		return -ENOENT;
	if (*k < 0) {
		ret = compute_class(c, s, img, cls);
		if (!ret)
			*k = (int16_t)*cls;
	}
	*cls = (uint32_t)*k;
	return ret;
}

/* @v as both commands print it (%.10g) and cJSON reads it back */
static double g10(double v)
{
	char b[64];

	snprintf(b, sizeof(b), "%.10g", v);
	return strtod(b, NULL);
}

static double jd(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *result_of(const cJSON *j, const char *policy)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(j, "results")) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "policy");

		if (cJSON_IsString(p) && !strcmp(p->valuestring, policy))
			return r;
	}
	return NULL;
}

/* metrics both print, equal to the last digit (both print %.10g) */
static const char *const same_keys[] = {
	"served_accuracy", "slo_attainment", "latency_mean_us",
	"latency_p50_us", "latency_p99_us", "offchip_bytes_per_query",
	"offchip_energy_uj_per_query", "energy_uj_per_query",
	"pb_hit_fraction", "pb_reloads", "offchip_byte_saving", "fallbacks",
	"accuracy_misses", "latency_misses",
};

/* the fleet options of both commands */
static void fleet_args(const struct ctx *c, const struct sushi_fleet_params *fp,
		       char *b, size_t len)
{
	snprintf(b, len, "--devices %u --router %s --overload %s --max-queue %u "
		 "--select %s", fp->n_devices, sushi_router_name(fp->router),
		 sushi_overload_name(fp->overload), fp->max_queue,
		 sushi_select_name(c->select));
}

/* every query once in the per-device counters (or shed at admission) */
static void check_devices(const cJSON *s, const char *tok, uint32_t n_dev)
{
	const cJSON *d, *arr = cJSON_GetObjectItemCaseSensitive(s, "devices");
	double sum = jd(s, "shed_admission");
	uint32_t k = 0;

	cJSON_ArrayForEach(d, arr) {
		sum += jd(d, "served") + jd(d, "late") + jd(d, "shed");
		k++;
	}
	OK(k == n_dev && sum == jd(s, "queries"), "%s: the %u devices' "
	   "counters account for every query", tok, k);
}

/* serve and eval on one trace and fleet; every policy of @policies compared. */
static void compare(struct ctx *c, const char *trace, uint32_t n, uint64_t seed,
		    uint32_t q, const char *policies,
		    const struct sushi_fleet_params *fp)
{
	static char sbuf[262144], ebuf[65536];
	char cmd[1024], list[128], fl[128], *tok, *save = NULL;
	cJSON *sj, *ej;
	int rc;

	fleet_args(c, fp, fl, sizeof(fl));
	snprintf(cmd, sizeof(cmd), SUSHICTL " serve --json" FILES " --trace %s "
		 "-n %u --seed %llu --q %u --policy %s %s", trace, n,
		 (unsigned long long)seed, q, policies, fl);
	rc = run_cmd(cmd, sbuf, sizeof(sbuf));
	EQ(0, rc, "sushictl serve --json --trace %s -n %u --q %u --policy %s "
	   "%s exits 0", trace, n, q, policies, fl);
	/* eval models the device's configuration, its activation SRAM too */
	snprintf(cmd, sizeof(cmd), SUSHICTL " eval --json --supernet " SUPERNET
		 " --trace %s -n %u --seed %llu --q %u --policy %s "
		 "--act-sram-kib %llu %s", trace, n, (unsigned long long)seed, q,
		 policies, (unsigned long long)(c->cfg.act_sram_bytes >> 10), fl);
	EQ(0, run_cmd(cmd, ebuf, sizeof(ebuf)), "sushictl eval on the same "
	   "trace exits 0");
	sj = cJSON_Parse(sbuf);
	ej = cJSON_Parse(ebuf);
	OK(sj && ej, "both print JSON");
	if (!sj || !ej)
		goto out;
	{
		const cJSON *sa = cJSON_GetObjectItemCaseSensitive(sj, "accelerator");
		const cJSON *ea = cJSON_GetObjectItemCaseSensitive(ej, "accelerator");

		OK(cJSON_Compare(sa, ea, 1), "the device's configuration is the "
		   "one eval models (else the comparison below is meaningless)");
	}
	snprintf(list, sizeof(list), "%s", policies);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const cJSON *s = result_of(sj, tok), *e = result_of(ej, tok);
		struct sushi_trace_params tp = {
			.n = n, .seed = seed, .phase = 500,
			.kind = (enum sushi_trace_kind)sushi_trace_from_name(trace),
		};
		struct sushi_sched_params sp = {
			.policy = (enum sushi_policy)sushi_policy_from_name(tok),
			.q = q, .w = 64, .select = c->select,
		};
		struct sushi_query *qs = calloc(n, sizeof(*qs));
		struct sushi_eval_record *rec = calloc(n, sizeof(*rec));
		struct sushi_eval_stats st;
		uint32_t correct = 0, bad_compute = 0;
		unsigned int differ = 0;

		OK(s && e, "%s: in both outputs", tok);
		if (!s || !e || !qs || !rec) {
			free(qs);
			free(rec);
			continue;
		}
		for (size_t k = 0; k < sizeof(same_keys) / sizeof(same_keys[0]); k++) {
			double a = jd(s, same_keys[k]), b = jd(e, same_keys[k]);

			if (!(a == b)) {
				printf("#   %s: %s served %.10g, eval %.10g\n", tok,
				       same_keys[k], a, b);
				differ++;
			}
		}
		EQ(0, differ, "%s: served accuracy, SLO %.4g, latency mean/p50/p99 "
		   "%.6g/%.6g/%.6g us, off-chip %.6g B/q, energy, PB hit %.4g, "
		   "%g reloads: all equal eval's", tok, jd(s, "slo_attainment"),
		   jd(s, "latency_mean_us"), jd(s, "latency_p50_us"),
		   jd(s, "latency_p99_us"), jd(s, "offchip_bytes_per_query"),
		   jd(s, "pb_hit_fraction"), jd(s, "pb_reloads"));
		EQ(0, jd(s, "service_mismatches"), "%s: every launch cost what "
		   "its cell predicted (cycles, DRAM, PB, energy)", tok);
		EQ(0, jd(s, "load_mismatches"), "%s: every PB switch cost what "
		   "the decision predicted", tok);
		EQ(n, jd(s, "queries"), "%s: %u queries served", tok, n);
		check_devices(s, tok, fp->n_devices);
		OK(jd(s, "wall_seconds") > 0 &&
		   fabs(jd(s, "queries_per_wall_second") * jd(s, "wall_seconds") -
			n) < 1e-6 * n,
		   "%s: %.0f queries per wall second (%.3f s)", tok,
		   jd(s, "queries_per_wall_second"), jd(s, "wall_seconds"));
		if (!strcmp(tok, "sushi"))
			OK(jd(s, "pb_reloads") > 0 && jd(s, "pb_hit_fraction") > 0.5,
			   "sushi: the PB was really switched (%g loads) and hit",
			   jd(s, "pb_reloads"));
		if (!strcmp(tok, "no-pb"))
			OK(jd(s, "pb_reloads") == 0 && jd(s, "pb_hit_fraction") == 0,
			   "no-pb: nothing loaded, nothing hit");

		/* direct count: eval's per-query SubNets on the same images */
		fill_trace(c->sp, &tp);
		if (sushi_trace_generate(&tp, qs) ||
		    sushi_eval_fleet(c->sp, &sp, fp, qs, n, &st, rec))
			bad_compute++;
		OK(!bad_compute && (double)st.pb_reloads == jd(e, "pb_reloads") &&
		   g10((double)st.lat_p99_ns / 1e3) == jd(e, "latency_p99_us") &&
		   g10(st.lat_mean_ns / 1e3) == jd(e, "latency_mean_us") &&
		   g10(st.served_accuracy) == jd(e, "served_accuracy"),
		   "%s: the test's own replay reproduces eval's", tok);
		for (uint32_t i = 0; !bad_compute && i < n; i++) {
			uint32_t cls;

			if (rec[i].shed)
				continue;
			if (host_class(c, rec[i].subnet, i % c->n_images, &cls))
				bad_compute++;
			else
				correct += cls == c->labels[8 + i % c->n_images];
		}
		EQ(0, bad_compute, "%s: the model library computed every query", tok);
		EQ(correct, jd(s, "correct"), "%s: %u of %u predictions right, as "
		   "a direct count of the served SubNets on the images says", tok,
		   correct, n);
		OK(jd(s, "measured_accuracy") ==
		   g10((double)correct / (double)(n - st.shed)),
		   "%s: measured accuracy %.4f = correct / queries", tok,
		   jd(s, "measured_accuracy"));
		OK(fabs(jd(s, "measured_accuracy") - jd(s, "served_accuracy")) < 0.1 &&
		   jd(s, "measured_accuracy") > 0.6,
		   "%s: measured accuracy %.4f near the catalog's %.4f", tok,
		   jd(s, "measured_accuracy"), jd(s, "served_accuracy"));
		free(qs);
		free(rec);
	}
out:
	cJSON_Delete(sj);
	cJSON_Delete(ej);
}

/* The PB of all processes back to @used (serve's pins are gone). */
static void test_pb_clean(struct ctx *c, uint64_t used)
{
	struct sushi_pb_info pb = { 0 };

	/* the driver frees an unpinned range when its invalidation retires */
	for (int tries = 0; tries < 500; tries++) {
		if (sushi_pb_query(c->dev, &pb, NULL, 0) || pb.used == used)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	EQ(used, pb.used, "the PB holds %llu bytes again after serve exited",
	   (unsigned long long)used);
}

static void test_errors(void)
{
	static char buf[8192];
	int rc;

	rc = run_cmd(SUSHICTL " serve" FILES " --policy lru 2>&1", buf, sizeof(buf));
	OK(rc == 1 && strstr(buf, "eval"), "serve --policy lru: exit 1, eval-only (%d)", rc);
	rc = run_cmd(SUSHICTL " serve --supernet " SUPERNET " --images " LABELS
		     " --labels " LABELS " 2>&1", buf, sizeof(buf));
	OK(rc == 3 && strstr(buf, LABELS), "serve: a label file as images: exit 3 "
	   "naming it (%d)", rc);
	rc = run_cmd(SUSHICTL " serve" FILES " --device /dev/null 2>&1", buf,
		     sizeof(buf));
	OK(rc == 2 && strstr(buf, "/dev/null"), "serve --device /dev/null: exit 2 (%d)",
	   rc);
	rc = run_cmd(SUSHICTL " serve" FILES " -n 64 --policy sushi", buf, sizeof(buf));
	OK(rc == 0 && strstr(buf, "measured acc") && strstr(buf, "sushi"),
	   "serve (table) exits 0 and prints a row per policy (%d)", rc);
}

/*
 * several devices: both routers, and shedding with a queue limit; false
 * (and nothing run) in a guest with one device
 */
static bool fleet_compare(struct ctx *c, struct sushi_fleet_params *fp)
{
	struct sushi_device *d[SUSHI_FLEET_MAX_DEVICES];
	uint32_t n_dev = 0;

	if (!sushi_device_open_all(d, SUSHI_FLEET_MAX_DEVICES, &n_dev))
		for (uint32_t k = 0; k < n_dev; k++)
			sushi_device_close(d[k]);
	if (n_dev < 2) {
		printf("# SKIP serve = eval on several devices: this guest has "
		       "%u SushiAccel device (SUSHI_GUEST_NDEV)\n", n_dev);
		return false;
	}
	fp->n_devices = n_dev;
	fp->router = SUSHI_ROUTER_JSQ;
	compare(c, "phased", 300, 2, 16, "sushi,no-pb", fp);
	fp->router = SUSHI_ROUTER_SGS;
	compare(c, "phased", 300, 2, 16, "sushi,static-smallest", fp);
	fp->overload = SUSHI_OVERLOAD_SHED;
	fp->max_queue = 2;
	compare(c, "bursty", 300, 5, 16, "sushi", fp);
	return true;
}

int main(void)
{
	struct ctx c = { 0 };
	struct sushi_pb_info pb;
	struct sushi_caps caps;
	char err[256];

	printf("# sushictl serve on the device against sushictl eval\n");
	if (sushi_device_open(NULL, &c.dev) ||
	    sushi_supernet_open(SUPERNET, &c.sn, err, sizeof(err)) ||
	    sushi_supernet_info(c.sn, &c.info) || load_data(&c)) {
		OK(0, "device, SuperNet and image sample open");
		return tap_done();
	}
	sushi_device_caps(c.dev, &caps);
	sushi_caps_model_config(&caps, &c.cfg);
	sushi_netdev_map(&caps, &c.map);
	EQ(0, sushi_supernet_sched_space(c.sn, &c.cfg, &c.map, &c.sp),
	   "the catalog priced under the device's caps");
	EQ(0, sushi_pb_query(c.dev, &pb, NULL, 0), "PB state before");
	if (c.sp) {
		struct sushi_fleet_params fp = {
			.size = sizeof(fp), .n_devices = 1,
		};

		/* a guest with several devices checks the fleets only */
		if (!fleet_compare(&c, &fp)) {
			compare(&c, "phased", 400, 1, 32,
				"sushi,no-pb,static-smallest,static-intersect", &fp);
			compare(&c, "random-walk", 300, 7, 8, "sushi", &fp);
			c.select = SUSHI_SELECT_FLOOR;
			compare(&c, "uniform", 200, 4, 16, "sushi,no-pb", &fp);
			c.select = SUSHI_SELECT_ACCURACY;
		}
		test_pb_clean(&c, pb.used);
		test_errors();
	}
	sushi_sched_space_free(c.sp);
	free(c.images);
	free(c.labels);
	free(c.cls);
	sushi_supernet_close(c.sn);
	sushi_device_close(c.dev);
	return tap_done();
}
