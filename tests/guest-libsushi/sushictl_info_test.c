// SPDX-License-Identifier: MIT
/*
 * sushictl_info_test.c - in-guest TAP test that runs /bin/sushictl as an
 * ordinary user would (`info --json`, `pb --json`, `info` with a bad
 * --device) and checks what it prints against the capabilities and the PB
 * state libsushi reads from the device.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

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

/* Run @cmd, its stdout into @buf; the exit status, or -1. */
static int run(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	if (!p)
		return -1;
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int num_eq(const cJSON *o, const char *key, unsigned long long want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) && (unsigned long long)v->valuedouble == want;
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

	st = run(SUSHICTL " info --json", out, sizeof(out));
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

	st = run(SUSHICTL " pb --json", out, sizeof(out));
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

	st = run(SUSHICTL " info >/dev/null", out, sizeof(out));
	tap(st == 0, "sushictl info (table) exits 0");
	st = run(SUSHICTL " info --device /dev/null 2>&1", out, sizeof(out));
	tap(st == 2 && strstr(out, "/dev/null"),
	    "a non-SushiAccel --device: exit 2 and a message naming it (%d)",
	    st);
	st = run(SUSHICTL " pb --bogus 2>/dev/null", out, sizeof(out));
	tap(st == 1, "an unknown option: exit 1 (%d)", st);

	sushi_device_close(dev);
	printf("1..%d\n# %d passed, %d failed\n", n_test, n_test - n_fail,
	       n_fail);
	return n_fail ? 1 : 0;
}
