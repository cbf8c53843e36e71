// SPDX-License-Identifier: MIT
/*
 * cmd_serve.c - `sushictl serve`: its options, and the command: the
 * devices, the scheduling space priced by the model under their caps (for
 * eval's synthetic trace), and each policy serving the trace through
 * libsushi's runtime on them (serve_loop.c); output in serve_out.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "defaults.h"
#include "cmd_dev.h"
#include "cmd_eval.h"
#include "serve.h"

/* CLOCK_MONOTONIC in nanoseconds */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void serve_usage(FILE *f)
{
	fputs("usage: sushictl serve [options]\n"
	      "Serve a query trace on the SushiAccel: per query SushiSched (or a\n"
	      "baseline) picks the SubNet, the Persistent Buffer SubGraph is switched\n"
	      "on the device when the decision changes it, and the SubNet runs on a\n"
	      "labelled image. Prints accuracy measured on the images and the\n"
	      "catalog's, SLO attainment, latency, off-chip traffic and energy, PB\n"
	      "hits and reloads, on a clock of the device's measured cycles queued as\n"
	      "'sushictl eval' models it, and the launches whose cost differed from\n"
	      "the scheduler's prediction (must be 0; else exit status 2).\n\n"
	      "options:\n"
	      "  -d, --device PATH    accel node (default: the first SushiAccel one)\n"
	      "  --devices N          serve on the first N SushiAccel nodes (default 1;\n"
	      "                       not with --device)\n"
	      "  --router R           jsq or sgs: the device a query goes to (default jsq)\n"
	      "  --overload M         late or shed: a query no SubNet can serve within its\n"
	      "                       ceiling (default late: the fastest SubNet)\n"
	      "  --max-queue N        most queries a device holds; more are shed at\n"
	      "                       admission (default 0: no limit)\n"
	      "  --supernet FILE      SuperNet file (default " SUSHI_DEFAULT_SUPERNET ")\n"
	      "  --images FILE        IDX image file (default " SUSHI_DEFAULT_IMAGES ")\n"
	      "  --labels FILE        IDX label file (default " SUSHI_DEFAULT_LABELS ")\n"
	      "  --policy LIST        comma-separated: sushi,no-pb,static-smallest,\n"
	      "                       static-intersect, or all (default all; lru,\n"
	      "                       static-largest, best-static and oracle are\n"
	      "                       eval-only)\n"
	      "  --trace KIND         uniform, phased, random-walk, bursty (default phased)\n"
	      "  -n, --queries N      queries (default 10000); query i runs on image i\n"
	      "                       modulo the number of images\n"
	      "  --seed N             trace seed (default 1)\n"
	      "  --phase N            queries per phase of a phased trace (default 500)\n"
	      "  --q N                SubGraph decision period in queries (default 32)\n"
	      "  --w N                window of recent queries (default 64)\n"
	      "  --select MODE        accuracy (the most accurate SubNet within the\n"
	      "                       ceiling, default) or floor (the cheapest meeting\n"
	      "                       floor and ceiling)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

#define USAGE(...) \
	do { snprintf(err, errlen, __VA_ARGS__); return EXIT_USAGE; } while (0)

static void defaults(struct serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->supernet = SUSHI_DEFAULT_SUPERNET;
	o->images = SUSHI_DEFAULT_IMAGES;
	o->labels = SUSHI_DEFAULT_LABELS;
	o->policies = SERVE_POLICIES;
	o->trace.kind = SUSHI_TRACE_PHASED;
	o->trace.n = 10000;
	o->trace.seed = 1;
	o->trace.phase = 500;
	o->trace.acc_lo = o->trace.acc_hi = NAN;
	o->sched.q = 32;
	o->sched.w = 64;
	o->fleet.size = sizeof(o->fleet);
	o->fleet.n_devices = 1;
}

/* One valued option: 0, or EXIT_USAGE with a message. */
static int take(struct serve_opts *o, const char *name, const char *val,
		char *err, size_t errlen)
{
	if (!strcmp(name, "--device") || !strcmp(name, "-d")) {
		o->dev.device = val;
	} else if (!strcmp(name, "--supernet")) {
		o->supernet = val;
	} else if (!strcmp(name, "--images")) {
		o->images = val;
	} else if (!strcmp(name, "--labels")) {
		o->labels = val;
	} else if (!strcmp(name, "--policy")) {
		if (eval_parse_policies(val, &o->policies))
			USAGE("--policy: '%s' is not a list of policies (try --help)", val);
		if (!strcmp(val, "all"))
			o->policies = SERVE_POLICIES;
		if (o->policies & ~SERVE_POLICIES)
			USAGE("--policy: lru, static-largest, best-static and oracle are "
			      "eval-only (sushictl eval)");
	} else {
		int ret = eval_fleet_opt(name, val, &o->fleet, err, errlen);

		if (ret != -ENOENT)
			return ret;
		ret = eval_trace_opt(name, val, &o->trace, &o->sched, err,
				     errlen);
		if (ret != -ENOENT)
			return ret;
		USAGE("unknown option '%s' (try --help)", name);
	}
	return 0;
}

static const char *const valued[] = {
	"-d", "--device", "--supernet", "--images", "--labels", "--policy",
	"--trace", "-n", "--queries", "--seed", "--phase", "--q", "--w",
	"--devices", "--router", "--overload", "--max-queue", "--select",
};

int serve_parse(int argc, char **argv, struct serve_opts *o, bool *help,
		char *err, size_t errlen)
{
	defaults(o);
	*help = false;
	err[0] = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *val;
		char name[32];
		bool ok = false;
		int ret;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
			return EXIT_OK;
		}
		if (!strcmp(a, "--json")) {
			o->dev.json = true;
			continue;
		}
		if (a[0] != '-')
			USAGE("unexpected argument '%s'", a);
		if (!strncmp(a, "--", 2) && eq)
			snprintf(name, sizeof(name), "%.*s", (int)(eq - a), a);
		else
			snprintf(name, sizeof(name), "%s", a);
		for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
			ok |= !strcmp(name, valued[k]);
		if (!ok)
			USAGE("unknown option '%s' (try --help)", name);
		if (!strncmp(a, "--", 2) && eq) {
			val = eq + 1;
		} else {
			if (i + 1 >= argc)
				USAGE("option '%s' needs a value", a);
			val = argv[++i];
		}
		ret = take(o, name, val, err, errlen);
		if (ret)
			return ret;
	}
	if (o->fleet.n_devices > 1 && o->dev.device)
		USAGE("--device names one node; --devices N serves on the first N");
	return EXIT_OK;
}

