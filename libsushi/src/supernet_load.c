// SPDX-License-Identifier: MIT
/*
 * supernet_load.c - the strict SuperNet file loader: the safetensors
 * container (header length, JSON header, tensor table), the metadata
 * (format, architecture, catalog) and every invariant of
 * Documentation/supernet/format.rst (the cross-field rules live in
 * supernet_check.c).  Each failure names the field.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfield.h"
#include "supernet_check.h"

#define MAX_HEADER (64u << 20)
#define MAX_LAYERS 4096
#define MAX_SUBNETS SUSHI_SCHED_MAX_SUBNETS

static const char *const dtype_names[] = {
	[SN_I8] = "I8", [SN_U8] = "U8", [SN_I16] = "I16", [SN_I32] = "I32",
	[SN_I64] = "I64", [SN_F32] = "F32", [SN_F64] = "F64",
};
static const uint32_t dtype_size[] = {
	[SN_I8] = 1, [SN_U8] = 1, [SN_I16] = 2, [SN_I32] = 4, [SN_I64] = 8,
	[SN_F32] = 4, [SN_F64] = 8,
};

static const char *const op_names[SUSHI_OP_COUNT] = {
	[SUSHI_OP_CONV] = "conv", [SUSHI_OP_FC] = "fc", [SUSHI_OP_ADD] = "add",
	[SUSHI_OP_AVGPOOL] = "avgpool", [SUSHI_OP_MAXPOOL] = "maxpool",
	[SUSHI_OP_GAP] = "gap",
};

static char *dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static const struct sn_tensor *find_tensor(const struct sushi_supernet *sn,
					   const char *name)
{
	for (uint32_t i = 0; i < sn->n_tensors; i++)
		if (!strcmp(sn->tensors[i].name, name))
			return &sn->tensors[i];
	return NULL;
}

static int parse_tensor(struct sushi_supernet *sn, const cJSON *t,
			struct sn_tensor *o, struct jerr *e)
{
	const char *path = t->string;
	const cJSON *shape, *offs;
	const char *dt;
	int64_t v, b, end;
	uint64_t n = 1;

	o->name = dup(t->string);
	if (!o->name)
		return -ENOMEM;
	if (!cJSON_IsObject(t))
		return jerr_set(e, "header", t->string, "expected a tensor object");
	if (jf_str(t, path, "dtype", &dt, e))
		return -EINVAL;
	o->dtype = -1;
	for (int i = 0; i <= SN_F64; i++)
		if (!strcmp(dt, dtype_names[i]))
			o->dtype = i;
	if (o->dtype < 0)
		return jerr_set(e, path, "dtype", "unsupported dtype \"%s\"", dt);
	shape = jf_arr(t, path, "shape", e);
	offs = jf_arr(t, path, "data_offsets", e);
	if (!shape || !offs)
		return -EINVAL;
	o->ndim = (uint32_t)cJSON_GetArraySize(shape);
	if (o->ndim > 4)
		return jerr_set(e, path, "shape", "more than 4 dimensions");
	for (uint32_t i = 0; i < o->ndim; i++) {
		if (jf_int_at(shape, path, (int)i, 0, INT32_MAX, &v, e))
			return -EINVAL;
		o->shape[i] = (uint64_t)v;
		if (__builtin_mul_overflow(n, (uint64_t)v, &n))
			return jerr_set(e, path, "shape", "size overflows");
	}
	if (cJSON_GetArraySize(offs) != 2 ||
	    jf_int_at(offs, path, 0, 0, INT64_MAX / 2, &b, e) ||
	    jf_int_at(offs, path, 1, 0, INT64_MAX / 2, &end, e))
		return jerr_set(e, path, "data_offsets", "expected [begin, end]");
	if (b > end || (uint64_t)end > sn->data_len)
		return jerr_set(e, path, "data_offsets",
				"[%lld, %lld) outside the %llu-byte data section",
				(long long)b, (long long)end,
				(unsigned long long)sn->data_len);
	if (__builtin_mul_overflow(n, dtype_size[o->dtype], &n) ||
	    n != (uint64_t)(end - b))
		return jerr_set(e, path, "data_offsets",
				"%lld bytes, but the shape needs %llu",
				(long long)(end - b), (unsigned long long)n);
	o->begin = (uint64_t)b;
	o->end = (uint64_t)end;
	return 0;
}

static int parse_header(struct sushi_supernet *sn, const cJSON *h,
			const cJSON **meta, struct jerr *e)
{
	const cJSON *t;
	uint32_t n = 0;
	int ret;

	if (!cJSON_IsObject(h))
		return jerr_set(e, "header", NULL, "expected a JSON object");
	*meta = NULL;
	cJSON_ArrayForEach(t, h)
		n++;
	sn->tensors = calloc(n ? n : 1, sizeof(*sn->tensors));
	if (!sn->tensors)
		return -ENOMEM;
	cJSON_ArrayForEach(t, h) {
		if (!strcmp(t->string, "__metadata__")) {
			*meta = t;
			continue;
		}
		if (find_tensor(sn, t->string))
			return jerr_set(e, "header", t->string, "duplicate tensor");
		ret = parse_tensor(sn, t, &sn->tensors[sn->n_tensors++], e);
		if (ret)
			return ret;
	}
	if (!*meta)
		return jerr_set(e, "header", "__metadata__", "missing");
	return 0;
}

/* the tensor @name must exist with this dtype and shape (dims 0..ndim-1) */
static const struct sn_tensor *want_tensor(struct sushi_supernet *sn,
					   const char *path, const char *key,
					   const char *name, int dtype,
					   uint32_t ndim, const uint64_t *shape,
					   struct jerr *e)
{
	const struct sn_tensor *t = find_tensor(sn, name);

