// SPDX-License-Identifier: MIT
/*
 * cmd_query.c - `sushictl query`: one image sent to sushid, its answer
 * printed (table or JSON); and what query and loadgen share: their option
 * parser, connecting to the daemon and loading the images it is asked to
 * classify.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "defaults.h"
#include "args.h"
#include "cmd_client.h"
#include "cmd_eval.h"
#include "out.h"

#define USAGE(...) \
	do { snprintf(err, errlen, __VA_ARGS__); return EXIT_USAGE; } while (0)

static const char *const flags[] = { "--json" };

/* a decimal number in [lo, hi] (the whole string): 0 or -EINVAL */
static int num(const char *s, double lo, double hi, double *v)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	return errno || *end || !(*v >= lo && *v <= hi) ? -EINVAL : 0;
}

/* an option both commands take: 0 taken, -ENOENT not one, EXIT_USAGE bad */
static int client_opt(struct client_opts *o, const char *name, const char *v,
		      char *err, size_t errlen)
{
	double d;

	if (!strcmp(name, "--socket")) {
		if (!*v)
			USAGE("--socket needs a path");
		o->socket = v;
	} else if (!strcmp(name, "--images")) {
		o->images = v;
	} else if (!strcmp(name, "--labels")) {
		o->labels = v;
	} else if (!strcmp(name, "--floor")) {
		if (num(v, 0, 1, &o->floor))
			USAGE("--floor: '%s' is not an accuracy in [0, 1]", v);
	} else if (!strcmp(name, "--ceiling-us")) {
		if (num(v, 1, 3.6e9, &d) || d != floor(d))
			USAGE("--ceiling-us: '%s' is not a whole number of microseconds "
			      "in 1..3600000000", v);
		o->ceiling_ns = (uint64_t)d * 1000;
	} else if (!strcmp(name, "--timeout")) {
		if (num(v, 0.001, 86400, &o->timeout_s))
			USAGE("--timeout: '%s' is not a number of seconds in 0.001..86400", v);
	} else {
		return -ENOENT;
	}
	return 0;
}

static void client_defaults(struct client_opts *o, uint64_t ceiling_ns)
{
	memset(o, 0, sizeof(*o));
	o->socket = SUSHI_CLIENT_SOCKET;
	o->images = SUSHI_DEFAULT_IMAGES;
	o->labels = SUSHI_DEFAULT_LABELS;
	o->ceiling_ns = ceiling_ns;
	o->timeout_s = 30;
}

static int query_take(void *p, const char *name, const char *v, char *err,
		      size_t errlen)
{
	struct query_opts *o = p;
	int ret = client_opt(&o->c, name, v, err, errlen);
	double d;

	if (ret != -ENOENT)
		return ret;
	if (num(v, 0, UINT32_MAX, &d) || d != floor(d))
		USAGE("--image: '%s' is not an image index", v);
	o->image = (uint32_t)d;
	return 0;
}

int query_parse(int argc, char **argv, struct query_opts *o, bool *help,
		char *err, size_t errlen)
{
	static const char *const valued[] = {
		"--socket", "--images", "--labels", "--floor", "--ceiling-us",
		"--timeout", "--image",
	};

	bool *json = &o->c.json;
	const struct args_spec spec = {
		.valued = valued, .n_valued = sizeof(valued) / sizeof(valued[0]),
		.flags = flags, .flag_set = &json, .n_flags = 1,
		.take = query_take, .o = o, .usage = EXIT_USAGE,
	};

	memset(o, 0, sizeof(*o));
	client_defaults(&o->c, 1000000000);
	return args_parse(argc, argv, &spec, help, err, errlen);
}

