// SPDX-License-Identifier: MIT
/*
 * cmd_dev.c - option parsing and device opening shared by the sushictl
 * commands that need a SushiAccel device (info, pb).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd_dev.h"
#include "cmd_eval.h"

int dev_parse(int argc, char **argv, struct dev_opts *o, bool *help,
	      char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	*help = false;
	err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
			return 0;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--device")) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "%s needs a path (e.g. /dev/accel/accel0)", a);
				return EXIT_USAGE;
			}
			o->device = argv[++i];
		} else if (!strncmp(a, "--device=", 9)) {
			o->device = a + 9;
		} else {
			snprintf(err, errlen, "unknown option '%s' (try --help)", a);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int dev_open(const char *cmd, const struct dev_opts *o,
	     struct sushi_device **dev)
{
	int ret = sushi_device_open(o->device, dev);

	if (!ret)
		return 0;
	if (o->device && ret == -ENODEV)
		fprintf(stderr, "sushictl %s: %s is not a SushiAccel node (its "
			"DRM driver is not '%s'); try /dev/accel/accelN or leave "
			"out --device\n", cmd, o->device, SUSHI_DRIVER_NAME);
	else if (o->device)
		fprintf(stderr, "sushictl %s: cannot open %s: %s\n", cmd,
			o->device, sushi_strerror_in(SUSHI_CALL_OPEN, ret));
	else if (ret == -ENODEV)
		fprintf(stderr, "sushictl %s: no SushiAccel device found in "
			"/dev/accel: load the sushi driver (modprobe sushi) or "
			"name a node with --device\n", cmd);
	else
		fprintf(stderr, "sushictl %s: cannot open the SushiAccel "
			"device: %s\n", cmd, sushi_strerror_in(SUSHI_CALL_OPEN, ret));
	return EXIT_DEVICE;
}