	if (!t) {
		jerr_set(e, path, key, "tensor \"%s\" not in the file", name);
		return NULL;
	}
	if (t->dtype != dtype || t->ndim != ndim) {
		jerr_set(e, path, key, "tensor \"%s\" must be %s with %u dimensions",
			 name, dtype_names[dtype], ndim);
		return NULL;
	}
	for (uint32_t i = 0; i < ndim; i++) {
		if (t->shape[i] != shape[i]) {
			jerr_set(e, path, key,
				 "tensor \"%s\" dimension %u is %llu, the architecture says %llu",
				 name, i, (unsigned long long)t->shape[i],
				 (unsigned long long)shape[i]);
			return NULL;
		}
	}
	return t;
}

static int parse_weights(struct sushi_supernet *sn, const cJSON *arch,
			 struct jerr *e)
{
	const cJSON *ws = jf_arr(arch, "architecture", "weights", e), *w;
	uint32_t i = 0;

	if (!ws)
		return -EINVAL;
	sn->n_wl = (uint32_t)cJSON_GetArraySize(ws);
	if (!sn->n_wl || sn->n_wl > MAX_LAYERS)
		return jerr_set(e, "architecture", "weights", "1..%u entries", MAX_LAYERS);
	sn->wl = calloc(sn->n_wl, sizeof(*sn->wl));
	if (!sn->wl)
		return -ENOMEM;
	cJSON_ArrayForEach(w, ws) {
		struct sn_wlayer *o = &sn->wl[i];
		int64_t rows, stride, k, cin, g;
		const struct sn_tensor *t;
		const char *name;
		uint64_t shape[2];
		char path[64];

		snprintf(path, sizeof(path), "architecture.weights[%u]", i++);
		if (jf_str(w, path, "tensor", &name, e) ||
		    jf_int(w, path, "rows_max", 1, SUSHI_HW_MAX_CHANNELS, &rows, e) ||
		    jf_int(w, path, "row_stride", 1, SUSHI_HW_MAX_REDUCTION, &stride, e) ||
		    jf_int(w, path, "k", 1, SUSHI_HW_MAX_KERNEL, &k, e) ||
		    jf_int(w, path, "in_c_max", 1, SUSHI_HW_MAX_CHANNELS, &cin, e) ||
		    jf_int(w, path, "groups", 1, SUSHI_HW_MAX_CHANNELS, &g, e))
			return -EINVAL;
		if (sn_check_weight_groups((uint32_t)rows, (uint32_t)cin,
					   (uint32_t)g, path, e))
			return -EINVAL;
		if (stride != cin / g * k * k)
			return jerr_set(e, path, "row_stride",
					"must be in_c_max / groups * k * k");
		shape[0] = (uint64_t)rows;
		shape[1] = (uint64_t)stride;
		t = want_tensor(sn, path, "tensor", name, SN_I8, 2, shape, e);
		if (!t)
			return -EINVAL;
		for (uint64_t b = t->begin; b < t->end; b++)
			if (sn->data[b] == 0x80)
				return jerr_set(e, path, "tensor",
						"weight value -128 (symmetric int8 is [-127, 127])");
		o->tensor = dup(name);
		if (!o->tensor)
			return -ENOMEM;
		o->offset = t->begin;
		o->rows_max = (uint32_t)rows;
		o->row_stride = (uint64_t)stride;
		o->kernel = (uint32_t)k;
		o->in_c_max = (uint32_t)cin;
		o->groups = (uint32_t)g;
	}
	return 0;
}