static int loadgen_take(void *p, const char *name, const char *v, char *err,
			size_t errlen)
{
	struct loadgen_opts *o = p;
	int ret = client_opt(&o->c, name, v, err, errlen);
	double d;

	if (ret != -ENOENT)
		return ret;
	if (!strcmp(name, "--rate")) {
		if (num(v, 1e-3, 1e6, &o->rate))
			USAGE("--rate: '%s' is not a rate in 0.001..1000000 queries/s", v);
	} else if (!strcmp(name, "--duration")) {
		if (num(v, 1e-3, 86400, &o->duration_s))
			USAGE("--duration: '%s' is not a number of seconds in 0.001..86400", v);
	} else {
		if (num(v, 0, 1.8e19, &d) || d != floor(d))
			USAGE("--seed: '%s' is not a non-negative integer", v);
		o->seed = strtoull(v, NULL, 10);
	}
	return 0;
}

int loadgen_parse(int argc, char **argv, struct loadgen_opts *o, bool *help,
		  char *err, size_t errlen)
{
	static const char *const valued[] = {
		"--socket", "--images", "--labels", "--floor", "--ceiling-us",
		"--timeout", "--rate", "--duration", "--seed",
	};
	bool *json = &o->c.json;
	const struct args_spec spec = {
		.valued = valued, .n_valued = sizeof(valued) / sizeof(valued[0]),
		.flags = flags, .flag_set = &json, .n_flags = 1,
		.take = loadgen_take, .o = o, .usage = EXIT_USAGE,
	};
	int ret;

	memset(o, 0, sizeof(*o));
	client_defaults(&o->c, 50000000);
	o->rate = 100;
	o->duration_s = 10;
	o->seed = 1;
	ret = args_parse(argc, argv, &spec, help, err, errlen);
	if (!ret && !*help && o->rate * o->duration_s > LOADGEN_MAX_QUERIES)
		USAGE("--rate x --duration asks for more than %u queries", LOADGEN_MAX_QUERIES);
	return ret;
}

int client_setup(const char *cmd, const struct client_opts *o,
		 struct sushi_client **c, struct sushi_client_info *info,
		 struct serve_images *im)
{
	char err[512];
	int ret;

	memset(im, 0, sizeof(*im));
	ret = sushi_client_connect(o->socket, (int64_t)(o->timeout_s * 1e9), c);
	if (ret) {
		fprintf(stderr, "sushictl %s: cannot talk to sushid at %s: %s\n", cmd,
			o->socket, sushi_client_strerror(ret));
		return EXIT_DEVICE;
	}
	info->size = sizeof(*info);
	sushi_client_info(*c, info);
	if (info->in_c != 1 ||
	    (uint64_t)info->in_h * info->in_w != info->in_bytes) {
		fprintf(stderr, "sushictl %s: sushid serves %ux%ux%u inputs; IDX "
			"images are one channel\n", cmd, info->in_h, info->in_w,
			info->in_c);
		goto input;
	}
	err[0] = '\0';
	ret = serve_images_load(o->images, o->labels, info->in_h, info->in_w, im,
				err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sushictl %s: %s\n", cmd,
			ret == -ENOMEM ? "out of memory" : err);
		goto input;
	}
	return 0;
input:
	sushi_client_close(*c);
	*c = NULL;
	return EXIT_INPUT;
}