/* The devices --device or --devices name: EXIT_OK or an exit code. */
static int open_devices(const struct serve_opts *o, struct sushi_device **devs)
{
	uint32_t n = o->fleet.n_devices, got = 0;
	int ret;

	if (n == 1)
		return dev_open("serve", &o->dev, &devs[0]);
	ret = sushi_device_open_all(devs, n, &got);
	if (ret) {
		fprintf(stderr, "sushictl serve: cannot open the SushiAccel "
			"devices: %s\n", sushi_strerror_in(SUSHI_CALL_OPEN, ret));
		return EXIT_DEVICE;
	}
	if (got < n) {
		fprintf(stderr, "sushictl serve: --devices %u, but only %u "
			"SushiAccel device%s found\n", n, got, got == 1 ? "" : "s");
		while (got)
			sushi_device_close(devs[--got]);
		return EXIT_DEVICE;
	}
	return EXIT_OK;
}

/* The trace of the options on the catalog priced under @dev's caps. */
static int make_trace(const struct serve_opts *o, const struct sushi_supernet *sn,
		      struct sushi_device *dev, struct sushi_trace_params *tp,
		      struct sushi_query **qs, struct sushi_model_config *cfg)
{
	struct sushi_sched_space *sp = NULL;
	struct sushi_supernet_map map;
	struct sushi_caps caps;
	int ret;

