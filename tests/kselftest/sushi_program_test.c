// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_program_test.c - kselftests of DRM_IOCTL_SUSHI_PROGRAM_CREATE and
 * DRM_IOCTL_SUSHI_PROGRAM_DESTROY: the valid path, one bad field per test
 * (flags, padding, element size, counts, handles, op fields, user
 * pointer), and the kernel's range checks: a layer that reads or writes
 * past its BO is refused with -ERANGE, offsets whose sum wraps with
 * -EOVERFLOW, an output in a device-read-only BO with -EACCES, a program
 * past the device's per-job host budgets with -E2BIG.
 */
#include "kselftest_harness.h"
#include "sushi_util.h"

#define ACT_SIZE	16384
#define WT_SIZE		16384

FIXTURE(prog) {
	int fd;
	struct drm_sushi_caps caps;
	struct sbo act;
	struct sbo wt;
	struct drm_sushi_layer conv;
	struct drm_sushi_layer pool;
};

/* A valid 3x3 convolution: 8x8x16 -> 8x8x32, weight rows 160 apart. */
static void make_conv(struct drm_sushi_layer *l, const struct sbo *act,
		      const struct sbo *wt)
{
	memset(l, 0, sizeof(*l));
	l->op = SUSHI_OP_CONV;
	l->in_c = 16;
	l->in_h = 8;
	l->in_w = 8;
	l->out_c = 32;
	l->out_h = 8;
	l->out_w = 8;
	l->kernel = 3;
	l->stride = 1;
	l->padding = 1;
	l->groups = 1;
	l->act_min = -128;
	l->act_max = 127;
	l->w_stride = 160;
	l->in = sref(act, 0);
	l->out = sref(act, 4096);
	l->w = sref(wt, 0);
	l->epi = sref(wt, 8192);
}

/* A valid 2x2 max pooling: 8x8x32 -> 4x4x32. */
static void make_pool(struct drm_sushi_layer *l, const struct sbo *act)
{
	memset(l, 0, sizeof(*l));
	l->op = SUSHI_OP_MAXPOOL;
	l->in_c = 32;
	l->in_h = 8;
	l->in_w = 8;
	l->out_c = 32;
	l->out_h = 4;
	l->out_w = 4;
	l->kernel = 2;
	l->stride = 2;
	l->groups = 1;
	l->act_min = -128;
	l->act_max = 127;
	l->in = sref(act, 4096);
	l->out = sref(act, 8192);
}

FIXTURE_SETUP(prog)
{
	self->fd = sushi_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, sushi_query_caps(self->fd, &self->caps));
	ASSERT_EQ(0, sbo_create(self->fd, ACT_SIZE, 0, &self->act));
	ASSERT_EQ(0, sbo_create(self->fd, WT_SIZE,
				DRM_SUSHI_BO_DEVICE_READ_ONLY, &self->wt));
	make_conv(&self->conv, &self->act, &self->wt);
	make_pool(&self->pool, &self->act);
}

FIXTURE_TEARDOWN(prog)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Create a one-layer program from @l, destroy it; return the create error. */
static int try_layer(int fd, const struct drm_sushi_layer *l)
{
	__u32 h;
	int ret = sushi_program_create(fd, l, 1, &h);

	if (!ret && sushi_program_destroy(fd, h))
		return -EBADE;
	return ret;
}

TEST_F(prog, create_valid)
{
	struct drm_sushi_layer ls[2] = { self->conv, self->pool };
	__u32 h1, h2;

	ASSERT_EQ(0, sushi_program_create(self->fd, ls, 2, &h1));
	EXPECT_NE(0, h1);
	ASSERT_EQ(0, sushi_program_create(self->fd, ls, 1, &h2));
	EXPECT_NE(h1, h2);
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h1));
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h2));
}

TEST_F(prog, create_bad_flags)
{
	struct drm_sushi_program_create c = {
		.layers = (uintptr_t)&self->conv, .n_layers = 1,
		.layer_size = sizeof(self->conv), .flags = 1,
	};

	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PROGRAM_CREATE,
				       &c));
}

