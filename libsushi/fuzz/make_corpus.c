// SPDX-License-Identifier: MIT
/*
 * make_corpus.c - writes the fuzzer's seed corpus: the hand-made SuperNet
 * of the loader tests and a few near-misses, into the directory argv[1].
 */
#include <stdio.h>

#include "sn_builder.h"

static void put(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(b, 1, n, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	cJSON *arch = sn_arch(), *cat = sn_catalog();
	size_t len;
	uint8_t *buf;

	if (argc != 2)
		return 1;
	buf = sn_build_file(arch, cat, "sushi-supernet", &len);
	put(argv[1], "valid", buf, len);
	put(argv[1], "truncated", buf, len / 2);
	free(buf);
	buf = sn_build_file(arch, cat, "other", &len);
	put(argv[1], "magic", buf, len);
	free(buf);
	cJSON_DeleteItemFromArray(cat, 1);
	buf = sn_build_file(arch, cat, "sushi-supernet", &len);
	put(argv[1], "one-subnet", buf, len);
	free(buf);
	cJSON_Delete(arch);
	cJSON_Delete(cat);
	return 0;
}
