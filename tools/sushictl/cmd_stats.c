// SPDX-License-Identifier: MIT
/*
 * cmd_stats.c - `sushictl stats`: the device-wide counters (launches, PB
 * loads, timeouts, resets, interrupts and the modelled cycles, bytes and
 * energy of every job since the driver bound the device).
 */
#include <inttypes.h>
#include <stdio.h>

#include <errno.h>

#include "cmd_dev.h"
#include "cmd_eval.h"
#include "out.h"

static void stats_usage(FILE *f)
{
	fputs("usage: sushictl stats [options]\n"
	      "Print the device-wide counters since the driver bound the device (all\n"
	      "processes; device resets do not clear them): launches and failed\n"
	      "launches, PB loads and invalidations, timeouts, resets, interrupts,\n"
	      "device errors, and the modelled cycles, MACs, DRAM and PB bytes and\n"
	      "energy of every job. They describe every user's work, so they need\n"
	      "CAP_PERFMON (or root).\n\n"
	      "options:\n"
	      "  -d, --device PATH    accel node (default: the first SushiAccel one)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

/* one counter: its JSON key, its label, its value */
struct counter {
	const char *key, *label;
	uint64_t v;
};

int cmd_stats(int argc, char **argv)
{
	struct sushi_counters c;
	struct sushi_device *dev;
	struct sushi_caps caps;
	struct dev_opts o;
	char err[256];
	bool help;
	int ret = dev_parse(argc, argv, &o, &help, err, sizeof(err));

	if (ret || help) {
		if (ret)
			fprintf(stderr, "sushictl stats: %s\n", err);
		stats_usage(ret ? stderr : stdout);
		return ret;
	}
	ret = dev_open("stats", &o, &dev);
	if (ret)
		return ret;
	sushi_device_caps(dev, &caps);
	ret = sushi_device_counters(dev, &c);
	if (ret == -EACCES || ret == -EPERM) {
		fprintf(stderr, "sushictl stats: permission denied: the counters "
			"of %s describe every user's work and need CAP_PERFMON "
			"(or root).\n", sushi_device_path(dev));
		sushi_device_close(dev);
		return EXIT_DENIED;
	}
	if (ret) {
		fprintf(stderr, "sushictl stats: cannot read the counters of %s: "
			"%s (a driver without DRM_SUSHI_QUERY_COUNTERS says "
			"'invalid argument': update the sushi module)\n",
			sushi_device_path(dev), sushi_strerror(ret));
		sushi_device_close(dev);
		return EXIT_DEVICE;
	}
	const struct counter all[] = {
		{ "launches", "launches", c.launches },
		{ "launches_failed", "launches failed", c.launches_failed },
		{ "pb_loads", "PB loads (ranges)", c.pb_loads },
		{ "pb_invalidations", "PB invalidations", c.pb_invalidations },
		{ "timeouts", "timeouts", c.timeouts },
		{ "resets", "device resets", c.resets },
		{ "irqs", "interrupts", c.irqs },
		{ "device_errors", "device errors", c.device_errors },
		{ "cycles", "cycles", c.cycles },
		{ "macs", "MACs", c.macs },
		{ "dram_rd", "DRAM bytes read", c.dram_rd },
		{ "dram_wr", "DRAM bytes written", c.dram_wr },
		{ "pb_rd", "PB bytes read", c.pb_rd },
		{ "energy_fj", "energy (fJ)", c.energy_fj },
		{ "offchip_fj", "off-chip energy (fJ)", c.offchip_fj },
		{ "pb_generation", "PB generation", c.pb_gen },
	};
	const size_t n = sizeof(all) / sizeof(all[0]);
	double busy_s = caps.clock_hz ? (double)c.cycles / (double)caps.clock_hz : 0;

	if (o.json) {
		struct jw w;

		jw_begin(&w, stdout);
		jw_str(&w, "device", sushi_device_path(dev));
		for (size_t i = 0; i < n; i++)
			jw_u64(&w, all[i].key, all[i].v);
		jw_num(&w, "busy_s", busy_s);
		jw_finish(&w);
	} else {
		static const char *const head[] = { "counter", "value" };
		static const bool right[] = { false, true };
		char v[32];
		const char *cells[2] = { NULL, v };
		struct table t;

		printf("device: %s (counters since the driver bound it)\n",
		       sushi_device_path(dev));
		table_init(&t, 2, head, right);
		for (size_t i = 0; i < n; i++) {
			cells[0] = all[i].label;
			snprintf(v, sizeof(v), "%" PRIu64, all[i].v);
			table_add(&t, cells);
		}
		cells[0] = "busy time at the clock (s)";
		snprintf(v, sizeof(v), "%.6f", busy_s);
		table_add(&t, cells);
		table_print(&t, stdout);
		table_free(&t);
	}
	sushi_device_close(dev);
	return fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
}
