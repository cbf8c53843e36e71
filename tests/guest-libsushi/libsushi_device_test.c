// SPDX-License-Identifier: MIT
/*
 * libsushi_device_test.c - in-guest TAP test of libsushi's device layer
 * (sushi/device.h): every public function's valid path and its error paths
 * (bad handles -ENOENT, PB over-subscription -ENOSPC, bad arguments
 * -EINVAL, ...), a launch whose outputs equal the model library's reference
 * and whose job statistics equal the model's cost, a pinned launch, and
 * launches from two threads sharing one device handle.
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_tap.h"
#include "sushi/device.h"
#include "sushi/netdev.h"
#include "sushi_model.h"

#define NET_LAYERS	2
#define ACT_SIZE	8192
#define WT_SIZE		8192
#define SECOND		1000000000ll

/* A 3x3 CONV 8x8x16 -> 8x8x16 (weight rows 144 bytes, 160 apart) and FC. */
struct net {
	struct sushi_bo *act, *wt;
	unsigned char *a, *w;
	struct sushi_layer l[NET_LAYERS];
	unsigned char ref[ACT_SIZE];
	struct sushi_cost cost;
	uint32_t prog;
};

static void fill(unsigned char *p, size_t n, uint32_t seed)
{
	uint32_t x = seed | 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
}

static void epilogue(unsigned char *p, uint32_t n, uint32_t shift,
		     uint32_t seed)
{
	uint32_t i, v[3], x = seed | 1;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		v[0] = (x >> 8) % 2001 - 1000;
		v[1] = (1u << 30) + (x % (1u << 30));
		v[2] = shift;
		memcpy(p + 12 * i, v, sizeof(v));
	}
}

static void to_hw(const struct sushi_layer *u, struct sushi_hw_layer *l)
{
	memset(l, 0, sizeof(*l));
	l->op = u->op;
	l->in_c = u->in_c;
	l->in_h = u->in_h;
	l->in_w = u->in_w;
	l->out_c = u->out_c;
	l->out_h = u->out_h;
	l->out_w = u->out_w;
	l->kernel = u->kernel;
	l->stride = u->stride;
	l->pad = u->padding;
	l->groups = u->groups;
	l->in_zp = (uint32_t)u->in_zp;
	l->in2_zp = (uint32_t)u->in2_zp;
	l->out_zp = (uint32_t)u->out_zp;
	l->act_min = (uint32_t)u->act_min;
	l->act_max = (uint32_t)u->act_max;
	l->add_shift = u->add_shift;
	l->add_mult_a = (uint32_t)u->add_mult_a;
	l->add_mult_b = (uint32_t)u->add_mult_b;
	l->in_addr = u->in.offset;
	l->in2_addr = u->in2.offset;
	l->out_addr = u->out.offset;
	l->w_addr = u->w.offset;
	l->w_stride = u->w_stride;
	l->epi_addr = u->epi.offset;
}

static struct sushi_bo_ref ref(struct sushi_bo *bo, uint64_t off)
{
	struct sushi_bo_ref r = { .bo = bo, .offset = off };

	return r;
}

