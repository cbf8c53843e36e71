// SPDX-License-Identifier: MIT
/*
 * test_run.c - `sushictl run` on the host (no device): argument parsing
 * (every option, every refusal), and the exit status of each error the
 * command finds before or at opening the device: unknown SubNet (1), bad
 * SuperNet or input file (3), no SushiAccel node (2).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_dev.h"
#include "cmd_eval.h"
#include "argv_split.h"
#include "cmd_capture.h"
#include "tap.h"

/* the shipped image sample, beside the default SuperNet */
static char idx[512];

static void find_idx(void)
{
	char *slash;

	snprintf(idx, sizeof(idx), "%s", SUSHI_DEFAULT_SUPERNET);
	slash = strrchr(idx, '/');
	slash = slash ? slash + 1 : idx;
	snprintf(slash, sizeof(idx) - (size_t)(slash - idx),
		 "fmnist-test-1000-images.idx");
}

static int parse(const char *line, struct run_opts *o, bool *help, char *err)
{
	static char buf[1024];
	char *argv[32];
	int argc = split(line, buf, argv);

	return run_parse(argc, argv, o, help, err, 256);
}

/* cmd_run() on a command line, its stderr silenced */
static int run(const char *line)
{
	static char buf[1024];
	char *argv[32];
	int argc = split(line, buf, argv);

	return cmd_capture(cmd_run, argc, argv, 2, NULL, 0);
}

/* a temporary file of @n bytes of @byte; its path in @path */
static int temp_file(char *path, size_t n, int byte)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/sushictl-run-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	for (size_t i = 0; f && i < n; i++)
		fputc(byte, f);
	return f && !fclose(f) ? 0 : -1;
}

/* run() of a printf-formatted command line */
__attribute__((format(printf, 1, 2)))
static int runf(const char *fmt, ...)
{
	static char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return run(line);
}

int main(int argc, char **argv)
{
	struct run_opts o;
	char err[256], raw[64], small[64], line[512];
	bool help;
	static const char *const bad[] = {
		"run --input x", "run --subnet sn00", "run --subnet",
		"run --subnet 1 --input", "run --subnet 1 --input x --pin",
		"run --subnet 1 --input x --index", "run --subnet 1 --input x --index -1",
		"run --subnet 1 --input x --index 3x", "run --subnet 1 --input x --index 99999999999",
		"run --subnet 1 --input x --supernet", "run --subnet 1 --input x -d",
		"run --subnet 1 --input x --bogus", "run --subnet 1 --input x stray",
	};

	tap_init(argc, argv);
	find_idx();
	is_int(parse("run --subnet sn03 --input f", &o, &help, err), 0,
	       "the two required options");
	ok(!help && !o.dev.json && !o.dev.device && !o.pin && !o.has_index &&
	   o.index == 0 && !strcmp(o.subnet, "sn03") && !strcmp(o.input, "f") &&
	   !strcmp(o.supernet, SUSHI_DEFAULT_SUPERNET),
	   "defaults: first device, table, nothing pinned, image 0, shipped SuperNet");
	is_int(parse("run --json -d /dev/accel/accel1 --supernet s.st --subnet 4 "
		     "--pin sn00 --input in.idx --index 17", &o, &help, err), 0,
	       "every option");
	ok(o.dev.json && !strcmp(o.dev.device, "/dev/accel/accel1") &&
	   !strcmp(o.supernet, "s.st") && !strcmp(o.subnet, "4") &&
	   !strcmp(o.pin, "sn00") && !strcmp(o.input, "in.idx") &&
	   o.has_index && o.index == 17, "all taken");
	is_int(parse("run --device=/dev/x --subnet 1 --input i", &o, &help, err),
	       0, "--device=PATH");
	ok(!strcmp(o.dev.device, "/dev/x"), "path after =");
	is_int(parse("run --bogus --help", &o, &help, err), EXIT_USAGE,
	       "an unknown option before --help is refused");
	is_int(parse("run --json --help --bogus", &o, &help, err), 0,
	       "--help stops parsing");
	ok(help, "help set");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse(bad[i], &o, &help, err), EXIT_USAGE, "refused: %s",
		       bad[i]);
		ok(err[0] != '\0', "with a message: %s", err);
	}

	/* errors found before the device: a real SuperNet and image file */
	if (temp_file(raw, 28 * 28, 0x11) || temp_file(small, 100, 0x22)) {
		ok(0, "temporary files");
		return tap_done();
	}
	is_int(runf("run --subnet sn99 --input %s", idx), EXIT_USAGE,
	       "unknown SubNet id: exit 1");
	is_int(runf("run --subnet 4096 --input %s", idx), EXIT_USAGE,
	       "SubNet index past the catalog: exit 1");
	is_int(runf("run --subnet 0 --pin nope --input %s -d /dev/null", idx),
	       EXIT_USAGE, "unknown --pin SubNet: exit 1");
	is_int(run("run --subnet 0 --input /nonexistent/input"), EXIT_INPUT,
	       "missing input file: exit 3");
	snprintf(line, sizeof(line), "run --subnet 0 --input %s", small);
	is_int(run(line), EXIT_INPUT, "input neither IDX nor of the input size: exit 3");
	snprintf(line, sizeof(line), "run --subnet 0 --input %s --index 1", raw);
	is_int(run(line), EXIT_INPUT, "--index on a raw input: exit 3");
	is_int(runf("run --subnet 0 --index 1000 --input %s", idx), EXIT_INPUT,
	       "--index past the IDX file's images: exit 3");
	is_int(runf("run --subnet 0 --supernet /nonexistent.st --input %s", idx),
	       EXIT_INPUT, "missing SuperNet file: exit 3");
	is_int(runf("run --subnet 0 --supernet %s --input %s", small, idx),
	       EXIT_INPUT, "malformed SuperNet file: exit 3");
	/* valid arguments; the host has no SushiAccel device */
	is_int(runf("run --subnet sn00 --index 999 --input %s -d /dev/null", idx),
	       EXIT_DEVICE, "IDX input, /dev/null as the device: exit 2");
	snprintf(line, sizeof(line), "run --subnet 1 --pin 0 --input %s --device /dev/null --json",
		 raw);
	is_int(run(line), EXIT_DEVICE, "raw input, --pin, /dev/null: exit 2");
	unlink(raw);
	unlink(small);
	return tap_done();
}