static int parse_arch(struct sushi_supernet *sn, const cJSON *arch,
		      struct jerr *e)
{
	const cJSON *in = jf_obj(arch, "architecture", "input", e);
	const char *name, *layout, *dtype;
	int64_t h, w, c, zp, ncls;

	if (!in || jf_str(arch, "architecture", "name", &name, e) ||
	    jf_int(in, "architecture.input", "h", 1, SUSHI_HW_MAX_DIM, &h, e) ||
	    jf_int(in, "architecture.input", "w", 1, SUSHI_HW_MAX_DIM, &w, e) ||
	    jf_int(in, "architecture.input", "c", 1, SUSHI_HW_MAX_CHANNELS, &c, e) ||
	    jf_int(in, "architecture.input", "zp", -128, 127, &zp, e) ||
	    jf_num(in, "architecture.input", "scale", 1e-12, 1e12, &sn->in_scale, e) ||
	    jf_str(in, "architecture.input", "layout", &layout, e) ||
	    jf_str(in, "architecture.input", "dtype", &dtype, e) ||
	    jf_int(arch, "architecture", "n_classes", 1, SUSHI_HW_MAX_CHANNELS, &ncls, e))
		return -EINVAL;
	if (strcmp(layout, "NHWC"))
		return jerr_set(e, "architecture.input", "layout", "must be \"NHWC\"");
	if (strcmp(dtype, "int8"))
		return jerr_set(e, "architecture.input", "dtype", "must be \"int8\"");
	sn->name = dup(name);
	if (!sn->name)
		return -ENOMEM;
	sn->in_h = (uint32_t)h;
	sn->in_w = (uint32_t)w;
	sn->in_c = (uint32_t)c;
	sn->in_zp = (int32_t)zp;
	sn->n_classes = (uint32_t)ncls;
	return parse_weights(sn, arch, e);
}

/* @v must be one of the numbers of space[@list] */
static int in_list(const cJSON *space, const char *list, double v)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(space, list), *x;

	if (!cJSON_IsArray(l))
		return 0;
	cJSON_ArrayForEach(x, l)
		if (cJSON_IsNumber(x) && x->valuedouble == v)
			return 1;
	return 0;
}

/* every number of @v (nested arrays allowed) must be in space[@list] */
static int values_in_list(const cJSON *space, const char *list,
			  const cJSON *v, int depth)
{
	const cJSON *x;

	if (cJSON_IsNumber(v))
		return in_list(space, list, v->valuedouble);
	if (!cJSON_IsArray(v) || depth > 4)
		return 0;
	cJSON_ArrayForEach(x, v)
		if (!values_in_list(space, list, x, depth + 1))
			return 0;
	return 1;
}

/*
 * The catalog entry's architecture must be a point of the search space:
 * its depths, expand ratios and widths (arch.d, arch.e, arch.w, in the
 * space's own nesting) must come from depth_list, expand_list and
 * width_list.  A space without those lists is not checked.
 */
