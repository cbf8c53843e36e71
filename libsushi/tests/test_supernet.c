// SPDX-License-Identifier: MIT
/*
 * test_supernet.c - the SuperNet loader on hand-made files: the valid file's
 * catalog, descriptors, slices, intersections and PB ranges; the valid
 * variants (a residual ADD, a grouped conv, a catalog with a dominated
 * entry); then one defect per case (container, metadata, architecture,
 * catalog, the epilogue's product bound), each refused with -EINVAL and a
 * message naming the field.  Also loads the shipped SuperNet files given
 * on the command line.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "sn_builder.h"
#include "sushi/supernet.h"
#include "sushi_model.h"
#include "tap.h"

static int load(cJSON *arch, cJSON *cat, const char *fmt,
		struct sushi_supernet **sn, char *err, size_t errlen)
{
	size_t len;
	uint8_t *buf = sn_build_file(arch, cat, fmt, &len);
	int ret = sushi_supernet_parse(buf, len, sn, err, errlen);

	free(buf);
	return ret;
}

static void valid(void)
{
	cJSON *arch = sn_arch(), *cat = sn_catalog();
	struct sushi_supernet *sn = NULL;
	struct sushi_supernet_info info;
	struct sushi_subnet_info si;
	struct sushi_hw_layer L[3];
	struct sushi_subnet_io io;
	struct sushi_supernet_map map = { 0x100000, 0x400000, 0 };
	struct sushi_slice sl[2], both[2];
	struct sushi_pb_range r[2];
	uint32_t ids[2] = { 0, 1 }, n;
	uint64_t bytes;
	char err[256] = "";
	int ret = load(arch, cat, "sushi-supernet", &sn, err, sizeof(err));

	if (!ok(ret == 0, "the hand-made SuperNet loads (%s)", err))
		goto out;
	sushi_supernet_info(sn, &info);
	ok(info.n_subnets == 2 && info.n_weight_layers == 2 && info.n_classes == 2 &&
	   info.in_h == 4 && info.in_c == 3 && info.in_zp == -128,
	   "info: 2 SubNets, 2 weight layers, 4x4x3 input");
	sushi_supernet_subnet(sn, 1, &si);
	ok(!strcmp(si.id, "b") && si.macs == 16 * 8 * 27 + 16 && si.n_layers == 3,
	   "catalog entry b");
	is_int(sushi_supernet_subnet(sn, 2, &si), -ENOENT, "no SubNet 2");
	is_int(sushi_supernet_layers(sn, 0, &map, L, &io), 0, "layer list of a");
	ok(L[0].op == SUSHI_OP_CONV && L[0].out_c == 4 && L[0].w_stride == 27 &&
	   L[0].in_addr == map.act_base && L[1].in_addr == L[0].out_addr &&
	   L[2].op == SUSHI_OP_FC && L[2].in_addr == L[1].out_addr,
	   "descriptors chain through the arena");
	/* w.conv is 8 x 27 = 216 bytes; w.fc follows at the next 64-byte boundary */
	ok(L[2].w_addr - map.data_base == 256 && L[2].w_stride == 8,
	   "FC weights at their tensor's offset in the data section");
	for (int i = 0; i < 3; i++)
		is_int(sushi_layer_check(&L[i], NULL), 0, "layer %d is valid hardware", i);
	ok(io.out_bytes == 2 && io.in_bytes == 48 && io.arena_bytes >= 48 + 64 + 4 + 2,
	   "arena: input 48 B, output 2 B");
	sushi_supernet_slices(sn, 0, sl);
	ok(sl[0].rows == 4 && sl[0].row_bytes == 27 && sl[1].rows == 2 &&
	   sl[1].row_bytes == 4, "a's slices: 4x27 and 2x4");
	sushi_supernet_intersection(sn, ids, 2, both);
	ok(!memcmp(both, sl, sizeof(sl)), "a is the intersection of a and b");
	is_int(sushi_supernet_subgraph_ranges(sn, both, &map, r, &n, &bytes), 0,
	       "PB ranges of the intersection");
	ok(n == 2 && bytes == 4 * 27 + 2 * 4 && r[0].dva == map.data_base &&
	   r[0].row_stride == 27 && r[1].pb_offset == 108,
	   "two strided ranges, packed in the PB");
	both[0].rows = 9;
	is_int(sushi_supernet_subgraph_ranges(sn, both, &map, r, &n, &bytes), -EINVAL,
	       "a slice larger than its layer is refused");
	{
		struct sushi_model_config cfg;
		struct sushi_sched_space *sp = NULL;

		sushi_model_config_default(&cfg);
		is_int(sushi_supernet_sched_space(sn, &cfg, &map, &sp), 0,
		       "scheduling space of the catalog");
		ok(sp && sushi_sched_space_subnets(sp) == 2, "space has the 2 SubNets");
		sushi_sched_space_free(sp);
	}