/* Smaller than the first version: refused (larger: sushi_growth_test). */
TEST_F(prog, create_bad_layer_size)
{
	struct drm_sushi_program_create c = {
		.layers = (uintptr_t)&self->conv, .n_layers = 1,
		.layer_size = sizeof(self->conv) - 8,
	};

	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PROGRAM_CREATE,
				       &c));
	c.layer_size = 0;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd, DRM_IOCTL_SUSHI_PROGRAM_CREATE,
				       &c));
}

TEST_F(prog, create_zero_layers)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, sushi_program_create(self->fd, &self->conv, 0, &h));
}

TEST_F(prog, create_too_many_layers)
{
	__u32 n = self->caps.max_layers + 1, i, h;
	struct drm_sushi_layer *ls = calloc(n, sizeof(*ls));

	ASSERT_NE(NULL, ls);
	for (i = 0; i < n; i++)
		ls[i] = self->pool;
	EXPECT_EQ(-E2BIG, sushi_program_create(self->fd, ls, n, &h));
	EXPECT_EQ(-E2BIG, sushi_program_create(self->fd, ls, UINT32_MAX, &h));
	free(ls);
}

/* The largest program the device runs is accepted. */
TEST_F(prog, create_max_layers)
{
	__u32 n = self->caps.max_layers, i, h;
	struct drm_sushi_layer *ls = calloc(n, sizeof(*ls));

	ASSERT_NE(NULL, ls);
	for (i = 0; i < n; i++)
		ls[i] = self->pool;
	EXPECT_EQ(0, sushi_program_create(self->fd, ls, n, &h));
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h));
	free(ls);
}

TEST_F(prog, create_bad_pointer)
{
	__u32 h;

	EXPECT_EQ(-EFAULT, sushi_program_create(self->fd, NULL, 1, &h));
	EXPECT_EQ(-EFAULT, sushi_program_create(self->fd,
						(void *)(uintptr_t)8, 1, &h));
}

TEST_F(prog, create_bad_bo_handle)
{
	struct drm_sushi_layer l = self->conv;

	l.in.handle = 0x7fffffff;
	EXPECT_EQ(-ENOENT, try_layer(self->fd, &l));
	l = self->conv;
	l.w.handle = self->wt.handle + 100;
	EXPECT_EQ(-ENOENT, try_layer(self->fd, &l));
}

TEST_F(prog, create_missing_bo)
{
	struct drm_sushi_layer l = self->conv;

	l.epi.handle = 0;
	l.epi.offset = 0;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
}

TEST_F(prog, create_ref_padding)
{
	struct drm_sushi_layer l = self->conv;

	l.out.pad = 1;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
}

/* A pooling layer must not name weights, epilogue or a second input. */
TEST_F(prog, create_unused_ref)
{
	struct drm_sushi_layer l = self->pool;

	l.w = sref(&self->wt, 0);
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
	l = self->pool;
	l.in2.offset = 64;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
}

TEST_F(prog, create_layer_flags)
{
	struct drm_sushi_layer l = self->conv;

	l.flags = 1;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
}

TEST_F(prog, create_bad_op)
{
	struct drm_sushi_layer l = self->conv;

	l.op = 0;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
	l.op = SUSHI_OP_COUNT;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
}

/* The device's own validation runs: a wrong output size is refused. */
TEST_F(prog, create_bad_geometry)
{
	struct drm_sushi_layer l = self->conv;

	l.out_h = 7;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
	l = self->conv;
	l.w_stride = 143;	/* shorter than a 144-byte row */
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
}

/*
 * The device's per-layer work limit (SUSHI_HW_MAX_LAYER_MACS, 2^34): a
 * 1x1 conv of 65536 -> 65536 channels on 2x3 pixels is refused as a bad
 * layer before its ranges are looked at; on 2x2 pixels it is exactly at
 * the limit, valid, and only its ranges (far past the BOs) are wrong.
 */
