// SPDX-License-Identifier: MIT
/*
 * test_serve.c - `sushictl serve` on the host (no device): argument
 * parsing (defaults, every option in both spellings, every refusal), the
 * image sample loader on the shipped files and on broken ones, and the exit
 * status of each error the command finds before or at opening the device:
 * bad SuperNet or image files (3), no SushiAccel node (2).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_dev.h"
#include "cmd_eval.h"
#include "serve.h"
#include "argv_split.h"
#include "cmd_capture.h"
#include "tap.h"

static int parse(const char *line, struct serve_opts *o, bool *help, char *err)
{
	static char buf[1024];
	char *argv[32];
	int argc = split(line, buf, argv);

	return serve_parse(argc, argv, o, help, err, 256);
}

/* cmd_serve() on a printf-formatted command line, its stderr silenced */
#define runf(...) cmd_runf(cmd_serve, 2, NULL, 0, __VA_ARGS__)

/* a temporary file holding @n bytes of @b; its path in @path */
static int temp_file(char *path, const uint8_t *b, size_t n)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/sushictl-serve-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	if (!f || fwrite(b, 1, n, f) != n)
		return -1;
	return fclose(f) ? -1 : 0;
}

static void test_parse(void)
{
	struct serve_opts o;
	char err[256];
	bool help;
	static const char *const bad[] = {
		"serve --policy", "serve --policy lru", "serve --policy oracle",
		"serve --policy sushi,lru", "serve --policy bogus", "serve --policy ,",
		"serve --policy static-largest", "serve --policy best-static",
		"serve --trace zigzag", "serve -n 0", "serve -n x", "serve --queries -3",
		"serve --seed -1", "serve --phase 0", "serve --q 0", "serve --w 0",
		"serve --w 4097", "serve --images", "serve --labels", "serve -d",
		"serve --supernet", "serve --bogus", "serve stray", "serve --pb-kib 4",
		"serve --trace-csv t.csv", "serve --devices 0", "serve --devices 65",
		"serve --devices x", "serve --router rr", "serve --overload drop",
		"serve --max-queue -1", "serve --devices 2 -d /dev/accel/accel0",
		"serve --select cheapest",
	};

	is_int(parse("serve", &o, &help, err), 0, "no options");
	ok(!help && !o.dev.json && !o.dev.device &&
	   !strcmp(o.supernet, SUSHI_DEFAULT_SUPERNET) &&
	   !strcmp(o.images, SUSHI_DEFAULT_IMAGES) &&
	   !strcmp(o.labels, SUSHI_DEFAULT_LABELS),
	   "defaults: first device, table, the compiled-in files");
	ok(o.policies == SERVE_POLICIES && o.trace.kind == SUSHI_TRACE_PHASED &&
	   o.trace.n == 10000 && o.trace.seed == 1 && o.trace.phase == 500 &&
	   o.sched.q == 32 && o.sched.w == 64 && isnan(o.trace.acc_lo) &&
	   !o.trace.lat_lo_ns && !o.trace.mean_gap_ns,
	   "defaults: eval's (every served policy, phased, 10000, Q 32, W 64, "
	   "ranges from the catalog)");
	is_int(parse("serve --json -d /dev/accel/accel1 --supernet s.st --images i.idx "
		     "--labels l.idx --trace bursty -n 77 --policy no-pb,sushi "
		     "--q 5 --w 9 --seed 42 --phase 11", &o, &help, err), 0,
	       "every option");
	ok(o.dev.json && !strcmp(o.dev.device, "/dev/accel/accel1") &&
	   !strcmp(o.supernet, "s.st") && !strcmp(o.images, "i.idx") &&
	   !strcmp(o.labels, "l.idx") && o.trace.kind == SUSHI_TRACE_BURSTY &&
	   o.trace.n == 77 && o.sched.q == 5 && o.sched.w == 9 &&
	   o.trace.seed == 42 && o.trace.phase == 11 &&
	   o.policies == ((1u << SUSHI_POLICY_SUSHI) | (1u << SUSHI_POLICY_NO_PB)),
	   "all taken");
	is_int(parse("serve --device=/dev/x --queries=12 --policy=static-smallest "
		     "--trace=uniform", &o, &help, err), 0, "--name=value spellings");
	ok(!strcmp(o.dev.device, "/dev/x") && o.trace.n == 12 &&
	   o.policies == 1u << SUSHI_POLICY_STATIC_SMALLEST &&
	   o.trace.kind == SUSHI_TRACE_UNIFORM, "values after =");
	ok(o.fleet.size == sizeof(o.fleet) && o.fleet.n_devices == 1 &&
	   o.fleet.router == SUSHI_ROUTER_JSQ &&
	   o.fleet.overload == SUSHI_OVERLOAD_LATE && !o.fleet.max_queue,
	   "fleet defaults: one device, jsq, late, no queue limit");
	is_int(parse("serve --select floor", &o, &help, err), 0, "--select");
	ok(o.sched.select == SUSHI_SELECT_FLOOR, "select floor taken");
	is_int(parse("serve --devices 4 --router sgs --overload shed "
		     "--max-queue 3", &o, &help, err), 0, "the fleet options");
	ok(o.fleet.n_devices == 4 && o.fleet.router == SUSHI_ROUTER_SGS &&
	   o.fleet.overload == SUSHI_OVERLOAD_SHED && o.fleet.max_queue == 3,
	   "fleet taken");
	is_int(parse("serve --policy all", &o, &help, err), 0, "--policy all");
	ok(o.policies == SERVE_POLICIES, "all = every policy serve runs "
	   "(not lru or the oracle)");
	is_int(parse("serve --bogus --help", &o, &help, err), EXIT_USAGE,
	       "an unknown option before --help is refused");
	is_int(parse("serve -n 5 --help --bogus", &o, &help, err), 0,
	       "--help stops parsing");
	ok(help, "help set");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse(bad[i], &o, &help, err), EXIT_USAGE, "refused: %s",
		       bad[i]);
		ok(err[0] != '\0', "with a message: %s", err);
	}
	parse("serve --policy lru", &o, &help, err);
	ok(strstr(err, "eval") != NULL, "lru: the message points at eval");
}