/* Build the layers and their reference; 0 or -errno. */
static int net_build(struct sushi_device *dev, struct net *n, uint32_t seed)
{
	struct sushi_hw_layer hl[NET_LAYERS];
	struct sushi_model_config cfg;
	struct sushi_caps caps;
	void *p;
	int i, ret;

	memset(n, 0, sizeof(*n));
	ret = sushi_bo_create(dev, ACT_SIZE, 0, &n->act);
	if (!ret)
		ret = sushi_bo_create(dev, WT_SIZE, SUSHI_BO_DEVICE_READ_ONLY,
				      &n->wt);
	if (!ret)
		ret = sushi_bo_map(n->act, &p);
	if (ret)
		return ret;
	n->a = p;
	ret = sushi_bo_map(n->wt, &p);
	if (ret)
		return ret;
	n->w = p;

	n->l[0] = (struct sushi_layer){
		.op = SUSHI_OP_CONV, .in_c = 16, .in_h = 8, .in_w = 8,
		.out_c = 16, .out_h = 8, .out_w = 8, .kernel = 3, .stride = 1,
		.padding = 1, .groups = 1, .in_zp = -3, .out_zp = 5,
		.act_min = 5, .act_max = 127, .w_stride = 160,
		.in = ref(n->act, 0), .out = ref(n->act, 2048),
		.w = ref(n->wt, 0), .epi = ref(n->wt, 4096),
	};
	n->l[1] = (struct sushi_layer){
		.op = SUSHI_OP_FC, .in_c = 1024, .in_h = 1, .in_w = 1,
		.out_c = 2, .out_h = 1, .out_w = 1, .kernel = 1, .stride = 1,
		.groups = 1, .in_zp = 5, .out_zp = -7, .act_min = -128,
		.act_max = 127, .w_stride = 1024,
		.in = ref(n->act, 2048), .out = ref(n->act, 4096),
		.w = ref(n->wt, 5120), .epi = ref(n->wt, 7168),
	};
	fill(n->a, 1024, seed);
	fill(n->w, 16 * 160, seed * 3 + 1);
	fill(n->w + 5120, 2048, seed * 5 + 2);
	epilogue(n->w + 4096, 16, 40, seed);
	epilogue(n->w + 7168, 2, 38, seed + 1);

	memcpy(n->ref, n->a, ACT_SIZE);
	for (i = 0; i < NET_LAYERS; i++) {
		const struct sushi_layer *u = &n->l[i];
		struct sushi_layer_io io = {
			.in = (const int8_t *)n->ref + u->in.offset,
			.out = (int8_t *)n->ref + u->out.offset,
			.w = (const int8_t *)n->w + u->w.offset,
			.w_stride = u->w_stride,
			.epi = n->w + u->epi.offset,
		};

		to_hw(u, &hl[i]);
		ret = sushi_layer_compute(&hl[i], &io, SUSHI_ISA_REF);
		if (ret)
			return ret;
	}
	ret = sushi_device_caps(dev, &caps);
	if (ret)
		return ret;
	sushi_caps_model_config(&caps, &cfg);
	return sushi_model_layers_cost(&cfg, NULL, hl, NET_LAYERS, &n->cost,
				       NULL, NULL);
}

/* Do the device's outputs equal the reference? */
static int net_check(const struct net *n)
{
	return !memcmp(n->a + 2048, n->ref + 2048, 1024) &&
	       !memcmp(n->a + 4096, n->ref + 4096, 2);
}

static void net_clear(struct net *n)
{
	memset(n->a + 2048, 0x55, ACT_SIZE - 2048);
}

/*
 * A job of about @cycles device cycles that is cheap for the host: 1x1 max
 * pooling of one channel costs one cycle per pixel (8 layers ping-pong
 * between two tensors of an @hw x @hw BO pair).
 */
struct slow {
	struct sushi_bo *a, *b;
	uint32_t prog;
};

static int slow_build(struct sushi_device *dev, uint32_t hw, struct slow *s)
{
	struct sushi_layer l[8];
	int ret;

	memset(s, 0, sizeof(*s));
	ret = sushi_bo_create(dev, (uint64_t)hw * hw, 0, &s->a);
	if (!ret)
		ret = sushi_bo_create(dev, (uint64_t)hw * hw, 0, &s->b);
	if (ret)
		return ret;
	memset(l, 0, sizeof(l));
	for (int i = 0; i < 8; i++) {
		l[i].op = SUSHI_OP_MAXPOOL;
		l[i].in_c = l[i].out_c = 1;
		l[i].in_h = l[i].in_w = l[i].out_h = l[i].out_w = hw;
		l[i].kernel = l[i].stride = l[i].groups = 1;
		l[i].act_min = -128;
		l[i].act_max = 127;
		l[i].in.bo = i % 2 ? s->b : s->a;
		l[i].out.bo = i % 2 ? s->a : s->b;
	}
	return sushi_program_create(dev, l, 8, &s->prog);
}

static void slow_free(struct sushi_device *dev, struct slow *s)
{
	if (s->prog)
		sushi_program_destroy(dev, s->prog);
	sushi_bo_free(s->a);
	sushi_bo_free(s->b);
}

static void net_free(struct net *n)
{
	sushi_bo_free(n->act);
	sushi_bo_free(n->wt);
}

/* ------------------------------------------------------------------ tests */