out:
	sushi_supernet_close(sn);
	cJSON_Delete(arch);
	cJSON_Delete(cat);
}

/* one defect per case */
typedef void (*mutate_fn)(cJSON *arch, cJSON *cat);

#define CAT0L(i) cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cat, 0), "layers"), i)
#define SET(o, k, v) cJSON_ReplaceItemInObject(o, k, v)

static void m_no_weights(cJSON *a, cJSON *c) { (void)c; cJSON_DeleteItemFromObject(a, "weights"); }
static void m_bad_layout(cJSON *a, cJSON *c) { (void)c; SET(cJSON_GetObjectItem(a, "input"), "layout", cJSON_CreateString("NCHW")); }
static void m_zp_type(cJSON *a, cJSON *c) { (void)c; SET(cJSON_GetObjectItem(a, "input"), "zp", cJSON_CreateString("-128")); }
static void m_stride(cJSON *a, cJSON *c) { (void)c; SET(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "weights"), 0), "row_stride", cJSON_CreateNumber(28)); }
static void m_wshape(cJSON *a, cJSON *c) { (void)c; SET(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "weights"), 0), "rows_max", cJSON_CreateNumber(9)); }
static void m_wmissing(cJSON *a, cJSON *c) { (void)c; SET(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "weights"), 1), "tensor", cJSON_CreateString("w.nope")); }
static void m_cat_empty(cJSON *a, cJSON *c) { (void)a; cJSON_DeleteItemFromArray(c, 1); cJSON_DeleteItemFromArray(c, 0); }
static void m_acc(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 0), "accuracy", cJSON_CreateNumber(1.5)); }
static void m_macs(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 0), "macs", cJSON_CreateNumber(1)); }
static void m_wbytes(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 0), "weight_bytes", cJSON_CreateNumber(1)); }
static void m_order(cJSON *a, cJSON *c) { (void)a; cJSON_AddItemToArray(c, cJSON_DetachItemFromArray(c, 0)); }
static void m_dup_id(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 1), "id", cJSON_CreateString("a")); }
/* a's conv counted without its padded taps (100 of 144 per channel pair) */
static void m_macs_nopad(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 0), "macs", cJSON_CreateNumber(100 * 3 * 4 + 2 * 4)); }
/* a's MACs with the GAP's 16 additions per channel counted */
static void m_macs_gap(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 0), "macs", cJSON_CreateNumber(16 * 4 * 27 + 16 * 4 + 2 * 4)); }
static void m_depth(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetObjectItem(cJSON_GetArrayItem(c, 0), "arch"), "d", cJSON_CreateIntArray((const int[]){ 2 }, 1)); }
static void m_width(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetObjectItem(cJSON_GetArrayItem(c, 0), "arch"), "w", cJSON_CreateDoubleArray((const double[]){ 0.7 }, 1)); }
static void m_op(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(1), "op", cJSON_CreateString("softmax")); }
static void m_in_c(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "in_c", cJSON_CreateNumber(4)); }
static void m_inputs(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(1), "inputs", cJSON_CreateIntArray((const int[]){ 1 }, 1)); }
static void m_outh(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "out_h", cJSON_CreateNumber(3)); }
static void m_kernel(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "k", cJSON_CreateNumber(2)); }
static void m_zp(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "out_zp", cJSON_CreateNumber(200)); }
static void m_frac(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "out_c", cJSON_CreateNumber(4.5)); }
static void m_rows(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "rows", cJSON_CreateNumber(5)); }
static void m_wname(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "weight", cJSON_CreateString("w.fc")); }
static void m_epi(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "epilogue", cJSON_CreateString("epi.b.conv")); }
static void m_last(cJSON *a, cJSON *cat) { (void)a; cJSON_DeleteItemFromArray(cJSON_GetObjectItem(cJSON_GetArrayItem(cat, 0), "layers"), 2); }
static void m_id(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 0), "id", cJSON_CreateNumber(3)); }
static void m_wnull(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(2), "weight", cJSON_CreateNull()); }
static void m_in_zp(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(0), "in_zp", cJSON_CreateNumber(-3)); }
static void m_fc_zp(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(2), "in_zp", cJSON_CreateNumber(0)); }
static void m_pool_zp(cJSON *a, cJSON *cat) { (void)a; SET(CAT0L(1), "out_zp", cJSON_CreateNumber(-3)); }
static void m_add_zp(cJSON *a, cJSON *cat) { (void)a; sn_catalog_ex(cat, 1, 0, 0); SET(CAT0L(1), "in2_zp", cJSON_CreateNumber(-3)); }
static void m_add_shape(cJSON *a, cJSON *cat) { (void)a; sn_catalog_ex(cat, 1, 0, 0); SET(CAT0L(1), "inputs", cJSON_CreateIntArray((const int[]){ 0, -1 }, 2)); }
/* grouped weights whose groups do not divide rows_max (8 rows, 3 groups) */
static void m_wgroups(cJSON *a, cJSON *c) { (void)c; cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "weights"), 0); SET(w, "in_c_max", cJSON_CreateNumber(9)); SET(w, "groups", cJSON_CreateNumber(3)); }
/* the grouped variant, w.gc declared dense (4 inputs, same bytes): b's 2-group gc */
static void m_gc_dense(cJSON *a, cJSON *cat) { cJSON *w; sn_arch_add_gc(a); sn_catalog_ex(cat, 0, 4, 8); w = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "weights"), 2); SET(w, "in_c_max", cJSON_CreateNumber(4)); SET(w, "groups", cJSON_CreateNumber(1)); }
/* a's gc: 2 groups of 4 outputs, but of 2 inputs each (half groups of 4) */
static void m_gc_in(cJSON *a, cJSON *cat) { cJSON *L; sn_arch_add_gc(a); sn_catalog_ex(cat, 0, 8, 8); L = CAT0L(1); SET(L, "groups", cJSON_CreateNumber(2)); SET(L, "row_bytes", cJSON_CreateNumber(18));
	SET(cJSON_GetArrayItem(cat, 0), "macs", cJSON_CreateNumber(16 * 4 * 27 + 16 * 8 * 18 + 2 * 8)); SET(cJSON_GetArrayItem(cat, 0), "weight_bytes", cJSON_CreateNumber(4 * 27 + 8 * 18 + 2 * 8)); }