static void query_usage(FILE *f)
{
	fputs("usage: sushictl query [options]\n"
	      "Send one image to sushid and print its answer: status, prediction\n"
	      "(and the image's label), the SubNet and device that served it, its\n"
	      "queueing and service time, the round trip. Exit status 0 when it was\n"
	      "served (in time or late), 2 when it was shed, failed or rejected or\n"
	      "sushid could not be reached.\n\n"
	      "options:\n"
	      "  --socket PATH        sushid's socket (default " SUSHI_CLIENT_SOCKET ")\n"
	      "  --image N            image index in --images (default 0)\n"
	      "  --images FILE        IDX image file (default " SUSHI_DEFAULT_IMAGES ")\n"
	      "  --labels FILE        IDX label file (default " SUSHI_DEFAULT_LABELS ")\n"
	      "  --floor F            accuracy floor in [0, 1] (default 0)\n"
	      "  --ceiling-us U       latency ceiling in microseconds (default 1000000)\n"
	      "  --timeout S          seconds to wait for the answer (default 30)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void query_print(const struct query_opts *o, const struct serve_images *im,
			const struct sushi_client_result *r, uint64_t rtt)
{
	uint32_t label = im->labels[o->image];
	bool ran = r->status == SUSHI_QUERY_SERVED || r->status == SUSHI_QUERY_LATE;

	if (o->c.json) {
		struct jw w;

		jw_begin(&w, stdout);
		jw_str(&w, "socket", o->c.socket);
		jw_u64(&w, "image", o->image);
		jw_u64(&w, "label", label);
		jw_str(&w, "status", sushi_query_status_name(r->status));
		jw_i64(&w, "error", r->error);
		if (ran) {
			jw_u64(&w, "prediction", r->prediction);
			jw_bool(&w, "correct", r->prediction == label);
			jw_u64(&w, "subnet", r->subnet);
			jw_num(&w, "accuracy", r->accuracy);
			jw_u64(&w, "device", r->device);
		}
		jw_u64(&w, "queue_ns", r->queue_ns);
		jw_u64(&w, "service_ns", r->service_ns);
		jw_u64(&w, "round_trip_ns", rtt);
		jw_finish(&w);
		return;
	}
	printf("image %u of %s (label %u): %s", o->image, o->c.images, label,
	       sushi_query_status_name(r->status));
	if (r->error)
		printf(" (%s)", strerror(-r->error));
	printf("\n");
	if (ran)
		printf("prediction %u (%s), SubNet %u (catalog accuracy %.2f %%) on "
		       "device %u\n", r->prediction,
		       r->prediction == label ? "correct" : "wrong", r->subnet,
		       100 * r->accuracy, r->device);
	printf("queue %.1f us, service %.1f us, round trip %.1f us\n",
	       r->queue_ns / 1e3, r->service_ns / 1e3, rtt / 1e3);
}

int cmd_query(int argc, char **argv)
{
	struct sushi_client_result r = { .size = sizeof(r) };
	struct sushi_client_info info;
	struct sushi_client *c = NULL;
	struct serve_images im;
	struct query_opts o;
	char err[256];
	int8_t *in = NULL;
	uint64_t t0;
	bool help;
	int ret, rc;

	rc = query_parse(argc, argv, &o, &help, err, sizeof(err));
	rc = args_finish("sushictl query", rc, help, err, query_usage);
	if (rc >= 0)
		return rc;
	rc = client_setup("query", &o.c, &c, &info, &im);
	if (rc)
		return rc;
	rc = EXIT_INTERNAL;
	if (o.image >= im.n) {
		fprintf(stderr, "sushictl query: --image %u: %s holds %u images\n",
			o.image, o.c.images, im.n);
		rc = EXIT_USAGE;
		goto out;
	}
	in = malloc(info.in_bytes);
	if (!in)
		goto out;
	serve_images_input(&im, o.image, in);
	t0 = mono_ns();
	ret = sushi_client_query(c, &(struct sushi_client_query){
		.size = sizeof(struct sushi_client_query), .tag = o.image,
		.acc_floor = o.c.floor, .lat_ceiling_ns = o.c.ceiling_ns,
		.input = in, .in_len = info.in_bytes,
	}, &r, (int64_t)(o.c.timeout_s * 1e9));
	if (ret) {
		fprintf(stderr, "sushictl query: %s%s%s\n", sushi_client_strerror(ret),
			*sushi_client_error(c) ? ": " : "", sushi_client_error(c));
		rc = EXIT_DEVICE;
		goto out;
	}
	query_print(&o, &im, &r, mono_ns() - t0);
	rc = r.status == SUSHI_QUERY_SERVED || r.status == SUSHI_QUERY_LATE ?
	     EXIT_OK : EXIT_DEVICE;
out:
	free(in);
	serve_images_free(&im);
	sushi_client_close(c);
	return rc;
}