static void test_open(struct sushi_device *dev)
{
	struct sushi_device *d2 = NULL;
	struct sushi_caps caps;

	EQ(-EINVAL, sushi_device_open(NULL, NULL), "open without out: -EINVAL");
	EQ(-ENODEV, sushi_device_open("/dev/null", &d2),
	   "open of a non-DRM node: -ENODEV");
	OK(d2 == NULL, "failed open leaves *out NULL");
	EQ(-ENOENT, sushi_device_open("/dev/accel/no-such-node", &d2),
	   "open of a missing path: -ENOENT");
	EQ(0, sushi_device_open(sushi_device_path(dev), &d2),
	   "open by explicit path %s", sushi_device_path(dev));
	OK(!strncmp(sushi_device_path(dev), "/dev/accel/accel", 16),
	   "found node is /dev/accel/accel*: %s", sushi_device_path(dev));
	OK(sushi_device_fd(dev) >= 0 && sushi_device_fd(d2) >= 0 &&
	   sushi_device_fd(dev) != sushi_device_fd(d2),
	   "each handle has its own fd");
	EQ(-EINVAL, sushi_device_fd(NULL), "fd of NULL: -EINVAL");
	sushi_device_close(d2);
	sushi_device_close(NULL);
	OK(1, "close of NULL is a no-op");

	EQ(0, sushi_device_caps(dev, &caps), "caps");
	OK(caps.pe_k > 0 && caps.pe_c > 0 && caps.window == 9,
	   "caps: PE array %ux%u, window %u", caps.pe_k, caps.pe_c,
	   caps.window);
	OK(caps.max_layers > 0 && caps.max_bo_size > 0 && caps.clock_hz > 0,
	   "caps: max_layers %u, max_bo_size %llu, clock %llu Hz",
	   caps.max_layers, (unsigned long long)caps.max_bo_size,
	   (unsigned long long)caps.clock_hz);
	OK(!!(caps.flags & SUSHI_CAP_PB) == (caps.pb_bytes > 0),
	   "caps: PB flag agrees with pb_bytes %llu",
	   (unsigned long long)caps.pb_bytes);
	EQ(-EINVAL, sushi_device_caps(dev, NULL), "caps into NULL: -EINVAL");
	EQ(-EINVAL, sushi_device_caps(NULL, &caps), "caps of NULL: -EINVAL");

	OK(strstr(sushi_strerror(-ENOSPC), "Persistent Buffer") != NULL,
	   "strerror(-ENOSPC) names the PB: %s", sushi_strerror(-ENOSPC));
	OK(strstr(sushi_strerror(-ESTALE), "pin again") != NULL,
	   "strerror(-ESTALE) says what to do");
	OK(strcmp(sushi_strerror(-EPIPE), "Broken pipe") == 0,
	   "strerror falls back to the libc text");
	OK(strcmp(sushi_strerror(-99999), "unknown error") == 0,
	   "strerror of an unknown value");
	OK(!strcmp(sushi_job_status_name(SUSHI_JOB_STALE_PB), "stale-pb") &&
	   !strcmp(sushi_job_status_name(12345), "unknown"),
	   "job status names");
}

static void test_bo(struct sushi_device *dev)
{
	struct sushi_caps caps;
	struct sushi_bo *bo = NULL, *bad = (struct sushi_bo *)1;
	void *p = NULL, *q = NULL;

	sushi_device_caps(dev, &caps);
	EQ(0, sushi_bo_create(dev, 5000, 0, &bo), "bo_create 5000 bytes");
	EQ(8192, sushi_bo_size(bo), "size rounded up to pages");
	OK(sushi_bo_handle(bo) != 0, "BO has a GEM handle");
	EQ(0, sushi_bo_size(NULL), "size of NULL is 0");
	EQ(-EINVAL, sushi_bo_create(dev, 0, 0, &bad), "bo_create size 0: -EINVAL");
	OK(bad == NULL, "failed bo_create leaves *out NULL");
	EQ(-EINVAL, sushi_bo_create(dev, caps.max_bo_size + 1, 0, &bad),
	   "bo_create above max_bo_size: -EINVAL");
	EQ(-EINVAL, sushi_bo_create(dev, 4096, 0x80, &bad),
	   "bo_create unknown flag: -EINVAL");
	EQ(-EINVAL, sushi_bo_create(NULL, 4096, 0, &bad), "bo_create on NULL device");

	EQ(0, sushi_bo_map(bo, &p), "bo_map");
	EQ(0, sushi_bo_map(bo, &q), "bo_map again");
	OK(p && p == q, "second map returns the same mapping");
	memset(p, 0xa5, 8192);
	EQ(0, sushi_bo_unmap(bo), "bo_unmap");
	EQ(-EINVAL, sushi_bo_unmap(bo), "bo_unmap when not mapped: -EINVAL");
	EQ(0, sushi_bo_map(bo, &p), "bo_map after unmap");
	OK(((unsigned char *)p)[8191] == 0xa5, "contents survive unmap");
	EQ(-EINVAL, sushi_bo_map(NULL, &p), "bo_map NULL: -EINVAL");
	EQ(0, sushi_bo_wait(bo, 0, 0), "bo_wait (poll) on an idle BO");
	EQ(0, sushi_bo_wait(bo, SUSHI_BO_WAIT_WRITERS, SECOND),
	   "bo_wait writers with a timeout");
	EQ(-EINVAL, sushi_bo_wait(bo, 0x80, 0), "bo_wait bad flag: -EINVAL");
	EQ(-EINVAL, sushi_bo_wait(NULL, 0, 0), "bo_wait NULL: -EINVAL");
	EQ(0, sushi_bo_free(bo), "bo_free (mapped)");
	EQ(-EINVAL, sushi_bo_free(NULL), "bo_free NULL: -EINVAL");
}

