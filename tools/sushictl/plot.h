/* SPDX-License-Identifier: MIT */
/*
 * plot.h - sushictl's plots through gnuplot (Debian's gnuplot-nox).
 */
#ifndef SUSHICTL_PLOT_H
#define SUSHICTL_PLOT_H

#include <stddef.h>

#include "sushi/eval.h"

/**
 * plot_timeline() - latency and served accuracy of every query over time,
 * PB reloads marked, into @path (.png or .svg by its extension)
 * Returns 0, or -1 with a message on stderr.
 */
int plot_timeline(const char *path, const struct sushi_sched_space *sp,
		  const struct sushi_query *qs,
		  const struct sushi_eval_record *rec, size_t n);

#endif /* SUSHICTL_PLOT_H */
