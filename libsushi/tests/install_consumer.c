// SPDX-License-Identifier: MIT
/*
 * install_consumer.c - a program written against the *installed* libsushi
 * (headers under include/sushi/, pkg-config, the shared or the static
 * library), as a user would: loads a SuperNet, prices its scheduling space
 * with the model library and tries to open
 * a device.  Exit 0 when every call behaves as documented.
 */
#include <errno.h>
#include <stdio.h>

#include <sushi/device.h>
#include <sushi/sched.h>
#include <sushi/supernet.h>

int main(int argc, char **argv)
{
	struct sushi_supernet *sn = NULL;
	struct sushi_sched_space *sp = NULL;
	struct sushi_model_config cfg;
	struct sushi_supernet_info info;
	struct sushi_supernet_map map = { 0, 1ull << 32, 0 };
	struct sushi_device *dev = NULL;
	char err[256];
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: install_consumer SUPERNET_FILE\n");
		return 2;
	}
	ret = sushi_supernet_open(argv[1], &sn, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "install_consumer: %s: %s\n", argv[1], err);
		return 1;
	}
	if (sushi_supernet_info(sn, &info) || info.n_subnets < 16) {
		fprintf(stderr, "install_consumer: bad catalog\n");
		return 1;
	}
	sushi_model_config_default(&cfg);
	ret = sushi_supernet_sched_space(sn, &cfg, &map, &sp);
	if (ret) {
		fprintf(stderr, "install_consumer: sched space: %d\n", ret);
		return 1;
	}
	printf("%u SubNets, %u candidate SubGraphs\n", info.n_subnets,
	       sushi_sched_space_subgraphs(sp));
	/* no device on the build host: -ENODEV and a message, no crash */
	ret = sushi_device_open(NULL, &dev);
	printf("device: %s\n", ret ? sushi_strerror(ret) : "found");
	if (!ret)
		sushi_device_close(dev);
	sushi_sched_space_free(sp);
	sushi_supernet_close(sn);
	return ret == 0 || ret == -ENODEV || ret == -EACCES ? 0 : 1;
}
