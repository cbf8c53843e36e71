// SPDX-License-Identifier: MIT
/*
 * cmd_pb.c - `sushictl pb`: the Persistent Buffer's capacity, use and
 * generation, and this process's pin sets (a fresh process has none: pin
 * sets belong to the file descriptor that pinned them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd_dev.h"
#include "cmd_eval.h"
#include "out.h"

#define PB_MAX_SETS 1024

static void pb_usage(FILE *f)
{
	fputs("usage: sushictl pb [options]\n"
	      "Print the Persistent Buffer: capacity, bytes used by all processes,\n"
	      "table entries, generation (bumped by every device reset) and the pin\n"
	      "sets of this process.\n\n"
	      "options:\n"
	      "  -d, --device PATH    accel node (default: the first SushiAccel one)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

int cmd_pb(int argc, char **argv)
{
	struct sushi_pin_set_info *sets;
	struct sushi_device *dev;
	struct sushi_pb_info pb;
	struct sushi_caps caps;
	struct dev_opts o;
	char err[256];
	uint32_t n;
	bool help;
	int ret = dev_parse(argc, argv, &o, &help, err, sizeof(err));

	if (ret || help) {
		if (ret)
			fprintf(stderr, "sushictl pb: %s\n", err);
		pb_usage(ret ? stderr : stdout);
		return ret;
	}
	ret = dev_open("pb", &o, &dev);
	if (ret)
		return ret;
	sets = calloc(PB_MAX_SETS, sizeof(*sets));
	if (!sets) {
		sushi_device_close(dev);
		return EXIT_INTERNAL;
	}
	sushi_device_caps(dev, &caps);
	ret = sushi_pb_query(dev, &pb, sets, PB_MAX_SETS);
	if (ret) {
		fprintf(stderr, "sushictl pb: cannot query the Persistent Buffer "
			"of %s: %s\n", sushi_device_path(dev), sushi_strerror(ret));
		free(sets);
		sushi_device_close(dev);
		return EXIT_DEVICE;
	}
	n = pb.n_sets < PB_MAX_SETS ? pb.n_sets : PB_MAX_SETS;
	if (o.json) {
		struct jw w;

		jw_begin(&w, stdout);
		jw_str(&w, "device", sushi_device_path(dev));
		jw_u64(&w, "capacity", pb.capacity);
		jw_u64(&w, "used", pb.used);
		jw_u64(&w, "free", pb.capacity > pb.used ? pb.capacity - pb.used : 0);
		jw_u64(&w, "entries", caps.pb_entries);
		jw_u64(&w, "entries_used", pb.entries_used);
		jw_u64(&w, "generation", pb.generation);
		jw_arr(&w, "pin_sets");
		for (uint32_t i = 0; i < n; i++) {
			jw_obj(&w, NULL);
			jw_u64(&w, "handle", sets[i].handle);
			jw_u64(&w, "ranges", sets[i].ranges);
			jw_u64(&w, "bytes", sets[i].bytes);
			jw_u64(&w, "generation", sets[i].generation);
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_finish(&w);
	} else {
		static const char *const head[] = { "handle", "ranges", "bytes",
						    "generation" };
		static const bool right[] = { true, true, true, true };
		char c[4][24];
		const char *cells[4] = { c[0], c[1], c[2], c[3] };
		struct table t;

		printf("device:      %s\n", sushi_device_path(dev));
		printf("capacity:    %" PRIu64 " bytes\n", pb.capacity);
		printf("used:        %" PRIu64 " bytes (all processes)\n", pb.used);
		printf("entries:     %u of %u used\n", pb.entries_used,
		       caps.pb_entries);
		printf("generation:  %u\n", pb.generation);
		printf("pin sets of this process: %u\n", pb.n_sets);
		if (n) {
			table_init(&t, 4, head, right);
			for (uint32_t i = 0; i < n; i++) {
				snprintf(c[0], sizeof(c[0]), "%u", sets[i].handle);
				snprintf(c[1], sizeof(c[1]), "%u", sets[i].ranges);
				snprintf(c[2], sizeof(c[2]), "%" PRIu64, sets[i].bytes);
				snprintf(c[3], sizeof(c[3]), "%u", sets[i].generation);
				table_add(&t, cells);
			}
			table_print(&t, stdout);
			table_free(&t);
		}
	}
	free(sets);
	sushi_device_close(dev);
	return fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
}