/* a's gc: 2 outputs, half of a group of 4 */
static void m_gc_out(cJSON *a, cJSON *cat) { sn_arch_add_gc(a); sn_catalog_ex(cat, 0, 2, 8); }

static const struct {
	mutate_fn fn;
	const char *field;	/* the error must name it */
	const char *what;
} cases[] = {
	{ m_no_weights, "architecture.weights", "no weights list" },
	{ m_bad_layout, "architecture.input.layout", "NCHW input" },
	{ m_zp_type, "architecture.input.zp", "zero point as a string" },
	{ m_stride, "architecture.weights[0]", "row stride disagreeing with k and in_c" },
	{ m_wshape, "architecture.weights[0].tensor", "tensor shape disagreeing with the architecture" },
	{ m_wmissing, "architecture.weights[1].tensor", "weight tensor missing from the file" },
	{ m_cat_empty, "catalog", "empty catalog" },
	{ m_acc, "catalog[0].accuracy", "accuracy above 1" },
	{ m_macs, "catalog[0].macs", "MACs disagreeing with the layers" },
	{ m_wbytes, "catalog[0].weight_bytes", "weight bytes disagreeing with the layers" },
	{ m_order, "catalog[1].macs", "catalog not sorted by MACs" },
	{ m_dup_id, "catalog[1].id", "duplicate SubNet id" },
	{ m_macs_nopad, "catalog[0].macs", "MACs without the padded taps" },
	{ m_macs_gap, "catalog[0].macs", "MACs counting the GAP's additions" },
	{ m_depth, "catalog[0].arch.d", "depth outside the space" },
	{ m_width, "catalog[0].arch.w", "width outside the space" },
	{ m_op, "catalog[0].layers[1].op", "unknown op" },
	{ m_in_c, "catalog[0].layers[0].inputs", "input shape disagreeing with its producer" },
	{ m_inputs, "catalog[0].layers[1].inputs", "an input from a later layer" },
	{ m_outh, "catalog[0].layers[0]", "output height disagreeing with the window" },
	{ m_kernel, "catalog[0].layers[0]", "kernel 2 conv" },
	{ m_zp, "catalog[0].layers[0].out_zp", "zero point 200" },
	{ m_frac, "catalog[0].layers[0].out_c", "fractional channel count" },
	{ m_rows, "catalog[0].layers[0].rows", "slice rows disagreeing with out_c" },
	{ m_wname, "catalog[0].layers[0].weight", "slice of the wrong weight tensor" },
	{ m_epi, "catalog[0].layers[0].epilogue", "epilogue of the wrong shape" },
	{ m_last, "catalog[0].layers", "output is not the class scores" },
	{ m_id, "catalog[0].id", "id not a string" },
	{ m_wnull, "catalog[0].layers[2].weight", "FC without weights" },
	{ m_in_zp, "catalog[0].layers[0].in_zp", "conv in_zp not the network input's zero point" },
	{ m_fc_zp, "catalog[0].layers[2].in_zp", "fc in_zp not its producer's out_zp" },
	{ m_pool_zp, "catalog[0].layers[1].out_zp", "GAP changing the zero point" },
	{ m_add_zp, "catalog[0].layers[1].in2_zp", "ADD in2_zp not its producer's out_zp" },
	{ m_add_shape, "catalog[0].layers[1].inputs", "ADD's second input of another shape" },
	{ m_wgroups, "architecture.weights[0].groups", "weight groups not dividing rows_max" },
	{ m_gc_dense, "catalog[1].layers[1].groups", "grouped layer on dense weights" },
	{ m_gc_in, "catalog[0].layers[1].groups", "grouped slice of partial input groups" },
	{ m_gc_out, "catalog[0].layers[1].groups", "grouped slice of a partial output group" },
};