static void check_stats(const struct sushi_job_stats *st,
			const struct sushi_cost *c, const char *what)
{
	EQ(SUSHI_JOB_OK, st->status, "job status ok");
	EQ(c->cycles, st->cycles, "stats cycles == model");
	EQ(c->macs, st->macs, "stats macs == model");
	EQ(c->dram_rd, st->dram_rd, "stats dram_rd == model");
	EQ(c->dram_wr, st->dram_wr, "stats dram_wr == model");
	EQ(c->pb_rd, st->pb_rd, "stats pb_rd == model");
	EQ(c->energy_fj, st->energy_fj, "stats energy_fj == model");
	EQ(c->offchip_fj, st->offchip_fj, "stats offchip_fj == model");
	printf("# %s: %llu cycles, %llu MACs\n", what,
	       (unsigned long long)st->cycles, (unsigned long long)st->macs);
}

static void test_program_launch(struct sushi_device *dev)
{
	struct sushi_caps caps;
	struct sushi_layer bad[NET_LAYERS], *many;
	struct sushi_launch_opts o = { 0 };
	struct sushi_job_stats st;
	struct sushi_device *d2;
	struct sushi_bo *other;
	struct net n;
	uint32_t prog = 0, p2, sync = 0, many_n;
	uint64_t job = 0;
	int ret;

	sushi_device_caps(dev, &caps);
	ret = net_build(dev, &n, 7);
	EQ(0, ret, "network BOs and model reference");
	if (ret)
		return;
	EQ(0, sushi_program_create(dev, n.l, NET_LAYERS, &prog),
	   "program_create");
	OK(prog != 0, "program handle is not 0");

	/* error paths of program_create */
	EQ(-EINVAL, sushi_program_create(dev, n.l, 0, &p2), "0 layers: -EINVAL");
	many_n = caps.max_layers + 1;
	many = calloc(many_n, sizeof(*many));
	if (many) {
		for (uint32_t i = 0; i < many_n; i++)
			many[i] = n.l[0];
		EQ(-E2BIG, sushi_program_create(dev, many, many_n, &p2),
		   "max_layers + 1 layers: -E2BIG");
		free(many);
	}
	memcpy(bad, n.l, sizeof(bad));
	bad[0].op = 99;
	EQ(-EINVAL, sushi_program_create(dev, bad, NET_LAYERS, &p2),
	   "unknown op: -EINVAL");
	memcpy(bad, n.l, sizeof(bad));
	bad[1].out = ref(n.wt, 0);
	EQ(-EACCES, sushi_program_create(dev, bad, NET_LAYERS, &p2),
	   "output in a device-read-only BO: -EACCES");
	memcpy(bad, n.l, sizeof(bad));
	bad[1].out.offset = ACT_SIZE - 1;
	EQ(-ERANGE, sushi_program_create(dev, bad, NET_LAYERS, &p2),
	   "output past the end of its BO: -ERANGE");
	memcpy(bad, n.l, sizeof(bad));
	bad[0].in2 = ref(NULL, 64);
	EQ(-EINVAL, sushi_program_create(dev, bad, NET_LAYERS, &p2),
	   "offset without a BO: -EINVAL");
	EQ(0, sushi_device_open(sushi_device_path(dev), &d2), "second handle");
	EQ(-EINVAL, sushi_program_create(d2, n.l, NET_LAYERS, &p2),
	   "BO of another device handle: -EINVAL");
	EQ(0, sushi_bo_create(d2, 4096, 0, &other), "BO on the second handle");
	memcpy(bad, n.l, sizeof(bad));
	bad[1].out = ref(other, 0);
	EQ(-EINVAL, sushi_program_create(dev, bad, NET_LAYERS, &p2),
	   "mixing BOs of two handles: -EINVAL");
	EQ(-ENOENT, sushi_program_destroy(d2, prog),
	   "program of another handle: -ENOENT");
	sushi_bo_free(other);
	sushi_device_close(d2);

	/* a launch equals the model */
	net_clear(&n);
	EQ(0, sushi_launch(dev, prog, NULL, &job), "launch");
	EQ(0, sushi_job_wait(dev, job, 10 * SECOND, &st), "job_wait");
	check_stats(&st, &n.cost, "launch");
	EQ(0, sushi_bo_wait(n.act, SUSHI_BO_WAIT_WRITERS, SECOND),
	   "bo_wait after the job");
	OK(net_check(&n), "outputs equal the model reference");
	EQ(0, sushi_job_wait(dev, job, 0, NULL), "job_wait poll, no stats");

	/* with an out syncobj, from a fresh state */
	net_clear(&n);
	EQ(0, sushi_syncobj_create(dev, &sync), "syncobj_create");
	o.out_syncobj = sync;
	EQ(0, sushi_launch(dev, prog, &o, &job), "launch with out syncobj");
	EQ(0, sushi_syncobj_wait(dev, sync, 10 * SECOND), "syncobj_wait");
	EQ(0, sushi_job_wait(dev, job, 0, &st), "job already done after fence");
	OK(net_check(&n), "outputs equal the reference again");
	o.out_syncobj = 0;
	o.in_syncobjs = &sync;
	o.in_syncobj_count = 1;
	EQ(0, sushi_launch(dev, prog, &o, &job), "launch waiting on a syncobj");
	EQ(0, sushi_job_wait(dev, job, -1, &st), "job_wait forever");
	EQ(0, sushi_syncobj_destroy(dev, sync), "syncobj_destroy");

	/* bad handles and arguments */
	o = (struct sushi_launch_opts){ .in_syncobj_count = 1 };
	EQ(-EINVAL, sushi_launch(dev, prog, &o, &job),
	   "in_syncobj_count without array: -EINVAL");
	o = (struct sushi_launch_opts){ .in_syncobjs = &sync,
					.in_syncobj_count = 65 };
	EQ(-EINVAL, sushi_launch(dev, prog, &o, &job),
	   "65 in-syncobjs: -EINVAL");
	o = (struct sushi_launch_opts){ .out_syncobj = sync };
	EQ(-ENOENT, sushi_launch(dev, prog, &o, &job),
	   "destroyed out syncobj: -ENOENT");
	o = (struct sushi_launch_opts){ .pin_set = 0x7777 };
	EQ(-ENOENT, sushi_launch(dev, prog, &o, &job),
	   "unknown pin set: -ENOENT");
	EQ(-ENOENT, sushi_launch(dev, prog + 1000, NULL, &job),
	   "unknown program: -ENOENT");
	EQ(-ENOENT, sushi_job_wait(dev, job + 100000, 0, &st),
	   "unknown job id: -ENOENT");
	EQ(-EINVAL, sushi_launch(dev, prog, NULL, NULL), "no job id: -EINVAL");
	EQ(-EINVAL, sushi_syncobj_create(NULL, &sync), "syncobj on NULL");

	EQ(0, sushi_program_destroy(dev, prog), "program_destroy");
	EQ(-ENOENT, sushi_program_destroy(dev, prog),
	   "program_destroy twice: -ENOENT");
	EQ(-ENOENT, sushi_launch(dev, prog, NULL, &job),
	   "launch of a destroyed program: -ENOENT");
	net_free(&n);
}