static int check_arch_point(const cJSON *space, const cJSON *a,
			    const char *path, struct jerr *e)
{
	static const char *const keys[][2] = {
		{ "d", "depth_list" }, { "e", "expand_list" }, { "w", "width_list" },
	};
	char key[16];

	if (!space)
		return 0;
	if (!cJSON_IsObject(a))
		return jerr_set(e, path, "arch", "expected an object");
	for (int i = 0; i < 3; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, keys[i][0]);

		if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(space, keys[i][1])))
			continue;
		snprintf(key, sizeof(key), "arch.%s", keys[i][0]);
		if (!v)
			return jerr_set(e, path, key, "missing");
		if (!values_in_list(space, keys[i][1], v, 0))
			return jerr_set(e, path, key,
					"a value outside the space's %s", keys[i][1]);
	}
	return 0;
}

static int parse_op(const cJSON *L, const char *path, uint32_t *op,
		    struct jerr *e)
{
	const char *s;

	if (jf_str(L, path, "op", &s, e))
		return -EINVAL;
	for (uint32_t i = SUSHI_OP_CONV; i < SUSHI_OP_COUNT; i++)
		if (!strcmp(s, op_names[i])) {
			*op = i;
			return 0;
		}
	return jerr_set(e, path, "op", "unknown op \"%s\"", s);
}

struct layer_ints {
	const char *key;
	int64_t lo, hi;
	size_t off;	/* offset of the u32 field in struct sushi_hw_layer */
};

#define LI(k, f, lo, hi) { k, lo, hi, offsetof(struct sushi_hw_layer, f) }

static const struct layer_ints layer_ints[] = {
	LI("in_c", in_c, 1, SUSHI_HW_MAX_CHANNELS),
	LI("in_h", in_h, 1, SUSHI_HW_MAX_DIM),
	LI("in_w", in_w, 1, SUSHI_HW_MAX_DIM),
	LI("out_c", out_c, 1, SUSHI_HW_MAX_CHANNELS),
	LI("out_h", out_h, 1, SUSHI_HW_MAX_DIM),
	LI("out_w", out_w, 1, SUSHI_HW_MAX_DIM),
	LI("k", kernel, 0, SUSHI_HW_MAX_POOL_KERNEL),
	LI("s", stride, 1, SUSHI_HW_MAX_STRIDE),
	LI("p", pad, 0, SUSHI_HW_MAX_POOL_KERNEL),
	LI("groups", groups, 1, SUSHI_HW_MAX_CHANNELS),
	LI("in_zp", in_zp, -128, 127),
	LI("in2_zp", in2_zp, -128, 127),
	LI("out_zp", out_zp, -128, 127),
	LI("act_min", act_min, -128, 127),
	LI("act_max", act_max, -128, 127),
	LI("add_shift", add_shift, 0, SUSHI_HW_MAX_SHIFT),
	LI("add_mult_a", add_mult_a, INT32_MIN, INT32_MAX),
	LI("add_mult_b", add_mult_b, INT32_MIN, INT32_MAX),
};

/* weight slice and epilogue of a CONV/FC layer */
static int parse_weight_use(struct sushi_supernet *sn, const cJSON *L,
			    const char *path, struct sn_layer *o,
			    struct jerr *e)
{
	const struct sushi_hw_layer *d = &o->d;
	int64_t rows, rb, stride;
	const char *wname, *ename;
	const struct sn_tensor *t;
	uint64_t shape[2];

