// SPDX-License-Identifier: MIT
/*
 * test_golden.c - replays golden/golden.txt (made by the independent numpy
 * implementation golden/gen_golden.py) through sushi_layer_compute() with
 * every kernel family the CPU supports; the bytes must be equal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sushi_model.h"
#include "isa_note.h"
#include "tap.h"

struct buf {
	uint8_t *p;
	size_t n;
};

static int parse_hex(const char *s, struct buf *b)
{
	size_t len = strcspn(s, "\n");

	b->p = NULL;
	b->n = 0;
	if (len == 1 && s[0] == '-')
		return 0;
	if (len % 2)
		return -EINVAL;
	b->p = malloc(len / 2 + 1);
	if (!b->p)
		return -ENOMEM;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		b->p[i] = (uint8_t)v;
	}
	b->n = len / 2;
	return 0;
}

static const char *const fields[] = {
	"op", "flags", "in_c", "in_h", "in_w", "out_c", "out_h", "out_w",
	"kernel", "stride", "pad", "groups", "in_zp", "in2_zp", "out_zp",
	"act_min", "act_max", "add_shift", "add_mult_a", "add_mult_b",
};

static int parse_layer(char *s, struct sushi_hw_layer *l)
{
	uint32_t *f = &l->op;	/* the 20 leading 32-bit fields, in order */

	memset(l, 0, sizeof(*l));
	for (char *tok = strtok(s, " \n"); tok; tok = strtok(NULL, " \n")) {
		char *eq = strchr(tok, '=');
		unsigned long long v;

		if (!eq)
			return -EINVAL;
		*eq = 0;
		v = strtoull(eq + 1, NULL, 10);
		if (!strcmp(tok, "w_stride")) {
			l->w_stride = v;
			continue;
		}
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(tok, fields[i]))
				f[i] = (uint32_t)v;
	}
	/* device addresses only need to be non-zero where the op uses them */
	l->in_addr = 0x1000;
	l->out_addr = 0x2000;
	if (l->op == SUSHI_OP_ADD)
		l->in2_addr = 0x3000;
	if (l->op == SUSHI_OP_CONV || l->op == SUSHI_OP_FC) {
		l->w_addr = 0x4000;
		l->epi_addr = 0x5000;
	}
	return 0;
}

static size_t line_cap = 1 << 20;

static int run_case(FILE *f, const char *name, char *line)
{
	struct sushi_hw_layer l;
	struct buf in, in2, w, epi, want;
	struct buf *dst[] = { &in, &in2, &w, &epi, &want };
	const char *tags[] = { "in ", "in2 ", "w ", "epi ", "out " };
	struct sushi_layer_geom g;
	int ret = 0;

	if (!fgets(line, (int)line_cap, f) || strncmp(line, "layer ", 6) ||
	    parse_layer(line + 6, &l))
		return -EINVAL;
	for (int i = 0; i < 5; i++) {
		size_t tl = strlen(tags[i]);

		if (!fgets(line, (int)line_cap, f) || strncmp(line, tags[i], tl))
			return -EINVAL;
		if (parse_hex(line + tl, dst[i]))
			return -EINVAL;
	}
	if (!fgets(line, (int)line_cap, f) || strncmp(line, "end", 3))
		return -EINVAL;

	ret = sushi_layer_check(&l, &g);
	is_int(ret, 0, "%s: descriptor is valid", name);
	if (!ret) {
		is_u64(want.n, g.out_bytes, "%s: output size matches geometry", name);
		for (int isa = SUSHI_ISA_REF; isa <= SUSHI_ISA_AVX512; isa++) {
			int8_t *out;
			struct sushi_layer_io io = {
				.in = (const int8_t *)in.p,
				.in2 = (const int8_t *)in2.p,
				.w = (const int8_t *)w.p,
				.w_stride = (size_t)l.w_stride,
				.epi = epi.p,
			};

			if (!sushi_isa_supported(isa))
				continue;
			out = malloc(g.out_bytes);
			memset(out, 0x5a, g.out_bytes);
			io.out = out;
			ret = sushi_layer_compute(&l, &io, isa);
			ok(!ret && !memcmp(out, want.p, g.out_bytes),
			   "%s: %s equals numpy", name, sushi_isa_name(isa));
			free(out);
		}
	}
	for (int i = 0; i < 5; i++)
		free(dst[i]->p);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = "golden/golden.txt";
	char *line = malloc(line_cap);
	int cases = 0;
	FILE *f;

	tap_init(argc, argv);
	isa_note_avx512("test_golden");
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			path = argv[i];
	f = fopen(path, "r");
	if (!ok(f != NULL, "open %s", path) || !line)
		return tap_done();
	while (fgets(line, (int)line_cap, f)) {
		char name[128];

		if (line[0] == '#')
			continue;
		if (sscanf(line, "case %127s", name) != 1) {
			ok(0, "malformed line: %.40s", line);
			break;
		}
		if (!ok(run_case(f, name, line) == 0, "%s: parsed", name))
			break;
		cases++;
	}
	ok(cases >= 25, "replayed %d golden cases", cases);
	fclose(f);
	free(line);
	return tap_done();
}