static void test_pb(struct sushi_device *dev)
{
	struct sushi_caps caps;
	struct sushi_pin_set_info sets[4];
	struct sushi_pb_info info;
	struct sushi_job_stats st;
	struct sushi_launch_opts o = { 0 };
	struct sushi_pin_range r;
	struct sushi_device *d2;
	struct sushi_bo *big;
	uint32_t prog, set = 0, set2;
	uint64_t job, load;
	struct net n;

	sushi_device_caps(dev, &caps);
	if (!(caps.flags & SUSHI_CAP_PB)) {
		printf("ok %d # SKIP device without a Persistent Buffer\n",
		       ++n_test);
		return;
	}
	/* a handle of its own: pin sets and their query are per handle */
	if (sushi_device_open(sushi_device_path(dev), &dev) ||
	    net_build(dev, &n, 11) ||
	    sushi_program_create(dev, n.l, NET_LAYERS, &prog)) {
		OK(0, "handle and network for the PB tests");
		return;
	}

	/* the CONV weight rows: 16 rows of 144 bytes, 160 apart */
	r = (struct sushi_pin_range){ .bo = n.wt, .offset = 0,
		.row_stride = 160, .row_bytes = 144, .rows = 16 };
	EQ(0, sushi_pin_set_create(dev, &r, 1, &set, &load), "pin_set_create");
	OK(set != 0, "pin set handle is not 0");
	EQ(0, sushi_job_wait(dev, load, 10 * SECOND, NULL), "load job done");
	EQ(0, sushi_pb_query(dev, &info, sets, 4), "pb_query");
	EQ(caps.pb_bytes, info.capacity, "PB capacity == caps.pb_bytes");
	EQ(1, info.n_sets, "one pin set of this handle");
	EQ(set, sets[0].handle, "its handle");
	EQ(1, sets[0].ranges, "its range count");
	OK(sets[0].bytes >= 16 * 144 && info.used >= sets[0].bytes,
	   "its bytes %llu, used %llu", (unsigned long long)sets[0].bytes,
	   (unsigned long long)info.used);
	EQ(info.generation, sets[0].generation, "loaded under the current generation");
	EQ(0, sushi_pb_query(dev, &info, NULL, 0), "pb_query without sets");
	EQ(1, info.n_sets, "count without room for sets");
	EQ(-EINVAL, sushi_pb_query(dev, NULL, NULL, 0), "pb_query NULL: -EINVAL");
	EQ(-EINVAL, sushi_pb_query(dev, &info, NULL, 2),
	   "pb_query room but no array: -EINVAL");

	EQ(0, sushi_device_open(sushi_device_path(dev), &d2), "second handle");
	EQ(0, sushi_pb_query(d2, &info, sets, 4), "pb_query on it");
	EQ(0, info.n_sets, "pin sets do not cross handles");
	OK(info.used >= 16 * 144, "but the used bytes are device-wide");
	EQ(-ENOENT, sushi_pin_set_destroy(d2, set),
	   "unpin another handle's set: -ENOENT");
	sushi_device_close(d2);

	net_clear(&n);
	o.pin_set = set;
	EQ(0, sushi_launch(dev, prog, &o, &job), "pinned launch");
	EQ(0, sushi_job_wait(dev, job, 10 * SECOND, &st), "pinned job");
	OK(net_check(&n), "pinned outputs equal the model reference");
	OK(st.pb_rd > 0 && st.dram_rd < n.cost.dram_rd,
	   "weights come from the PB: pb_rd %llu, dram_rd %llu < unpinned %llu",
	   (unsigned long long)st.pb_rd, (unsigned long long)st.dram_rd,
	   (unsigned long long)n.cost.dram_rd);
	EQ(n.cost.dram_rd - st.dram_rd, st.pb_rd,
	   "DRAM bytes saved == PB bytes read");
	EQ(n.cost.macs, st.macs, "same MACs as unpinned");

	/* error paths */
	EQ(-EEXIST, sushi_pin_set_create(dev, &r, 1, &set2, NULL),
	   "pinning a pinned range again: -EEXIST");
	r.rows = 0;
	EQ(-EINVAL, sushi_pin_set_create(dev, &r, 1, &set2, NULL), "0 rows: -EINVAL");
	r.rows = 16;
	EQ(-EINVAL, sushi_pin_set_create(dev, &r, 0, &set2, NULL), "0 ranges: -EINVAL");
	EQ(-E2BIG, sushi_pin_set_create(dev, &r, 1025, &set2, NULL),
	   "1025 ranges: -E2BIG");
	r.offset = WT_SIZE;
	EQ(-ERANGE, sushi_pin_set_create(dev, &r, 1, &set2, NULL),
	   "range past the BO: -ERANGE");
	r.bo = NULL;
	EQ(-EINVAL, sushi_pin_set_create(dev, &r, 1, &set2, NULL),
	   "range without a BO: -EINVAL");
	if (caps.pb_bytes < UINT32_MAX && caps.pb_bytes + 1 <= caps.max_bo_size &&
	    !sushi_bo_create(dev, caps.pb_bytes + 1, 0, &big)) {
		r = (struct sushi_pin_range){ .bo = big, .rows = 1,
			.row_bytes = (uint32_t)caps.pb_bytes + 1,
			.row_stride = caps.pb_bytes + 1 };
		EQ(-ENOSPC, sushi_pin_set_create(dev, &r, 1, &set2, NULL),
		   "pinning capacity + 1 bytes: -ENOSPC");
		sushi_bo_free(big);
	} else {
		printf("ok %d # SKIP no BO larger than the PB\n", ++n_test);
	}

	EQ(-ENOENT, sushi_pin_set_destroy_signal(dev, set, 4242),
	   "unpin with an unknown syncobj: -ENOENT");
	EQ(-EINVAL, sushi_pin_set_destroy_signal(NULL, set, 0),
	   "unpin_signal: NULL device");
	{
		uint32_t freed;

		EQ(0, sushi_syncobj_create(dev, &freed), "syncobj for the unpin");
		EQ(0, sushi_pin_set_destroy_signal(dev, set, freed),
		   "pin_set_destroy_signal");
		EQ(0, sushi_syncobj_wait(dev, freed, 10000000000ll),
		   "its syncobj signals");
		EQ(0, sushi_pb_query(dev, &info, NULL, 0), "pb_query");
		EQ(0, info.used, "and the PB space is free when it does");
		sushi_syncobj_destroy(dev, freed);
	}
	EQ(-ENOENT, sushi_pin_set_destroy(dev, set), "unpin twice: -ENOENT");
	EQ(0, sushi_pb_query(dev, &info, sets, 4), "pb_query after unpin");
	EQ(0, info.n_sets, "no pin sets left");
	EQ(-ENOENT, sushi_launch(dev, prog, &o, &job),
	   "launch with the unpinned set: -ENOENT");
	sushi_program_destroy(dev, prog);
	net_free(&n);
	sushi_device_close(dev);
}