static void defects(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *arch = sn_arch(), *cat = sn_catalog();
		struct sushi_supernet *sn = (void *)1;
		char err[256] = "";
		int ret;

		cases[i].fn(arch, cat);
		ret = load(arch, cat, "sushi-supernet", &sn, err, sizeof(err));
		ok(ret == -EINVAL && sn == NULL && strstr(err, cases[i].field) == err,
		   "%s: refused naming %s (%s)", cases[i].what, cases[i].field, err);
		if (!ret)	/* wrongly accepted: still no leak */
			sushi_supernet_close(sn);
		cJSON_Delete(arch);
		cJSON_Delete(cat);
	}
}

/* the variants of the hand-made file that must load */
typedef void (*variant_fn)(cJSON *arch, cJSON *cat);

static void v_dominated(cJSON *a, cJSON *c) { (void)a; SET(cJSON_GetArrayItem(c, 1), "accuracy", cJSON_CreateNumber(0.4)); }
static void v_add(cJSON *a, cJSON *cat) { (void)a; sn_catalog_ex(cat, 1, 0, 0); }
static void v_gc(cJSON *a, cJSON *cat) { sn_arch_add_gc(a); sn_catalog_ex(cat, 0, 4, 8); }

static void variants(void)
{
	static const struct {
		variant_fn fn;
		const char *what;
	} vs[] = {
		{ v_dominated, "a catalog entry dominated by a cheaper one (accuracy not monotone)" },
		{ v_add, "a residual ADD of two equal-shape inputs" },
		{ v_gc, "a grouped conv: 1 of 2 groups in a, both in b" },
	};

	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		cJSON *arch = sn_arch(), *cat = sn_catalog();
		struct sushi_supernet *sn = NULL;
		struct sushi_subnet_info si;
		char err[256] = "";

		vs[i].fn(arch, cat);
		if (ok(load(arch, cat, "sushi-supernet", &sn, err, sizeof(err)) == 0,
		       "loads: %s (%s)", vs[i].what, err)) {
			struct sushi_supernet_map map = { 0x100000, 0x400000, 0 };
			struct sushi_model_config cfg;
			struct sushi_sched_space *sp = NULL;

			sushi_supernet_subnet(sn, 1, &si);
			ok(!strcmp(si.id, "b"), "catalog order kept");
			/* the scheduler ranks by accuracy itself: any order works */
			sushi_model_config_default(&cfg);
			is_int(sushi_supernet_sched_space(sn, &cfg, &map, &sp), 0,
			       "scheduling space of that catalog");
			ok(sp && sushi_sched_space_accuracy(sp, 1) == si.accuracy,
			   "SubNet 1 keeps its accuracy %.2f", si.accuracy);
			sushi_sched_space_free(sp);
		}
		sushi_supernet_close(sn);
		cJSON_Delete(arch);
		cJSON_Delete(cat);
	}
}

