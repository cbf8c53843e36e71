// SPDX-License-Identifier: MIT
/*
 * cmd_info.c - `sushictl info`: the device node and its configuration
 * (capabilities) as a table or JSON.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cmd_dev.h"
#include "cmd_eval.h"
#include "out.h"

static void info_usage(FILE *f)
{
	fputs("usage: sushictl info [options]\n"
	      "Print the SushiAccel device and its configuration.\n\n"
	      "options:\n"
	      "  -d, --device PATH    accel node (default: the first SushiAccel one)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

/* name, value of one capability */
struct cap_row {
	const char *name;
	uint64_t v;
};

#define NCAPS 24

static int cap_rows(const struct sushi_caps *c, struct cap_row *r)
{
	const struct cap_row rows[NCAPS] = {
		{ "hw_version", c->hw_version }, { "flags", c->flags },
		{ "pe_k", c->pe_k }, { "pe_c", c->pe_c },
		{ "window", c->window },
		{ "dram_bytes_per_cycle", c->dram_bytes_per_cycle },
		{ "overhead_cycles", c->overhead_cycles },
		{ "pb_entries", c->pb_entries },
		{ "max_layers", c->max_layers }, { "va_bits", c->va_bits },
		{ "max_dim", c->max_dim }, { "max_channels", c->max_channels },
		{ "max_kernel", c->max_kernel },
		{ "max_pool_kernel", c->max_pool_kernel },
		{ "max_stride", c->max_stride },
		{ "max_reduction", c->max_reduction },
		{ "clock_hz", c->clock_hz }, { "pb_bytes", c->pb_bytes },
		{ "e_mac_fj", c->e_mac_fj }, { "e_dram_fj", c->e_dram_fj },
		{ "e_pb_fj", c->e_pb_fj }, { "e_buf_fj", c->e_buf_fj },
		{ "p_static_uw", c->p_static_uw },
		{ "max_bo_size", c->max_bo_size },
	};

	for (int i = 0; i < NCAPS; i++)
		r[i] = rows[i];
	return NCAPS;
}

int cmd_info(int argc, char **argv)
{
	struct sushi_device *dev;
	struct cap_row rows[NCAPS];
	struct sushi_caps caps;
	struct dev_opts o;
	char err[256];
	bool help;
	int ret = dev_parse(argc, argv, &o, &help, err, sizeof(err)), n;

	if (ret || help) {
		if (ret)
			fprintf(stderr, "sushictl info: %s\n", err);
		info_usage(ret ? stderr : stdout);
		return ret;
	}
	ret = dev_open("info", &o, &dev);
	if (ret)
		return ret;
	sushi_device_caps(dev, &caps);
	n = cap_rows(&caps, rows);
	if (o.json) {
		struct jw w;

		jw_begin(&w, stdout);
		jw_str(&w, "device", sushi_device_path(dev));
		jw_str(&w, "driver", SUSHI_DRIVER_NAME);
		jw_obj(&w, "caps");
		for (int i = 0; i < n; i++)
			jw_u64(&w, rows[i].name, rows[i].v);
		jw_end_obj(&w);
		jw_finish(&w);
	} else {
		static const char *const head[] = { "property", "value" };
		static const bool right[] = { false, true };
		char val[32];
		const char *cells[2];
		struct table t;

		table_init(&t, 2, head, right);
		cells[0] = "device";
		cells[1] = sushi_device_path(dev);
		table_add(&t, cells);
		snprintf(val, sizeof(val), "%u.%u", caps.hw_version >> 16,
			 caps.hw_version & 0xffff);
		cells[0] = "hw_version";
		cells[1] = val;
		table_add(&t, cells);
		for (int i = 1; i < n; i++) {
			snprintf(val, sizeof(val), "%" PRIu64, rows[i].v);
			cells[0] = rows[i].name;
			cells[1] = val;
			table_add(&t, cells);
		}
		table_print(&t, stdout);
		table_free(&t);
	}
	sushi_device_close(dev);
	return fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
}