TEST_F(prog, create_over_mac_budget)
{
	struct drm_sushi_layer l = self->conv;

	l.in_c = 65536;
	l.out_c = 65536;
	l.kernel = 1;
	l.padding = 0;
	l.w_stride = 65536;
	l.in_h = 2;
	l.out_h = 2;
	l.in_w = 3;
	l.out_w = 3;
	EXPECT_EQ(-EINVAL, try_layer(self->fd, &l));
	l.in_w = 2;
	l.out_w = 2;
	EXPECT_EQ(-ERANGE, try_layer(self->fd, &l));
}

/* A layer reading its input past the end of the BO is refused. */
TEST_F(prog, create_read_past_bo)
{
	struct drm_sushi_layer l = self->conv;

	l.in.offset = self->act.size - 1024 + 1;	/* input is 1024 B */
	EXPECT_EQ(-ERANGE, try_layer(self->fd, &l));
	l.in.offset = self->act.size - 1024;
	EXPECT_EQ(0, try_layer(self->fd, &l));
}

/* The weight span (rows - 1) * stride + row must fit too. */
TEST_F(prog, create_weights_past_bo)
{
	struct drm_sushi_layer l = self->conv;

	l.w_stride = WT_SIZE / 31;	/* 31 * stride + 144 > WT_SIZE */
	EXPECT_EQ(-ERANGE, try_layer(self->fd, &l));
	l.w_stride = 160;
	l.w.offset = WT_SIZE - 31 * 160 - 144 + 1;
	EXPECT_EQ(-ERANGE, try_layer(self->fd, &l));
}

TEST_F(prog, create_write_past_bo)
{
	struct drm_sushi_layer l = self->pool;

	l.out.offset = self->act.size - 512 + 1;
	EXPECT_EQ(-ERANGE, try_layer(self->fd, &l));
}

TEST_F(prog, create_offset_past_bo)
{
	struct drm_sushi_layer l = self->pool;

	l.out.offset = self->act.size + 4096;
	EXPECT_EQ(-ERANGE, try_layer(self->fd, &l));
}

/* offset + length wrapping 64 bits is an overflow, not a wrap-around. */
TEST_F(prog, create_overflowing_offset)
{
	struct drm_sushi_layer l = self->conv;

	l.in.offset = UINT64_MAX - 100;
	EXPECT_EQ(-EOVERFLOW, try_layer(self->fd, &l));
	l = self->conv;
	l.w_stride = UINT64_MAX / 16;
	EXPECT_EQ(-EOVERFLOW, try_layer(self->fd, &l));
}

TEST_F(prog, create_output_read_only)
{
	struct drm_sushi_layer l = self->pool;

	l.out = sref(&self->wt, 0);
	EXPECT_EQ(-EACCES, try_layer(self->fd, &l));
}

/* The second bad layer of a list is found too. */
TEST_F(prog, create_second_layer_bad)
{
	struct drm_sushi_layer ls[2] = { self->conv, self->pool };
	__u32 h;

	ls[1].in.offset = self->act.size;
	EXPECT_EQ(-ERANGE, sushi_program_create(self->fd, ls, 2, &h));
}

/*
 * Handle 0 is never a program, also after someone tried to destroy it
 * while the file had one (erasing index 0 of the handle table used to
 * free 0 for the next create).
 */
TEST_F(prog, destroy_bad_handle)
{
	__u32 h1 = 0, h2 = 0;

	EXPECT_EQ(-ENOENT, sushi_program_destroy(self->fd, 0));
	EXPECT_EQ(-ENOENT, sushi_program_destroy(self->fd, 12345));
	ASSERT_EQ(0, sushi_program_create(self->fd, &self->pool, 1, &h1));
	EXPECT_EQ(-ENOENT, sushi_program_destroy(self->fd, 0));
	ASSERT_EQ(0, sushi_program_create(self->fd, &self->pool, 1, &h2));
	EXPECT_NE(0, h1);
	EXPECT_NE(0, h2);
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h1));
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h2));
}

TEST_F(prog, destroy_twice)
{
	__u32 h;

	ASSERT_EQ(0, sushi_program_create(self->fd, &self->pool, 1, &h));
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h));
	EXPECT_EQ(-ENOENT, sushi_program_destroy(self->fd, h));
}