	if (jf_str(L, path, "weight", &wname, e) ||
	    jf_str(L, path, "epilogue", &ename, e) ||
	    jf_int(L, path, "rows", 1, SUSHI_HW_MAX_CHANNELS, &rows, e) ||
	    jf_int(L, path, "row_bytes", 1, SUSHI_HW_MAX_REDUCTION, &rb, e) ||
	    jf_int(L, path, "row_stride", 1, SUSHI_HW_MAX_REDUCTION, &stride, e))
		return -EINVAL;
	o->wl = -1;
	for (uint32_t i = 0; i < sn->n_wl; i++)
		if (!strcmp(sn->wl[i].tensor, wname))
			o->wl = (int32_t)i;
	if (o->wl < 0)
		return jerr_set(e, path, "weight",
				"\"%s\" is not a weight of the architecture", wname);
	if (sn_check_layer_groups(&sn->wl[o->wl], d, path, e))
		return -EINVAL;
	if ((uint64_t)rows != d->out_c ||
	    (uint64_t)rb != (uint64_t)d->in_c / d->groups * d->kernel * d->kernel)
		return jerr_set(e, path, "rows",
				"slice must be out_c rows of (in_c / groups) * k * k bytes");
	if ((uint32_t)rows > sn->wl[o->wl].rows_max ||
	    (uint64_t)stride != sn->wl[o->wl].row_stride || rb > stride ||
	    d->kernel != sn->wl[o->wl].kernel)
		return jerr_set(e, path, "weight",
				"slice (%lld rows of %lld bytes, k %u) does not fit \"%s\" (%u rows of %llu bytes, k %u)",
				(long long)rows, (long long)rb, d->kernel, wname,
				sn->wl[o->wl].rows_max,
				(unsigned long long)sn->wl[o->wl].row_stride,
				sn->wl[o->wl].kernel);
	shape[0] = d->out_c;
	shape[1] = 3;
	t = want_tensor(sn, path, "epilogue", ename, SN_I32, 2, shape, e);
	if (!t)
		return -EINVAL;
	if (sn_check_epilogue(sn->data + t->begin, d->out_c, (uint64_t)rb, path, e))
		return -EINVAL;
	o->epi_off = t->begin;
	return 0;
}

static int parse_layer(struct sushi_supernet *sn, const cJSON *L,
		       const char *path, int32_t idx,
		       const struct sn_layer *prev, struct sn_layer *o,
		       uint64_t *macs, uint64_t *wbytes, struct jerr *e)
{
	struct sushi_hw_layer *d = &o->d;
	struct sushi_hw_layer chk;
	struct sushi_layer_geom g;
	const cJSON *ins;
	int64_t v;
	int n_in, ret;

	memset(o, 0, sizeof(*o));
	o->wl = -1;
	if (!cJSON_IsObject(L))
		return jerr_set(e, path, NULL, "expected an object");
	if (parse_op(L, path, &d->op, e))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(layer_ints) / sizeof(layer_ints[0]); i++) {
		if (jf_int(L, path, layer_ints[i].key, layer_ints[i].lo,
			   layer_ints[i].hi, &v, e))
			return -EINVAL;
		*(uint32_t *)((char *)d + layer_ints[i].off) = (uint32_t)(int32_t)v;
	}
	/* FC, ADD and GAP files may state k/s as 0 or 1: the hardware's values */
	if (d->op == SUSHI_OP_FC)
		d->kernel = 1;
	if (d->op == SUSHI_OP_ADD || d->op == SUSHI_OP_GAP)
		d->kernel = 0;
	ins = jf_arr(L, path, "inputs", e);
	if (!ins)
		return -EINVAL;
	n_in = cJSON_GetArraySize(ins);
	if (n_in != (d->op == SUSHI_OP_ADD ? 2 : 1))
		return jerr_set(e, path, "inputs", "%s takes %d input(s)",
				op_names[d->op], d->op == SUSHI_OP_ADD ? 2 : 1);
	for (int i = 0; i < n_in; i++) {
		uint64_t h, w, c;
		char ipath[96];

		snprintf(ipath, sizeof(ipath), "%s.inputs", path);
		if (jf_int_at(ins, ipath, i, -1, idx - 1, &v, e))
			return -EINVAL;
		o->in[i] = (int32_t)v;
		if (v < 0) {
			h = sn->in_h, w = sn->in_w, c = sn->in_c;
		} else {
			h = prev[v].d.out_h, w = prev[v].d.out_w, c = prev[v].d.out_c;
		}
		if (!(h == d->in_h && w == d->in_w && c == d->in_c) &&
		    !(d->op == SUSHI_OP_FC && h * w * c == d->in_c))
			return jerr_set(e, path, "inputs",
					"input %d is %llux%llux%llu, the layer reads %ux%ux%u",
					i, (unsigned long long)h, (unsigned long long)w,
					(unsigned long long)c, d->in_h, d->in_w, d->in_c);
	}
	if (sn_check_zero_points(sn, prev, o, n_in, path, e))
		return -EINVAL;
	if (d->op == SUSHI_OP_FC)	/* a flattened input is one pixel */
		d->in_h = d->in_w = 1;
	if (d->op == SUSHI_OP_CONV || d->op == SUSHI_OP_FC) {
		ret = parse_weight_use(sn, L, path, o, e);
		if (ret)
			return ret;
	}
	chk = *d;	/* the hardware's own check, with placeholder addresses */
	chk.in_addr = chk.out_addr = 0x1000;
	if (d->op == SUSHI_OP_ADD)
		chk.in2_addr = 0x1000;
	if (o->wl >= 0) {
		chk.w_addr = chk.epi_addr = 0x1000;
		chk.w_stride = sn->wl[o->wl].row_stride;
	}
	ret = sushi_layer_check(&chk, &g);
	if (ret)
		return jerr_set(e, path, NULL,
				"not a valid %s layer for the hardware (%s)",
				op_names[d->op], ret == -EOVERFLOW ? "sizes overflow" :
				"see the hardware model's validation rules");
	*macs += g.macs;
	*wbytes += g.w_bytes;
	return 0;
}

