// SPDX-License-Identifier: MIT
/*
 * sushictl_info_test.c - in-guest TAP test that runs /bin/sushictl as an
 * ordinary user would (`info --json`, `pb --json`, `info` with a bad
 * --device, `stats` without CAP_PERFMON and `reset` without root, both
 * refused) and as root (`stats --json`, `reset`), and
 * checks what it prints against the capabilities, the PB state and the
 * counters libsushi reads from the device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "guest_util.h"
#include "sushi/device.h"

#define SUSHICTL "/bin/sushictl"

static int n_test, n_fail;

__attribute__((format(printf, 2, 3)))
static int tap(int ok, const char *fmt, ...)
{
	va_list ap;

	n_test++;
	if (!ok)
		n_fail++;
	printf("%s %d - ", ok ? "ok" : "not ok", n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return ok;
}

/* run(), as the unprivileged user nobody (65534): the exit status or -1 */
static int run_as_nobody(const char *cmd, char *buf, size_t len)
{
	int fd[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		if (dup2(fd[1], 1) < 0 || dup2(fd[1], 2) < 0 ||
		    setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (n < len - 1 && (r = read(fd[0], buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int num_eq(const cJSON *o, const char *key, unsigned long long want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) && (unsigned long long)v->valuedouble == want;
}

/* stats and reset refused to an ordinary user, both work as root */
static void test_stats_reset(struct sushi_device *dev)
{
	static char out[65536];
	struct sushi_counters c0, c1;
	const char *node = sushi_device_path(dev);
	struct stat sb;
	cJSON *j;
	int st;

	tap(!sushi_device_counters(dev, &c0), "counters");
	st = run_cmd(SUSHICTL " stats --json", out, sizeof(out));
	tap(st == 0, "sushictl stats --json exits 0 (got %d)", st);
	j = cJSON_Parse(out);
	tap(!sushi_device_counters(dev, &c1), "counters again");
	tap(j && num_eq(j, "launches", c1.launches) &&
	    num_eq(j, "cycles", c1.cycles) && num_eq(j, "resets", c1.resets) &&
	    num_eq(j, "pb_loads", c1.pb_loads) &&
	    num_eq(j, "dram_rd", c1.dram_rd) &&
	    num_eq(j, "pb_generation", c1.pb_gen),
	    "stats: launches %llu, cycles %llu, resets %llu as libsushi reads",
	    (unsigned long long)c1.launches, (unsigned long long)c1.cycles,
	    (unsigned long long)c1.resets);
	cJSON_Delete(j);
	st = run_cmd(SUSHICTL " stats >/dev/null", out, sizeof(out));
	tap(st == 0, "sushictl stats (table) exits 0");

	/* an ordinary user who may use the node (as a udev rule would allow) */
	if (stat(node, &sb) || chmod(node, 0666)) {
		tap(0, "make %s usable by others", node);
		return;
	}
	st = run_as_nobody(SUSHICTL " stats --json", out, sizeof(out));
	tap(st == 5 && strstr(out, "CAP_PERFMON"),
	    "stats as an ordinary user: exit 5 naming CAP_PERFMON (%d: %.120s)",
	    st, out);
	st = run_as_nobody(SUSHICTL " reset", out, sizeof(out));
	tap(st == 5 && strstr(out, "needs root") && strstr(out, "not reset"),
	    "reset as an ordinary user: exit 5 and a refusal (%d: %.120s)", st,
	    out);
	sushi_device_counters(dev, &c1);
	tap(c1.resets == c0.resets, "the refusal reset nothing");
	chmod(node, sb.st_mode & 07777);

	st = run_cmd(SUSHICTL " reset --json", out, sizeof(out));
	tap(st == 0, "sushictl reset --json as root exits 0 (got %d)", st);
	j = cJSON_Parse(out);
	sushi_device_counters(dev, &c1);
	tap(c1.resets == c0.resets + 1, "one reset counted (%llu -> %llu)",
	    (unsigned long long)c0.resets, (unsigned long long)c1.resets);
	tap(c1.pb_gen > c0.pb_gen && j &&
	    num_eq(j, "pb_generation", c1.pb_gen) &&
	    num_eq(j, "resets", c1.resets),
	    "it prints the new PB generation %u", c1.pb_gen);
	cJSON_Delete(j);
}

int main(void)
{
	static char out[65536];
	struct sushi_device *dev;
	struct sushi_pb_info pb;
	struct sushi_caps c;
	cJSON *j, *caps;
	int st;

	printf("TAP version 13\n");
	if (sushi_device_open(NULL, &dev)) {
		printf("not ok 1 - open the SushiAccel device\n1..1\n");
		return 1;
	}
	sushi_device_caps(dev, &c);

	st = run_cmd(SUSHICTL " info --json", out, sizeof(out));
	tap(st == 0, "sushictl info --json exits 0 (got %d)", st);
	j = cJSON_Parse(out);
	tap(j != NULL, "its output is JSON");
	caps = cJSON_GetObjectItemCaseSensitive(j, "caps");
	tap(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "device")) &&
	    !strcmp(cJSON_GetObjectItemCaseSensitive(j, "device")->valuestring,
		    sushi_device_path(dev)), "device path %s",
	    sushi_device_path(dev));
	tap(num_eq(caps, "pe_k", c.pe_k) && num_eq(caps, "pe_c", c.pe_c) &&
	    num_eq(caps, "window", c.window), "PE array %ux%u window %u",
	    c.pe_k, c.pe_c, c.window);
	tap(num_eq(caps, "clock_hz", c.clock_hz), "clock_hz %llu",
	    (unsigned long long)c.clock_hz);
	tap(num_eq(caps, "pb_bytes", c.pb_bytes) &&
	    num_eq(caps, "pb_entries", c.pb_entries), "PB %llu bytes, %u entries",
	    (unsigned long long)c.pb_bytes, c.pb_entries);
	tap(num_eq(caps, "max_layers", c.max_layers) &&
	    num_eq(caps, "max_bo_size", c.max_bo_size) &&
	    num_eq(caps, "hw_version", c.hw_version) &&
	    num_eq(caps, "e_dram_fj", c.e_dram_fj),
	    "limits, version and energy model");
	cJSON_Delete(j);

	st = run_cmd(SUSHICTL " pb --json", out, sizeof(out));
	tap(st == 0, "sushictl pb --json exits 0 (got %d)", st);
	j = cJSON_Parse(out);
	tap(!sushi_pb_query(dev, &pb, NULL, 0), "pb_query");
	tap(j && num_eq(j, "capacity", pb.capacity) &&
	    num_eq(j, "generation", pb.generation) &&
	    num_eq(j, "entries", c.pb_entries),
	    "capacity %llu, generation %u", (unsigned long long)pb.capacity,
	    pb.generation);
	tap(j && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "pin_sets")) == 0,
	    "a fresh process has no pin sets");
	cJSON_Delete(j);

	st = run_cmd(SUSHICTL " info >/dev/null", out, sizeof(out));
	tap(st == 0, "sushictl info (table) exits 0");
	st = run_cmd(SUSHICTL " info --device /dev/null 2>&1", out, sizeof(out));
	tap(st == 2 && strstr(out, "/dev/null"),
	    "a non-SushiAccel --device: exit 2 and a message naming it (%d)",
	    st);
	st = run_cmd(SUSHICTL " pb --bogus 2>/dev/null", out, sizeof(out));
	tap(st == 1, "an unknown option: exit 1 (%d)", st);

	test_stats_reset(dev);
	sushi_device_close(dev);
	printf("1..%d\n# %d passed, %d failed\n", n_test, n_test - n_fail,
	       n_fail);
	return n_fail ? 1 : 0;
}
