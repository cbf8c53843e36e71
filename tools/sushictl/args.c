// SPDX-License-Identifier: MIT
/*
 * args.c - the command-line walk of args.h (sushictl query, loadgen and
 * sushid).
 */
#include <stdio.h>
#include <string.h>

#include "args.h"

int args_parse(int argc, char **argv, const struct args_spec *spec,
	       bool *help, char *err, size_t errlen)
{
	*help = false;
	err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *val;
		char name[32];
		bool known = false, flag = false;
		int ret;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
			return 0;
		}
		for (size_t k = 0; k < spec->n_flags; k++) {
			if (!strcmp(a, spec->flags[k])) {
				*spec->flag_set[k] = true;
				flag = true;
			}
		}
		if (flag)
			continue;
		if (strncmp(a, "--", 2)) {
			snprintf(err, errlen, "unexpected argument '%s' (try --help)", a);
			return spec->usage;
		}
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		for (size_t k = 0; k < spec->n_valued; k++)
			known |= !strcmp(name, spec->valued[k]);
		if (!known) {
			snprintf(err, errlen, "unknown option '%s' (try --help)", name);
			return spec->usage;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			snprintf(err, errlen, "option '%s' needs a value", a);
			return spec->usage;
		}
		ret = spec->take(spec->o, name, val, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int args_finish(const char *prog, int rc, bool help, const char *err,
		void (*usage)(FILE *f))
{
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return rc;
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	return -1;
}
