// SPDX-License-Identifier: MIT
/*
 * test_net_bitexact.c - whole-network bit-exactness of the C model library
 * against the numpy int8 reference (tools/supernet/int8ref.py).
 *
 * Owns: running every layer of one SubNet of a SuperNet file, image after
 * image, through sushi_layer_compute() on the descriptors that libsushi's
 * loader lays out (sushi_supernet_layers()), in a flat host "device
 * memory" (data section at device address 0, activation arena right after
 * it), and comparing EVERY layer's output byte for byte with the vectors
 * written by tools/supernet/dump_vectors.py, plus the final argmax.  Every
 * kernel family this CPU and build support (ref, avx2, avx512) is checked.
 *
 * With --accuracy, the manifest's labels are compared with the model's
 * argmax on every image and the resulting top-1 must equal the SubNet's
 * catalog accuracy exactly (vectors written on the very images the
 * accuracy was measured on, e.g. by import_ofa.py --write-sample).
 *
 * Usage: test_net_bitexact [--accuracy] SUPERNET_FILE VECTORS_DIR
 * Output: TAP, one line per (SubNet, kernel family, layer) and per argmax
 * check; a failure names the first mismatching image and byte.  Exit
 * status 0 when all pass, 1 when a check fails, 2 on unusable input.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sushi/supernet.h"
#include "sushi_model.h"
#include "tap.h"

#define ALIGN 64u

static const char *const op_names[SUSHI_OP_COUNT] = {
	[SUSHI_OP_CONV] = "conv", [SUSHI_OP_FC] = "fc",
	[SUSHI_OP_ADD] = "add", [SUSHI_OP_AVGPOOL] = "avgpool",
	[SUSHI_OP_MAXPOOL] = "maxpool", [SUSHI_OP_GAP] = "gap",
};

/* one layer of the manifest with its reference output (all images) */
struct ref_layer {
	const char *name;
	const char *op;
	uint32_t out_h, out_w, out_c;
	uint64_t bytes;		/* per image */
	int8_t *data;		/* n images */
};

struct vectors {
	cJSON *man;
	const char *subnet;
	uint32_t n, in_h, in_w, in_c;
	int8_t *input;
	uint32_t n_layers;
	struct ref_layer *layers;
	int *argmax;
	int *labels;		/* NULL without "labels" in the manifest */
};

/* flat device memory: device address = offset into mem */
struct devmem {
	uint8_t *mem;
	uint64_t size;
};

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long sz;
	int ret = 0;

	*buf = NULL;
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		ret = -EIO;
		goto out;
	}
	*buf = malloc((size_t)sz + 1);
	if (!*buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (fread(*buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(*buf);
		*buf = NULL;
		ret = -EIO;
		goto out;
	}
	(*buf)[sz] = 0;
	*len = (size_t)sz;
out:
	fclose(f);
	return ret;
}

/* @dir/@name of exactly @want bytes */
static int read_blob(const char *dir, const char *name, uint64_t want,
		     int8_t **out)
{
	char path[4096];
	uint8_t *buf;
	size_t len;
	int ret;

	if (strchr(name, '/') ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		fprintf(stderr, "test_net_bitexact: bad file name %s\n", name);
		return -EINVAL;
	}
	ret = read_file(path, &buf, &len);
	if (ret) {
		fprintf(stderr, "test_net_bitexact: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	if (len != want) {
		fprintf(stderr, "test_net_bitexact: %s: %zu bytes, expected %" PRIu64 "\n",
			path, len, want);
		free(buf);
		return -EINVAL;
	}
	*out = (int8_t *)buf;
	return 0;
}

static int jnum(const cJSON *o, const char *key, uint32_t max, uint32_t *v)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(j) || j->valuedouble < 0 || j->valuedouble > max ||
	    j->valuedouble != (double)(uint32_t)j->valuedouble) {
		fprintf(stderr, "test_net_bitexact: manifest: bad \"%s\"\n", key);
		return -EINVAL;
	}
	*v = (uint32_t)j->valuedouble;
	return 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(j)) {
		fprintf(stderr, "test_net_bitexact: manifest: bad \"%s\"\n", key);
		return NULL;
	}
	return j->valuestring;
}

