// SPDX-License-Identifier: MIT
/*
 * cmd_run.c - `sushictl run`: run one SubNet of a SuperNet file on the
 * SushiAccel (libsushi netdev) on an IDX image or a raw int8 input,
 * optionally with a SubNet's slices pinned in the Persistent Buffer, and
 * print the class scores, the predicted class and the job statistics next
 * to the model library's prediction of the same launch.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "cmd_dev.h"
#include "cmd_eval.h"
#include "out.h"
#include "sushi/netdev.h"

#define IDX_IMAGES_MAGIC	0x00000803u
#define RUN_MAX_INPUT		(256u << 20)

static void run_usage(FILE *f)
{
	fputs("usage: sushictl run --subnet ID --input FILE [options]\n"
	      "Run one SubNet of a SuperNet on the SushiAccel and print its class\n"
	      "scores, the predicted class and the job statistics (cycles, time,\n"
	      "MACs, DRAM and PB bytes, energy) next to the model library's\n"
	      "prediction of the same launch.\n\n"
	      "options:\n"
	      "  -d, --device PATH    accel node (default: the first SushiAccel one)\n"
	      "  --supernet FILE      SuperNet file (default: the shipped Fashion-MNIST one)\n"
	      "  --subnet ID          SubNet to run: catalog id (e.g. sn03) or index\n"
	      "  --pin ID             pin that SubNet's weight slices in the PB first\n"
	      "  --input FILE         IDX image file (uint8 pixels, input = pixel - 128)\n"
	      "                       or a raw int8 file of exactly the input size\n"
	      "  --index N            image of an IDX file (default 0)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

static int need_arg(int argc, char **argv, int *i, const char **dst,
		    const char *what, char *err, size_t errlen)
{
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "%s needs %s", argv[*i], what);
		return EXIT_USAGE;
	}
	*dst = argv[++*i];
	return 0;
}

int run_parse(int argc, char **argv, struct run_opts *o, bool *help,
	      char *err, size_t errlen)
{
	const char *index = NULL;

	memset(o, 0, sizeof(*o));
	o->supernet = SUSHI_DEFAULT_SUPERNET;
	*help = false;
	err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int ret = 0;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
			return 0;
		} else if (!strcmp(a, "--json")) {
			o->dev.json = true;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--device")) {
			ret = need_arg(argc, argv, &i, &o->dev.device,
				       "a path (e.g. /dev/accel/accel0)", err, errlen);
		} else if (!strncmp(a, "--device=", 9)) {
			o->dev.device = a + 9;
		} else if (!strcmp(a, "--supernet")) {
			ret = need_arg(argc, argv, &i, &o->supernet,
				       "a SuperNet file", err, errlen);
		} else if (!strcmp(a, "--subnet")) {
			ret = need_arg(argc, argv, &i, &o->subnet,
				       "a SubNet id (e.g. sn03) or index", err, errlen);
		} else if (!strcmp(a, "--pin")) {
			ret = need_arg(argc, argv, &i, &o->pin,
				       "a SubNet id (e.g. sn03) or index", err, errlen);
		} else if (!strcmp(a, "--input")) {
			ret = need_arg(argc, argv, &i, &o->input,
				       "an IDX image file or a raw int8 file", err,
				       errlen);
		} else if (!strcmp(a, "--index")) {
			ret = need_arg(argc, argv, &i, &index,
				       "an image number", err, errlen);
		} else {
			snprintf(err, errlen, "unknown option '%s' (try --help)", a);
			return EXIT_USAGE;
		}
		if (ret)
			return ret;
	}
	if (!o->subnet) {
		snprintf(err, errlen, "--subnet ID is required (a catalog id such as sn00, or an index)");
		return EXIT_USAGE;
	}
	if (!o->input) {
		snprintf(err, errlen, "--input FILE is required (an IDX image file or a raw int8 file)");
		return EXIT_USAGE;
	}
	if (index) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(index, &end, 10);
		if (!*index || *end || errno || index[0] == '-' || v > UINT32_MAX) {
			snprintf(err, errlen, "--index wants a non-negative integer, not '%s'", index);
			return EXIT_USAGE;
		}
		o->index = (uint32_t)v;
		o->has_index = true;
	}
	return 0;
}

/* The SubNet named @name (catalog id, or decimal index): 0 or -ENOENT. */
static int find_subnet(const struct sushi_supernet *sn, uint32_t n,
		       const char *name, uint32_t *out)
{
	char *end;
	unsigned long v;

	for (uint32_t i = 0; i < n; i++) {
		struct sushi_subnet_info si;

		if (!sushi_supernet_subnet(sn, i, &si) && !strcmp(si.id, name)) {
			*out = i;
			return 0;
		}
	}
	v = strtoul(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && v < n) {
		*out = (uint32_t)v;
		return 0;
	}
	return -ENOENT;
}

