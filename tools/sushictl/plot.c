// SPDX-License-Identifier: MIT
/*
 * plot.c - writes the evaluator's per-query records as gnuplot data and
 * renders them with gnuplot: latency (with each query's ceiling) and served
 * accuracy over time, PB reloads as vertical marks.  gnuplot runs without a
 * shell (posix_spawnp), reads a script file, gets the output and data paths
 * as arguments (ARG1, ARG2: never pasted into the script), and writes
 * whatever it prints to our stderr: stdout carries only our own output
 * (the JSON of --json).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

extern char **environ;

static const char script[] =
	"if (ARG3 eq 'svg') { set terminal svg size 1200,700 } "
	"else { set terminal pngcairo size 1200,700 }\n"
	"set output ARG1\n"
	"set multiplot layout 2,1 title 'SushiSched: latency and served accuracy (PB reloads in red)'\n"
	"set xlabel 'time (s)'\nset ylabel 'latency (us)'\nset key top right\n"
	"plot ARG2 using 1:3 with lines lc rgb '#bbbbbb' title 'ceiling', "
	"'' using 1:2 with points pt 7 ps 0.2 lc rgb '#1f77b4' title 'latency', "
	"'' using 1:($5 > 0 ? $2 : 1/0) with impulses lc rgb 'red' title 'PB reload'\n"
	"set ylabel 'served accuracy (%)'\n"
	"plot ARG2 using 1:4 with steps lc rgb '#2ca02c' title 'accuracy', "
	"'' using 1:($5 > 0 ? $4 : 1/0) with points pt 2 lc rgb 'red' title 'PB reload'\n"
	"unset multiplot\n";

/* gnuplot -c SCRIPT OUT DATA TERM, its stdout on our stderr; exit status */
static int run_gnuplot(const char *gp, const char *out, const char *dat,
		       const char *term)
{
	char *argv[] = { "gnuplot", "-c", (char *)gp, (char *)out, (char *)dat,
			 (char *)term, NULL };
	posix_spawn_file_actions_t fa;
	int ret, st;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	ret = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	      posix_spawn_file_actions_adddup2(&fa, 2, 1);
	if (!ret)
		ret = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		fprintf(stderr, "sushictl: cannot run gnuplot: %s (is gnuplot-nox "
			"installed?)\n", strerror(ret));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_file(char *tmpl, const char *what, int (*fill)(FILE *, const void *),
		      const void *ctx)
{
	int fd = mkstemp(tmpl);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int bad;

	if (!f) {
		fprintf(stderr, "sushictl: plot %s: %s\n", what, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmpl);
		}
		return -1;
	}
	bad = fill(f, ctx) < 0;
	bad |= fclose(f) != 0;
	if (bad) {
		fprintf(stderr, "sushictl: plot %s: write failed\n", what);
		unlink(tmpl);
		return -1;
	}
	return 0;
}

struct timeline {
	const struct sushi_sched_space *sp;
	const struct sushi_query *qs;
	const struct sushi_eval_record *rec;
	size_t n;
};

static int fill_data(FILE *f, const void *ctx)
{
	const struct timeline *t = ctx;

	for (size_t i = 0; i < t->n; i++)
		if (fprintf(f, "%.6f %.3f %.3f %.4f %d\n", t->rec[i].arrival_ns / 1e9,
			    (t->rec[i].finish_ns - t->rec[i].arrival_ns) / 1e3,
			    t->qs[i].lat_ceiling_ns / 1e3,
			    100 * sushi_sched_space_accuracy(t->sp, t->rec[i].subnet),
			    t->rec[i].n_loads > 0) < 0)
			return -1;
	return 0;
}

static int fill_script(FILE *f, const void *ctx)
{
	(void)ctx;
	return fputs(script, f);
}

int plot_timeline(const char *path, const struct sushi_sched_space *sp,
		  const struct sushi_query *qs,
		  const struct sushi_eval_record *rec, size_t n)
{
	const struct timeline t = { sp, qs, rec, n };
	char dat[] = "/tmp/sushictl-plot-XXXXXX";
	char gp[] = "/tmp/sushictl-plot-gp-XXXXXX";
	const char *ext = strrchr(path, '.');
	int ret = -1;

	if (write_file(dat, "data", fill_data, &t))
		return -1;
	if (!write_file(gp, "script", fill_script, NULL)) {
		ret = run_gnuplot(gp, path, dat, ext && !strcmp(ext, ".svg") ?
				  "svg" : "png");
		unlink(gp);
		if (ret > 0)
			fprintf(stderr, "sushictl: gnuplot failed (exit %d) writing %s\n",
				ret, path);
	}
	unlink(dat);
	return ret ? -1 : 0;
}
