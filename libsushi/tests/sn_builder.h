/* SPDX-License-Identifier: MIT */
/*
 * sn_builder.h - builds small SuperNet files in memory for the loader tests
 * and the fuzz seed corpus: a 4x4x3 input, a 3x3 conv of up to 8 channels,
 * global pooling and a 2-class FC; two SubNets (4 and 8 channels).  Two
 * optional variants (sn_subnet_ex): a residual ADD of the conv's output
 * with itself, and a grouped 3x3 conv "gc" (weights of 2 groups of 4
 * inputs and 4 outputs) after the conv.  The architecture and catalog are
 * cJSON trees a test may mutate before sn_build_file() serializes them
 * into the safetensors container.
 */
#ifndef SUSHI_TEST_SN_BUILDER_H
#define SUSHI_TEST_SN_BUILDER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

struct sn_tensor_spec {
	const char *name, *dtype;
	uint32_t rows, cols, elem;
};

static const struct sn_tensor_spec sn_tensors[] = {
	{ "w.conv", "I8", 8, 27, 1 },
	{ "w.fc", "I8", 2, 8, 1 },
	{ "epi.a.conv", "I32", 4, 3, 4 },
	{ "epi.a.fc", "I32", 2, 3, 4 },
	{ "epi.b.conv", "I32", 8, 3, 4 },
	{ "epi.b.fc", "I32", 2, 3, 4 },
	{ "w.gc", "I8", 8, 36, 1 },
	{ "epi.a.gc4", "I32", 4, 3, 4 },
	{ "epi.b.gc8", "I32", 8, 3, 4 },
	{ "epi.a.gc2", "I32", 2, 3, 4 },
	{ "epi.a.gc8", "I32", 8, 3, 4 },
};

#define SN_NT (sizeof(sn_tensors) / sizeof(sn_tensors[0]))

static cJSON *sn_layer(const char *name, const char *op, int in0, int in_c,
		       int in_hw, int out_c, int out_hw, int k, int p,
		       const char *w, int rows, int rb, int stride,
		       const char *epi)
{
	cJSON *L = cJSON_CreateObject(), *ins = cJSON_CreateArray();

	cJSON_AddStringToObject(L, "name", name);
	cJSON_AddStringToObject(L, "op", op);
	cJSON_AddItemToArray(ins, cJSON_CreateNumber(in0));
	cJSON_AddItemToObject(L, "inputs", ins);
	cJSON_AddNumberToObject(L, "in_c", in_c);
	cJSON_AddNumberToObject(L, "in_h", in_hw);
	cJSON_AddNumberToObject(L, "in_w", in_hw);
	cJSON_AddNumberToObject(L, "out_c", out_c);
	cJSON_AddNumberToObject(L, "out_h", out_hw);
	cJSON_AddNumberToObject(L, "out_w", out_hw);
	cJSON_AddNumberToObject(L, "k", k);
	cJSON_AddNumberToObject(L, "s", 1);
	cJSON_AddNumberToObject(L, "p", p);
	cJSON_AddNumberToObject(L, "groups", 1);
	cJSON_AddNumberToObject(L, "in_zp", -128);
	cJSON_AddNumberToObject(L, "in2_zp", 0);
	cJSON_AddNumberToObject(L, "out_zp", -128);
	cJSON_AddNumberToObject(L, "act_min", -128);
	cJSON_AddNumberToObject(L, "act_max", 127);
	cJSON_AddNumberToObject(L, "add_mult_a", 0);
	cJSON_AddNumberToObject(L, "add_mult_b", 0);
	cJSON_AddNumberToObject(L, "add_shift", 0);
	if (w) {
		cJSON_AddStringToObject(L, "weight", w);
		cJSON_AddStringToObject(L, "epilogue", epi);
	} else {
		cJSON_AddNullToObject(L, "weight");
		cJSON_AddNullToObject(L, "epilogue");
	}
	cJSON_AddNumberToObject(L, "rows", rows);
	cJSON_AddNumberToObject(L, "row_bytes", rb);
	cJSON_AddNumberToObject(L, "row_stride", stride);
	cJSON_AddNumberToObject(L, "out_scale", 0.05);
	return L;
}