/* Say which SubNets exist: EXIT_USAGE. */
static int bad_subnet(const struct sushi_supernet *sn,
		      const struct sushi_supernet_info *info, const char *opt,
		      const char *name, const char *file)
{
	struct sushi_subnet_info a, b;

	sushi_supernet_subnet(sn, 0, &a);
	sushi_supernet_subnet(sn, info->n_subnets - 1, &b);
	fprintf(stderr, "sushictl run: %s %s: no such SubNet in %s; use a "
		"catalog id (%s ... %s) or an index 0..%u\n", opt, name, file,
		a.id, b.id, info->n_subnets - 1);
	return EXIT_USAGE;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Read the network input from @o->input into @in: 0 or an exit status. */
static int read_input(const struct run_opts *o,
		      const struct sushi_supernet_info *info, int8_t *in)
{
	const uint64_t need = (uint64_t)info->in_h * info->in_w * info->in_c;
	FILE *f = fopen(o->input, "rb");
	uint8_t *buf;
	long len;
	int ret = EXIT_INPUT;

	if (!f) {
		fprintf(stderr, "sushictl run: cannot open input %s: %s\n",
			o->input, strerror(errno));
		return EXIT_INPUT;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || (unsigned long)len > RUN_MAX_INPUT) {
		fprintf(stderr, "sushictl run: cannot read input %s (or it is "
			"larger than %u bytes)\n", o->input, RUN_MAX_INPUT);
		fclose(f);
		return EXIT_INPUT;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "sushictl run: cannot read input %s\n", o->input);
		free(buf);
		fclose(f);
		return buf ? EXIT_INPUT : EXIT_INTERNAL;
	}
	fclose(f);
	if (len >= 16 && be32(buf) == IDX_IMAGES_MAGIC) {
		uint64_t count = be32(buf + 4), rows = be32(buf + 8),
			 cols = be32(buf + 12);

		if (rows != info->in_h || cols != info->in_w || info->in_c != 1)
			fprintf(stderr, "sushictl run: %s holds %" PRIu64 "x%" PRIu64
				" images; the SuperNet takes %ux%ux%u inputs\n",
				o->input, rows, cols, info->in_h, info->in_w,
				info->in_c);
		else if ((uint64_t)len != 16 + count * rows * cols)
			fprintf(stderr, "sushictl run: %s is truncated or too long "
				"for %" PRIu64 " images of %" PRIu64 "x%" PRIu64 "\n",
				o->input, count, rows, cols);
		else if (o->index >= count)
			fprintf(stderr, "sushictl run: %s has %" PRIu64 " images; "
				"--index must be below that\n", o->input, count);
		else {
			const uint8_t *px = buf + 16 + (uint64_t)o->index * need;

			/* int8ref.images_to_input: pixel - 128 */
			for (uint64_t i = 0; i < need; i++)
				in[i] = (int8_t)((int)px[i] - 128);
			ret = 0;
		}
	} else if ((uint64_t)len == need) {
		if (o->has_index && o->index)
			fprintf(stderr, "sushictl run: %s is a raw input (not an "
				"IDX file); leave out --index\n", o->input);
		else {
			memcpy(in, buf, need);
			ret = 0;
		}
	} else {
		fprintf(stderr, "sushictl run: %s is neither an IDX image file "
			"(magic 0x%08x) nor a raw int8 input of %" PRIu64
			" bytes (%ux%ux%u); it has %ld bytes\n", o->input,
			IDX_IMAGES_MAGIC, need, info->in_h, info->in_w,
			info->in_c, len);
	}
	free(buf);
	return ret;
}

struct run_result {
	struct sushi_subnet_info si;
	uint32_t subnet;
	const char *pin_id;
	uint64_t pin_bytes;
	int8_t *scores;
	uint32_t n_scores;
	uint32_t cls;
	struct sushi_job_stats st;
	struct sushi_cost model;
	struct sushi_model_config cfg;
};

