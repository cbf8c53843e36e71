// SPDX-License-Identifier: MIT
/*
 * fuzz_supernet.c - libFuzzer target for the SuperNet loader: any bytes
 * must either load (and then every SubNet's layer list must build and pass
 * the hardware check) or be refused with -EINVAL and a message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sushi/supernet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sushi_supernet_map map = { 0x1000, 0x10000000, 0 };
	struct sushi_supernet *sn = NULL;
	struct sushi_supernet_info info;
	char err[256];
	int ret = sushi_supernet_parse(data, size, &sn, err, sizeof(err));

	if (ret) {
		if (ret != -EINVAL || !err[0] || sn)
			abort();
		return 0;
	}
	sushi_supernet_info(sn, &info);
	for (uint32_t i = 0; i < info.n_subnets; i++) {
		struct sushi_subnet_info si;
		struct sushi_subnet_io io;
		struct sushi_hw_layer *L;

		sushi_supernet_subnet(sn, i, &si);
		L = calloc(si.n_layers, sizeof(*L));
		if (!L || sushi_supernet_layers(sn, i, &map, L, &io))
			abort();
		for (uint32_t j = 0; j < si.n_layers; j++)
			if (sushi_layer_check(&L[j], NULL))
				abort();
		free(L);
	}
	sushi_supernet_close(sn);
	return 0;
}