/*
 * SubNet @id: conv to @ch channels, then (@add) an ADD of that output with
 * itself, then (@gc_out > 0) the grouped conv "gc" from @ch to @gc_out
 * channels in groups of 4 inputs, then gap and fc.  MACs and weight bytes
 * follow the layers.
 */
static cJSON *sn_subnet_ex(const char *id, int ch, double acc, double width,
			   int add, int gc_out)
{
	cJSON *c = cJSON_CreateObject(), *ls = cJSON_CreateArray();
	cJSON *arch = cJSON_CreateObject(), *d = cJSON_CreateArray();
	cJSON *e = cJSON_CreateArray(), *e0 = cJSON_CreateArray();
	cJSON *w = cJSON_CreateArray();
	char epi_conv[32], epi_fc[32], epi_gc[32];
	int n = 1, top = ch, macs = 16 * ch * 27, wb = ch * 27;

	snprintf(epi_conv, sizeof(epi_conv), "epi.%s.conv", id);
	snprintf(epi_fc, sizeof(epi_fc), "epi.%s.fc", id);
	snprintf(epi_gc, sizeof(epi_gc), "epi.%s.gc%d", id, gc_out);
	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddItemToArray(d, cJSON_CreateNumber(1));
	cJSON_AddItemToArray(e0, cJSON_CreateNumber(1));
	cJSON_AddItemToArray(e, e0);
	cJSON_AddItemToArray(w, cJSON_CreateNumber(width));
	cJSON_AddItemToObject(arch, "d", d);
	cJSON_AddItemToObject(arch, "e", e);
	cJSON_AddItemToObject(arch, "w", w);
	cJSON_AddItemToObject(c, "arch", arch);
	cJSON_AddStringToObject(c, "arch_name", id);
	cJSON_AddItemToArray(ls, sn_layer("conv", "conv", -1, 3, 4, ch, 4, 3, 1,
					  "w.conv", ch, 27, 27, epi_conv));
	if (add) {
		cJSON *L = sn_layer("add", "add", 0, ch, 4, ch, 4, 0, 0, NULL,
				    0, 0, 0, NULL);

		cJSON_AddItemToArray(cJSON_GetObjectItem(L, "inputs"),
				     cJSON_CreateNumber(0));
		cJSON_ReplaceItemInObject(L, "in2_zp", cJSON_CreateNumber(-128));
		cJSON_ReplaceItemInObject(L, "add_mult_a", cJSON_CreateNumber(1 << 30));
		cJSON_ReplaceItemInObject(L, "add_mult_b", cJSON_CreateNumber(1 << 30));
		cJSON_ReplaceItemInObject(L, "add_shift", cJSON_CreateNumber(31));
		cJSON_AddItemToArray(ls, L);
		n++;
	}
	if (gc_out) {
		cJSON *L = sn_layer("gc", "conv", n - 1, ch, 4, gc_out, 4, 3, 1,
				    "w.gc", gc_out, 36, 36, epi_gc);

		cJSON_ReplaceItemInObject(L, "groups", cJSON_CreateNumber(ch / 4));
		cJSON_AddItemToArray(ls, L);
		macs += 16 * gc_out * 36;
		wb += gc_out * 36;
		top = gc_out;
		n++;
	}
	cJSON_AddItemToArray(ls, sn_layer("gap", "gap", n - 1, top, 4, top, 1, 0, 0,
					  NULL, 0, 0, 0, NULL));
	cJSON_AddItemToArray(ls, sn_layer("fc", "fc", n, top, 1, 2, 1, 1, 0,
					  "w.fc", 2, top, 8, epi_fc));
	cJSON_AddNumberToObject(c, "macs", macs + 2 * top);
	cJSON_AddNumberToObject(c, "weight_bytes", wb + 2 * top);
	cJSON_AddNumberToObject(c, "accuracy", acc);
	cJSON_AddItemToObject(c, "layers", ls);
	return c;
}