static void test_images(void)
{
	static uint8_t b[16 + 3 * 4];
	struct serve_images im;
	char err[256], img[64], lab[64], bad[64];
	int8_t in[28 * 28];
	const uint8_t lh[] = { 0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9 };
	const uint8_t ih[] = { 0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2 };

	is_int(serve_images_load(SUSHI_DEFAULT_IMAGES, SUSHI_DEFAULT_LABELS, 28, 28,
				 &im, err, sizeof(err)), 0, "the shipped sample loads");
	ok(im.n == 1000 && im.h == 28 && im.w == 28, "1000 images of 28x28");
	{
		unsigned int hist[10] = { 0 }, ok_labels = 1;

		for (uint32_t i = 0; i < im.n; i++) {
			if (im.labels[i] > 9)
				ok_labels = 0;
			else
				hist[im.labels[i]]++;
		}
		ok(ok_labels && hist[0] > 50 && hist[9] > 50,
		   "labels are Fashion-MNIST classes 0..9, all present");
	}
	serve_images_input(&im, 1003, in);
	ok((int)in[0] == (int)im.pixels[3 * 28 * 28] - 128 &&
	   (int)in[400] == (int)im.pixels[3 * 28 * 28 + 400] - 128,
	   "image i mod n, as pixel - 128");
	serve_images_free(&im);
	is_int(serve_images_load(SUSHI_DEFAULT_IMAGES, SUSHI_DEFAULT_LABELS, 32, 32,
				 &im, err, sizeof(err)), -EINVAL,
	       "a SuperNet input of another size: -EINVAL");
	ok(strstr(err, "28x28") != NULL, "saying the sizes: %s", err);

	/* three 2x2 images, three labels; then one label missing */
	memcpy(b, ih, sizeof(ih));
	for (int i = 0; i < 12; i++)
		b[16 + i] = (uint8_t)(i * 20);
	if (temp_file(img, b, sizeof(b)) || temp_file(lab, lh, sizeof(lh)) ||
	    temp_file(bad, lh, sizeof(lh) - 1)) {
		ok(0, "temporary files");
		return;
	}
	is_int(serve_images_load(img, lab, 2, 2, &im, err, sizeof(err)), 0,
	       "a hand-made pair loads");
	ok(im.n == 3 && im.labels[0] == 7 && im.labels[2] == 9 &&
	   im.pixels[11] == 220, "its labels and pixels");
	serve_images_free(&im);
	is_int(serve_images_load(img, bad, 2, 2, &im, err, sizeof(err)), -EINVAL,
	       "a label file one label short: -EINVAL");
	is_int(serve_images_load(lab, lab, 2, 2, &im, err, sizeof(err)), -EINVAL,
	       "labels as images: -EINVAL");
	ok(strstr(err, lab) != NULL, "naming the file: %s", err);
	ok(serve_images_load("/nonexistent.idx", lab, 2, 2, &im, err, sizeof(err)) < 0 &&
	   strstr(err, "/nonexistent.idx"), "a missing file: an error naming it");

	is_int(runf("serve --images %s --labels %s -d /dev/null", img, lab),
	       EXIT_INPUT, "images not of the SuperNet's size: exit 3");
	is_int(runf("serve --images %s --labels %s", SUSHI_DEFAULT_IMAGES, bad),
	       EXIT_INPUT, "a broken label file: exit 3");
	is_int(runf("serve --supernet /nonexistent.st"), EXIT_INPUT,
	       "missing SuperNet file: exit 3");
	is_int(runf("serve --supernet %s", lab), EXIT_INPUT,
	       "malformed SuperNet file: exit 3");
	is_int(runf("serve -n 10 --device /dev/null --json"), EXIT_DEVICE,
	       "valid files, /dev/null as the device: exit 2");
	is_int(runf("serve -n 10 --devices 2"), EXIT_DEVICE,
	       "--devices 2 on a host without SushiAccel nodes: exit 2");
	is_int(runf("serve --policy lru"), EXIT_USAGE, "lru: exit 1");
	unlink(img);
	unlink(lab);
	unlink(bad);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_parse();
	test_images();
	return tap_done();
}