static int parse_subnet(struct sushi_supernet *sn, const cJSON *c,
			const cJSON *space, uint32_t i, struct jerr *e)
{
	struct sn_subnet *o = &sn->subnets[i];
	const cJSON *layers, *L;
	uint64_t macs = 0, wbytes = 0;
	const char *id, *an;
	int64_t v;
	char path[48], lpath[80];
	int32_t j = 0;
	int ret;

	snprintf(path, sizeof(path), "catalog[%u]", i);
	if (!cJSON_IsObject(c))
		return jerr_set(e, path, NULL, "expected an object");
	if (jf_str(c, path, "id", &id, e) ||
	    jf_str(c, path, "arch_name", &an, e) ||
	    jf_num(c, path, "accuracy", 0, 1, &o->accuracy, e) ||
	    jf_int(c, path, "macs", 0, INT64_MAX / 2, &v, e))
		return -EINVAL;
	o->macs = (uint64_t)v;
	if (jf_int(c, path, "weight_bytes", 0, INT64_MAX / 2, &v, e))
		return -EINVAL;
	o->weight_bytes = (uint64_t)v;
	o->id = dup(id);
	o->arch_name = dup(an);
	if (!o->id || !o->arch_name)
		return -ENOMEM;
	ret = check_arch_point(space, cJSON_GetObjectItemCaseSensitive(c, "arch"),
			       path, e);
	if (ret)
		return ret;
	layers = jf_arr(c, path, "layers", e);
	if (!layers)
		return -EINVAL;
	o->n_layers = (uint32_t)cJSON_GetArraySize(layers);
	if (!o->n_layers || o->n_layers > MAX_LAYERS)
		return jerr_set(e, path, "layers", "1..%u layers", MAX_LAYERS);
	o->layers = calloc(o->n_layers, sizeof(*o->layers));
	if (!o->layers)
		return -ENOMEM;
	cJSON_ArrayForEach(L, layers) {
		snprintf(lpath, sizeof(lpath), "%s.layers[%d]", path, j);
		ret = parse_layer(sn, L, lpath, j, o->layers, &o->layers[j],
				  &macs, &wbytes, e);
		if (ret)
			return ret;
		j++;
	}
	{
		const struct sushi_hw_layer *last = &o->layers[o->n_layers - 1].d;

		if (last->out_h != 1 || last->out_w != 1 ||
		    last->out_c != sn->n_classes)
			return jerr_set(e, path, "layers",
					"the last layer must output 1x1x%u class scores",
					sn->n_classes);
	}
	if (macs != o->macs)
		return jerr_set(e, path, "macs", "%llu, but the layers do %llu",
				(unsigned long long)o->macs, (unsigned long long)macs);
	if (wbytes != o->weight_bytes)
		return jerr_set(e, path, "weight_bytes",
				"%llu, but the layers read %llu",
				(unsigned long long)o->weight_bytes,
				(unsigned long long)wbytes);
	return sn_check_catalog_order(sn, i, path, e);
}