static void print_json(const struct run_opts *o, struct sushi_device *dev,
		       const struct run_result *r)
{
	const struct sushi_job_stats *s = &r->st;
	const struct sushi_cost *m = &r->model;
	struct jw w;

	jw_begin(&w, stdout);
	jw_str(&w, "device", sushi_device_path(dev));
	jw_str(&w, "supernet", o->supernet);
	jw_obj(&w, "subnet");
	jw_u64(&w, "index", r->subnet);
	jw_str(&w, "id", r->si.id);
	jw_str(&w, "arch", r->si.arch_name);
	jw_num(&w, "accuracy", r->si.accuracy);
	jw_end_obj(&w);
	if (r->pin_id) {
		jw_obj(&w, "pin");
		jw_str(&w, "subnet", r->pin_id);
		jw_u64(&w, "bytes", r->pin_bytes);
		jw_end_obj(&w);
	}
	jw_str(&w, "input", o->input);
	jw_u64(&w, "index", o->index);
	jw_arr(&w, "scores");
	for (uint32_t i = 0; i < r->n_scores; i++)
		jw_i64(&w, NULL, r->scores[i]);
	jw_end_arr(&w);
	jw_u64(&w, "class", r->cls);
	jw_obj(&w, "job");
	jw_str(&w, "status", sushi_job_status_name(s->status));
	jw_u64(&w, "cycles", s->cycles);
	jw_u64(&w, "time_ns", sushi_model_cycles_to_ns(&r->cfg, s->cycles));
	jw_u64(&w, "macs", s->macs);
	jw_u64(&w, "dram_rd", s->dram_rd);
	jw_u64(&w, "dram_wr", s->dram_wr);
	jw_u64(&w, "pb_rd", s->pb_rd);
	jw_u64(&w, "energy_fj", s->energy_fj);
	jw_u64(&w, "offchip_fj", s->offchip_fj);
	jw_end_obj(&w);
	jw_obj(&w, "model");
	jw_u64(&w, "cycles", m->cycles);
	jw_u64(&w, "time_ns", sushi_model_cycles_to_ns(&r->cfg, m->cycles));
	jw_u64(&w, "macs", m->macs);
	jw_u64(&w, "dram_rd", m->dram_rd);
	jw_u64(&w, "dram_wr", m->dram_wr);
	jw_u64(&w, "pb_rd", m->pb_rd);
	jw_u64(&w, "energy_fj", m->energy_fj);
	jw_u64(&w, "offchip_fj", m->offchip_fj);
	jw_end_obj(&w);
	jw_u64(&w, "clock_hz", r->cfg.clock_hz);
	jw_finish(&w);
}

static void print_table(const struct run_opts *o, struct sushi_device *dev,
			const struct run_result *r)
{
	static const char *const head[] = { "", "device", "model" };
	static const bool right[] = { false, true, true };
	const struct sushi_job_stats *s = &r->st;
	const struct sushi_cost *m = &r->model;
	const struct { const char *name; uint64_t dev, model; } rows[] = {
		{ "cycles", s->cycles, m->cycles },
		{ "time (ns)", sushi_model_cycles_to_ns(&r->cfg, s->cycles),
		  sushi_model_cycles_to_ns(&r->cfg, m->cycles) },
		{ "MACs", s->macs, m->macs },
		{ "DRAM read (B)", s->dram_rd, m->dram_rd },
		{ "DRAM write (B)", s->dram_wr, m->dram_wr },
		{ "PB read (B)", s->pb_rd, m->pb_rd },
		{ "energy (fJ)", s->energy_fj, m->energy_fj },
		{ "off-chip (fJ)", s->offchip_fj, m->offchip_fj },
	};
	char c[3][32];
	const char *cells[3] = { c[0], c[1], c[2] };
	struct table t;

	printf("device:    %s\n", sushi_device_path(dev));
	printf("supernet:  %s\n", o->supernet);
	printf("subnet:    %s (index %u, %s, accuracy %.2f%%)\n", r->si.id,
	       r->subnet, r->si.arch_name, 100.0 * r->si.accuracy);
	if (r->pin_id)
		printf("pinned:    %s's weight slices (%" PRIu64 " bytes)\n",
		       r->pin_id, r->pin_bytes);
	else
		printf("pinned:    nothing\n");
	printf("input:     %s (image %u)\n", o->input, o->index);
	printf("scores:   ");
	for (uint32_t i = 0; i < r->n_scores; i++)
		printf(" %d", r->scores[i]);
	printf("\nclass:     %u\n", r->cls);
	printf("job:       %s at %" PRIu64 " Hz\n",
	       sushi_job_status_name(s->status), r->cfg.clock_hz);
	table_init(&t, 3, head, right);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(c[0], sizeof(c[0]), "%s", rows[i].name);
		snprintf(c[1], sizeof(c[1]), "%" PRIu64, rows[i].dev);
		snprintf(c[2], sizeof(c[2]), "%" PRIu64, rows[i].model);
		table_add(&t, cells);
	}
	table_print(&t, stdout);
	table_free(&t);
}

