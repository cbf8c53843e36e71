/* SPDX-License-Identifier: MIT */
/*
 * args.h - the command-line walk sushictl's query and loadgen and sushid
 * share: "--NAME VALUE" or "--NAME=VALUE" for the valued options, bare
 * flags, -h/--help; each valued option handed to a callback.
 */
#ifndef SUSHI_ARGS_H
#define SUSHI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* one valued option: 0, or an exit status with a message in @err */
typedef int (*args_take_fn)(void *o, const char *name, const char *val,
			    char *err, size_t errlen);

/**
 * struct args_spec - what a command line may hold
 * @valued: names of the options that take a value (@n_valued)
 * @flags: names of the options that take none (@n_flags); seeing one sets
 *	*@flag_set[i]
 * @take: the valued options' handler, with @o
 * @usage: the status of a usage error
 */
struct args_spec {
	const char *const *valued;
	size_t n_valued;
	const char *const *flags;
	bool *const *flag_set;
	size_t n_flags;
	args_take_fn take;
	void *o;
	int usage;
};

/*
 * args_parse() - walk @argv (argv[0] the command): 0; @spec->usage with a
 * message in @err (an unknown option, a stray argument, a missing value,
 * or what @take returned); -h or --help stops the walk with *@help set.
 */
int args_parse(int argc, char **argv, const struct args_spec *spec,
	       bool *help, char *err, size_t errlen);

/*
 * args_finish() - the end of a command's parsing: with @rc non-zero the
 * message "@prog: @err" on stderr and @rc; with @help the usage on stdout
 * and 0; otherwise -1 (go on)
 */
int args_finish(const char *prog, int rc, bool help, const char *err,
		void (*usage)(FILE *f));

#endif /* SUSHI_ARGS_H */