static int parse_meta(struct sushi_supernet *sn, const cJSON *meta,
		      struct jerr *e)
{
	const char *fmt, *ver, *arch_s, *cat_s;
	cJSON *arch = NULL, *cat = NULL;
	const cJSON *c;
	uint32_t i = 0;
	int ret = -EINVAL;

	if (!cJSON_IsObject(meta))
		return jerr_set(e, "__metadata__", NULL, "expected an object");
	if (jf_str(meta, "__metadata__", "format", &fmt, e))
		return -EINVAL;
	if (strcmp(fmt, "sushi-supernet"))
		return jerr_set(e, "__metadata__", "format",
				"\"%s\" is not a SUSHI SuperNet (wrong magic)", fmt);
	if (jf_str(meta, "__metadata__", "format_version", &ver, e))
		return -EINVAL;
	if (strcmp(ver, "1"))
		return jerr_set(e, "__metadata__", "format_version",
				"version \"%s\" is not supported (1 is)", ver);
	if (jf_str(meta, "__metadata__", "architecture", &arch_s, e) ||
	    jf_str(meta, "__metadata__", "catalog", &cat_s, e))
		return -EINVAL;
	arch = cJSON_Parse(arch_s);
	if (!arch) {
		jerr_set(e, "__metadata__", "architecture", "bad JSON");
		goto out;
	}
	cat = cJSON_Parse(cat_s);
	if (!cat) {
		jerr_set(e, "__metadata__", "catalog", "bad JSON");
		goto out;
	}
	if (!cJSON_IsObject(arch)) {
		jerr_set(e, "architecture", NULL, "expected an object");
		goto out;
	}
	ret = parse_arch(sn, arch, e);
	if (ret)
		goto out;
	if (!cJSON_IsArray(cat) || !cJSON_GetArraySize(cat) ||
	    cJSON_GetArraySize(cat) > MAX_SUBNETS) {
		ret = jerr_set(e, "catalog", NULL, "expected an array of 1..%u SubNets",
			       MAX_SUBNETS);
		goto out;
	}
	sn->subnets = calloc((size_t)cJSON_GetArraySize(cat), sizeof(*sn->subnets));
	if (!sn->subnets) {
		ret = -ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach(c, cat) {
		const cJSON *space = cJSON_GetObjectItemCaseSensitive(arch, "space");

		sn->n_subnets = i + 1;
		ret = parse_subnet(sn, c, cJSON_IsObject(space) ? space : NULL, i, e);
		if (ret)
			goto out;
		i++;
	}
out:
	cJSON_Delete(arch);
	cJSON_Delete(cat);
	return ret;
}

int sn_load(struct sushi_supernet *sn, char *err, size_t errlen)
{
	struct jerr e = { err, errlen, false };
	const cJSON *meta = NULL;
	uint64_t hlen = 0;
	cJSON *h;
	int ret;

	if (sn->len < 8)
		return jerr_set(&e, "file", NULL,
				"truncated: %zu bytes, no 8-byte header length", sn->len);
	for (int i = 7; i >= 0; i--)
		hlen = hlen << 8 | sn->file[i];
	if (hlen > sn->len - 8)
		return jerr_set(&e, "file", NULL,
				"header length %llu runs past the end of the file (%zu bytes)",
				(unsigned long long)hlen, sn->len);
	if (hlen > MAX_HEADER || hlen < 2)
		return jerr_set(&e, "file", NULL, "header length %llu outside 2..%u",
				(unsigned long long)hlen, MAX_HEADER);
	sn->data = sn->file + 8 + hlen;
	sn->data_len = sn->len - 8 - hlen;
	h = cJSON_ParseWithLength((const char *)sn->file + 8, (size_t)hlen);
	if (!h)
		return jerr_set(&e, "header", NULL, "bad JSON");
	ret = parse_header(sn, h, &meta, &e);
	if (!ret)
		ret = parse_meta(sn, meta, &e);
	cJSON_Delete(h);
	return ret;
}