/* Open, pin, run, predict; prints errors; an exit status. */
static int run_on_device(const struct run_opts *o, struct sushi_supernet *sn,
			 const int8_t *in, struct run_result *r)
{
	struct sushi_supernet_info info;
	struct sushi_netdev *nd = NULL;
	struct sushi_device *dev = NULL;
	struct sushi_slice *sg = NULL;
	struct sushi_subnet_io io;
	struct sushi_caps caps;
	uint32_t set = 0, pin = 0;
	int ret, st = EXIT_DEVICE;

	sushi_supernet_info(sn, &info);
	if (o->pin && find_subnet(sn, info.n_subnets, o->pin, &pin))
		return bad_subnet(sn, &info, "--pin", o->pin, o->supernet);
	ret = dev_open("run", &o->dev, &dev);
	if (ret)
		return ret;
	sushi_device_caps(dev, &caps);
	sushi_caps_model_config(&caps, &r->cfg);
	ret = sushi_netdev_create(dev, sn, &nd);
	if (ret) {
		fprintf(stderr, "sushictl run: cannot load %s on %s: %s\n",
			o->supernet, sushi_device_path(dev), sushi_strerror(ret));
		goto out;
	}
	sushi_netdev_io(nd, r->subnet, &io);
	r->n_scores = (uint32_t)io.out_bytes;
	r->scores = calloc(io.out_bytes ? io.out_bytes : 1, 1);
	sg = calloc(info.n_weight_layers ? info.n_weight_layers : 1, sizeof(*sg));
	if (!r->scores || !sg) {
		st = EXIT_INTERNAL;
		goto out;
	}
	if (o->pin) {
		struct sushi_subnet_info pi;

		sushi_supernet_subnet(sn, pin, &pi);
		r->pin_id = pi.id;
		r->pin_bytes = pi.weight_bytes;
		sushi_supernet_slices(sn, pin, sg);
		ret = sushi_netdev_pin(nd, sg, &set, NULL);
		if (ret) {
			fprintf(stderr, "sushictl run: cannot pin %s's %" PRIu64
				" weight bytes in the Persistent Buffer of %s: %s%s\n",
				pi.id, pi.weight_bytes, sushi_device_path(dev),
				sushi_strerror(ret), ret == -ENOSPC ?
				" (see 'sushictl pb' for what is free)" : "");
			goto out;
		}
	}
	ret = sushi_netdev_run(nd, r->subnet, set, in, io.in_bytes, r->scores,
			       io.out_bytes, &r->st);
	if (ret) {
		fprintf(stderr, "sushictl run: %s failed on %s: %s (job status "
			"%s, layer %u)\n", r->si.id, sushi_device_path(dev),
			sushi_strerror(ret), sushi_job_status_name(r->st.status),
			r->st.layer);
		goto out;
	}
	ret = sushi_netdev_model_cost(nd, r->subnet, o->pin ? sg : NULL,
				      &r->model);
	if (ret) {
		fprintf(stderr, "sushictl run: the model library cannot price "
			"%s: %s\n", r->si.id, sushi_strerror(ret));
		st = EXIT_INTERNAL;
		goto out;
	}
	r->cls = 0;
	for (uint32_t i = 1; i < r->n_scores; i++)
		if (r->scores[i] > r->scores[r->cls])
			r->cls = i;
	if (o->dev.json)
		print_json(o, dev, r);
	else
		print_table(o, dev, r);
	st = fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
out:
	if (set)
		sushi_netdev_unpin(nd, set);
	free(sg);
	sushi_netdev_destroy(nd);
	sushi_device_close(dev);
	return st;
}

int cmd_run(int argc, char **argv)
{
	struct sushi_supernet_info info;
	struct sushi_supernet *sn = NULL;
	struct run_result r;
	struct run_opts o;
	int8_t *in = NULL;
	char err[512];
	bool help;
	int ret = run_parse(argc, argv, &o, &help, err, sizeof(err));

	if (ret || help) {
		if (ret)
			fprintf(stderr, "sushictl run: %s\n", err);
		run_usage(ret ? stderr : stdout);
		return ret;
	}
	memset(&r, 0, sizeof(r));
	ret = sushi_supernet_open(o.supernet, &sn, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sushictl run: cannot load SuperNet %s: %s\n",
			o.supernet, ret == -EINVAL ? err : sushi_strerror_in(SUSHI_CALL_FILE, ret));
		return EXIT_INPUT;
	}
	sushi_supernet_info(sn, &info);
	if (find_subnet(sn, info.n_subnets, o.subnet, &r.subnet)) {
		ret = bad_subnet(sn, &info, "--subnet", o.subnet, o.supernet);
		sushi_supernet_close(sn);
		return ret;
	}
	sushi_supernet_subnet(sn, r.subnet, &r.si);
	in = malloc((size_t)info.in_h * info.in_w * info.in_c);
	ret = in ? read_input(&o, &info, in) : EXIT_INTERNAL;
	if (!ret)
		ret = run_on_device(&o, sn, in, &r);
	free(r.scores);
	free(in);
	sushi_supernet_close(sn);
	return ret;
}