static cJSON *sn_subnet(const char *id, int ch, double acc, double width)
{
	return sn_subnet_ex(id, ch, acc, width, 0, 0);
}

static cJSON *sn_weight(const char *tensor, int rows, int stride, int k,
			int cin, int groups)
{
	cJSON *w = cJSON_CreateObject();

	cJSON_AddStringToObject(w, "tensor", tensor);
	cJSON_AddNumberToObject(w, "rows_max", rows);
	cJSON_AddNumberToObject(w, "row_stride", stride);
	cJSON_AddNumberToObject(w, "k", k);
	cJSON_AddNumberToObject(w, "in_c_max", cin);
	cJSON_AddNumberToObject(w, "groups", groups);
	return w;
}

static cJSON *sn_arch(void)
{
	cJSON *a = cJSON_CreateObject(), *in = cJSON_CreateObject();
	cJSON *ws = cJSON_CreateArray(), *sp = cJSON_CreateObject();
	static const double dl[] = { 1 }, el[] = { 1 }, wl[] = { 0.5, 1.0 };

	cJSON_AddStringToObject(a, "name", "tiny");
	cJSON_AddNumberToObject(in, "h", 4);
	cJSON_AddNumberToObject(in, "w", 4);
	cJSON_AddNumberToObject(in, "c", 3);
	cJSON_AddStringToObject(in, "layout", "NHWC");
	cJSON_AddStringToObject(in, "dtype", "int8");
	cJSON_AddNumberToObject(in, "scale", 1.0 / 255);
	cJSON_AddNumberToObject(in, "zp", -128);
	cJSON_AddItemToObject(a, "input", in);
	cJSON_AddNumberToObject(a, "n_classes", 2);
	cJSON_AddItemToArray(ws, sn_weight("w.conv", 8, 27, 3, 3, 1));
	cJSON_AddItemToArray(ws, sn_weight("w.fc", 2, 8, 1, 8, 1));
	cJSON_AddItemToObject(a, "weights", ws);
	cJSON_AddItemToObject(sp, "depth_list", cJSON_CreateDoubleArray(dl, 1));
	cJSON_AddItemToObject(sp, "expand_list", cJSON_CreateDoubleArray(el, 1));
	cJSON_AddItemToObject(sp, "width_list", cJSON_CreateDoubleArray(wl, 2));
	cJSON_AddItemToObject(a, "space", sp);
	return a;
}

static cJSON *sn_catalog(void)
{
	cJSON *c = cJSON_CreateArray();

	cJSON_AddItemToArray(c, sn_subnet("a", 4, 0.5, 0.5));
	cJSON_AddItemToArray(c, sn_subnet("b", 8, 0.6, 1.0));
	return c;
}

/* the architecture with the grouped weights w.gc (2 groups, 8 x 36) */
static void sn_arch_add_gc(cJSON *arch)
{
	cJSON_AddItemToArray(cJSON_GetObjectItem(arch, "weights"),
			     sn_weight("w.gc", 8, 36, 3, 8, 2));
}

/* replace @cat's SubNets by the variant (see sn_subnet_ex) */
static void sn_catalog_ex(cJSON *cat, int add, int gc_out_a, int gc_out_b)
{
	while (cJSON_GetArraySize(cat))
		cJSON_DeleteItemFromArray(cat, 0);
	cJSON_AddItemToArray(cat, sn_subnet_ex("a", 4, 0.5, 0.5, add, gc_out_a));
	cJSON_AddItemToArray(cat, sn_subnet_ex("b", 8, 0.6, 1.0, add, gc_out_b));
}