TEST_F(prog, destroy_padding)
{
	struct drm_sushi_program_destroy d = { .pad = 1 };
	__u32 h;

	ASSERT_EQ(0, sushi_program_create(self->fd, &self->pool, 1, &h));
	d.handle = h;
	EXPECT_EQ(-EINVAL, sushi_ioctl(self->fd,
				       DRM_IOCTL_SUSHI_PROGRAM_DESTROY, &d));
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h));
}

/* Program handles and BO handles are per file. */
TEST_F(prog, handles_are_per_file)
{
	struct drm_sushi_layer l = self->pool;
	int other = sushi_open();
	__u32 h;

	ASSERT_GE(other, 0);
	ASSERT_EQ(0, sushi_program_create(self->fd, &l, 1, &h));
	EXPECT_EQ(-ENOENT, sushi_program_destroy(other, h));
	EXPECT_EQ(-ENOENT, try_layer(other, &l));
	close(other);
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h));
}

/* Closing the BO handles does not free BOs a program uses. */
TEST_F(prog, program_keeps_bos)
{
	__u32 h;

	ASSERT_EQ(0, sushi_program_create(self->fd, &self->conv, 1, &h));
	EXPECT_EQ(0, sbo_close(self->fd, &self->act));
	EXPECT_EQ(0, sbo_close(self->fd, &self->wt));
	EXPECT_EQ(0, sushi_program_destroy(self->fd, h));
}

/*
 * The device's per-job host budgets (caps.job_work_budget, job_mem_budget):
 * a program of as many 8x8 max poolings over 1 MiB as the work budget
 * allows is created; one layer more is refused with E2BIG before the device
 * sees it.  The count comes from the shared host-cost function the device
 * enforces (qemu-device/model/host_cost.c).
 */
TEST(create_over_host_budget)
{
	struct drm_sushi_caps caps;
	struct drm_sushi_layer l, *ls;
	struct sushi_hw_layer m;
	struct sushi_layer_geom g;
	struct sushi_host_cost job, lc;
	struct sbo in, out;
	__u64 desc;
	__u32 n, h, max = 0;
	int fd;

	fd = sushi_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, sushi_query_caps(fd, &caps));
	ASSERT_EQ(0, sbo_create(fd, 1024 * 1024, 0, &in));
	ASSERT_EQ(0, sbo_create(fd, 1024 * 1024, 0, &out));
	memset(&l, 0, sizeof(l));
	l.op = SUSHI_OP_MAXPOOL;
	l.in_c = 1;
	l.out_c = 1;
	l.in_h = 1024;
	l.in_w = 1024;
	l.out_h = 1024 - 7;
	l.out_w = 1024 - 7;
	l.kernel = 8;
	l.stride = 1;
	l.groups = 1;
	l.act_min = -128;
	l.act_max = 127;
	l.in = sref(&in, 0);
	l.out = sref(&out, 0);
	sushi_layer_to_model(&l, &m);
	ASSERT_EQ(0, sushi_layer_check(&m, &g));
	sushi_hw_layer_host_cost(&m, &g, caps.pb_entries, &lc);
	/* the most copies within the budgets (the device's own sum) */
	for (n = 1; n <= caps.max_layers; n++) {
		sushi_job_host_cost_init(n, &job);
		desc = job.mem;
		for (__u32 i = 0; i < n; i++)
			sushi_job_host_cost_add(&job, desc, &lc);
		if (sushi_host_cost_over(&job, caps.job_work_budget,
					 caps.job_mem_budget))
			break;
		max = n;
	}
	ASSERT_GE(max, 1);
	ASSERT_LT(max, caps.max_layers) TH_LOG("budget above max_layers");
	ls = calloc(max + 1, sizeof(*ls));
	ASSERT_NE(NULL, ls);
	for (n = 0; n <= max; n++)
		ls[n] = l;
	ASSERT_EQ(0, sushi_program_create(fd, ls, max, &h));
	EXPECT_EQ(0, sushi_program_destroy(fd, h));
	EXPECT_EQ(-E2BIG, sushi_program_create(fd, ls, max + 1, &h));
	free(ls);
	sbo_close(fd, &in);
	sbo_close(fd, &out);
	close(fd);
}

TEST_HARNESS_MAIN