/* ------------------------------------------------ counters, device reset */

/* A child without CAP_SYS_ADMIN: sushi_device_reset() must say -EACCES. */
static int reset_as_nobody(struct sushi_device *dev)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(sushi_device_reset(dev, NULL) == -EACCES ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_admin(struct sushi_device *dev)
{
	struct sushi_counters c0, c1;
	struct sushi_launch_opts o = { 0 };
	struct sushi_job_stats st;
	struct sushi_pin_range r;
	struct sushi_caps caps;
	uint64_t job, jobs[32], load;
	uint32_t prog, set, gen0, gen = 0;
	int i, ret, done = 0, canceled = 0, stale = 0, other = 0;
	struct slow slow = { 0 };
	struct net n;

	EQ(-EINVAL, sushi_device_counters(NULL, &c0), "counters(NULL): -EINVAL");
	EQ(-EINVAL, sushi_device_counters(dev, NULL), "counters(, NULL): -EINVAL");
	EQ(-EINVAL, sushi_device_reset(NULL, NULL), "reset(NULL): -EINVAL");
	if (net_build(dev, &n, 21) ||
	    sushi_program_create(dev, n.l, NET_LAYERS, &prog)) {
		OK(0, "network for the counter tests");
		return;
	}
	EQ(0, sushi_device_counters(dev, &c0), "counters");
	EQ(0, sushi_launch(dev, prog, NULL, &job), "launch");
	EQ(0, sushi_job_wait(dev, job, 10 * SECOND, &st), "its job");
	EQ(0, sushi_device_counters(dev, &c1), "counters again");
	if (c1.pb_loads == c0.pb_loads &&
	    c1.pb_invalidations == c0.pb_invalidations) {
		EQ(c0.launches + 1, c1.launches, "one more launch counted");
		EQ(c0.launches_failed, c1.launches_failed, "no failure counted");
		EQ(c0.cycles + st.cycles, c1.cycles, "its cycles counted");
		EQ(c0.dram_rd + st.dram_rd, c1.dram_rd, "its DRAM reads counted");
		EQ(c0.energy_fj + st.energy_fj, c1.energy_fj,
		   "its energy counted");
	} else {
		OK(0, "no PB entries retired meanwhile");
	}
	EQ(c0.resets, c1.resets, "no reset counted");

	EQ(0, reset_as_nobody(dev), "reset without CAP_SYS_ADMIN: -EACCES");
	OK(strstr(sushi_strerror(-EACCES), "CAP_SYS_ADMIN") != NULL,
	   "its message names CAP_SYS_ADMIN");
	EQ(0, sushi_device_counters(dev, &c1), "counters after the refusal");
	EQ(c0.resets, c1.resets, "the refusal reset nothing");

	sushi_device_caps(dev, &caps);
	if (!(caps.flags & SUSHI_CAP_PB)) {
		printf("ok %d # SKIP device without a Persistent Buffer\n",
		       ++n_test);
		goto out;
	}
	/* a device reset in the middle of pinned work */
	r = (struct sushi_pin_range){ .bo = n.wt, .offset = 0,
		.row_stride = 160, .row_bytes = 144, .rows = 16 };
	EQ(0, sushi_pin_set_create(dev, &r, 1, &set, &load), "pin");
	EQ(0, sushi_job_wait(dev, load, 10 * SECOND, &st), "loaded");
	gen0 = st.pb_gen;
	o.pin_set = set;
	/*
	 * On a slow device clock (the in-flight boot) a job of about 2 s of
	 * modelled time goes first, so the reset always finds work queued
	 * behind it, however slowly the launches are submitted.
	 */
	if (caps.clock_hz <= 1000000) {
		EQ(0, slow_build(dev, 512, &slow), "a 2 s job (1x1 pools)");
		EQ(0, sushi_launch(dev, slow.prog, NULL, &job), "goes first");
	}
	/* no output between the launches and the reset: the console is slow */
	for (i = 0; i < 32 && !other; i++)
		other = sushi_launch(dev, prog, &o, &jobs[i]);
	ret = sushi_device_reset(dev, &gen);
	EQ(0, other, "32 pinned launches");
	EQ(0, ret, "reset while they run");
	OK(gen > gen0, "PB generation moved on: %u > %u", gen, gen0);
	for (i = 0; i < 32; i++) {
		ret = sushi_job_wait(dev, jobs[i], 10 * SECOND, &st);

		done += ret == 0;
		canceled += ret == -ECANCELED;
		stale += ret == -ESTALE && st.status == SUSHI_JOB_STALE_PB;
		other += ret && ret != -ECANCELED && ret != -ESTALE;
	}
	EQ(0, other, "each job completed, was canceled or found the PB stale "
	   "(%d done, %d canceled, %d stale)", done, canceled, stale);
	/* on a slow device clock (the in-flight boot) the reset hits work */
	if (caps.clock_hz <= 1000000) {
		OK(canceled + stale > 0, "the reset hit queued work");
		slow_free(dev, &slow);
	}
	EQ(0, sushi_launch(dev, prog, &o, &job), "pinned launch after the reset");
	EQ(-ESTALE, sushi_job_wait(dev, job, 10 * SECOND, &st),
	   "fails: the PB was wiped");
	EQ(SUSHI_JOB_STALE_PB, st.status, "with status STALE_PB");
	EQ(0, sushi_pin_set_destroy(dev, set), "unpin the stale set");
	EQ(0, sushi_pin_set_create(dev, &r, 1, &set, &load), "pin again");
	EQ(0, sushi_job_wait(dev, load, 10 * SECOND, NULL), "reloaded");
	net_clear(&n);
	o.pin_set = set;
	EQ(0, sushi_launch(dev, prog, &o, &job), "pinned launch, new set");
	EQ(0, sushi_job_wait(dev, job, 10 * SECOND, &st), "succeeds");
	OK(net_check(&n), "outputs equal the model reference after the reset");
	OK(st.pb_rd > 0, "weights come from the PB again");
	EQ(0, sushi_device_counters(dev, &c1), "counters after the reset");
	EQ(c0.resets + 1, c1.resets, "one reset counted");
	EQ(gen, c1.pb_gen, "current generation reported");
	OK(c1.launches_failed >= c0.launches_failed + 1 + canceled + stale,
	   "failed launches counted");
	sushi_pin_set_destroy(dev, set);
out:
	sushi_program_destroy(dev, prog);
	net_free(&n);
}

/* ------------------------------------------------- two threads, one handle */

struct worker {
	struct sushi_device *dev;
	uint32_t prog;
	struct sushi_cost *cost;
	int fails;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct sushi_job_stats st;
	uint64_t job;
	int i;

	for (i = 0; i < 20; i++) {
		if (sushi_launch(w->dev, w->prog, NULL, &job) ||
		    sushi_job_wait(w->dev, job, 10 * SECOND, &st) ||
		    st.cycles != w->cost->cycles)
			w->fails++;
	}
	return NULL;
}

static void test_threads(struct sushi_device *dev)
{
	struct worker w[2];
	pthread_t t[2];
	struct net n;
	uint32_t prog;
	int i;

	if (net_build(dev, &n, 23) ||
	    sushi_program_create(dev, n.l, NET_LAYERS, &prog)) {
		OK(0, "network for the thread test");
		return;
	}
	net_clear(&n);
	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){ .dev = dev, .prog = prog,
					.cost = &n.cost };
		pthread_create(&t[i], NULL, worker, &w[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EQ(0, w[0].fails + w[1].fails,
	   "2 threads x 20 launches on one handle: failures");
	OK(net_check(&n), "outputs equal the reference after them");
	sushi_program_destroy(dev, prog);
	net_free(&n);
}

int main(void)
{
	struct sushi_device *dev = NULL;
	int ret;

	printf("TAP version 13\n");
	ret = sushi_device_open(NULL, &dev);
	if (ret) {
		/* the guest always has one: its absence is a failure */
		printf("not ok 1 - open the SushiAccel device: %s\n1..1\n",
		       sushi_strerror(ret));
		return 1;
	}
	test_open(dev);
	test_bo(dev);
	test_program_launch(dev);
	test_pb(dev);
	test_threads(dev);
	test_admin(dev);
	sushi_device_close(dev);
	return tap_done();
}
