// SPDX-License-Identifier: MIT
/*
 * serve_images.c - the smallest application of libsushi's serving runtime:
 * it serves the first N images of an IDX file on every SushiAccel device,
 * each query with an accuracy floor and a latency ceiling, completions
 * read from the runtime's file descriptor, and prints each prediction and
 * how many matched the labels.  Built and run by `make test` in the guest
 * (Documentation/serving.rst walks through it).
 *
 * usage: serve_images SUPERNET IMAGES LABELS [N]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include <sushi/runtime.h>

/* IDX images (magic 0x803) and labels (0x801): the whole files */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long n;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 16 &&
	    !fseek(f, 0, SEEK_SET) && (b = malloc((size_t)n)) &&
	    fread(b, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else
		free(b), b = NULL;
	if (f)
		fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	struct sushi_device *devs[SUSHI_FLEET_MAX_DEVICES];
	struct sushi_supernet *sn = NULL;
	struct sushi_rt *rt = NULL;
	size_t il = 0, ll = 0;
	unsigned char *img, *lab;
	uint32_t n_dev = 0, n = argc > 4 ? (uint32_t)atoi(argv[4]) : 64;
	uint32_t done = 0, right = 0;
	int8_t in[28 * 28];
	char err[256];

	img = argc > 3 ? slurp(argv[2], &il) : NULL;
	lab = argc > 3 ? slurp(argv[3], &ll) : NULL;
	if (!img || !lab || n > ll - 8 || n > (il - 16) / sizeof(in)) {
		fprintf(stderr, "usage: serve_images SUPERNET IMAGES LABELS [N]\n");
		return 1;
	}
	/* 1. the devices and the SuperNet */
	if (sushi_device_open_all(devs, SUSHI_FLEET_MAX_DEVICES, &n_dev) ||
	    sushi_supernet_open(argv[1], &sn, err, sizeof(err))) {
		fprintf(stderr, "serve_images: no device or no SuperNet\n");
		return 1;
	}
	/* 2. the runtime: SushiSched on each device, join-shortest-queue */
	struct sushi_rt_config cfg = {
		.size = sizeof(cfg), .clock = SUSHI_RT_LIVE, .sn = sn,
		.devices = devs,
		.sched = { .policy = SUSHI_POLICY_SUSHI, .q = 8, .w = 32 },
		.fleet = { .size = sizeof(cfg.fleet), .n_devices = n_dev,
			   .router = SUSHI_ROUTER_JSQ },
	};
	if (sushi_rt_create(&cfg, &rt) || sushi_rt_input_bytes(rt) != sizeof(in)) {
		fprintf(stderr, "serve_images: cannot serve this SuperNet\n");
		return 1;
	}
	/* 3. submit every image: floor 85 %, ceiling 1 s after arrival */
	for (uint32_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(in); k++)
			in[k] = (int8_t)(img[16 + i * sizeof(in) + k] - 128);
		struct sushi_rt_request req = {
			.size = sizeof(req), .input = in, .in_len = sizeof(in),
			.acc_floor = 0.85, .lat_ceiling_ns = 1000000000, .tag = i,
		};
		if (sushi_rt_submit(rt, &req))
			return 1;
	}
	/* 4. completions, as the runtime's fd says they are there */
	while (done < n) {
		struct pollfd p = { .fd = sushi_rt_fd(rt), .events = POLLIN };
		struct sushi_rt_completion c[16];
		int got;

		poll(&p, 1, -1);
		got = sushi_rt_reap(rt, c, 16, sizeof(c[0]));
		for (int j = 0; j < got; j++, done++) {
			right += c[j].prediction == lab[8 + c[j].tag];
			printf("image %3llu: class %u on device %u by SubNet %u, %s, "
			       "%.2f ms\n", (unsigned long long)c[j].tag,
			       c[j].prediction, c[j].device, c[j].subnet,
			       sushi_rt_status_name(c[j].status),
			       (c[j].queue_ns + c[j].service_ns) / 1e6);
		}
	}
	printf("served %u images on %u device%s: %u right\n", done, n_dev,
	       n_dev == 1 ? "" : "s", right);
	sushi_rt_destroy(rt);
	sushi_supernet_close(sn);
	while (n_dev)
		sushi_device_close(devs[--n_dev]);
	free(img);
	free(lab);
	return 0;
}
