// SPDX-License-Identifier: MIT
/*
 * make_corpus.c - writes the fuzzer's seed corpus: the hand-made SuperNet
 * of the loader tests, its ADD and grouped-conv variants, and a few
 * near-misses (one at the epilogue's 2^62 product bound), into the
 * directory argv[1].
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
	{	/* a's conv, row 0: (874395 + |bias|) * 2^31 = 2^62 exactly */
		int32_t v[2] = { (int32_t)(2147483648ll - 874395), INT32_MIN };
		uint64_t hl = 0;

		buf = sn_build_file(arch, cat, "sushi-supernet", &len);
		for (int i = 7; i >= 0; i--)
			hl = hl << 8 | buf[i];
		memcpy(buf + 8 + hl + sn_tensor_offset("epi.a.conv"), v, 8);
		put(argv[1], "product-bound", buf, len);
		free(buf);
	}
	sn_catalog_ex(cat, 1, 0, 0);
	buf = sn_build_file(arch, cat, "sushi-supernet", &len);
	put(argv[1], "add", buf, len);
	free(buf);
	sn_arch_add_gc(arch);
	sn_catalog_ex(cat, 0, 4, 8);
	buf = sn_build_file(arch, cat, "sushi-supernet", &len);
	put(argv[1], "grouped", buf, len);
	free(buf);
	cJSON_DeleteItemFromArray(cat, 1);
	buf = sn_build_file(arch, cat, "sushi-supernet", &len);
	put(argv[1], "one-subnet", buf, len);
	free(buf);
	cJSON_Delete(arch);
	cJSON_Delete(cat);
	return 0;
}
