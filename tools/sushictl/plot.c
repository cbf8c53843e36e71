// SPDX-License-Identifier: MIT
/*
 * plot.c - writes the evaluator's per-query records as gnuplot data and
 * renders them with gnuplot: latency (with each query's ceiling) and served
 * accuracy over time, PB reloads as vertical marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot.h"

int plot_timeline(const char *path, const struct sushi_sched_space *sp,
		  const struct sushi_query *qs,
		  const struct sushi_eval_record *rec, size_t n)
{
	char dat[] = "/tmp/sushictl-plot-XXXXXX";
	const char *ext = strrchr(path, '.');
	const char *term = ext && !strcmp(ext, ".svg") ?
			   "svg size 1200,700" : "pngcairo size 1200,700";
	int fd = mkstemp(dat), ret;
	FILE *f, *g;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		perror("sushictl: plot data");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.6f %.3f %.3f %.4f %d\n", rec[i].arrival_ns / 1e9,
			(rec[i].finish_ns - rec[i].arrival_ns) / 1e3,
			qs[i].lat_ceiling_ns / 1e3,
			100 * sushi_sched_space_accuracy(sp, rec[i].subnet),
			rec[i].n_loads > 0);
	fclose(f);
	g = popen("gnuplot 2>&1", "w");
	if (!g) {
		perror("sushictl: gnuplot");
		unlink(dat);
		return -1;
	}
	fprintf(g,
		"set terminal %s\nset output '%s'\n"
		"set multiplot layout 2,1 title 'SushiSched: latency and served accuracy (PB reloads in red)'\n"
		"set xlabel 'time (s)'\nset ylabel 'latency (us)'\nset key top right\n"
		"plot '%s' using 1:3 with lines lc rgb '#bbbbbb' title 'ceiling', "
		"'' using 1:2 with points pt 7 ps 0.2 lc rgb '#1f77b4' title 'latency', "
		"'' using 1:($5 > 0 ? $2 : 1/0) with impulses lc rgb 'red' title 'PB reload'\n"
		"set ylabel 'served accuracy (%%)'\n"
		"plot '%s' using 1:4 with steps lc rgb '#2ca02c' title 'accuracy', "
		"'' using 1:($5 > 0 ? $4 : 1/0) with points pt 2 lc rgb 'red' title 'PB reload'\n"
		"unset multiplot\n", term, path, dat, dat);
	ret = pclose(g);
	unlink(dat);
	if (ret) {
		fprintf(stderr, "sushictl: gnuplot failed (is gnuplot-nox installed?)\n");
		return -1;
	}
	return 0;
}
