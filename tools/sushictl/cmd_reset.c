// SPDX-License-Identifier: MIT
/*
 * cmd_reset.c - `sushictl reset`: reset the device now (root only; a
 * clear refusal with its own exit status otherwise).
 */
#include <errno.h>
#include <stdio.h>

#include "cmd_dev.h"
#include "cmd_eval.h"
#include "out.h"

static void reset_usage(FILE *f)
{
	fputs("usage: sushictl reset [options]\n"
	      "Reset the SushiAccel device now (needs root: CAP_SYS_ADMIN). Jobs on\n"
	      "the device of every process are canceled, queued jobs run afterwards,\n"
	      "and the Persistent Buffer is wiped: launches that use a pin set loaded\n"
	      "before the reset fail until it is pinned again.\n\n"
	      "options:\n"
	      "  -d, --device PATH    accel node (default: the first SushiAccel one)\n"
	      "  --json               JSON output\n"
	      "  -h, --help           this text\n", f);
}

int cmd_reset(int argc, char **argv)
{
	struct sushi_counters c = { 0 };
	struct sushi_device *dev;
	struct dev_opts o;
	uint32_t gen = 0;
	char err[256];
	bool help;
	int ret = dev_parse(argc, argv, &o, &help, err, sizeof(err));

	if (ret || help) {
		if (ret)
			fprintf(stderr, "sushictl reset: %s\n", err);
		reset_usage(ret ? stderr : stdout);
		return ret;
	}
	ret = dev_open("reset", &o, &dev);
	if (ret)
		return ret;
	ret = sushi_device_reset(dev, &gen);
	if (ret == -EACCES || ret == -EPERM) {
		fprintf(stderr, "sushictl reset: permission denied: resetting %s "
			"needs root (CAP_SYS_ADMIN); the device was not reset. "
			"Run it as root (e.g. with sudo).\n",
			sushi_device_path(dev));
		sushi_device_close(dev);
		return EXIT_DENIED;
	}
	if (ret) {
		fprintf(stderr, "sushictl reset: cannot reset %s: %s\n",
			sushi_device_path(dev), sushi_strerror(ret));
		sushi_device_close(dev);
		return EXIT_DEVICE;
	}
	sushi_device_counters(dev, &c);
	if (o.json) {
		struct jw w;

		jw_begin(&w, stdout);
		jw_str(&w, "device", sushi_device_path(dev));
		jw_bool(&w, "reset", true);
		jw_u64(&w, "pb_generation", gen);
		jw_u64(&w, "resets", c.resets);
		jw_finish(&w);
	} else {
		printf("%s reset (%llu resets since the driver bound it); "
		       "Persistent Buffer generation now %u: pin sets loaded "
		       "before must be pinned again\n", sushi_device_path(dev),
		       (unsigned long long)c.resets, gen);
	}
	sushi_device_close(dev);
	return fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
}
