/* SPDX-License-Identifier: MIT */
/*
 * cmd_dev.h - the sushictl commands that talk to a SushiAccel device
 * through libsushi (info, pb, stats, reset, run, serve) and their option
 * parsers.
 */
#ifndef SUSHICTL_CMD_DEV_H
#define SUSHICTL_CMD_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sushi/device.h"
#include "sushi/eval.h"

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
int cmd_stats(int argc, char **argv);
int cmd_reset(int argc, char **argv);

/* options of `sushictl run` (cmd_run.c) */
struct run_opts {
	struct dev_opts dev;	/* --device, --json */
	const char *supernet;	/* --supernet FILE (default compiled in) */
	const char *subnet;	/* --subnet ID: catalog id or index */
	const char *pin;	/* --pin ID, or NULL: nothing pinned */
	const char *input;	/* --input FILE: IDX images or raw int8 */
	uint32_t index;		/* --index N: image of an IDX file */
	bool has_index;		/* --index was given */
};

/*
 * run_parse() - parse "run [options]" (argv[0] is the command): 0, or
 * EXIT_USAGE with a message in @err; "--help" returns 0 with *help set.
 */
int run_parse(int argc, char **argv, struct run_opts *o, bool *help,
	      char *err, size_t errlen);

/* cmd_run() - `sushictl run`: one SubNet on the device, with the model's cost */
int cmd_run(int argc, char **argv);

/* options of `sushictl serve` (cmd_serve.c) */
struct serve_opts {
	struct dev_opts dev;		/* --device, --json */
	const char *supernet;		/* --supernet FILE (default compiled in) */
	const char *images;		/* --images IDX (default compiled in) */
	const char *labels;		/* --labels IDX (default compiled in) */
	uint32_t policies;		/* --policy: bit i = enum sushi_policy i */
	struct sushi_trace_params trace;	/* --trace, -n, --seed, --phase
						 * (ranges unset: the catalog's) */
	struct sushi_sched_params sched;	/* --q, --w (policy unused) */
	struct sushi_fleet_params fleet;	/* --devices, --router,
						 * --overload, --max-queue */
};

/* the policies serve runs: those deciding per query on a pinned SubGraph */
#define SERVE_POLICIES	((1u << SUSHI_POLICY_SUSHI) | \
			 (1u << SUSHI_POLICY_NO_PB) | \
			 (1u << SUSHI_POLICY_STATIC_SMALLEST) | \
			 (1u << SUSHI_POLICY_STATIC_INTERSECT))

/*
 * serve_parse() - parse "serve [options]" (argv[0] is the command): 0, or
 * EXIT_USAGE with a message in @err; "--help" returns 0 with *help set.
 * Defaults: eval's trace (phased, 10000 queries, seed 1, phase 500), Q 32,
 * W 64, every policy of SERVE_POLICIES, the compiled-in files.
 */
int serve_parse(int argc, char **argv, struct serve_opts *o, bool *help,
		char *err, size_t errlen);

/* cmd_serve() - `sushictl serve`: a query trace served on the device */
int cmd_serve(int argc, char **argv);

#endif /* SUSHICTL_CMD_DEV_H */
