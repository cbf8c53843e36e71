/* SPDX-License-Identifier: MIT */
/*
 * cmd_client.h - the sushictl commands that talk to sushid through
 * libsushi's client API (sushi/client.h): `query` (one image, one answer)
 * and `loadgen` (open-loop Poisson arrivals, latency percentiles, SLO
 * attainment, throughput); their options, parsers and the pieces they
 * share (connecting, the images as network inputs).
 */
#ifndef SUSHICTL_CMD_CLIENT_H
#define SUSHICTL_CMD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "serve.h"
#include "sushi/client.h"

/* options both commands take */
struct client_opts {
	const char *socket;	/* --socket PATH (default SUSHI_CLIENT_SOCKET) */
	const char *images;	/* --images IDX (default compiled in) */
	const char *labels;	/* --labels IDX (default compiled in) */
	double floor;		/* --floor F, [0, 1] (default 0) */
	uint64_t ceiling_ns;	/* --ceiling-us U (query: 1 s; loadgen: 50 ms) */
	double timeout_s;	/* --timeout S: how long to wait for answers */
	bool json;		/* --json */
};

/* options of `sushictl query` */
struct query_opts {
	struct client_opts c;
	uint32_t image;		/* --image N: index in --images (default 0) */
};

/* options of `sushictl loadgen` */
struct loadgen_opts {
	struct client_opts c;
	double rate;		/* --rate QPS: mean arrivals per second */
	double duration_s;	/* --duration S: arrivals for this long */
	uint64_t seed;		/* --seed N: the arrival times */
};

/* most queries one loadgen run may send (--rate x --duration) */
#define LOADGEN_MAX_QUERIES	10000000u

/*
 * query_parse() / loadgen_parse() - parse "query|loadgen [options]"
 * (argv[0] the command): 0, or EXIT_USAGE with a message in @err;
 * "--help" returns 0 with *help set.
 */
int query_parse(int argc, char **argv, struct query_opts *o, bool *help,
		char *err, size_t errlen);
int loadgen_parse(int argc, char **argv, struct loadgen_opts *o, bool *help,
		  char *err, size_t errlen);

/*
 * client_setup() - connect to --socket, read --images/--labels and check
 * the images are the daemon's input: 0, or an exit status after saying
 * why (EXIT_DEVICE no daemon, EXIT_INPUT bad image files or sizes)
 */
int client_setup(const char *cmd, const struct client_opts *o,
		 struct sushi_client **c, struct sushi_client_info *info,
		 struct serve_images *im);

/*
 * loadgen_arrivals() - the open-loop arrival times: exponential gaps of
 * mean 1/@rate from @seed, every one before @duration_s seconds, as
 * nanoseconds from the start in @t (malloc'd, *@t NULL if none).  The
 * count, or -ENOMEM / -E2BIG (more than LOADGEN_MAX_QUERIES).
 */
long loadgen_arrivals(double rate, double duration_s, uint64_t seed,
		      uint64_t **t);

/*
 * loadgen_percentile() - the nearest-rank @p quantile (0 < p <= 1) of the
 * @n sorted values @v (0 for none)
 */
uint64_t loadgen_percentile(const uint64_t *v, size_t n, double p);

int cmd_query(int argc, char **argv);
int cmd_loadgen(int argc, char **argv);

#endif /* SUSHICTL_CMD_CLIENT_H */