/* offset of tensor @name in the data section sn_build_file() writes */
static uint64_t sn_tensor_offset(const char *name)
{
	uint64_t off = 0;

	for (size_t i = 0; i < SN_NT; i++) {
		if (!strcmp(sn_tensors[i].name, name))
			return off;
		off += (uint64_t)sn_tensors[i].rows * sn_tensors[i].cols *
		       sn_tensors[i].elem;
		off = (off + 63) & ~63ull;
	}
	return UINT64_MAX;
}

/*
 * Serialize: 8-byte header length, JSON header (tensors, __metadata__),
 * data.  Weights are small deterministic values, epilogues valid.
 * Returns a malloc'ed buffer and its length.
 */
static uint8_t *sn_build_file(cJSON *arch, cJSON *cat, const char *format,
			      size_t *len)
{
	cJSON *h = cJSON_CreateObject(), *meta = cJSON_CreateObject();
	uint64_t off = 0, end = 0, offs[SN_NT][2];
	char *arch_s = cJSON_PrintUnformatted(arch);
	char *cat_s = cJSON_PrintUnformatted(cat);
	char *hs;
	uint8_t *buf;
	size_t hl;

	for (size_t i = 0; i < SN_NT; i++) {
		const struct sn_tensor_spec *t = &sn_tensors[i];
		cJSON *o = cJSON_CreateObject(), *sh = cJSON_CreateArray();
		cJSON *do_ = cJSON_CreateArray();
		uint64_t n = (uint64_t)t->rows * t->cols * t->elem;

		cJSON_AddStringToObject(o, "dtype", t->dtype);
		cJSON_AddItemToArray(sh, cJSON_CreateNumber(t->rows));
		cJSON_AddItemToArray(sh, cJSON_CreateNumber(t->cols));
		cJSON_AddItemToObject(o, "shape", sh);
		offs[i][0] = off;
		offs[i][1] = off + n;
		cJSON_AddItemToArray(do_, cJSON_CreateNumber((double)off));
		cJSON_AddItemToArray(do_, cJSON_CreateNumber((double)(off + n)));
		cJSON_AddItemToObject(o, "data_offsets", do_);
		cJSON_AddItemToObject(h, t->name, o);
		end = off + n;
		off = (off + n + 63) & ~63ull;
	}
	cJSON_AddStringToObject(meta, "format", format);
	cJSON_AddStringToObject(meta, "format_version", "1");
	cJSON_AddStringToObject(meta, "architecture", arch_s);
	cJSON_AddStringToObject(meta, "catalog", cat_s);
	cJSON_AddItemToObject(h, "__metadata__", meta);
	hs = cJSON_PrintUnformatted(h);
	hl = strlen(hs);
	*len = 8 + hl + end;	/* no padding after the last tensor */
	buf = calloc(1, *len);
	for (int i = 0; i < 8; i++)
		buf[i] = (uint8_t)((uint64_t)hl >> (8 * i));
	memcpy(buf + 8, hs, hl);
	for (size_t i = 0; i < SN_NT; i++) {
		uint8_t *d = buf + 8 + hl + offs[i][0];

		if (sn_tensors[i].elem == 1) {
			for (uint64_t b = 0; b < offs[i][1] - offs[i][0]; b++)
				d[b] = (uint8_t)((b * 37 + i) % 200 - 100);
		} else {
			for (uint32_t r = 0; r < sn_tensors[i].rows; r++) {
				int32_t v[3] = { (int32_t)r * 10 - 5, 1 << 30, 38 };

				memcpy(d + 12 * r, v, 12);	/* little-endian host */
			}
		}
	}
	free(arch_s);
	free(cat_s);
	free(hs);
	cJSON_Delete(h);
	return buf;
}

/* the header length N of a built file (its first 8 bytes, little-endian) */
static inline uint64_t sn_header_len(const uint8_t *buf)
{
	uint64_t hl = 0;

	for (int i = 7; i >= 0; i--)
		hl = hl << 8 | buf[i];
	return hl;
}

#endif /* SUSHI_TEST_SN_BUILDER_H */