	sushi_device_caps(dev, &caps);
	sushi_caps_model_config(&caps, cfg);
	sushi_netdev_map(&caps, &map);
	ret = sushi_supernet_sched_space(sn, cfg, &map, &sp);
	if (ret) {
		fprintf(stderr, "sushictl serve: cannot price the catalog under "
			"the device's caps: %s\n", sushi_strerror(ret));
		return EXIT_INTERNAL;
	}
	*tp = o->trace;
	eval_fill_trace(tp, sp);
	sushi_sched_space_free(sp);
	*qs = calloc(tp->n, sizeof(**qs));
	if (!*qs)
		return EXIT_INTERNAL;
	return eval_trace_generate("serve", tp, *qs) ? EXIT_USAGE : EXIT_OK;
}

/* The devices, the trace, each policy through the runtime; prints errors. */
static int serve_all(const struct serve_opts *o, struct sushi_supernet *sn,
		     const struct serve_images *im, struct serve_stats *st)
{
	struct sushi_device *devs[SUSHI_FLEET_MAX_DEVICES] = { NULL };
	struct sushi_model_config cfg;
	struct sushi_trace_params tp;
	struct sushi_query *qs = NULL;
	uint64_t mismatches = 0;
	int ret, rc;

	rc = open_devices(o, devs);
	if (rc)
		return rc;
	rc = make_trace(o, sn, devs[0], &tp, &qs, &cfg);
	for (int p = 0; !rc && p < SUSHI_POLICY_COUNT; p++) {
		struct sushi_sched_params sparams = o->sched;
		size_t at = 0;
		uint64_t t0;

		if (!(o->policies & (1u << p)))
			continue;
		sparams.policy = (enum sushi_policy)p;
		t0 = now_ns();
		ret = serve_policy(devs, sn, &sparams, &o->fleet, qs, tp.n, im,
				   &st[p], &at);
		st[p].wall_ns = now_ns() - t0;
		if (ret) {
			fprintf(stderr, "sushictl serve: %s: query %zu failed on %s%s: "
				"%s\n", sushi_policy_name(sparams.policy), at,
				sushi_device_path(devs[0]),
				o->fleet.n_devices > 1 ? " and the other devices" : "",
				sushi_strerror(ret));
			rc = ret == -ENOMEM ? EXIT_INTERNAL : EXIT_DEVICE;
			break;
		}
		mismatches += st[p].service_mismatches + st[p].load_mismatches;
	}
	if (!rc) {
		serve_print(o, sushi_device_path(devs[0]), &cfg, &tp, st);
		rc = fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
	}
	if (!rc && mismatches) {
		fprintf(stderr, "sushictl serve: %llu launches or PB switches "
			"cost other than the model predicted\n",
			(unsigned long long)mismatches);
		rc = EXIT_DEVICE;
	}
	free(qs);
	for (uint32_t k = 0; k < o->fleet.n_devices; k++)
		sushi_device_close(devs[k]);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_stats st[SUSHI_POLICY_COUNT];
	struct sushi_supernet_info info;
	struct sushi_supernet *sn = NULL;
	struct serve_images im;
	struct serve_opts o;
	char err[512];
	bool help;
	int ret = serve_parse(argc, argv, &o, &help, err, sizeof(err));

	if (ret || help) {
		if (ret)
			fprintf(stderr, "sushictl serve: %s\n", err);
		serve_usage(ret ? stderr : stdout);
		return ret;
	}
	memset(st, 0, sizeof(st));
	ret = sushi_supernet_open(o.supernet, &sn, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sushictl serve: cannot load SuperNet %s: %s\n",
			o.supernet, ret == -EINVAL ? err : sushi_strerror_in(SUSHI_CALL_FILE, ret));
		return EXIT_INPUT;
	}
	sushi_supernet_info(sn, &info);
	ret = serve_images_load(o.images, o.labels, info.in_h, info.in_w, &im,
				err, sizeof(err));
	if (!ret && info.in_c != 1) {
		snprintf(err, sizeof(err), "the SuperNet takes %u channels; IDX "
			 "images have one", info.in_c);
		serve_images_free(&im);
		ret = -EINVAL;
	}
	if (ret) {
		fprintf(stderr, "sushictl serve: %s\n", err);
		sushi_supernet_close(sn);
		return ret == -ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
	}
	ret = serve_all(&o, sn, &im, st);
	serve_images_free(&im);
	sushi_supernet_close(sn);
	return ret;
}
