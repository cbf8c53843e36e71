/* SPDX-License-Identifier: MIT */
/*
 * cmd_eval.h - `sushictl eval`: options and their parser (host-tested
 * without a device), and the command itself; one modelled device, or a
 * fleet of them (sushi/fleet.h).
 */
#ifndef SUSHICTL_CMD_EVAL_H
#define SUSHICTL_CMD_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sushi/eval.h"

/* exit codes of every sushictl command (sushictl.1, EXIT STATUS) */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* bad command line */
	EXIT_DEVICE = 2,	/* the device or driver failed */
	EXIT_INPUT = 3,		/* a bad input file */
	EXIT_INTERNAL = 4,	/* out of memory, I/O error writing output */
	EXIT_DENIED = 5,	/* not permitted (reset without root, stats without CAP_PERFMON) */
};

/**
 * struct eval_opts - what `sushictl eval` was asked to do
 * @supernet: SuperNet file
 * @policies: bit i set = run policy i (enum sushi_policy)
 * @trace: synthetic trace parameters (unset ranges: 0, filled from the
 *	SuperNet's catalog)
 * @trace_csv: a CSV trace file instead of a synthetic one, or NULL
 * @sched: Q, W, the select mode and the offline policies' objective (its
 *	policy field is unused)
 * @oracle_states: the oracle's state budget (0: libsushi's default)
 * @cfg: the modelled SushiAccel
 * @json: print JSON instead of a table
 * @plot: write a latency/accuracy timeline of SushiSched here (.png/.svg)
 * @fleet: the devices and how queries reach them (default: one device,
 *	EVAL_DEFAULT_ROUTER, LATE, no queue limit: the classic replay)
 * @policy_given: --policy was given (a fleet that cannot run the offline
 *	policies then refuses them instead of leaving them out)
 */
struct eval_opts {
	const char *supernet;
	uint32_t policies;
	struct sushi_trace_params trace;
	const char *trace_csv;
	struct sushi_sched_params sched;
	uint64_t oracle_states;
	struct sushi_model_config cfg;
	bool json;
	const char *plot;
	struct sushi_fleet_params fleet;
	bool policy_given;
};

/* the router of --router's default (Documentation/serving.rst says why) */
#define EVAL_DEFAULT_ROUTER SUSHI_ROUTER_JSQ

/* the offline policies: they plan for one device */
#define EVAL_OFFLINE_POLICIES ((1u << SUSHI_POLICY_ORACLE) | \
			       (1u << SUSHI_POLICY_BEST_STATIC))

/**
 * eval_fleet_mode() - a fleet option differs from its default: the online
 * policies replay through sushi_eval_fleet() and the fleet is printed
 */
bool eval_fleet_mode(const struct eval_opts *o);

/**
 * eval_one_queue() - one device, no shedding, no queue limit: what the
 * offline policies and the universal bound assume
 */
bool eval_one_queue(const struct eval_opts *o);

/**
 * struct eval_row - one policy's replay
 * @st: its metrics
 * @subgraph: the candidate it pins for the whole trace (the fixed-SubGraph
 *	policies and best-static), or UINT32_MAX
 * @same_as: an earlier policy (enum sushi_policy) pinning the same
 *	candidate for the whole trace, hence the same replay; or -1
 * @value: the objective's value (sushi_eval_objective())
 * @dev_queries: queries each device took (served or shed there; in a
 *	fleet only)
 */
struct eval_row {
	struct sushi_eval_stats st;
	uint32_t subgraph;
	int same_as;
	int64_t value;
	uint64_t dev_queries[SUSHI_FLEET_MAX_DEVICES];
};

/**
 * struct eval_report - everything `sushictl eval` prints
 * @o: the options
 * @sp: the scheduling space (candidates, accuracies)
 * @n: queries replayed
 * @rows: per policy (enum sushi_policy), valid where o->policies says
 * @oracle: the oracle's proof, valid with the oracle among the policies
 * @universal: sushi_eval_universal_bound() on the objective (valid when
 *	eval_one_queue())
 * @supernet_bytes: weight bytes of the whole SuperNet (every SubNet's
 *	slices together: a PB this large fits everything)
 * @smallest_slice: the smallest weight slice of any SubNet (a PB smaller
 *	than this fits nothing)
 * @largest_subnet: weight bytes of the largest SubNet
 * @ids: the catalog's SubNet ids, in space order (borrowed from the file)
 */
struct eval_report {
	const struct eval_opts *o;
	const struct sushi_sched_space *sp;
	size_t n;
	struct eval_row rows[SUSHI_POLICY_COUNT];
	struct sushi_oracle_info oracle;
	int64_t universal;
	uint64_t supernet_bytes;
	uint64_t smallest_slice;
	uint64_t largest_subnet;
	const char **ids;
};

/* the order policies are printed in */
extern const enum sushi_policy eval_order[SUSHI_POLICY_COUNT];

/** eval_print_table() - the report as tables and notes on @f */
void eval_print_table(const struct eval_report *r, FILE *f);
/** eval_print_json() - the report as JSON on @f */
void eval_print_json(const struct eval_report *r, FILE *f);

/**
 * eval_parse() - parse `sushictl eval` arguments (argv[0] is "eval")
 * Returns 0, or EXIT_USAGE with a message in @err.  "--help" returns
 * EXIT_OK with @err empty and *help set.
 */
int eval_parse(int argc, char **argv, struct eval_opts *o, bool *help,
	       char *err, size_t errlen);

/**
 * eval_parse_policies() - a --policy value: a comma-separated list of
 * policy names, or "all"; bit i of *@mask set = policy i.  0 or -EINVAL.
 */
int eval_parse_policies(const char *s, uint32_t *mask);

/*
 * eval_fleet_opt() - the fleet options eval and serve share: --devices,
 * --router, --overload, --max-queue into @f; 0, -ENOENT (not one of them)
 * or EXIT_USAGE with a message in @err
 */
int eval_fleet_opt(const char *name, const char *val,
		   struct sushi_fleet_params *f, char *err, size_t errlen);

struct jw;
/* eval_json_fleet() - @f as the "fleet" object of eval's and serve's JSON */
void eval_json_fleet(struct jw *w, const struct sushi_fleet_params *f);

/**
 * eval_trace_opt() - the valued options eval and serve share: --trace,
 * --queries, --seed, --phase (into @t), --q, --w, --select (into @sp).  Returns 0
 * when @name was one and @val was valid, -ENOENT when @name is not one of
 * them, EXIT_USAGE with a message in @err for a bad value.
 */
int eval_trace_opt(const char *name, const char *val,
		   struct sushi_trace_params *t, struct sushi_sched_params *sp,
		   char *err, size_t errlen);

/**
 * eval_fill_trace() - fill the unset ranges of @t from the catalog of @sp:
 * accuracy floors span the SubNets' accuracies (acc_lo/acc_hi NaN when
 * unset), ceilings from the fastest SubNet's latency to 1.2x the slowest's,
 * the mean gap about 80% load at the middle SubNet (0 when unset).
 */
void eval_fill_trace(struct sushi_trace_params *t,
		     const struct sushi_sched_space *sp);

/**
 * eval_trace_generate() - sushi_trace_generate() for `sushictl @cmd`: 0, or
 * EXIT_USAGE after saying why (an overflowing trace names the options)
 */
int eval_trace_generate(const char *cmd, const struct sushi_trace_params *t,
			struct sushi_query *qs);

int cmd_eval(int argc, char **argv);
void eval_usage(FILE *f);

#endif /* SUSHICTL_CMD_EVAL_H */