/*
 * (acc_max + |bias|) * |mult| < 2^62 for every conv/fc output channel:
 * a's conv reads 27-byte rows, acc_max = 27 * 255 * 127 = 874395; with
 * mult = -2^31, bias = 2^31 - 874395 reaches 2^62 exactly (refused), one
 * less stays below (loads).
 */
static void epilogue_bound(void)
{
	cJSON *arch = sn_arch(), *cat = sn_catalog();
	struct sushi_supernet *sn = NULL;
	uint64_t off = sn_tensor_offset("epi.a.conv");
	char err[256] = "";
	size_t len;
	uint8_t *buf = sn_build_file(arch, cat, "sushi-supernet", &len);
	uint64_t hl = sn_header_len(buf);
	int32_t v[2] = { (int32_t)(2147483648ll - 874395), INT32_MIN };
	int ret;

	memcpy(buf + 8 + hl + off + 12, v, 8);	/* row 1; little-endian host */
	ret = sushi_supernet_parse(buf, len, &sn, err, sizeof(err));
	is_int(ret, -EINVAL, "epilogue product reaching 2^62 refused (%s)", err);
	if (!ret)	/* wrongly accepted: still no leak */
		sushi_supernet_close(sn);
	ok(strstr(err, "catalog[0].layers[0].epilogue") == err,
	   "the message names catalog[0].layers[0].epilogue");
	v[0] = -v[0] + 1;	/* |bias| one less, negative */
	memcpy(buf + 8 + hl + off + 12, v, 8);
	err[0] = 0;
	is_int(sushi_supernet_parse(buf, len, &sn, err, sizeof(err)), 0,
	       "epilogue product 2^62 - 2^31 loads (%s)", err);
	sushi_supernet_close(sn);
	free(buf);
	cJSON_Delete(arch);
	cJSON_Delete(cat);
}

static void container(void)
{
	cJSON *arch = sn_arch(), *cat = sn_catalog();
	struct sushi_supernet *sn = NULL;
	char err[256];
	size_t len;
	uint8_t *buf = sn_build_file(arch, cat, "sushi-supernet", &len), *bad;
	uint64_t hl = sn_header_len(buf);

	is_int(load(arch, cat, "not-sushi", &sn, err, sizeof(err)), -EINVAL,
	       "wrong magic refused (%s)", err);
	ok(strstr(err, "__metadata__.format") == err, "the message names the format field");
	is_int(sushi_supernet_parse(buf, 5, &sn, err, sizeof(err)), -EINVAL,
	       "a 5-byte file refused (%s)", err);
	is_int(sushi_supernet_parse(buf, 8 + hl - 1, &sn, err, sizeof(err)), -EINVAL,
	       "header length past the end refused (%s)", err);
	bad = malloc(len);
	memcpy(bad, buf, len);
	bad[8 + 10] = '}';
	is_int(sushi_supernet_parse(bad, len, &sn, err, sizeof(err)), -EINVAL,
	       "bad header JSON refused (%s)", err);
	is_int(sushi_supernet_parse(buf, len - 1, &sn, err, sizeof(err)), -EINVAL,
	       "truncated data section refused (%s)", err);
	ok(strstr(err, "data_offsets") != NULL, "the message names data_offsets");
	sushi_supernet_close(sn);	/* NULL after every failure */
	memcpy(bad, buf, len);
	{
		char *p = memmem(bad + 8, hl, "\"I8\"", 4);

		if (p)
			memcpy(p, "\"Q8\"", 4);
	}
	is_int(sushi_supernet_parse(bad, len, &sn, err, sizeof(err)), -EINVAL,
	       "unknown dtype refused (%s)", err);
	memcpy(bad, buf, len);
	bad[8 + hl + 5] = 0x80;	/* a weight of -128 */
	is_int(sushi_supernet_parse(bad, len, &sn, err, sizeof(err)), -EINVAL,
	       "weight -128 refused (%s)", err);
	is_int(sushi_supernet_open("/nonexistent/x.safetensors", &sn, err, sizeof(err)),
	       -ENOENT, "a missing file gives -ENOENT (%s)", err);
	is_int(sushi_supernet_open("/tmp", &sn, err, sizeof(err)), -EISDIR,
	       "a directory gives -EISDIR (%s)", err);
	ok(strstr(err, "is a directory") != NULL, "and says so: %s", err);
	is_int(sushi_supernet_open("/dev/null", &sn, err, sizeof(err)), -EINVAL,
	       "a character device gives -EINVAL (%s)", err);
	ok(strstr(err, "not a regular file") != NULL, "and says so: %s", err);
	free(bad);
	free(buf);
	cJSON_Delete(arch);
	cJSON_Delete(cat);
}

