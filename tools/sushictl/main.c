// SPDX-License-Identifier: MIT
/*
 * main.c - sushictl, the SUSHI admin CLI: dispatches to its commands.
 * info, pb, stats, reset, run and serve talk to the device through
 * libsushi (cmd_dev.h); query and loadgen talk to sushid (cmd_client.h).
 */
#include <stdio.h>
#include <string.h>

#include "cmd_client.h"
#include "cmd_dev.h"
#include "cmd_eval.h"

static void usage(FILE *f)
{
	fputs("usage: sushictl COMMAND [options]\n\n"
	      "commands:\n"
	      "  eval    replay a query trace through SushiSched and the baselines on a\n"
	      "          modelled SushiAccel (no device needed)\n"
	      "  info    the SushiAccel device and its configuration\n"
	      "  pb      the Persistent Buffer and this process's pin sets\n"
	      "  stats   the device-wide counters (launches, PB loads, resets, ...)\n"
	      "  reset   reset the device (root only)\n"
	      "  run     run a SubNet of a SuperNet on the device on an input\n"
	      "  serve   serve a query trace on the device with SushiSched deciding\n"
	      "  query   send one image to sushid and print its answer\n"
	      "  loadgen open-loop Poisson load on sushid: latency percentiles, SLO\n"
	      "          attainment, throughput\n"
	      "  help    this text\n\n"
	      "'sushictl COMMAND --help' describes a command. Exit status: 0 success,\n"
	      "1 usage error, 2 device error, 3 bad input file, 4 internal error,\n"
	      "5 not permitted.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pb"))
		return cmd_pb(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "reset"))
		return cmd_reset(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "query"))
		return cmd_query(argc - 1, argv + 1);
	if (!strcmp(argv[1], "loadgen"))
		return cmd_loadgen(argc - 1, argv + 1);
	fprintf(stderr, "sushictl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
