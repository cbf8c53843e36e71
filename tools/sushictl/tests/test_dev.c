// SPDX-License-Identifier: MIT
/*
 * test_dev.c - the device commands' device-free parts on the host:
 * `info`/`pb`/`stats`/`reset` argument parsing (every option, every
 * refusal), and that without a SushiAccel device they exit 2 with a
 * message (reset included: it must not claim success).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_capture.h"
#include "cmd_dev.h"
#include "cmd_eval.h"
#include "tap.h"

static int parse(const char *line, struct dev_opts *o, bool *help, char *err)
{
	static char buf[256];
	char *argv[16];
	int argc = 0;

	strcpy(buf, line);
	for (char *t = strtok(buf, " "); t && argc < 15; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return dev_parse(argc, argv, o, help, err, 256);
}

int main(int argc, char **argv)
{
	struct dev_opts o;
	char err[256];
	bool help;
	static const char *const bad[] = {
		"info --device", "pb -d", "info --jsn", "pb stray", "info -x",
	};

	tap_init(argc, argv);
	is_int(parse("info", &o, &help, err), 0, "no options");
	ok(!o.json && !o.device && !help, "defaults: table, first device");
	is_int(parse("pb --json -d /dev/accel/accel3", &o, &help, err), 0,
	       "--json -d PATH");
	ok(o.json && o.device && !strcmp(o.device, "/dev/accel/accel3"),
	   "both taken");
	is_int(parse("info --device=/dev/x", &o, &help, err), 0, "--device=PATH");
	ok(o.device && !strcmp(o.device, "/dev/x"), "path after =");
	is_int(parse("info --json --help --bogus", &o, &help, err), 0,
	       "--help stops parsing");
	ok(help, "help set");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse(bad[i], &o, &help, err), EXIT_USAGE, "refused: %s",
		       bad[i]);
		ok(err[0] != '\0', "with a message: %s", err);
	}
	/* a missing node is named as such, not as a driver handle */
	{
		char *a[] = { "info", "--device", "/nonexistent/accel9", NULL };
		char msg[512] = "";

		is_int(cmd_capture(cmd_info, 3, a, 2, msg, sizeof(msg)), EXIT_DEVICE,
		       "info on a missing node: exit 2");
		ok(strstr(msg, "no such device node") && !strstr(msg, "handle"),
		   "says there is no such node, not 'unknown handle': %s", msg);
		ok(!strcmp(sushi_strerror_in(SUSHI_CALL_FILE, -ENOENT),
			   "No such file or directory"), "a file's ENOENT is the C library's");
		ok(strstr(sushi_strerror_in(SUSHI_CALL_DEVICE, -ENOENT), "handle") != NULL,
		   "a device call's ENOENT is an unknown handle");
	}
	/* the host has no SushiAccel device; /dev/null is no DRM node */
	{
		char *a[] = { "info", "--device", "/dev/null", NULL };
		char *b[] = { "pb", "--json", "--device", "/dev/null", NULL };

		is_int(cmd_info(3, a), EXIT_DEVICE, "info on /dev/null: exit 2");
		is_int(cmd_pb(4, b), EXIT_DEVICE, "pb on /dev/null: exit 2");
		char *c[] = { "stats", "--device", "/dev/null", NULL };
		char *d[] = { "reset", "--json", "--device", "/dev/null", NULL };
		char *e[] = { "reset", "--force", NULL };
		char *f[] = { "stats", "extra", NULL };

		is_int(cmd_stats(3, c), EXIT_DEVICE, "stats on /dev/null: exit 2");
		is_int(cmd_reset(4, d), EXIT_DEVICE, "reset on /dev/null: exit 2");
		is_int(cmd_reset(2, e), EXIT_USAGE, "reset --force: exit 1");
		is_int(cmd_stats(2, f), EXIT_USAGE, "stats extra: exit 1");
	}
	return tap_done();
}