/* a shipped SuperNet: loads, every SubNet's layers are valid hardware */
/*
 * The device's default per-job host budgets leave every SubNet at least
 * 8x headroom, with the default activation SRAM and without it.
 */
static void headroom(const struct sushi_supernet *sn,
		     const struct sushi_supernet_info *info, const char *path)
{
	struct sushi_model_config cfg;
	struct sushi_host_cost worst = { 0, 0 };
	int bad = 0;

	sushi_model_config_default(&cfg);
	for (int sram = 0; sram < 2; sram++) {
		struct sushi_supernet_map map = {
			0x1000, 0x20000000, sram ? cfg.act_sram_bytes : 0
		};

		for (uint32_t i = 0; i < info->n_subnets; i++) {
			struct sushi_subnet_info si;
			struct sushi_subnet_io io;
			struct sushi_host_cost job;
			struct sushi_hw_layer *L;
			uint64_t desc;

			sushi_supernet_subnet(sn, i, &si);
			L = calloc(si.n_layers, sizeof(*L));
			bad += !L || sushi_supernet_layers(sn, i, &map, L, &io);
			sushi_job_host_cost_init(si.n_layers, &job);
			desc = job.mem;
			for (uint32_t j = 0; L && j < si.n_layers; j++) {
				struct sushi_layer_geom g;
				struct sushi_host_cost c;

				bad += sushi_layer_check(&L[j], &g) != 0;
				sushi_hw_layer_host_cost(&L[j], &g, cfg.pb_entries,
							 &c);
				sushi_job_host_cost_add(&job, desc, &c);
			}
			free(L);
			if (job.work > worst.work)
				worst.work = job.work;
			if (job.mem > worst.mem)
				worst.mem = job.mem;
		}
	}
	printf("# %s: largest SubNet job: host work %llu (budget %llu), "
	       "host memory %llu bytes (budget %llu)\n", path,
	       (unsigned long long)worst.work, SUSHI_HW_DEFAULT_WORK_BUDGET,
	       (unsigned long long)worst.mem, SUSHI_HW_DEFAULT_MEM_BUDGET);
	ok(!bad && worst.work <= SUSHI_HW_DEFAULT_WORK_BUDGET / 8 &&
	   worst.mem <= SUSHI_HW_DEFAULT_MEM_BUDGET / 8,
	   "%s: every SubNet within 1/8 of the default host budgets", path);
}

static void shipped(const char *path)
{
	struct sushi_supernet *sn = NULL;
	struct sushi_supernet_info info;
	struct sushi_supernet_map map = { 0x1000, 0x20000000, 0 };
	char err[256] = "";
	int bad = 0;

	if (!ok(sushi_supernet_open(path, &sn, err, sizeof(err)) == 0,
		"%s loads (%s)", path, err))
		return;
	sushi_supernet_info(sn, &info);
	for (uint32_t i = 0; i < info.n_subnets; i++) {
		struct sushi_subnet_info si;
		struct sushi_subnet_io io;
		struct sushi_hw_layer *L;

		sushi_supernet_subnet(sn, i, &si);
		L = calloc(si.n_layers, sizeof(*L));
		bad += sushi_supernet_layers(sn, i, &map, L, &io) != 0;
		for (uint32_t j = 0; j < si.n_layers; j++)
			bad += sushi_layer_check(&L[j], NULL) != 0;
		free(L);
	}
	ok(!bad, "%s: %u SubNets, every layer valid hardware", path, info.n_subnets);
	headroom(sn, &info, path);
	sushi_supernet_close(sn);
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	valid();
	variants();
	defects();
	epilogue_bound();
	container();
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			shipped(argv[i]);
	return tap_done();
}
