/* SPDX-License-Identifier: MIT */
/*
 * cmd_dev.h - the sushictl commands that talk to a SushiAccel device
 * through libsushi (info, pb) and their shared option parser.
 */
#ifndef SUSHICTL_CMD_DEV_H
#define SUSHICTL_CMD_DEV_H

#include <stdbool.h>
#include <stddef.h>

#include "sushi/device.h"

/* options every device command takes */
struct dev_opts {
	const char *device;	/* --device PATH, or NULL: the first one */
	bool json;		/* --json */
};

/*
 * dev_parse() - parse "CMD [--device PATH] [--json] [--help]" (argv[0] is
 * the command).  Returns 0, or EXIT_USAGE with a message in @err; "--help"
 * returns 0 with *help set.
 */
int dev_parse(int argc, char **argv, struct dev_opts *o, bool *help,
	      char *err, size_t errlen);

/* Open the device of @o, printing what to do on failure: 0 or EXIT_DEVICE. */
int dev_open(const char *cmd, const struct dev_opts *o,
	     struct sushi_device **dev);

int cmd_info(int argc, char **argv);
int cmd_pb(int argc, char **argv);

#endif /* SUSHICTL_CMD_DEV_H */