/* a manifest array of class indices (one per image, checked by the caller) */
static int read_classes(const cJSON *arr, int *out, const char *what)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 0) {
			fprintf(stderr, "test_net_bitexact: manifest: bad %s\n", what);
			return -EINVAL;
		}
		out[i++] = (int)it->valuedouble;
	}
	return 0;
}

static void vectors_free(struct vectors *v)
{
	for (uint32_t i = 0; v->layers && i < v->n_layers; i++)
		free(v->layers[i].data);
	free(v->layers);
	free(v->input);
	free(v->argmax);
	free(v->labels);
	cJSON_Delete(v->man);
}

static int vectors_load(const char *dir, struct vectors *v)
{
	const cJSON *in, *layers, *am, *it;
	char path[4096];
	uint8_t *text;
	size_t len;
	uint32_t i = 0;
	int ret;

	memset(v, 0, sizeof(*v));
	if ((size_t)snprintf(path, sizeof(path), "%s/manifest.json", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	ret = read_file(path, &text, &len);
	if (ret) {
		fprintf(stderr, "test_net_bitexact: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	v->man = cJSON_ParseWithLength((const char *)text, len);
	free(text);
	if (!v->man) {
		fprintf(stderr, "test_net_bitexact: %s: not JSON\n", path);
		return -EINVAL;
	}
	in = cJSON_GetObjectItemCaseSensitive(v->man, "input");
	layers = cJSON_GetObjectItemCaseSensitive(v->man, "layers");
	am = cJSON_GetObjectItemCaseSensitive(v->man, "argmax");
	v->subnet = jstr(v->man, "subnet");
	if (!v->subnet || jnum(v->man, "n", 1u << 20, &v->n) || v->n == 0 ||
	    !cJSON_IsObject(in) || jnum(in, "h", 65535, &v->in_h) ||
	    jnum(in, "w", 65535, &v->in_w) || jnum(in, "c", 65535, &v->in_c) ||
	    !cJSON_IsArray(layers) || cJSON_GetArraySize(layers) < 1 ||
	    !cJSON_IsArray(am) || cJSON_GetArraySize(am) != (int)v->n) {
		fprintf(stderr, "test_net_bitexact: %s: malformed manifest\n", path);
		return -EINVAL;
	}
	it = cJSON_GetObjectItemCaseSensitive(in, "file");
	ret = read_blob(dir, cJSON_IsString(it) ? it->valuestring : "input.bin",
			(uint64_t)v->n * v->in_h * v->in_w * v->in_c, &v->input);
	if (ret)
		return ret;
	v->n_layers = (uint32_t)cJSON_GetArraySize(layers);
	v->layers = calloc(v->n_layers, sizeof(*v->layers));
	v->argmax = calloc(v->n, sizeof(*v->argmax));
	if (!v->layers || !v->argmax)
		return -ENOMEM;
	cJSON_ArrayForEach(it, layers) {
		struct ref_layer *r = &v->layers[i];
		uint32_t idx, bytes;
		const char *file;

		if (jnum(it, "index", 0xffffffffu, &idx) || idx != i ||
		    !(r->name = jstr(it, "name")) || !(r->op = jstr(it, "op")) ||
		    !(file = jstr(it, "file")) ||
		    jnum(it, "out_h", 65535, &r->out_h) ||
		    jnum(it, "out_w", 65535, &r->out_w) ||
		    jnum(it, "out_c", 65535, &r->out_c) ||
		    jnum(it, "bytes", 0xffffffffu, &bytes)) {
			fprintf(stderr, "test_net_bitexact: manifest layer %u malformed\n", i);
			return -EINVAL;
		}
		r->bytes = (uint64_t)r->out_h * r->out_w * r->out_c;
		if ((uint64_t)bytes != r->bytes * v->n) {
			fprintf(stderr, "test_net_bitexact: layer %u: %u bytes, not %u x %" PRIu64 "\n",
				i, bytes, v->n, r->bytes);
			return -EINVAL;
		}
		ret = read_blob(dir, file, bytes, &r->data);
		if (ret)
			return ret;
		i++;
	}
	if (read_classes(am, v->argmax, "argmax"))
		return -EINVAL;
	am = cJSON_GetObjectItemCaseSensitive(v->man, "labels");
	if (!am)
		return 0;
	if (!cJSON_IsArray(am) || cJSON_GetArraySize(am) != (int)v->n ||
	    !(v->labels = calloc(v->n, sizeof(*v->labels)))) {
		fprintf(stderr, "test_net_bitexact: manifest: bad labels\n");
		return -EINVAL;
	}
	return read_classes(am, v->labels, "labels");
}

/* host pointer of device range [dva, dva + len), or NULL outside memory */
static void *dev_ptr(const struct devmem *d, uint64_t dva, uint64_t len)
{
	if (dva > d->size || len > d->size - dva)
		return NULL;
	return d->mem + dva;
}

/* run layer @l of the net on device memory @d */
static int run_layer(const struct devmem *d, const struct sushi_hw_layer *l,
		     enum sushi_isa isa)
{
	struct sushi_layer_geom g;
	struct sushi_layer_io io = { 0 };
	int ret = sushi_layer_check(l, &g);

	if (ret)
		return ret;
	io.in = dev_ptr(d, l->in_addr, g.in_bytes);
	io.out = dev_ptr(d, l->out_addr, g.out_bytes);
	if (!io.in || !io.out)
		return -EFAULT;
	if (l->op == SUSHI_OP_ADD) {
		io.in2 = dev_ptr(d, l->in2_addr, g.in2_bytes);
		if (!io.in2)
			return -EFAULT;
	}
	if (l->op == SUSHI_OP_CONV || l->op == SUSHI_OP_FC) {
		io.w = dev_ptr(d, l->w_addr, g.w_span);
		io.epi = dev_ptr(d, l->epi_addr, g.epi_bytes);
		io.w_stride = (size_t)l->w_stride;
		if (!io.w || !io.epi)
			return -EFAULT;
	}
	return sushi_layer_compute(l, &io, isa);
}

/* first index of the largest value (numpy argmax: ties -> lowest index) */
static int argmax8(const int8_t *p, uint64_t n)
{
	int best = 0;

	for (uint64_t i = 1; i < n; i++)
		if (p[i] > p[best])
			best = (int)i;
	return best;
}

struct layer_result {
	int err;		/* first compute error, 0 if none */
	uint32_t err_img;
	int64_t bad_img;	/* first mismatching image, -1 if none */
	uint64_t bad_byte;
	int got, want;
	uint64_t n_bad;		/* mismatching bytes over all images */
};

/* the whole net for every image with kernels @isa; one TAP line per layer */
static void check_net(const struct vectors *v, const struct devmem *d,
		      const struct sushi_hw_layer *L,
		      const struct sushi_subnet_io *sio, enum sushi_isa isa,
		      uint64_t *compared, const double *want_acc)
{
	struct layer_result *res = calloc(v->n_layers, sizeof(*res));
	const char *in = sushi_isa_name(isa);
	uint32_t am_bad = 0, am_first = 0, correct = 0;
	int am_got = 0;

	if (!res) {
		ok(0, "%s [%s]: out of memory", v->subnet, in);
		return;
	}
	for (uint32_t j = 0; j < v->n_layers; j++)
		res[j].bad_img = -1;
	for (uint32_t img = 0; img < v->n; img++) {
		const struct ref_layer *last = &v->layers[v->n_layers - 1];
		int8_t *arena = (int8_t *)d->mem + L[0].in_addr;	/* == act_base + in_off */
		uint32_t j;

		/* wipe the arena so no stale output of a previous run can pass */
		memset(d->mem + (L[0].in_addr - sio->in_off), 0x5a, sio->arena_bytes);
		memcpy(arena, v->input + (uint64_t)img * sio->in_bytes, sio->in_bytes);
		for (j = 0; j < v->n_layers; j++) {
			const struct ref_layer *r = &v->layers[j];
			const int8_t *want = r->data + (uint64_t)img * r->bytes;
			const int8_t *got = (const int8_t *)d->mem + L[j].out_addr;
			struct layer_result *lr = &res[j];
			int ret = run_layer(d, &L[j], isa);

			if (ret) {
				if (!lr->err) {
					lr->err = ret;
					lr->err_img = img;
				}
				break;
			}
			for (uint64_t b = 0; b < r->bytes; b++) {
				if (got[b] == want[b])
					continue;
				if (lr->bad_img < 0) {
					lr->bad_img = img;
					lr->bad_byte = b;
					lr->got = got[b];
					lr->want = want[b];
				}
				lr->n_bad++;
			}
			*compared += r->bytes;
		}
		if (j < v->n_layers)
			continue;	/* the failing layer is reported below */
		am_got = argmax8((const int8_t *)d->mem + L[v->n_layers - 1].out_addr,
				 last->bytes);
		if (am_got != v->argmax[img] && !am_bad++)
			am_first = img;
		if (v->labels && am_got == v->labels[img])
			correct++;
	}
	for (uint32_t j = 0; j < v->n_layers; j++) {
		const struct ref_layer *r = &v->layers[j];
		const struct layer_result *lr = &res[j];

		if (lr->err) {
			ok(0, "%s [%s] layer %03u %s (%s): compute failed on image %u: %s",
			   v->subnet, in, j, r->name, r->op, lr->err_img,
			   strerror(-lr->err));
		} else if (lr->bad_img >= 0) {
			uint64_t b = lr->bad_byte, c = r->out_c;

			ok(0, "%s [%s] layer %03u %s (%s): %" PRIu64 " bytes differ; first: "
			   "image %" PRId64 " byte %" PRIu64 " (y %" PRIu64 " x %" PRIu64
			   " c %" PRIu64 "): model %d, int8ref %d",
			   v->subnet, in, j, r->name, r->op, lr->n_bad, lr->bad_img, b,
			   b / c / r->out_w, b / c % r->out_w, b % c, lr->got, lr->want);
		} else {
			ok(1, "%s [%s] layer %03u %s (%s %ux%ux%u): %u images equal",
			   v->subnet, in, j, r->name, r->op, r->out_h, r->out_w,
			   r->out_c, v->n);
		}
	}
	if (!ok(am_bad == 0, "%s [%s] argmax of the final output equals the manifest's "
		"on %u images", v->subnet, in, v->n))
		printf("#   %u images differ; first: image %u\n", am_bad, am_first);
	if (want_acc) {
		/* the same division of the same integers as the exporter's */
		double got = (double)correct / (double)v->n;

		ok(got == *want_acc, "%s [%s] top-1 on the %u labelled images: "
		   "%u correct = %.6f, catalog accuracy %.6f", v->subnet, in, v->n,
		   correct, got, *want_acc);
	}
	free(res);
}

int main(int argc, char **argv)
{
	struct sushi_supernet *sn = NULL;
	struct sushi_supernet_info info;
	struct sushi_subnet_info si;
	struct sushi_supernet_map map;
	struct sushi_subnet_io sio;
	struct sushi_hw_layer *L = NULL;
	struct devmem d = { 0 };
	struct vectors v;
	const enum sushi_isa isas[] = { SUSHI_ISA_REF, SUSHI_ISA_AVX2, SUSHI_ISA_AVX512 };
	char isa_list[64] = "";
	uint64_t compared = 0;
	uint32_t sub = 0, shapes_bad = 0;
	char err[256] = "";
	int check_acc = 0;
	int ret;

	if (argc == 4 && !strcmp(argv[1], "--accuracy")) {
		check_acc = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s [--accuracy] SUPERNET_FILE VECTORS_DIR\n",
			argv[0]);
		return 2;
	}
	ret = vectors_load(argv[2], &v);
	if (ret) {
		vectors_free(&v);
		return 2;
	}
	if (check_acc && !v.labels) {
		fprintf(stderr, "test_net_bitexact: --accuracy: no labels in %s\n",
			argv[2]);
		vectors_free(&v);
		return 2;
	}
	ret = sushi_supernet_open(argv[1], &sn, err, sizeof(err));
	if (!ok(ret == 0, "%s loads (%s)", argv[1], ret ? err : "ok"))
		goto out;
	ret = sushi_supernet_info(sn, &info);
	if (!ok(ret == 0, "SuperNet info (%s)", ret ? strerror(-ret) : "ok"))
		goto out;
	ok(info.in_h == v.in_h && info.in_w == v.in_w && info.in_c == v.in_c,
	   "input shape %ux%ux%u matches the vectors' %ux%ux%u", info.in_h,
	   info.in_w, info.in_c, v.in_h, v.in_w, v.in_c);
	for (sub = 0; sub < info.n_subnets; sub++)
		if (!sushi_supernet_subnet(sn, sub, &si) && !strcmp(si.id, v.subnet))
			break;
	if (!ok(sub < info.n_subnets, "SubNet %s is in the catalog", v.subnet))
		goto out;
	if (!ok(si.n_layers == v.n_layers, "%s: %u layers in the file, %u in the vectors",
		v.subnet, si.n_layers, v.n_layers))
		goto out;
	/* data section at device address 0, the arena right after it */
	map.data_base = 0;
	map.act_base = (info.data_bytes + ALIGN - 1) / ALIGN * ALIGN;
	map.act_sram_bytes = 0;	/* every layer output in the arena, compared */
	L = calloc(si.n_layers, sizeof(*L));
	ret = L ? sushi_supernet_layers(sn, sub, &map, L, &sio) : -ENOMEM;
	if (!ok(ret == 0, "%s: descriptors laid out (%s)", v.subnet,
		ret ? strerror(-ret) : "ok"))
		goto out;
	if (!ok(sio.in_bytes == (uint64_t)v.in_h * v.in_w * v.in_c &&
		L[0].in_addr == map.act_base + sio.in_off,
		"%s: network input at the arena's input slot", v.subnet))
		goto out;
	for (uint32_t j = 0; j < si.n_layers; j++) {
		const struct ref_layer *r = &v.layers[j];
		const char *op = L[j].op < SUSHI_OP_COUNT && op_names[L[j].op] ?
				 op_names[L[j].op] : "?";

		if (L[j].out_h != r->out_h || L[j].out_w != r->out_w ||
		    L[j].out_c != r->out_c || strcmp(op, r->op)) {
			if (!shapes_bad++)
				printf("#   layer %u: file %s %ux%ux%u, vectors %s %ux%ux%u\n",
				       j, op, L[j].out_h, L[j].out_w, L[j].out_c,
				       r->op, r->out_h, r->out_w, r->out_c);
		}
	}
	if (!ok(shapes_bad == 0, "%s: every layer's op and output shape match the "
		"vectors", v.subnet))
		goto out;
	d.size = map.act_base + sio.arena_bytes;
	d.mem = calloc(1, d.size);
	if (!ok(d.mem != NULL, "%s: %" PRIu64 " bytes of device memory", v.subnet, d.size))
		goto out;
	memcpy(d.mem + map.data_base, sushi_supernet_data(sn), info.data_bytes);

	for (size_t k = 0; k < sizeof(isas) / sizeof(isas[0]); k++) {
		size_t used = strlen(isa_list);

		if (!sushi_isa_supported(isas[k]))
			continue;
		check_net(&v, &d, L, &sio, isas[k], &compared,
			  check_acc ? &si.accuracy : NULL);
		snprintf(isa_list + used, sizeof(isa_list) - used, "%s%s",
			 used ? ", " : "", sushi_isa_name(isas[k]));
	}
	printf("# %s: %u layers x %u images compared (%" PRIu64 " bytes) with "
	       "the kernels %s\n", v.subnet, v.n_layers, v.n, compared, isa_list);
out:
	free(d.mem);
	free(L);
	sushi_supernet_close(sn);
	vectors_free(&v);
	return tap_done();
}
